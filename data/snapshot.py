"""Snapshots: a ZIP of CSVs of every reporting view, as filtered or whole, with a manifest.

The same function serves the Snapshots page and ``python -m data snapshot``, so a scheduled
export and a click give the same file. Each view is filtered only by the filters it has
columns for; the manifest records, per file, which filters were applied and how many rows
it holds.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pandas as pd
import sqlalchemy as sa

from data import db
from data.export import to_csv_bytes
from data.filters import ReportFilters

IST = ZoneInfo("Asia/Kolkata")

SNAPSHOT_VIEWS = (
    "v_lead_funnel_analysis",
    "v_lead_source_performance",
    "v_campaign_performance",
    "v_booking_summary",
    "v_customer_ledger_summary",
    "v_receivables_ageing",
    "v_lead_milestone_timeline",
    "v_unit_inventory",
    "v_account_statement",
    "v_lead_facts",
)
# Which column each filter compares with, where a view has it.
_MONTH_COLUMNS = ("cohort_month", "booking_month")
_DIMENSIONS = ("project_id", "source", "subsource", "campaign_id", "owner_user_id")


@dataclass(frozen=True)
class Snapshot:
    """A built snapshot: its file name, the ZIP's bytes and the manifest written into it."""

    filename: str
    content: bytes
    manifest: dict


def _view_query(columns: list[str], view: str, filters: ReportFilters | None) -> tuple[sa.Select, list[str]]:
    table = sa.table(view, *(sa.column(name) for name in columns))
    query = sa.select(table)
    applied = []
    if filters is None:
        return query, applied
    values = filters.params()
    for name in _MONTH_COLUMNS:
        if name in columns:
            query = query.where(table.c[name].between(values["month_from"], values["month_to"]))
            applied.append(f"{name} {values['month_from']:%Y-%m}..{values['month_to']:%Y-%m}")
    for name in _DIMENSIONS:
        if name in columns and values[name] is not None:
            query = query.where(table.c[name] == values[name])
            applied.append(f"{name} = {values[name]}")
    return query, applied


def _read_view(conn: sa.Connection, view: str, filters: ReportFilters | None) -> tuple[pd.DataFrame, list[str]]:
    # The view name comes from SNAPSHOT_VIEWS, never from input; its columns from the database.
    columns = list(conn.execute(sa.select(sa.text("*")).select_from(sa.table(view)).limit(0)).keys())
    query, applied = _view_query(columns, view, filters)
    return pd.read_sql(query, conn), applied


def build_snapshot(
    tenant_id: int, tenant_slug: str, filters: ReportFilters | None = None, now: dt.datetime | None = None
) -> Snapshot:
    """Read every view (as filtered, or whole when ``filters`` is None) into one ZIP."""
    now = (now or dt.datetime.now(IST)).astimezone(IST)
    stamp = now.strftime("%Y%m%d-%H%M%S")
    files = []
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        # One transaction: every file of the snapshot sees the same moment of the data.
        with db.tenant_transaction(tenant_id, consistent_read=True) as conn:
            for view in SNAPSHOT_VIEWS:
                frame, applied = _read_view(conn, view, filters)
                name = f"{view}.csv"
                archive.writestr(name, to_csv_bytes(frame))
                files.append({"file": name, "view": view, "rows": len(frame), "filters_applied": applied})
        manifest = {
            "tenant": tenant_slug,
            "generated_at": now.isoformat(timespec="seconds"),
            "scope": "whole" if filters is None else "filtered",
            "filters": None if filters is None else {k: str(v) for k, v in filters.params().items() if v is not None},
            "files": files,
        }
        archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Snapshot(filename=f"leadline-{tenant_slug}-{stamp}.zip", content=buffer.getvalue(), manifest=manifest)


def write_snapshot(snapshot: Snapshot, directory: Path) -> Path:
    """Write the ZIP into the directory (created if needed) and return its path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / snapshot.filename
    path.write_bytes(snapshot.content)
    return path
