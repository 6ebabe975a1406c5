"""Safe CSV and snapshot ZIPs, read back as a spreadsheet or a scheduler would."""

from __future__ import annotations

import datetime as dt
import html
import io
import json
import re
import shutil
import subprocess
import tracemalloc
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import sqlalchemy as sa

from data import db
from data.__main__ import main
from data.db import copy_out
from data.domain.filters import ReportFilters
from data.domain.permissions import SYSTEM
from data.exports import snapshot
from data.exports.csv_files import neutralise, phone_text, to_csv_bytes
from tests.support.world import World, build_world

MOMENT = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.mark.parametrize(
    "text",
    ['=HYPERLINK("http://x")', "+91 said: =1+2", "+1+2", "+919845012345", "-cmd", "-1-2", "@SUM(A1)", "\tx", "\rx"],
)
def test_formula_like_text_is_defused(text: str) -> None:
    assert neutralise(text) == "'" + text


# A phone with spaces and a number or percentage written as text start with a sign but hold nothing
# a spreadsheet could run: no apostrophe for them.
@pytest.mark.parametrize("value", ["Asha", "9876543210", "", 12, -5.5, None, "+91 98450 12345", "-12.5%", "-2500"])
def test_everything_else_is_left_alone(value) -> None:
    assert neutralise(value) == value


def test_indian_mobiles_are_spaced_and_other_numbers_kept() -> None:
    assert phone_text("+919845012345") == "+91 98450 12345"
    assert phone_text("+447911123456") == "+447911123456"  # defused as before: it would be a number
    assert phone_text(None) is None


def test_csv_writes_booleans_as_yes_no_moments_to_the_second_in_india_and_phones_as_text() -> None:
    frame = pd.DataFrame(
        {
            "phone": pd.Series(["+919845012345", "+447911123456"], dtype="string"),
            "is_live": [True, False],
            "has_visit": pd.Series([True, None], dtype="object"),
            "at": pd.to_datetime([dt.datetime(2026, 1, 1, 4, 0, 5, 123456, tzinfo=dt.UTC)] * 2),
        }
    )
    text = to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    assert text == [
        "phone,is_live,has_visit,at",
        "+91 98450 12345,Yes,Yes,2026-01-01 09:30:05",
        "'+447911123456,No,,2026-01-01 09:30:05",
    ]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_keeps_the_phone_as_text_and_runs_no_defused_formula(tmp_path: Path) -> None:
    """LibreOffice Calc opens the CSV (detecting special numbers, as its import dialog offers) and
    keeps a spaced phone as text, reads a percentage as a number, and runs no defused formula."""
    frame = pd.DataFrame({"phone": ["+919845012345"], "roi": ["-12.5%"], "name": ["=1+2"]})
    header, line = to_csv_bytes(frame).decode("utf-8-sig").splitlines()
    # Beside them, the same formula not defused: the spreadsheet runs that one.
    (tmp_path / "cells.csv").write_text(f"{header},raw\n{line},=1+2\n", encoding="utf-8-sig")
    subprocess.run(
        ["soffice", "--headless", "--infilter=CSV:44,34,76,1,,1033,false,true", "--convert-to", "fods", "cells.csv"],
        cwd=tmp_path,
        env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
        timeout=120,
    )
    sheet = (tmp_path / "cells.fods").read_text()
    row = re.findall(r"<table:table-row[^>]*>(.*?)</table:table-row>", sheet, re.S)[1]
    cells = re.findall(r"<table:table-cell([^>]*)>(.*?)</table:table-cell>", row, re.S)
    kinds = [re.search(r'office:value-type="(\w+)"', attributes).group(1) for attributes, _ in cells]
    shown = [html.unescape(re.sub(r"<[^>]+>", "", body)).strip() for _, body in cells]
    assert kinds == ["string", "percentage", "string", "float"]
    assert shown[:3] == ["+91 98450 12345", "-12.50%", "'=1+2"]
    assert re.findall(r'table:formula="([^"]*)"', row) == ["of:=1+2"]


@pytest.mark.parametrize("dtype", ["object", "string", "str"])
def test_csv_defuses_text_columns_of_any_dtype_and_keeps_numbers(dtype: str) -> None:
    frame = pd.DataFrame(
        {
            "name": pd.Series(["=1+2", "Ravi", None], dtype=dtype),
            "balance": [-2500.0, 10.5, 0.0],
            "count": [1, -2, 3],
        }
    )
    back = pd.read_csv(io.BytesIO(to_csv_bytes(frame)), encoding="utf-8-sig")
    assert back["name"].tolist()[:2] == ["'=1+2", "Ravi"]
    assert back["balance"].tolist() == [-2500.0, 10.5, 0.0]  # negative numbers stay numbers
    assert back["count"].tolist() == [1, -2, 3]


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("export")
    # A lead name a spreadsheet would run, to prove the snapshot's CSVs are defused too.
    with db.tenant_transaction(built.alpha) as conn:
        conn.execute(sa.text("update leads set name = '=cmd|calc' where lead_id = :lead"), {"lead": built.ids["l4"]})
    return built


def read_zip(content: bytes) -> tuple[dict, dict[str, pd.DataFrame]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        frames = {
            name: pd.read_csv(archive.open(name), encoding="utf-8-sig")
            for name in archive.namelist()
            if name.endswith(".csv")
        }
    return manifest, frames


def test_whole_snapshot_holds_every_view_and_a_true_manifest(world: World) -> None:
    now = dt.datetime(2026, 11, 25, 9, 30, tzinfo=snapshot.IST)
    built = snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export", now=now)
    assert built.filename == "leadline-alpha-export-20261125-093000.zip"
    manifest, frames = read_zip(built.content)
    assert manifest["tenant"] == "alpha-export" and manifest["scope"] == "whole"
    assert manifest["generated_at"] == "2026-11-25T09:30:00+05:30"
    assert manifest["times"].startswith("India Standard Time")
    assert [item["file"] for item in manifest["files"]] == [
        "funnel by cohort month.csv",
        "sources by cohort month.csv",
        "campaigns.csv",
        "bookings by month.csv",
        "customer ledger.csv",
        "overdue by age.csv",
        "lead milestones.csv",
        "unit inventory.csv",
        "account statements.csv",
        "leads.csv",
    ]
    assert [item["view"] for item in manifest["files"]] == list(snapshot.SNAPSHOT_VIEWS)
    for item in manifest["files"]:
        assert len(frames[item["file"]]) == item["rows"]
        assert "tenant_id" not in frames[item["file"]].columns  # one tenant: the manifest names it
    assert len(frames["leads.csv"]) == 4
    timeline = frames["lead milestones.csv"]
    assert "'=cmd|calc" in timeline["lead_name"].tolist()


def test_snapshot_files_are_written_for_a_spreadsheet(world: World) -> None:
    _, frames = read_zip(snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export").content)
    leads = frames["leads.csv"].set_index("lead_id")
    # Names beside ids, each right after its id.
    columns = leads.reset_index().columns.tolist()
    for id_column, name_column in (
        ("lead_id", "lead_name"),
        ("project_id", "project_name"),
        ("lead_source_id", "source"),
        ("campaign_id", "campaign_name"),
        ("owner_user_id", "owner_name"),
    ):
        assert columns.index(name_column) == columns.index(id_column) + 1
    asha = leads.loc[world.ids["l1"]]
    assert (asha["lead_name"], asha["project_name"], asha["source"], asha["subsource"]) == (
        "Asha Patil",
        "Alpha Towers",
        "Online Portal",
        "99acres",
    )
    assert (asha["campaign_name"], asha["owner_name"]) == ("Portal Jan", "Ravi Kumar")
    # Booleans in words; moments in India time, to the second (10:00 in India, as entered).
    assert (asha["has_site_visit"], asha["has_live_booking"]) == ("Yes", "No")
    assert set(leads["has_booking"]) == {"Yes", "No"}
    assert asha["generated_at"] == "2026-01-05 10:00:00"
    assert all(MOMENT.match(value) for value in frames["lead milestones.csv"]["occurred_at"])
    # Phones as text people dial, with no apostrophe.
    assert "+91 98000 00001" in frames["lead milestones.csv"]["phone"].tolist()
    assert set(frames["customer ledger.csv"]["phone"]) == {"+91 98000 00001", "+91 98000 00002", "+91 98000 00003"}
    # Fractions as percentages: ROI = (net booking value - spend) / spend.
    campaigns = frames["campaigns.csv"].set_index("campaign_name")
    with db.tenant_transaction(world.alpha) as conn:
        roi, used = conn.execute(
            sa.text("select roi, budget_utilisation from v_campaign_performance where campaign_id = :c"),
            {"c": world.ids["c1"]},
        ).one()
    assert campaigns.loc["Portal Jan", "roi"] == f"{roi * 100:.1f}%"
    assert campaigns.loc["Portal Jan", "budget_utilisation"] == f"{used * 100:.1f}%"
    # Money files name the customer, project and unit beside the booking.
    ageing = frames["overdue by age.csv"]
    assert {"customer_name", "project_name", "unit_number"} <= set(ageing.columns)
    statement = frames["account statements.csv"]
    assert {"customer_name", "unit_number", "lead_name", "created_by_name"} <= set(statement.columns)
    assert set(statement["is_reversed"]) <= {"Yes", "No"}


def test_zip_entries_are_dated_now(world: World) -> None:
    built = snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export")
    now = dt.datetime.now(snapshot.IST).replace(tzinfo=None)
    with zipfile.ZipFile(io.BytesIO(built.content)) as archive:
        dates = [dt.datetime(*entry.date_time) for entry in archive.infolist()]
    assert len(dates) == len(snapshot.SNAPSHOT_FILES) + 1
    assert all(abs(now - moment) < dt.timedelta(minutes=1) for moment in dates)


def test_filtered_snapshot_applies_what_each_view_has(world: World) -> None:
    feb = ReportFilters(month_from=dt.date(2026, 2, 1), month_to=dt.date(2026, 2, 1), source="Walk-in")
    manifest, frames = read_zip(snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export", feb).content)
    assert manifest["scope"] == "filtered" and manifest["filters"]["source"] == "Walk-in"
    assert frames["funnel by cohort month.csv"]["leads"].sum() == 1  # l3
    inventory = next(item for item in manifest["files"] if item["view"] == "v_unit_inventory")
    assert inventory["filters_applied"] == [] and inventory["rows"] == 3
    assert [note["filter"] for note in inventory["filters_not_applied"]] == [
        "period 2026-02 to 2026-02",
        "source = Walk-in",
    ]
    # Every file says what it applied; the lead-level files reach their rows through the leads.
    assert frames["leads.csv"]["lead_name"].tolist() == ["Chitra Das"]
    assert set(frames["lead milestones.csv"]["lead_name"]) == {"Chitra Das"}
    assert set(frames["customer ledger.csv"]["customer_name"]) == {"Chitra Das"}


def test_filters_a_file_cannot_take_are_named_with_the_reason(world: World) -> None:
    filters = ReportFilters(
        month_from=dt.date(2026, 1, 1), month_to=dt.date(2026, 2, 1), owner_user_id=world.ids["rep"]
    )
    manifest, frames = read_zip(snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export", filters).content)
    by_file = {item["file"]: item for item in manifest["files"]}
    rep = f"Ravi Kumar (#{world.ids['rep']})"
    assert by_file["funnel by cohort month.csv"]["filters_applied"] == [
        "cohort month 2026-01 to 2026-02",
        f"owner = {rep}",
    ]
    assert by_file["funnel by cohort month.csv"]["filters_not_applied"] == []
    sources = by_file["sources by cohort month.csv"]
    assert sources["filters_not_applied"] == [{"filter": f"owner = {rep}", "why": "this file's rows are not per owner"}]
    ledger = by_file["customer ledger.csv"]
    assert ledger["filters_applied"] == [f"owner = {rep} (of the lead)"]
    assert ledger["filters_not_applied"][0]["filter"] == "period 2026-01 to 2026-02"
    assert "balances" in ledger["filters_not_applied"][0]["why"]
    assert by_file["leads.csv"]["rows"] == len(frames["leads.csv"]) == 4


def test_snapshot_command_writes_the_zip_and_prints_its_path(world: World, tmp_path, capsys) -> None:
    assert main(["snapshot", "--tenant", "alpha-export", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed.startswith(str(tmp_path)) and printed.endswith(".zip")
    manifest, _ = read_zip(Path(printed).read_bytes())
    assert manifest["tenant"] == "alpha-export"
    assert main(["snapshot", "--tenant", "no-such", "--out", str(tmp_path)]) == 2


def test_copy_read_gives_what_read_sql_gives(world: World) -> None:
    """The COPY + pyarrow path returns the same rows and values as pd.read_sql, typed."""
    query = """
        select lead_id, lead_name, milestone_type, occurred_at, days_since_previous
        from v_lead_milestone_timeline where occurred_at >= :since order by lead_id, occurred_at, milestone_type
    """
    since = dt.datetime(2026, 1, 1, tzinfo=snapshot.IST)
    fast = copy_out.read_frame(world.alpha, query, {"since": since})
    with db.tenant_transaction(world.alpha) as conn:
        slow = pd.read_sql(sa.text(query), conn, params={"since": since})
    assert len(fast) == len(slow) > 5
    for name in ("lead_id", "lead_name", "milestone_type"):  # '=cmd|calc' comes back as it is
        assert fast[name].tolist() == slow[name].tolist()
    assert fast["days_since_previous"].fillna(-1).tolist() == slow["days_since_previous"].fillna(-1).tolist()
    assert [moment.isoformat() for moment in fast["occurred_at"]] == [
        moment.tz_convert(snapshot.IST).isoformat() for moment in slow["occurred_at"]
    ]
    facts = "select lead_id, has_site_visit, first_booking_date, live_booking_value from v_lead_facts order by lead_id"
    fast = copy_out.read_frame(world.alpha, facts)
    with db.tenant_transaction(world.alpha) as conn:
        slow = pd.read_sql(sa.text(facts), conn)
    assert fast["has_site_visit"].tolist() == slow["has_site_visit"].tolist()
    assert fast["live_booking_value"].tolist() == slow["live_booking_value"].tolist()
    assert fast["first_booking_date"].tolist() == slow["first_booking_date"].tolist()


def test_a_200000_row_export_streams_without_holding_the_rows(world: World, tmp_path: Path) -> None:
    query = "select n as row_number, '=x' || n as label, n * 1.5 as amount from generate_series(1, :rows) as n"
    path = tmp_path / "big.csv"
    tracemalloc.start()
    try:
        with db.tenant_transaction(world.alpha) as conn, path.open("wb") as out:
            rows = copy_out.write_csv(conn, query, {"rows": 200_000}, out)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    size = path.stat().st_size
    assert rows == 200_000
    # The file is several megabytes; Python never held more than a few chunks of it.
    assert size > 4_000_000 and peak < size / 4
    back = pd.read_csv(path, encoding="utf-8-sig")
    assert len(back) == 200_000
    assert back["label"].iloc[0] == "'=x1" and back["amount"].iloc[-1] == 300_000.0
