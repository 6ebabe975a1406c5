"""The import screen driven through AppTest: upload, map, preview, dry run, import, report."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db, reports
from data.db import REPO_ROOT
from tests.support.world import World, add_people, build_world
from tests.test_pages import signed_in
from ui.text import md

UNITS = (REPO_ROOT / "data" / "examples" / "units.csv").read_bytes()


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("import-page")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-import-page"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def import_page(kind: str, name: str, content: bytes) -> AppTest:
    app = signed_in("mona")
    app.switch_page("pages/import_data.py").run()
    app.selectbox(key="import-kind").set_value(kind).run()
    app.file_uploader(key="import-file").upload(name, content, "text/csv").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def units(world: World) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text("select count(*) from units")).scalar_one()


def test_a_manager_dry_runs_then_imports_the_example_units(world: World) -> None:
    before = units(world)
    app = import_page("units", "units.csv", UNITS)
    assert app.dataframe[0].value["unit_number"].tolist()[:2] == ["A-101", "A-102"]
    app.button(key="import-dry-run").click().run()
    assert app.success[0].value.startswith("Dry run, nothing saved: units: 6 rows read, would create 6")
    assert units(world) == before
    app.button(key="import-run").click().run()
    assert app.success[0].value.startswith("units: 6 rows read, created 6")
    assert units(world) == before + 6


def test_a_portal_export_is_mapped_once_and_its_mapping_saved(world: World) -> None:
    export = (
        b"Lead ID,Customer Name,Mobile,Source,Sub Source,Enquiry Date\n"
        b"P-1,Ishaan Roy,+91 98765 30001,Online Portal,99acres,2026-08-01 10:00\n"
        b"P-2,Bad Mobile,12,Online Portal,99acres,2026-08-01 11:00\n"
    )
    app = import_page("leads", "portal.csv", export)
    assert md("Missing required columns: lead_ref, name, phone, subsource, generated_at") in app.error[0].value
    for column, heading in {
        "lead_ref": "Lead ID",
        "name": "Customer Name",
        "phone": "Mobile",
        "subsource": "Sub Source",
        "generated_at": "Enquiry Date",
    }.items():
        app.selectbox(key=f"map-leads-Match columns by name-{column}").set_value(heading).run()
    preview = app.dataframe[0].value
    assert preview["problems"].tolist() == ["", "phone: '12' is not a valid mobile number"]
    app.text_input(key="import-mapping-name").input("99acres export")
    app.button(key="import-save-mapping").click().run()
    assert app.success[0].value == "Saved the mapping '99acres export'."

    app.button(key="import-run").click().run()
    assert app.warning[0].value.startswith("leads: 2 rows read, created 1")
    assert app.dataframe[1].value["line"].tolist() == [3]
    assert app.get("download_button")

    # Next time the saved mapping does it in one click.
    again = import_page("leads", "portal.csv", export)
    again.selectbox(key="import-mapping-leads").set_value("99acres export").run()
    assert again.dataframe[0].value["lead_ref"].tolist() == ["P-1", "P-2"]


def test_an_import_already_running_is_said_on_the_screen_and_nothing_is_written(world: World) -> None:
    before = units(world)
    app = import_page("units", "units.csv", UNITS)
    # Another import of units for this tenant holds the lock (as an import's transaction would).
    with db.owner_engine().connect() as other:
        other.execute(
            sa.text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
            {"key": f"leadline import: tenant {world.alpha}, units"},
        )
        app.button(key="import-run").click().run()
        other.rollback()
    assert not app.exception, [e.value for e in app.exception]
    assert any("already running" in error.value for error in app.error)
    assert units(world) == before
