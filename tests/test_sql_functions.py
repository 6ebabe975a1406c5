"""sql/functions holds the current definition of every function, one file each, and migrate keeps
the database equal to it.

Every function of the public schema (from the catalogue, extensions' own left out) has exactly
one file named after it; applying the files again to the migrated database changes no
definition and no privilege, so a function created or changed only in a migration, or a file
that no longer matches what the database runs, fails here. Migrations written since the folder
exists define no function at all (they may drop one, which then loses its file).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db
from data.db import migrate

# Migrations up to this one were written before sql/functions existed; they keep the functions'
# history (0007 re-defines some of 0006's) and are never edited.
LAST_MIGRATION_BEFORE_FUNCTION_FILES = migrate.LAST_MIGRATION_BEFORE_FUNCTION_FILES

FUNCTIONS = """
    select
        pg_proc.oid::regprocedure::text as signature,
        pg_proc.proname as name,
        pg_get_functiondef(pg_proc.oid) as definition,
        coalesce(pg_proc.proacl::text, '') as privileges
    from pg_proc
    inner join pg_namespace on pg_namespace.oid = pg_proc.pronamespace
    where pg_namespace.nspname = 'public'
        and pg_proc.prokind <> 'a'
        and not exists (
            select 1 from pg_depend
            where pg_depend.classid = 'pg_proc'::regclass and pg_depend.objid = pg_proc.oid
                and pg_depend.deptype = 'e'
        )
    order by 1
"""

DEFINED_NAME = re.compile(r"^\s*create\s+(?:or\s+replace\s+)?function\s+(?:public\.)?(\w+)", re.I | re.M)


def _functions(conn: sa.Connection) -> dict[str, tuple[str, str, str]]:
    return {row.signature: (row.name, row.definition, row.privileges) for row in conn.execute(sa.text(FUNCTIONS))}


def mismatches(directory: Path) -> list[str]:
    """What differs between the migrated database's functions and the files in ``directory``."""
    problems = []
    files = {path.stem: path for path in sorted(directory.glob("*.sql"))}
    with db.owner_engine().connect() as conn:
        before = _functions(conn)
        names = {name for name, _definition, _privileges in before.values()}
        problems += [
            f"{name}: in the database, no file sql/functions/{name}.sql" for name in sorted(names - set(files))
        ]
        problems += [f"{name}.sql: no such function in the database" for name in sorted(set(files) - names)]
        for stem, path in files.items():
            defined = DEFINED_NAME.findall(path.read_text())
            if not defined or any(name != stem for name in defined):
                problems.append(f"{path.name}: defines {defined or 'nothing'}, not only {stem}")
        # Applied in the same transaction, then rolled back: the database is left as it was.
        for path in files.values():
            conn.connection.driver_connection.execute(path.read_text())
        after = _functions(conn)
        conn.rollback()
    for signature in sorted(set(before) | set(after)):
        if signature not in before:
            problems.append(f"{signature}: created by a file, not in the database")
        elif before[signature] != after.get(signature):
            problems.append(f"{signature}: the database's definition or privileges differ from its file")
    return problems


def test_every_function_is_in_one_file_that_the_database_runs() -> None:
    assert mismatches(migrate.FUNCTIONS_DIR) == []


def test_a_function_changed_outside_its_file_is_caught() -> None:
    with db.owner_engine().begin() as conn:
        conn.execute(
            sa.text(
                "create or replace function leadline_today() returns date language sql stable parallel safe "
                "return (now() at time zone 'UTC')::date"
            )
        )
        conn.execute(sa.text("create function leadline_only_in_a_migration() returns int language sql return 1"))
    try:
        problems = mismatches(migrate.FUNCTIONS_DIR)
    finally:  # the session's database as it was
        with db.owner_engine().begin() as conn:
            conn.execute(sa.text("drop function leadline_only_in_a_migration()"))
            conn.connection.driver_connection.execute((migrate.FUNCTIONS_DIR / "leadline_today.sql").read_text())
    assert "leadline_only_in_a_migration: in the database, no file sql/functions/leadline_only_in_a_migration.sql" in (
        problems
    )
    assert "leadline_today(): the database's definition or privileges differ from its file" in problems
    assert mismatches(migrate.FUNCTIONS_DIR) == []


def test_a_file_the_database_does_not_run_is_caught(tmp_path: Path) -> None:
    folder = tmp_path / "functions"
    shutil.copytree(migrate.FUNCTIONS_DIR, folder)
    (folder / "leadline_not_applied.sql").write_text(
        "create or replace function leadline_not_applied() returns int language sql return 1;\n"
    )
    today = folder / "leadline_today.sql"
    today.write_text(today.read_text().replace("'Asia/Kolkata'", "'UTC'"))
    (folder / "leadline_month.sql").write_text(
        (folder / "leadline_month.sql").read_text().replace("leadline_month", "x")
    )
    problems = mismatches(folder)
    assert "leadline_not_applied.sql: no such function in the database" in problems
    assert "leadline_today(): the database's definition or privileges differ from its file" in problems
    assert "leadline_month.sql: defines ['x'], not only leadline_month" in problems


def test_migrations_since_the_folder_define_no_function() -> None:
    for path in sorted(migrate.MIGRATIONS_DIR.glob("*.sql")):
        if path.name[:4] > LAST_MIGRATION_BEFORE_FUNCTION_FILES:
            assert DEFINED_NAME.findall(path.read_text()) == [], f"{path.name}: put functions in sql/functions"


def test_migrate_again_is_a_no_op() -> None:
    assert migrate.migrate() == migrate.MigrationResult(applied=(), views_rebuilt=False, functions_applied=())


def test_a_changed_function_file_is_applied_again_in_dependency_order(fresh_database, tmp_path, monkeypatch) -> None:
    folder = tmp_path / "functions"
    shutil.copytree(migrate.FUNCTIONS_DIR, folder)
    monkeypatch.setattr(migrate, "FUNCTIONS_DIR", folder)
    first = migrate.migrate()
    assert first.functions_applied == tuple(sorted(path.name for path in folder.glob("*.sql")))
    assert migrate.migrate().functions_applied == ()

    today = folder / "leadline_today.sql"
    today.write_text(today.read_text().replace("::date;", "::date + 0;"))
    # A SQL function's body is checked when it is created: one that calls a function of a file
    # later in name order is created after it.
    (folder / "leadline_a_caller.sql").write_text(
        "create or replace function leadline_a_caller() returns int language sql as $$ select leadline_b_callee() $$;\n"
    )
    (folder / "leadline_b_callee.sql").write_text(
        "create or replace function leadline_b_callee() returns int language sql as $$ select 7 $$;\n"
    )
    again = migrate.migrate()
    assert again == migrate.MigrationResult(
        applied=(),
        views_rebuilt=False,
        functions_applied=("leadline_a_caller.sql", "leadline_b_callee.sql", "leadline_today.sql"),
    )
    with db.owner_engine().connect() as conn:
        assert "+ 0" in conn.execute(sa.text("select pg_get_functiondef('leadline_today()'::regprocedure)")).scalar()
        assert conn.execute(sa.text("select leadline_a_caller()")).scalar() == 7
    assert migrate.migrate().functions_applied == ()
    assert mismatches(folder) == []


def test_a_broken_function_file_applies_nothing(fresh_database, tmp_path, monkeypatch) -> None:
    migrate.migrate()
    folder = tmp_path / "functions"
    shutil.copytree(migrate.FUNCTIONS_DIR, folder)
    monkeypatch.setattr(migrate, "FUNCTIONS_DIR", folder)
    today = folder / "leadline_today.sql"
    today.write_text(today.read_text().replace("::date;", "::date + 0;"))
    (folder / "leadline_broken.sql").write_text(
        "create or replace function leadline_broken() returns int language sql as $$ select 1/ $$;\n"
    )
    with pytest.raises(migrate.MigrationError, match=r"leadline_broken\.sql failed"):
        migrate.migrate()
    with db.owner_engine().connect() as conn:
        assert (
            "+ 0" not in conn.execute(sa.text("select pg_get_functiondef('leadline_today()'::regprocedure)")).scalar()
        )
        recorded = dict(conn.execute(sa.text("select filename, checksum from schema_functions")).all())
    assert "leadline_broken.sql" not in recorded
