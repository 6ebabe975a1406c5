"""Command line for operations: ``python -m data <command>`` (see ``--help``).

Every command honours DATABASE_URL; without it the embedded PostgreSQL under .leadline/
is used, exactly as the dashboard does.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys

from data import demo, migrate


def _migrate(_args: argparse.Namespace) -> int:
    result = migrate.migrate()
    if result.applied:
        print("applied: " + ", ".join(result.applied))
    print("views rebuilt" if result.views_rebuilt else "views up to date")
    if not result.applied:
        print("migrations up to date")
    return 0


def _seed_demo(args: argparse.Namespace) -> int:
    migrate.migrate()
    anchor = dt.date.fromisoformat(args.as_of) if args.as_of else None
    summary = demo.seed_demo(slug=args.tenant, seed=args.seed, as_of=anchor)
    print(summary)
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    return args.handler(args)


if __name__ == "__main__":
    sys.exit(main())
