"""Migrations: the ordered files in sql/migrations, then the reporting views in sql/views.

Each migration file runs once, in its own transaction, and is recorded with its checksum
in ``schema_migrations``; editing a file that has already run is refused rather than
silently ignored. The views are derived objects: when any view file changes they are all
dropped and created again in one transaction (like Flyway's repeatable migrations), and
their checksums are recorded in ``schema_views``. Running ``migrate`` twice is a no-op.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from data import db

MIGRATIONS_DIR = db.REPO_ROOT / "sql" / "migrations"
VIEWS_DIR = db.REPO_ROOT / "sql" / "views"

# Any constant shared by every Leadline process; serialises concurrent start-ups.
_MIGRATION_LOCK_KEY = 4_242_001


class MigrationError(RuntimeError):
    """A migration or view file failed; nothing of that file was applied."""


@dataclass(frozen=True)
class MigrationResult:
    """What one run of ``migrate`` did."""

    applied: tuple[str, ...]
    views_rebuilt: bool


def _checksum(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run_script(conn: sa.Connection, script: str, source: str = "statement") -> None:
    # A whole file of DDL goes to the driver as one simple query, so that semicolons,
    # dollar quotes and % signs in it are PostgreSQL's business, not a parameter parser's.
    try:
        conn.connection.driver_connection.execute(script)
    except psycopg.Error as error:
        raise MigrationError(f"{source} failed: {error}") from error


def ensure_app_role(conn: sa.Connection) -> None:
    """Create the app role (login, no superuser, owns nothing) or bring its password up to date."""
    exists = conn.execute(sa.text("select 1 from pg_roles where rolname = :role"), {"role": db.APP_ROLE}).scalar()
    verb = "alter" if exists else "create"
    statement = conn.execute(
        sa.text(
            "select format('%s role %I login nosuperuser nocreatedb nocreaterole "
            "noinherit password %L', cast(:verb as text), cast(:role as text), cast(:password as text))"
        ),
        {"verb": verb, "role": db.APP_ROLE, "password": db.app_password()},
    ).scalar_one()
    _run_script(conn, statement)


def _ensure_bookkeeping(conn: sa.Connection) -> None:
    conn.execute(
        sa.text(
            """
            create table if not exists schema_migrations (
                filename text primary key,
                checksum text not null,
                applied_at timestamptz not null default now()
            )
            """
        )
    )
    conn.execute(
        sa.text(
            """
            create table if not exists schema_views (
                filename text primary key,
                checksum text not null,
                created_at timestamptz not null default now()
            )
            """
        )
    )


def _apply_migrations(engine: sa.Engine) -> list[str]:
    applied = []
    for path in sorted(MIGRATIONS_DIR.glob("*.sql")):
        with engine.begin() as conn:
            recorded = conn.execute(
                sa.text("select checksum from schema_migrations where filename = :filename"),
                {"filename": path.name},
            ).scalar()
            if recorded is not None:
                if recorded != _checksum(path):
                    raise MigrationError(
                        f"{path.name} has changed since it was applied; "
                        "add a new migration instead of editing an applied one"
                    )
                continue
            _run_script(conn, path.read_text(), path.name)
            conn.execute(
                sa.text("insert into schema_migrations (filename, checksum) values (:filename, :checksum)"),
                {"filename": path.name, "checksum": _checksum(path)},
            )
            applied.append(path.name)
    return applied


def _create_views(conn: sa.Connection, view_files: list[Path]) -> None:
    """Create each view and grant it to the app role, dependencies first.

    A view that reads a view not created yet fails with undefined_table inside a savepoint
    and is tried again after the others, so files need no numbering to be created in order.
    """
    pending = list(view_files)
    while pending:
        deferred = []
        for path in pending:
            savepoint = conn.begin_nested()
            try:
                _run_script(conn, path.read_text(), path.name)
            except MigrationError as error:
                savepoint.rollback()
                if isinstance(error.__cause__, psycopg.errors.UndefinedTable):
                    deferred.append(path)
                    continue
                raise
            savepoint.commit()
            grant = conn.execute(
                sa.text("select format('grant select on %I to %I', cast(:view as text), cast(:role as text))"),
                {"view": path.stem, "role": db.APP_ROLE},
            ).scalar_one()
            _run_script(conn, grant)
        if len(deferred) == len(pending):
            names = ", ".join(path.name for path in deferred)
            raise MigrationError(f"these views read something that does not exist: {names}")
        pending = deferred


def _rebuild_views_if_changed(engine: sa.Engine) -> bool:
    view_files = sorted(VIEWS_DIR.glob("*.sql"))
    wanted = {path.name: _checksum(path) for path in view_files}
    with engine.begin() as conn:
        recorded = dict(conn.execute(sa.text("select filename, checksum from schema_views")).all())
        if recorded == wanted:
            return False
        for filename in sorted(set(recorded) | set(wanted)):
            view_name = Path(filename).stem
            _run_script(
                conn,
                conn.execute(
                    sa.text("select format('drop view if exists %I cascade', cast(:view as text))"),
                    {"view": view_name},
                ).scalar_one(),
            )
        _create_views(conn, view_files)
        conn.execute(sa.text("delete from schema_views"))
        for filename, checksum in wanted.items():
            conn.execute(
                sa.text("insert into schema_views (filename, checksum) values (:filename, :checksum)"),
                {"filename": filename, "checksum": checksum},
            )
    return True


def migrate() -> MigrationResult:
    """Bring the database up to date: app role, pending migrations, then the views."""
    engine = db.owner_engine()
    with engine.connect() as lock_conn:
        lock_conn.execute(sa.text("select pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        try:
            with engine.begin() as conn:
                ensure_app_role(conn)
                _ensure_bookkeeping(conn)
            applied = _apply_migrations(engine)
            views_rebuilt = _rebuild_views_if_changed(engine)
        finally:
            lock_conn.execute(sa.text("select pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            lock_conn.commit()
    return MigrationResult(applied=tuple(applied), views_rebuilt=views_rebuilt)
