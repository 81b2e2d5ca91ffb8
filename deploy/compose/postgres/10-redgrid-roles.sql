-- Runs once, when the postgres container initialises an empty data volume
-- (mounted into /docker-entrypoint-initdb.d/ by deploy/docker-compose.yml).
--
-- Two roles, as in production:
--   redgrid_owner  owns the database and its schema; used only by `redgrid migrate`
--                  (REDGRID_MIGRATION_DATABASE_URL). Not a superuser.
--   redgrid_app    the API's role (REDGRID_DATABASE_URL): not the table owner, NOSUPERUSER,
--                  NOBYPASSRLS, so PostgreSQL row-level security applies to every query.
--                  `redgrid migrate` grants it table privileges after each migration.
-- Passwords come from the container's environment (psql \getenv, PostgreSQL >= 15).

\set ON_ERROR_STOP on
\getenv owner_password DB_OWNER_PASSWORD
\getenv app_password DB_APP_PASSWORD

CREATE ROLE redgrid_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'owner_password';
CREATE ROLE redgrid_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_password';

CREATE DATABASE redgrid OWNER redgrid_owner;
REVOKE ALL ON DATABASE redgrid FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE redgrid TO redgrid_app;

\connect redgrid
ALTER SCHEMA public OWNER TO redgrid_owner;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO redgrid_app;
-- Tables created later by the owner are usable by the app role even before the grants that
-- `redgrid migrate` issues (belt and braces; RLS still applies: the app role owns nothing).
ALTER DEFAULT PRIVILEGES FOR ROLE redgrid_owner IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO redgrid_app;
ALTER DEFAULT PRIVILEGES FOR ROLE redgrid_owner IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO redgrid_app;
