"""Migrations: the ordered files in sql/migrations, then the functions in sql/functions, then
the reporting views in sql/views.

Each migration file runs once, in its own transaction, and is recorded with its checksum
in ``schema_migrations``; editing a file that has already run is refused rather than
silently ignored.

Functions and views are repeatable, like Flyway's repeatable migrations: one file per object,
holding its current definition, recorded with its checksum (``schema_functions``,
``schema_views``) and applied again when it changes. Functions come first because views may
call them. A function file is ``create or replace function``, so a changed one is replaced in
place (triggers, views and grants on it stay); every function file is applied again after any
migration has run, so the folder's definition is always the one in force. Removing a file
drops nothing: dropping a function (or changing its arguments or result type) is a migration's
job. Views are derived objects: when any view file changes they are all dropped and created
again. Both folders are applied in file-name order, and a file that names something not
created yet is tried again after the others, so files need no numbering.
A migration may use a function of the folder (a trigger's function, a backfill's refresh): before
each migration written since the folder exists, in its transaction, the function files are
applied as far as they go, with PostgreSQL's body checks off (as pg_dump restores them), so a
function may name a table the migration is about to create; a file that still fails (its result
type is such a table) waits for the pass after the migrations, which checks every body.
Running ``migrate`` twice is a no-op.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg
import sqlalchemy as sa

from data import db

MIGRATIONS_DIR = db.REPO_ROOT / "sql" / "migrations"
FUNCTIONS_DIR = db.REPO_ROOT / "sql" / "functions"
VIEWS_DIR = db.REPO_ROOT / "sql" / "views"

# The bookkeeping of each repeatable folder: which file was applied with which checksum.
_REPEATABLE_TABLES = ("schema_functions", "schema_views")

# Migrations up to this one were written before sql/functions existed and define their own functions.
LAST_MIGRATION_BEFORE_FUNCTION_FILES = "0009"

# Any constant shared by every Leadline process; serialises concurrent start-ups.
_MIGRATION_LOCK_KEY = 4_242_001


class MigrationError(RuntimeError):
    """A migration or view file failed; nothing of that file was applied."""


@dataclass(frozen=True)
class MigrationResult:
    """What one run of ``migrate`` did."""

    applied: tuple[str, ...]
    views_rebuilt: bool
    functions_applied: tuple[str, ...] = ()


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
    for table in _REPEATABLE_TABLES:
        conn.execute(
            sa.text(
                f"""
                create table if not exists {table} (
                    filename text primary key,
                    checksum text not null,
                    created_at timestamptz not null default now()
                )
                """  # table names are the constants above, never input
            )
        )


def _bookkeeping(table: str) -> sa.TableClause:
    assert table in _REPEATABLE_TABLES
    return sa.table(table, sa.column("filename"), sa.column("checksum"))


def _recorded_checksums(conn: sa.Connection, table: str) -> dict[str, str]:
    bookkeeping = _bookkeeping(table)
    return dict(conn.execute(sa.select(bookkeeping.c.filename, bookkeeping.c.checksum)).all())


def _record_checksums(conn: sa.Connection, table: str, checksums: dict[str, str]) -> None:
    """Make ``table`` record exactly ``checksums`` (file name → checksum)."""
    bookkeeping = _bookkeeping(table)
    conn.execute(sa.delete(bookkeeping))
    if checksums:
        conn.execute(
            sa.insert(bookkeeping),
            [{"filename": filename, "checksum": checksum} for filename, checksum in checksums.items()],
        )


def _apply_functions_as_far_as_they_go(conn: sa.Connection) -> None:
    """Create or replace each function file that can be, bodies unchecked; skip the others quietly.

    The pass after the migrations applies every file again, checked, and reports any failure.
    """
    conn.execute(sa.text("set local check_function_bodies = off"))
    for path in sorted(FUNCTIONS_DIR.glob("*.sql")):
        savepoint = conn.begin_nested()
        try:
            _run_script(conn, path.read_text(), path.name)
        except MigrationError:
            savepoint.rollback()
        else:
            savepoint.commit()
    conn.execute(sa.text("set local check_function_bodies = on"))


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
            if path.name[:4] > LAST_MIGRATION_BEFORE_FUNCTION_FILES:
                _apply_functions_as_far_as_they_go(conn)
            _run_script(conn, path.read_text(), path.name)
            conn.execute(
                sa.text("insert into schema_migrations (filename, checksum) values (:filename, :checksum)"),
                {"filename": path.name, "checksum": _checksum(path)},
            )
            applied.append(path.name)
    return applied


# What a file fails with when it names a table, view, function or type not created yet.
_NOT_CREATED_YET = (psycopg.errors.UndefinedTable, psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedObject)


def _apply_in_dependency_order(
    conn: sa.Connection, files: list[Path], after_each: Callable[[Path], None] | None = None
) -> None:
    """Run each repeatable file, dependencies first, then ``after_each`` of it.

    Files are tried in name order; one that names something not created yet fails inside a
    savepoint and is tried again after the others, so files need no numbering.
    """
    pending = list(files)
    while pending:
        deferred: dict[Path, MigrationError] = {}
        for path in pending:
            savepoint = conn.begin_nested()
            try:
                _run_script(conn, path.read_text(), path.name)
            except MigrationError as error:
                savepoint.rollback()
                if isinstance(error.__cause__, _NOT_CREATED_YET):
                    deferred[path] = error
                    continue
                raise
            savepoint.commit()
            if after_each is not None:
                after_each(path)
        if len(deferred) == len(pending):
            failures = "; ".join(str(error) for error in deferred.values())
            raise MigrationError(f"these files name something that does not exist: {failures}")
        pending = list(deferred)


def _apply_functions(engine: sa.Engine, *, every_file: bool) -> list[str]:
    """Apply the function files that changed (or all of them); return their names."""
    files = sorted(FUNCTIONS_DIR.glob("*.sql"))
    wanted = {path.name: _checksum(path) for path in files}
    with engine.begin() as conn:
        recorded = _recorded_checksums(conn, "schema_functions")
        if recorded == wanted and not every_file:
            return []
        changed = [path for path in files if every_file or recorded.get(path.name) != wanted[path.name]]
        _apply_in_dependency_order(conn, changed)
        _record_checksums(conn, "schema_functions", wanted)
    return [path.name for path in changed]


def _grant_view(conn: sa.Connection, path: Path) -> None:
    grant = conn.execute(
        sa.text("select format('grant select on %I to %I', cast(:view as text), cast(:role as text))"),
        {"view": path.stem, "role": db.APP_ROLE},
    ).scalar_one()
    _run_script(conn, grant)


def _rebuild_views_if_changed(engine: sa.Engine) -> bool:
    view_files = sorted(VIEWS_DIR.glob("*.sql"))
    wanted = {path.name: _checksum(path) for path in view_files}
    with engine.begin() as conn:
        recorded = _recorded_checksums(conn, "schema_views")
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
        _apply_in_dependency_order(conn, view_files, lambda path: _grant_view(conn, path))
        _record_checksums(conn, "schema_views", wanted)
    return True


def migrate() -> MigrationResult:
    """Bring the database up to date: app role, pending migrations, functions, then the views."""
    engine = db.owner_engine()
    with engine.connect() as lock_conn:
        lock_conn.execute(sa.text("select pg_advisory_lock(:key)"), {"key": _MIGRATION_LOCK_KEY})
        try:
            with engine.begin() as conn:
                ensure_app_role(conn)
                _ensure_bookkeeping(conn)
            applied = _apply_migrations(engine)
            functions_applied = _apply_functions(engine, every_file=bool(applied))
            views_rebuilt = _rebuild_views_if_changed(engine)
        finally:
            lock_conn.execute(sa.text("select pg_advisory_unlock(:key)"), {"key": _MIGRATION_LOCK_KEY})
            lock_conn.commit()
    return MigrationResult(
        applied=tuple(applied), views_rebuilt=views_rebuilt, functions_applied=tuple(functions_applied)
    )


def rebuild_kept_tables(tenant_id: int | None = None) -> None:
    """Recompute the kept tables of one tenant (every tenant: None) from the base tables, as the owner.

    ``leadline_rebuild_kept_tables()`` (sql/functions) does the work; see docs/scaling.md.
    """
    with db.owner_engine().begin() as conn:
        conn.execute(
            sa.text("select leadline_rebuild_kept_tables(cast(:tenant_id as bigint))"), {"tenant_id": tenant_id}
        )
