"""Safe CSV and snapshot ZIPs, read back as a spreadsheet or a scheduler would."""

from __future__ import annotations

import datetime as dt
import io
import json
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
from data.exports.csv_files import neutralise, to_csv_bytes
from tests.support.world import World, build_world


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x")', "+91 98", "-cmd", "@SUM(A1)", "\tx", "\rx"])
def test_formula_like_text_is_defused(text: str) -> None:
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["Asha", "9876543210", "", 12, -5.5, None])
def test_everything_else_is_left_alone(value) -> None:
    assert neutralise(value) == value


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
    assert {item["file"] for item in manifest["files"]} == {f"{view}.csv" for view in snapshot.SNAPSHOT_VIEWS}
    for item in manifest["files"]:
        assert len(frames[item["file"]]) == item["rows"]
    assert frames["v_lead_facts.csv"]["tenant_id"].unique().tolist() == [world.alpha]
    assert len(frames["v_lead_facts.csv"]) == 4
    timeline = frames["v_lead_milestone_timeline.csv"]
    assert "'=cmd|calc" in timeline["lead_name"].tolist()


def test_filtered_snapshot_applies_what_each_view_has(world: World) -> None:
    feb = ReportFilters(month_from=dt.date(2026, 2, 1), month_to=dt.date(2026, 2, 1), source="Walk-in")
    manifest, frames = read_zip(snapshot.build_snapshot(world.alpha, SYSTEM, "alpha-export", feb).content)
    assert manifest["scope"] == "filtered" and manifest["filters"]["source"] == "Walk-in"
    assert frames["v_lead_funnel_analysis.csv"]["leads"].sum() == 1  # l3
    inventory = next(item for item in manifest["files"] if item["view"] == "v_unit_inventory")
    assert inventory["filters_applied"] == [] and inventory["rows"] == 3


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
