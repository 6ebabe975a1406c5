"""Migrations apply to an empty database, once each, and re-running them changes nothing.

The function folder has its own tests in tests/test_sql_functions.py."""

from __future__ import annotations

import shutil

import pytest
import sqlalchemy as sa

from data import db
from data.db import migrate


def recorded(table: str) -> dict[str, str]:
    with db.owner_engine().connect() as conn:
        return dict(conn.execute(sa.text(f"select filename, checksum from {table}")).all())  # constant names


def test_migrations_apply_to_an_empty_database_then_are_a_no_op(fresh_database) -> None:
    first = migrate.migrate()
    assert first.applied == tuple(path.name for path in sorted(migrate.MIGRATIONS_DIR.glob("*.sql")))
    assert first.views_rebuilt
    assert set(recorded("schema_views")) == {path.name for path in migrate.VIEWS_DIR.glob("*.sql")}
    assert first.functions_applied == tuple(sorted(path.name for path in migrate.FUNCTIONS_DIR.glob("*.sql")))
    assert set(recorded("schema_functions")) == set(first.functions_applied)

    second = migrate.migrate()
    assert second == migrate.MigrationResult(applied=(), views_rebuilt=False, functions_applied=())


def test_a_changed_view_file_rebuilds_every_view(fresh_database) -> None:
    migrate.migrate()
    with db.owner_engine().begin() as conn:
        conn.execute(sa.text("update schema_views set checksum = 'stale' where filename = 'v_unit_inventory.sql'"))
    assert migrate.migrate().views_rebuilt
    with db.app_engine().connect() as conn:  # the app role can still read the rebuilt views
        assert conn.execute(sa.text("select count(*) from v_unit_inventory")).scalar() == 0


def test_an_edited_applied_migration_is_refused(fresh_database) -> None:
    migrate.migrate()
    with db.owner_engine().begin() as conn:
        conn.execute(sa.text("update schema_migrations set checksum = 'edited' where filename like '0001%'"))
    with pytest.raises(migrate.MigrationError, match="has changed since it was applied"):
        migrate.migrate()


def test_a_failing_migration_leaves_nothing_behind(fresh_database, tmp_path, monkeypatch) -> None:
    broken = tmp_path / "migrations"
    broken.mkdir()
    (broken / "0001_half.sql").write_text("create table half_done (id int); select 1/0;")
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", broken)
    with pytest.raises(migrate.MigrationError, match=r"0001_half\.sql failed: division by zero"):
        migrate.migrate()
    with db.owner_engine().connect() as conn:
        assert conn.execute(sa.text("select to_regclass('half_done')")).scalar() is None
        assert conn.execute(sa.text("select count(*) from schema_migrations")).scalar() == 0


def test_a_migration_may_use_functions_of_the_folder_that_name_its_new_table(fresh_database, tmp_path, monkeypatch):
    # As 0014 does: a trigger whose function is in sql/functions, and a backfill through a SQL
    # function that names the table the migration creates (its body is checked only afterwards).
    migrations, functions = tmp_path / "migrations", tmp_path / "functions"
    shutil.copytree(migrate.MIGRATIONS_DIR, migrations)
    shutil.copytree(migrate.FUNCTIONS_DIR, functions)
    (migrations / "0999_probe.sql").write_text(
        "create table leadline_probe (probe_id int);\n"
        "create trigger leadline_probe_bump before insert on leadline_probe\n"
        "    for each row execute function leadline_probe_bump();\n"
        "insert into leadline_probe values (1);\n"
        "select leadline_probe_count();\n"
    )
    (functions / "leadline_probe_bump.sql").write_text(
        "create or replace function leadline_probe_bump() returns trigger language plpgsql as $$\n"
        "begin new.probe_id := new.probe_id + 1; return new; end; $$;\n"
    )
    (functions / "leadline_probe_count.sql").write_text(
        "create or replace function leadline_probe_count() returns bigint language sql stable\n"
        "as $$ select count(*) from leadline_probe $$;\n"
    )
    monkeypatch.setattr(migrate, "MIGRATIONS_DIR", migrations)
    monkeypatch.setattr(migrate, "FUNCTIONS_DIR", functions)
    assert migrate.migrate().applied[-1] == "0999_probe.sql"
    with db.owner_engine().connect() as conn:
        assert conn.execute(sa.text("select probe_id from leadline_probe")).scalars().all() == [2]
        assert conn.execute(sa.text("select leadline_probe_count()")).scalar() == 1
        # The pass after the migrations applied every file with its body checked.
        assert conn.execute(sa.text("show check_function_bodies")).scalar() == "on"
    assert migrate.migrate() == migrate.MigrationResult(applied=(), views_rebuilt=False, functions_applied=())
