"""The `redgrid` command: serve, migrate, seed-demo, simulate, provision, users, import, export,
sweep-attachments, dev-token."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from redgrid.platform.settings import Settings, get_settings

if TYPE_CHECKING:
    from redgrid.platform.context import RequestContext
    from redgrid.platform.root.demo import DistrictScale
    from redgrid.tenants.imports import ImportResult

T = TypeVar("T")


async def _with_database(settings: Settings, work: Callable[[], Awaitable[T]]) -> T:
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
    from redgrid.platform.demo_users import DEMO_DISTRICT
    from redgrid.platform.provisioning import build_provisioner
    from redgrid.platform.root.demo import seed_demo, seed_district_streets, seed_scale_street

    scale = getattr(args, "scale", None)
    if scale is not None and scale < 1:
        # Checked before anything is written: 0 was ignored silently, and a negative N built
        # the scale street's grid with no residents, after which every real run was refused.
        print("error: --scale takes a number of residents, 1 or more", file=sys.stderr)
        return 2
    if getattr(args, "street", None):
        return _seed_street(settings, args)
    if getattr(args, "like", None) or getattr(args, "district", None):
        print("error: --like and --district go with --street", file=sys.stderr)
        return 2
    history = getattr(args, "history", 0) or 0
    if not 0 <= history <= 366:
        print("error: --history takes 0 to 366 days", file=sys.stderr)
        return 2
    district, problem = _district_scale(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2

    async def work() -> list[str]:
        lines = await seed_demo(build_provisioner(settings))
        if scale is not None:
            lines.append(await seed_scale_street(build_provisioner(settings), scale))
        if district is not None:
            lines += await seed_district_streets(build_provisioner(settings), DEMO_DISTRICT[0], district)
        if history:
            from redgrid.platform.root.simulate import seed_case_history

            lines += await seed_case_history(history)
        return lines

    try:
        print("\n".join(asyncio.run(_with_database(settings, work))))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _district_scale(args: argparse.Namespace) -> tuple[DistrictScale | None, str | None]:
    """The generated streets `--district-streets`/`--jiangning-scale` ask for, or why not;
    checked before anything is written."""
    from redgrid.platform.root.demo import JIANGNING_SCALE, PER_STREET, DistrictScale

    streets = getattr(args, "district_streets", None)
    preset = getattr(args, "jiangning_scale", False)
    if streets is None and not preset:
        return None, None
    streets = streets if streets is not None else JIANGNING_SCALE["streets"]
    if not 1 <= streets <= 99:
        return None, "--district-streets takes 1 to 99 streets"
    given = {k: getattr(args, f"district_{k}", None) for k in PER_STREET}
    totals = {k: v if v is not None else PER_STREET[k] * streets for k, v in given.items()}
    if preset:
        totals.update({k: v for k, v in JIANGNING_SCALE.items() if k != "streets" and given[k] is None})
    if totals["grids"] < streets or totals["residents"] < 0 or totals["cases"] < 0 or totals["stations"] < 0:
        return None, "every street needs a grid, and no count may be negative"
    if totals["residents"] > 10_000_000 or totals["cases"] > 1_000_000 or totals["grids"] > 100_000:
        return None, "at most 10,000,000 residents, 1,000,000 cases and 100,000 grids"
    return DistrictScale(streets, totals["grids"], totals["stations"], totals["residents"], totals["cases"]), None


def _seed_street(settings: Settings, args: argparse.Namespace) -> int:
    """`seed-demo --street SLUG`: only that street (the demo tenants are left alone)."""
    from redgrid.platform.demo_users import DEMO_DISTRICT, DEMO_TENANTS
    from redgrid.platform.errors import InvalidInput
    from redgrid.platform.provisioning import build_provisioner
    from redgrid.platform.root.demo import seed_street
    from redgrid.platform.user_directory import build_user_directory

    if args.scale is not None or args.district_streets is not None or args.jiangning_scale:
        print(
            "error: --street and --scale build different streets, as do the district options; give one", file=sys.stderr
        )
        return 2
    if settings.uses_dev_identity:
        print("error: --street makes accounts, which the dev identity cannot; configure Keycloak", file=sys.stderr)
        return 2

    async def work() -> list[str]:
        return await seed_street(
            build_provisioner(settings),
            build_user_directory(settings),
            args.street,
            like=args.like or DEMO_TENANTS[0][0],
            district_slug=args.district or DEMO_DISTRICT[0],
        )

    try:
        print("\n".join(asyncio.run(_with_database(settings, work))))
    except InvalidInput as exc:
        for error in exc.errors:
            print(f"error: {error.field or '-'}: {error.message}", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def cmd_provision(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.errors import InvalidInput
    from redgrid.platform.provisioning import build_provisioner
    from redgrid.platform.root.demo import operator_context
    from redgrid.tenants.tenancy import create_district, create_tenant

    async def work() -> list[str]:
        operator = operator_context()
        lines = []
        if args.district_name:
            district = await create_district(operator, args.district, args.district_name)
            lines.append(f"district {args.district}: {'created' if district.created else 'exists'}")
        secretary = (args.secretary, args.secretary_email) if args.secretary else None
        made = await create_tenant(
            operator,
            build_provisioner(settings),
            slug=args.tenant,
            name=args.name,
            district_slug=args.district,
            kind=args.kind,
            secretary=secretary,
        )
        lines.append(f"tenant {args.tenant}: {'created' if made.created else 'exists'}")
        if made.provisioning:
            lines += [f"  {a}" for a in made.provisioning.actions]
            if made.provisioning.initial_password:
                lines.append(
                    f"  initial password for {args.secretary} (shown once): {made.provisioning.initial_password}"
                )
        return lines

    try:
        print("\n".join(asyncio.run(_with_database(settings, work))))
    except InvalidInput as exc:
        for error in exc.errors:
            print(f"error: {error.field or '-'}: {error.message}", file=sys.stderr)
        return 2
    return 0


async def _as_secretary(slug: str, work: Callable[[RequestContext], Awaitable[T]]) -> T:
    """Run `work(ctx)` as a street-wide secretary of tenant `slug`, in its transaction."""
    from redgrid.platform.database import tenant_transaction
    from redgrid.platform.models import Tenant
    from redgrid.platform.root.demo import secretary_context

    tenant = await Tenant.get_or_none(slug=slug)
    if tenant is None:
        raise LookupError(f"no tenant {slug!r}")
    async with tenant_transaction(tenant.id):
        return await work(secretary_context(tenant))


def cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from tqdm import tqdm

    from redgrid.platform.errors import InvalidInput
    from redgrid.tenants.imports import run_import
    from redgrid.tenants.registers import REGISTERS

    path = Path(args.file)
    data = path.read_bytes()
    estimate = data.count(b"\n") if path.suffix.lower() == ".csv" else None
    with tqdm(total=estimate, unit=" rows", desc=f"checking {path.name}", file=sys.stderr) as bar:

        def progress(rows: int) -> None:
            bar.update(rows - bar.n)

        async def work(ctx: RequestContext) -> ImportResult:
            return await run_import(ctx, REGISTERS[args.register], path.name, data, progress)

        try:
            result = asyncio.run(_with_database(settings, lambda: _as_secretary(args.tenant, work)))
        except (InvalidInput, LookupError) as exc:
            for error in getattr(exc, "errors", [exc]):
                print(f"error: {getattr(error, 'message', error)}", file=sys.stderr)
            return 2
    for row in result.errors:
        print(f"line {row.line}: {row.column or '-'}: {row.reason}", file=sys.stderr)
    if result.errors:
        more = f" (and {result.more_errors} more)" if result.more_errors else ""
        print(f"{len(result.errors)} bad rows{more}: nothing imported", file=sys.stderr)
        return 1
    print(f"imported {result.imported} of {result.rows} rows into {args.register}")
    return 0


def cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from pathlib import Path

    from redgrid.tenants.imports import export_register
    from redgrid.tenants.registers import REGISTERS

    spec = REGISTERS[args.register]

    async def work(ctx: RequestContext) -> list[dict[str, Any]]:
        return await spec.export(ctx)

    try:
        rows = asyncio.run(_with_database(settings, lambda: _as_secretary(args.tenant, work)))
    except LookupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    Path(args.file).write_bytes(export_register(spec, rows))
    print(f"wrote {len(rows)} rows of {args.register} to {args.file}")
    return 0


def cmd_sweep_attachments(settings: Settings, args: argparse.Namespace) -> int:
    from datetime import timedelta

    from redgrid.platform.storage import build_storage
    from redgrid.tenants.cases.attachments import sweep_orphans

    if args.older_than_hours < 1:
        print("error: --older-than-hours must be 1 or more: a younger photo may await its commit", file=sys.stderr)
        return 2
    store = build_storage(settings)
    report = asyncio.run(
        _with_database(
            settings,
            lambda: sweep_orphans(
                store, timedelta(hours=args.older_than_hours), dry_run=args.dry_run, force=args.force
            ),
        )
    )
    print(f"{'would remove' if args.dry_run else 'removed'} {report.removed} stored photos that no case refers to")
    for tenant_id, (orphans, old) in report.refused.items():
        print(
            f"tenant {tenant_id}: {orphans} of its {old} photos have no row, left alone: is this the right "
            "database? Check, then run with --force",
            file=sys.stderr,
        )
    return 1 if report.refused else 0


def cmd_simulate(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.root.simulate import DEMO_SLUGS, simulate

    if not 0 < args.rate <= 1000 or (args.duration is not None and args.duration <= 0):
        print("error: --rate takes 0 to 1000 events a second, --duration a positive number", file=sys.stderr)
        return 2
    slugs = (args.tenant,) if args.tenant else DEMO_SLUGS

    def progress(done: Any) -> None:
        print(", ".join(f"{k} {v}" for k, v in sorted(done.items())), file=sys.stderr, flush=True)

    try:
        done = asyncio.run(
            _with_database(settings, lambda: simulate(args.rate, slugs, args.duration, progress=progress))
        )
    except KeyboardInterrupt:
        return 0
    except LookupError as exc:
        print(f"error: {exc}: run seed-demo first", file=sys.stderr)
        return 2
    print(f"{sum(done.values())} events: " + ", ".join(f"{k} {v}" for k, v in sorted(done.items())))
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


def cmd_vapid_keys(settings: Settings, args: argparse.Namespace) -> int:
    """A new VAPID key pair for Web Push: the private key as REDGRID_VAPID_PRIVATE_KEY takes it,
    and the public key browsers subscribe with (the server also serves it as `pushPublicKey`)."""
    from py_vapid import Vapid

    from redgrid.tenants.notices.push import application_server_key, generate_private_key

    private = generate_private_key()
    print(f"REDGRID_VAPID_PRIVATE_KEY={private}")
    print(f"# public key (applicationServerKey): {application_server_key(Vapid.from_raw(private.encode()))}")
    return 0


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from redgrid.platform.root.server import serve

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
    seed = sub.add_parser("seed-demo", help="create the demo district, tenants and grids (idempotent)")
    seed.add_argument(
        "--scale",
        type=int,
        metavar="N",
        help="also build the street 'scale' with N generated residents, for benchmarks",
    )
    seed.add_argument(
        "--district-streets",
        type=int,
        metavar="N",
        help="also build N generated streets in the demo district (<district>-s01, …), for the district view",
    )
    seed.add_argument(
        "--jiangning-scale",
        action="store_true",
        help="generated streets at Jiangning's scale: 1,938 grids and 515 workstations over 10 streets (or N)",
    )
    for name, per_street in (("grids", 40), ("stations", 10), ("residents", 20_000), ("cases", 300)):
        seed.add_argument(
            f"--district-{name}",
            type=int,
            metavar="TOTAL",
            help=f"{name} over all the generated streets (default {per_street:,} a street)",
        )
    seed.add_argument(
        "--street",
        metavar="SLUG",
        help="instead, build the street SLUG like a demo tenant, with accounts SLUG-<role> (passwords shown once)",
    )
    seed.add_argument("--like", choices=["jinshui", "hushu"], help="with --street: the demo tenant to copy (jinshui)")
    seed.add_argument("--district", help="with --street: its district, created when missing (jiangning)")
    seed.add_argument(
        "--history",
        type=int,
        metavar="DAYS",
        default=0,
        help="also write DAYS (e.g. 90) of case history for the demo tenants, through the case services",
    )
    sim = sub.add_parser("simulate", help="keep reporting and moving demo cases and check-ins, until stopped")
    sim.add_argument("--rate", type=float, default=1.0, help="events a second (default 1)")
    sim.add_argument("--tenant", help="one demo tenant's slug (default: all of them)")
    sim.add_argument("--duration", type=float, metavar="S", help="stop after S seconds (default: when interrupted)")
    provision = sub.add_parser("provision", help="create a tenant and its Keycloak side (idempotent)")
    provision.add_argument("--district", required=True, help="district slug")
    provision.add_argument("--district-name", help="create the district too, with this name")
    provision.add_argument("--tenant", required=True, help="tenant slug")
    provision.add_argument("--name", required=True, help="tenant name")
    provision.add_argument("--kind", default="street", choices=["street", "town"])
    provision.add_argument("--secretary", help="username of the tenant's first secretary")
    provision.add_argument("--secretary-email")
    from redgrid.tenants.registers import REGISTERS

    registers = list(REGISTERS)
    load = sub.add_parser("import", help="import a register from CSV or XLSX: all rows or none")
    load.add_argument("--tenant", required=True, help="tenant slug")
    load.add_argument("register", choices=registers)
    load.add_argument("file", help=".csv (UTF-8 or GB18030) or .xlsx")
    dump = sub.add_parser("export", help="export a register to XLSX")
    dump.add_argument("--tenant", required=True, help="tenant slug")
    dump.add_argument("register", choices=registers)
    dump.add_argument("file", help="the .xlsx to write")
    sweep = sub.add_parser("sweep-attachments", help="delete stored photos no case refers to (left by a crash)")
    sweep.add_argument(
        "--older-than-hours",
        type=float,
        default=24,
        help="only objects written longer ago than this (default 24, at least 1)",
    )
    sweep.add_argument("--dry-run", action="store_true", help="count what would go, delete nothing")
    sweep.add_argument(
        "--force",
        action="store_true",
        help="also where most of a tenant's photos have no row (normally a wrong database)",
    )
    from redgrid.platform.root import users_cli

    users_cli.add_parser(sub)
    sub.add_parser("vapid-keys", help="print a new VAPID key pair for Web Push (REDGRID_VAPID_PRIVATE_KEY)")
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
        "import": cmd_import,
        "export": cmd_export,
        "sweep-attachments": cmd_sweep_attachments,
        "dev-token": cmd_dev_token,
        "vapid-keys": cmd_vapid_keys,
        "simulate": cmd_simulate,
        "users": users_cli.cmd_users,
    }[args.command]
    return handler(settings, args)


if __name__ == "__main__":
    sys.exit(main())
