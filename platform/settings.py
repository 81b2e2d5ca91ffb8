"""Process settings, read once from REDGRID_* environment variables.

Every variable is documented in README.md ("Settings"); keep the two in step.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="REDGRID_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    data_dir: Path = Path(".redgrid")

    # Empty database URL means the embedded SQLite file under data_dir.
    database_url: str = ""
    # Owner role used only by `redgrid migrate`; defaults to database_url.
    migration_database_url: str = ""
    # Empty Redis URL means the in-memory channel layer (one process only).
    redis_url: str = ""

    # Empty Keycloak URL means the dev identity (development only).
    keycloak_url: str = ""
    keycloak_issuer: str = ""
    keycloak_realm: str = "redgrid"
    keycloak_client_id: str = "redgrid-api"
    keycloak_client_secret: str = ""
    jwks_cache_seconds: int = Field(default=300, ge=0)
    # Clock difference forgiven on a token's exp, nbf and iat (Keycloak's clock may run ahead).
    token_leeway_seconds: float = Field(default=30, ge=0, le=300)
    # The clients (azp) whose access tokens are accepted, comma-separated; the API client always is.
    token_clients: str = "redgrid-api,redgrid-web"
    # The browser clients' public client (authorization code + PKCE), and where their build is
    # (empty: web/dist of the source tree, which deploy/dev.sh and deploy/test.sh build).
    web_client_id: str = "redgrid-web"
    web_dir: str = ""
    user_status_ttl_seconds: float = Field(default=30, ge=0)
    # True once the realm has SMTP configured: a new account then gets Keycloak's invitation
    # e-mail (set your password) instead of a temporary password shown once to its creator.
    invite_by_email: bool = False

    sla_scan_seconds: float = Field(default=15, gt=0)
    # How often each hub reads the event log for what the channel layer did not bring (realtime/hub.py).
    hub_catch_up_seconds: float = Field(default=5, gt=0)
    # How long a mutation's Idempotency-Key is remembered (platform/idempotency.py): a retry
    # within it replays the first response; the purge job removes older keys.
    idempotency_retention_seconds: float = Field(default=7 * 86400, gt=0)

    # Websockets: uvicorn's implementation and its per-connection costs (see README).
    ws_impl: Literal["websockets-sansio", "websockets", "wsproto"] = "websockets-sansio"
    ws_per_message_deflate: bool = False
    ws_ping_interval_seconds: float = Field(default=20, ge=0)

    # Full garbage collection of everything, frozen or not (platform/collector.py).
    gc_full_pass_seconds: float = Field(default=3600, gt=0)
    # Register pages PostgreSQL shapes in one statement (graphql/core/compiled.py); false: resolvers only.
    compiled_pages: bool = True
    # A JSON manifest of the only documents that may run (graphql/core/persisted.py); empty: any.
    persisted_queries_manifest: str = ""

    log_level: str = "INFO"
    # Identical errors within this window are written once, the next one with their count.
    log_repeat_seconds: float = Field(default=60, gt=0)
    shutdown_grace_seconds: float = Field(default=20, ge=0)

    # Case photos: files under attachments_dir (empty: <data_dir>/attachments) unless an
    # S3-compatible bucket is named, then objects in it.
    attachments_dir: str = ""
    s3_endpoint_url: str = ""
    s3_bucket: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    s3_region: str = "us-east-1"

    @model_validator(mode="after")
    def _production_needs_real_services(self) -> Settings:
        if self.env is Environment.PRODUCTION:
            missing = [
                name
                for name, value in (
                    ("REDGRID_DATABASE_URL", self.database_url),
                    ("REDGRID_REDIS_URL", self.redis_url),
                    ("REDGRID_KEYCLOAK_URL", self.keycloak_url),
                )
                if not value
            ]
            if missing:
                raise ValueError(
                    "production needs real services; the embedded defaults (SQLite, in-memory "
                    "channel layer, dev identity) refuse to run in production. Missing: " + ", ".join(missing)
                )
        return self

    @model_validator(mode="after")
    def _s3_needs_a_bucket(self) -> Settings:
        if not self.s3_bucket and (self.s3_endpoint_url or self.s3_access_key_id or self.s3_secret_access_key):
            raise ValueError(
                "REDGRID_S3_* is set but REDGRID_S3_BUCKET is not: name the bucket, or unset them for disk storage"
            )
        return self

    @property
    def effective_attachments_dir(self) -> Path:
        return Path(self.attachments_dir) if self.attachments_dir else self.data_dir / "attachments"

    @property
    def uses_dev_identity(self) -> bool:
        return not self.keycloak_url

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite://{self.data_dir / 'redgrid.sqlite3'}"

    @property
    def effective_migration_database_url(self) -> str:
        return self.migration_database_url or self.effective_database_url

    @property
    def is_postgres(self) -> bool:
        return self.effective_database_url.startswith(("postgres://", "postgresql://"))

    @property
    def accepted_clients(self) -> frozenset[str]:
        named = (c.strip() for c in self.token_clients.split(","))
        return frozenset({self.keycloak_client_id, *(c for c in named if c)})

    @property
    def issuer(self) -> str:
        """The `iss` every accepted token must carry. The dev identity's names no host or port:
        `redgrid dev-token` must mint what `redgrid serve` accepts whichever address either was
        given (its key in the data dir is what the server trusts)."""
        if self.keycloak_issuer:
            return self.keycloak_issuer.rstrip("/")
        if self.keycloak_url:
            return f"{self.keycloak_url.rstrip('/')}/realms/{self.keycloak_realm}"
        return f"urn:redgrid:dev-identity:realms:{self.keycloak_realm}"


@lru_cache
def get_settings() -> Settings:
    return Settings()
