"""Command line for operations: ``python -m data <command>`` (see ``--help``).

Every command honours DATABASE_URL; without it the embedded PostgreSQL under .leadline/
is used, exactly as the dashboard does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
import warnings
from pathlib import Path

from data import db, demo, digests, imports
from data.db import migrate, tenants
from data.domain.filters import ReportFilters
from data.domain.permissions import SYSTEM
from data.domain.validation import ValidationError
from data.domain.vocabulary import DIGEST_KINDS, KEY_ROLES
from data.exports import snapshot
from data.writes import api_keys, auth, intake_settings


def _migrate(_args: argparse.Namespace) -> int:
    result = migrate.migrate()
    if result.applied:
        print("applied: " + ", ".join(result.applied))
    print("views rebuilt" if result.views_rebuilt else "views up to date")
    if not result.applied:
        print("migrations up to date")
    return 0


def _tenant(slug: str) -> int | None:
    """The tenant's id, or None after saying on standard error that there is none."""
    tenant_id = db.tenant_id_for(slug)
    if tenant_id is None:
        print(f"no tenant {slug!r}", file=sys.stderr)
    return tenant_id


def _refused(error: ValidationError) -> int:
    """Say each field's message on standard error; the exit status of a refused command."""
    for field, message in error.errors.items():
        print(f"{field}: {message}", file=sys.stderr)
    return 2


def _seed_demo(args: argparse.Namespace) -> int:
    migrate.migrate()
    anchor = dt.date.fromisoformat(args.as_of) if args.as_of else None
    summary = demo.seed_demo(slug=args.tenant, seed=args.seed, as_of=anchor)
    print(summary)
    return 0


def _snapshot(args: argparse.Namespace) -> int:
    migrate.migrate()
    tenant_id = _tenant(args.tenant)
    if tenant_id is None:
        return 2
    filters = None
    if args.from_month or args.to_month:
        if not (args.from_month and args.to_month):
            print("give both --from and --to, or neither for the whole history", file=sys.stderr)
            return 2
        filters = ReportFilters(
            month_from=dt.date.fromisoformat(args.from_month + "-01"),
            month_to=dt.date.fromisoformat(args.to_month + "-01"),
        )
    # SYSTEM: the command line, run by whoever runs the server (as create-admin and import are).
    built = snapshot.build_snapshot(tenant_id, SYSTEM, args.tenant, filters, directory=Path(args.out))
    print(built.path)
    return 0


def _create_admin(args: argparse.Namespace) -> int:
    migrate.migrate()
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("the passwords differ", file=sys.stderr)
            return 2
    tenant_id = tenants.create_tenant(args.tenant, args.tenant_name or args.tenant)
    try:
        user = auth.create_user(tenant_id, args.username, args.display_name or args.username, "admin", password)
    except ValidationError as error:
        return _refused(error)
    print(f"created admin {user.username!r} (user {user.user_id}) in tenant {args.tenant!r}")
    return 0


def _api_key(args: argparse.Namespace) -> int:
    migrate.migrate()
    tenant_id = _tenant(args.tenant)
    if tenant_id is None:
        return 2
    try:
        if args.action == "create":
            key = api_keys.create_api_key(
                tenant_id, SYSTEM, name=args.name, role=args.role, rate_limit_per_minute=args.rate_limit
            )
        else:
            api_keys.revoke_api_key(tenant_id, SYSTEM, api_keys.key_for_prefix(tenant_id, args.prefix).api_key_id)
            print(f"revoked {args.prefix}")
            return 0
    except ValidationError as error:
        return _refused(error)
    # The key itself goes to standard output alone (for scripts); the rest to standard error.
    print(f"created {key.role} key {key.key_prefix} ({args.name!r}) for tenant {args.tenant!r}.", file=sys.stderr)
    print("This is the only time the key is shown; keep it in your integration's secret store:", file=sys.stderr)
    print(key.key)
    return 0


def _intake_meta(args: argparse.Namespace) -> int:
    migrate.migrate()
    tenant_id = _tenant(args.tenant)
    if tenant_id is None:
        return 2
    given = dict(line.split("=", 1) for line in sys.stdin.read().splitlines() if "=" in line)
    try:
        key = api_keys.key_for_prefix(tenant_id, args.key_prefix)
        setting_id = intake_settings.save_meta_settings(
            tenant_id,
            SYSTEM,
            page_id=args.page_id,
            verify_token=args.verify_token,
            app_secret=given.get("app_secret"),
            access_token=given.get("access_token"),
            graph_url=args.graph_url,
            source=args.source,
            subsource=args.subsource,
            user_id=key.user_id,
        )
    except ValidationError as error:
        return _refused(error)
    print(f"Meta Lead Ads set up for page {args.page_id} (setting {setting_id}) in tenant {args.tenant!r}")
    return 0


def _import(args: argparse.Namespace) -> int:
    migrate.migrate()
    tenant_id = _tenant(args.tenant)
    if tenant_id is None:
        return 2
    # openpyxl warns on stderr about styles it ignores; the import's one line should stand alone.
    warnings.filterwarnings("ignore", module="openpyxl")
    try:
        result = imports.import_file(tenant_id, SYSTEM, args.kind, Path(args.file), dry_run=args.dry_run)
    except imports.ImportRefused as refused:
        print(refused.message(), file=sys.stderr)
        return refused.exit_status
    print(("dry run — nothing saved. " if args.dry_run else "") + result.summary())
    for problem in sorted(result.problems, key=lambda problem: problem.line)[:20]:
        print(f"  line {problem.line}, {problem.column}: {problem.reason}", file=sys.stderr)
    if len(result.problems) > 20:
        print(f"  … and {len(result.problems) - 20} more (see --report)", file=sys.stderr)
    if args.report:
        Path(args.report).write_text(imports.report_csv(result), encoding="utf-8-sig")
        print(f"report: {args.report}")
    return result.exit_status


def _bench(args: argparse.Namespace) -> int:
    from bench import run as bench

    migrate.migrate()
    print(f"wrote {bench.run(args.leads, args.runs, Path(args.out), intake_seconds=args.intake_seconds)}")
    return 0


def _rebuild_kept_tables(args: argparse.Namespace) -> int:
    migrate.migrate()
    tenant_id = None
    if args.tenant:
        tenant_id = _tenant(args.tenant)
        if tenant_id is None:
            return 2
    migrate.rebuild_kept_tables(tenant_id)
    whose = f"tenant {args.tenant!r}" if args.tenant else "every tenant"
    print(f"rebuilt lead_facts, lead_month_rollup, lead_step_days_rollup and booking_accounts for {whose}")
    return 0


def _send_digests(args: argparse.Namespace) -> int:
    migrate.migrate()
    today = dt.date.fromisoformat(args.today) if args.today else None
    if args.tenant:
        tenant_id = _tenant(args.tenant)
        if tenant_id is None:
            return 2
        chosen = [(tenant_id, args.tenant)]
    else:
        chosen = tenants.every_tenant()
    try:
        settings = None if args.dry_run else digests.smtp_settings()
    except digests.SmtpNotConfigured as error:
        print(error, file=sys.stderr)
        return 2
    outcomes = []
    for tenant_id, slug in chosen:
        outcomes += digests.send_due(
            tenant_id, slug, today=today, kinds=args.kind, dry_run=args.dry_run, settings=settings
        )
    for outcome in outcomes:
        print(outcome.line(), file=sys.stderr if outcome.status == digests.FAILED else sys.stdout)
    if not outcomes:
        print("no digest is due")
    return 1 if any(outcome.status == digests.FAILED for outcome in outcomes) else 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with one subcommand per operation."""
    parser = argparse.ArgumentParser(prog="python -m data", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    migrate_cmd = commands.add_parser(
        "migrate", help="apply pending migrations and rebuild changed views (a no-op when up to date)"
    )
    migrate_cmd.set_defaults(handler=_migrate)

    seed_cmd = commands.add_parser(
        "seed-demo", help="create the demo tenant with deterministic, realistic data (skipped if it exists)"
    )
    seed_cmd.add_argument("--tenant", default=demo.DEMO_SLUG, help="tenant slug (default: %(default)s)")
    seed_cmd.add_argument("--seed", type=int, default=demo.DEMO_SEED, help="random seed (default: %(default)s)")
    seed_cmd.add_argument("--as-of", help="last day of the generated history, YYYY-MM-DD (default: today in India)")
    seed_cmd.set_defaults(handler=_seed_demo)

    snapshot_cmd = commands.add_parser(
        "snapshot", help="write a ZIP of CSVs of every reporting view with a manifest; print its path"
    )
    snapshot_cmd.add_argument("--tenant", required=True, help="tenant slug")
    snapshot_cmd.add_argument("--out", required=True, help="directory to write the ZIP into")
    snapshot_cmd.add_argument("--from", dest="from_month", help="first cohort month, YYYY-MM (default: all)")
    snapshot_cmd.add_argument("--to", dest="to_month", help="last cohort month, YYYY-MM (default: all)")
    snapshot_cmd.set_defaults(handler=_snapshot)

    admin_cmd = commands.add_parser(
        "create-admin", help="create an admin user (and the tenant if it is new); prompts for the password"
    )
    admin_cmd.add_argument("--tenant", required=True, help="tenant slug (created if it does not exist)")
    admin_cmd.add_argument("--tenant-name", help="the tenant's name when it is created (default: the slug)")
    admin_cmd.add_argument("--username", required=True)
    admin_cmd.add_argument("--display-name", help="the person's name (default: the username)")
    admin_cmd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    admin_cmd.set_defaults(handler=_create_admin)

    key_cmd = commands.add_parser("api-key", help="create or revoke an API key (see docs/api.md)")
    key_actions = key_cmd.add_subparsers(dest="action", required=True)
    create_key = key_actions.add_parser("create", help="create a key; prints it once")
    create_key.add_argument("--tenant", required=True, help="tenant slug")
    create_key.add_argument("--name", required=True, help="what the key is for, e.g. '99acres webhook'")
    create_key.add_argument("--role", required=True, choices=list(KEY_ROLES))
    create_key.add_argument(
        "--rate-limit",
        type=int,
        default=api_keys.DEFAULT_RATE_LIMIT,
        help="requests a minute the key may make (default: %(default)s)",
    )
    revoke_key = key_actions.add_parser("revoke", help="revoke a key at once, by its prefix (ll_…)")
    revoke_key.add_argument("--tenant", required=True, help="tenant slug")
    revoke_key.add_argument("--prefix", required=True, help="the key's visible prefix, e.g. ll_1a2b3c4d")
    key_cmd.set_defaults(handler=_api_key)

    meta_cmd = commands.add_parser(
        "intake-meta",
        help="set up Meta Lead Ads for a page (as the Integrations screen does); reads app_secret=… and "
        "access_token=… lines from standard input, so secrets stay out of the shell history",
    )
    meta_cmd.add_argument("--tenant", required=True, help="tenant slug")
    meta_cmd.add_argument("--page-id", required=True, help="the Facebook page's id (digits)")
    meta_cmd.add_argument("--verify-token", required=True, help="the token to give Meta for the handshake")
    meta_cmd.add_argument("--source", required=True, help="the lead source its leads get, e.g. Digital")
    meta_cmd.add_argument("--subsource", required=True, help="the subsource, e.g. 'Facebook Lead Ads'")
    meta_cmd.add_argument("--key-prefix", required=True, help="the intake key (its prefix ll_…) adding the leads")
    meta_cmd.add_argument("--graph-url", help="the Graph API address (default: https://graph.facebook.com/v21.0)")
    meta_cmd.set_defaults(handler=_intake_meta)

    import_cmd = commands.add_parser(
        "import",
        help=(
            "import a CSV or XLSX file of one kind (exit 0: all rows, 1: some rejected, 2: file unusable, "
            "3: database connection lost, 4: an import of the kind is already running)"
        ),
        description="Kinds, in the order to import them: " + ", ".join(imports.KINDS) + ". Formats: docs/import.md.",
    )
    import_cmd.add_argument("kind", choices=list(imports.KINDS))
    import_cmd.add_argument("file", help="a .csv (UTF-8) or .xlsx file with the kind's columns")
    import_cmd.add_argument("--tenant", required=True, help="tenant slug")
    import_cmd.add_argument("--dry-run", action="store_true", help="check and count everything, save nothing")
    import_cmd.add_argument("--report", help="write the rejected rows (line, column, reason, cells) to this CSV")
    import_cmd.set_defaults(handler=_import)

    bench_cmd = commands.add_parser(
        "bench",
        help="generate a large tenant and time every report read, writes and bulk paths (see docs/performance.md)",
    )
    bench_cmd.add_argument(
        "--leads", type=int, default=1_000_000, help="leads in the large tenant (default: %(default)s)"
    )
    bench_cmd.add_argument("--runs", type=int, default=5, help="timed runs per read (default: %(default)s)")
    bench_cmd.add_argument("--out", default="docs/performance.md", help="where to write the results")
    bench_cmd.add_argument(
        "--intake-seconds",
        type=float,
        default=60,
        help="how long to post 100 leads/s to the HTTP API (default: %(default)s)",
    )
    bench_cmd.set_defaults(handler=_bench)

    rebuild_cmd = commands.add_parser(
        "rebuild-kept-tables",
        help="recompute lead_facts, the lead rollups and booking_accounts from the base tables (repairs them)",
    )
    rebuild_cmd.add_argument("--tenant", help="tenant slug (default: every tenant)")
    rebuild_cmd.set_defaults(handler=_rebuild_kept_tables)

    digests_cmd = commands.add_parser(
        "send-digests",
        help="e-mail the digests due today (weekly ones on Mondays), once per person and day; run it from "
        "cron (see README, Daily digests). Exit 0: all sent, 1: a send failed (the next run retries it), "
        "2: SMTP not configured",
    )
    digests_cmd.add_argument(
        "--kind", action="append", choices=list(DIGEST_KINDS), help="only this kind (repeatable; default: all)"
    )
    digests_cmd.add_argument("--dry-run", action="store_true", help="list what is due; send and record nothing")
    digests_cmd.add_argument("--tenant", help="tenant slug (default: every tenant)")
    digests_cmd.add_argument("--today", help="the India date to count as today, YYYY-MM-DD (default: today in India)")
    digests_cmd.set_defaults(handler=_send_digests)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
