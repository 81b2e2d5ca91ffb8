"""The `redgrid` command: serve, migrate, seed-demo, provision, dev-token."""

from __future__ import annotations

import argparse
import asyncio
import sys

from redgrid.platform.settings import Settings, get_settings


async def _with_database(settings: Settings, work):  # type: ignore[no-untyped-def]
    from redgrid.platform.database import close_database, init_database

    await init_database(settings)
    try:
        return await work()
    finally:
        await close_database()


def cmd_migrate(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.database import migrate

    for line in asyncio.run(migrate(settings)) or ["nothing to apply"]:
        print(line)
    return 0


def cmd_seed_demo(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.demo import seed_demo
    from redgrid.platform.provisioning import build_provisioner

    lines = asyncio.run(_with_database(settings, lambda: seed_demo(build_provisioner(settings))))
    print("\n".join(lines))
    return 0


def cmd_provision(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.demo import operator_context
    from redgrid.platform.errors import InvalidInput
    from redgrid.platform.provisioning import build_provisioner
    from redgrid.platform.tenancy import create_district, create_tenant

    async def work() -> list[str]:
        operator = operator_context()
        lines = []
        if args.district_name:
            district = await create_district(operator, args.district, args.district_name)
            lines.append(f"district {args.district}: {'created' if district.created else 'exists'}")
        secretary = (args.secretary, args.secretary_email) if args.secretary else None
        made = await create_tenant(
            operator, build_provisioner(settings), slug=args.tenant, name=args.name,
            district_slug=args.district, kind=args.kind, secretary=secretary,
        )
        lines.append(f"tenant {args.tenant}: {'created' if made.created else 'exists'}")
        if made.provisioning:
            lines += [f"  {a}" for a in made.provisioning.actions]
            if made.provisioning.initial_password:
                lines.append(f"  initial password for {args.secretary} (shown once): "
                             f"{made.provisioning.initial_password}")
        return lines

    try:
        print("\n".join(asyncio.run(_with_database(settings, work))))
    except InvalidInput as exc:
        for error in exc.errors:
            print(f"error: {error.field or '-'}: {error.message}", file=sys.stderr)
        return 2
    return 0


def cmd_dev_token(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.auth.dev_identity import DevIdentity

    if not settings.uses_dev_identity:
        print("dev-token works only with the dev identity (REDGRID_KEYCLOAK_URL unset)", file=sys.stderr)
        return 2
    try:
        print(DevIdentity(settings).password_grant(args.username, args.password)["access_token"])
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.server import serve

    if not settings.database_url:
        # The embedded default: bring the SQLite file up to date and seed it, so a newcomer
        # sees data at once.
        cmd_migrate(settings, args)
        cmd_seed_demo(settings, args)
    serve(settings, args.host or settings.host, args.port or settings.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="redgrid", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the server (embedded defaults without configuration)")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    sub.add_parser("migrate", help="apply migrations, row-level security and grants (re-runnable)")
    sub.add_parser("seed-demo", help="create the demo district, tenants and grids (idempotent)")
    provision = sub.add_parser("provision", help="create a tenant and its Keycloak side (idempotent)")
    provision.add_argument("--district", required=True, help="district slug")
    provision.add_argument("--district-name", help="create the district too, with this name")
    provision.add_argument("--tenant", required=True, help="tenant slug")
    provision.add_argument("--name", required=True, help="tenant name")
    provision.add_argument("--kind", default="street", choices=["street", "town"])
    provision.add_argument("--secretary", help="username of the tenant's first secretary")
    provision.add_argument("--secretary-email")
    token = sub.add_parser("dev-token", help="print a dev identity token for a demo user")
    token.add_argument("username")
    token.add_argument("--password", default="redgrid-demo")
    args = parser.parse_args(argv)
    try:
        settings = get_settings()
    except ValueError as exc:
        print(f"configuration error: {exc}", file=sys.stderr)
        return 2
    handler = {
        "serve": cmd_serve,
        "migrate": cmd_migrate,
        "seed-demo": cmd_seed_demo,
        "provision": cmd_provision,
        "dev-token": cmd_dev_token,
    }[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
