"""Snapshots: a ZIP of CSVs of every reporting view, as filtered or whole, with a manifest.

The same function serves the Snapshots page and ``python -m data snapshot``, so a scheduled
export and a click give the same file. Each view is filtered only by the filters it has
columns for; the manifest records, per file, which filters were applied and how many rows
it holds.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

from data import db
from data.db import copy_out
from data.domain.filters import IST, ReportFilters
from data.domain.permissions import SYSTEM, Action, Actor, authorise

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
    """A built snapshot: its file name, where the ZIP was written and the manifest inside it."""

    filename: str
    path: Path
    manifest: dict

    @property
    def content(self) -> bytes:
        """The ZIP's bytes (read from disk when asked for, e.g. by a download)."""
        return self.path.read_bytes()


def _view_query(columns: list[str], view: str, filters: ReportFilters | None) -> tuple[sa.Select, list[str]]:
    # The view name comes from SNAPSHOT_VIEWS and the column names from the database, never from input.
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


def _columns(conn: sa.Connection, view: str) -> list[str]:
    return list(conn.execute(sa.select(sa.text("*")).select_from(sa.table(view)).limit(0)).keys())


def build_snapshot(
    tenant_id: int,
    user_id: Actor,
    tenant_slug: str,
    filters: ReportFilters | None = None,
    now: dt.datetime | None = None,
    directory: Path | None = None,
) -> Snapshot:
    """Write every view (as filtered, or whole when ``filters`` is None) into one ZIP file.

    ``user_id`` is the person exporting; their role must allow ``Action.SNAPSHOT_EXPORT``
    (``ValidationError`` on "user" otherwise, and no file is written). ``SYSTEM`` is the command
    line, run by whoever runs the server. Each view's rows stream from PostgreSQL's COPY into the
    archive, so memory stays flat whatever the size of the tenant. The ZIP goes to ``directory``
    (a new temporary one when not given).
    """
    now = (now or dt.datetime.now(IST)).astimezone(IST)
    filename = f"leadline-{tenant_slug}-{now:%Y%m%d-%H%M%S}.zip"
    files = []
    # One transaction: every file of the snapshot sees the same moment of the data.
    with db.tenant_transaction(tenant_id, consistent_read=True) as conn:
        if user_id is not SYSTEM:
            authorise(conn, user_id, Action.SNAPSHOT_EXPORT)
        directory = directory or Path(tempfile.mkdtemp(prefix="leadline-snapshot-"))
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / filename
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            for view in SNAPSHOT_VIEWS:
                query, applied = _view_query(_columns(conn, view), view, filters)
                name = f"{view}.csv"
                with archive.open(name, "w", force_zip64=True) as member:
                    rows = copy_out.write_csv(conn, query, {}, member)
                files.append({"file": name, "view": view, "rows": rows, "filters_applied": applied})
            manifest = {
                "tenant": tenant_slug,
                "generated_at": now.isoformat(timespec="seconds"),
                "scope": "whole" if filters is None else "filtered",
                "filters": None
                if filters is None
                else {k: str(v) for k, v in filters.params().items() if v is not None},
                "files": files,
            }
            archive.writestr("manifest.json", json.dumps(manifest, indent=2))
    return Snapshot(filename=filename, path=path, manifest=manifest)


def discard(snapshot: Snapshot) -> None:
    """Delete a snapshot's ZIP, and its folder when that was a temporary one made for it."""
    snapshot.path.unlink(missing_ok=True)
    if snapshot.path.parent.name.startswith("leadline-snapshot-"):
        shutil.rmtree(snapshot.path.parent, ignore_errors=True)
