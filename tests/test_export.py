"""Safe CSV and snapshot ZIPs, read back as a spreadsheet or a scheduler would."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from data import snapshot
from data.__main__ import main
from data.export import neutralise, to_csv_bytes
from data.filters import ReportFilters
from tests.world import World, build_world


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
    import sqlalchemy as sa

    from data import db

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
    built = snapshot.build_snapshot(world.alpha, "alpha-export", now=now)
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
    manifest, frames = read_zip(snapshot.build_snapshot(world.alpha, "alpha-export", feb).content)
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
