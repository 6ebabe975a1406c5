"""Snapshots: a ZIP of CSVs of every reporting view, as filtered or whole, with a manifest.

The same function serves the Snapshots page and ``python -m data snapshot``, so a scheduled
export and a click give the same file. The files are those of ``snapshot_files``, named for what
they hold, with names beside ids, written for a spreadsheet as ``csv_files`` says (Yes/No,
percentages, India time to the second, phones as text); the rows stream from PostgreSQL, so the
formats are made in the SELECT. The manifest records, per file, the filters applied, those that
could not be and why, and how many rows it holds.
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
from data.exports.csv_files import INDIAN_MOBILE, INDIAN_MOBILE_SPACED
from data.exports.snapshot_files import (
    DIMENSIONS,
    FRACTIONS,
    LOOKUPS,
    MONTH_COLUMNS,
    SNAPSHOT_FILES,
    SNAPSHOT_VIEWS,
    SnapshotFile,
)
from data.reports._query import LEAD_FILTERS

__all__ = ["IST", "SNAPSHOT_FILES", "SNAPSHOT_VIEWS", "Snapshot", "build_snapshot", "discard"]

TIMES = "India Standard Time (UTC+05:30), to the second"
# PostgreSQL type oids the CSV writes in words.
_BOOLEAN, _MOMENT = 16, 1184


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


def _column_types(conn: sa.Connection, view: str) -> list[tuple[str, int]]:
    result = conn.execute(sa.select(sa.text("*")).select_from(sa.table(view)).limit(0))
    return [(column.name, column.type_code) for column in result.cursor.description]


def _written(column: sa.ColumnElement, name: str, type_code: int) -> sa.ColumnElement:
    """The column as the CSV writes it (the session's time zone is India's)."""
    if type_code == _BOOLEAN:
        return sa.case((column == sa.true(), "Yes"), (column == sa.false(), "No")).label(name)
    if type_code == _MOMENT:
        return sa.func.to_char(column, "YYYY-MM-DD HH24:MI:SS").label(name)
    if name in FRACTIONS:
        return sa.cast(sa.func.round(column * 100, 1), sa.Text).concat("%").label(name)
    if name == "phone":
        return sa.func.regexp_replace(column, INDIAN_MOBILE, INDIAN_MOBILE_SPACED).label(name)
    return column.label(name)


def _lead_ids(with_period: bool) -> sa.Select:
    """The leads the filters select (by cohort month too when ``with_period``)."""
    query = sa.select(sa.column("lead_id")).select_from(sa.table("v_lead_facts")).where(sa.text(LEAD_FILTERS))
    if with_period:
        query = query.where(sa.text("cohort_month between :month_from and :month_to"))
    # Materialized: a plain "in (select … from v_lead_facts)" may be planned as the view once per
    # row (see data/reports/_query.py).
    leads = query.cte("filtered_leads").prefix_with("materialized")
    return sa.select(leads.c.lead_id)


def _chosen(conn: sa.Connection, filters: ReportFilters) -> dict[str, str]:
    """The dimension filters set, as the manifest names them: a project, campaign or owner by name."""
    values, chosen = filters.params(), {}
    for key, label in DIMENSIONS.items():
        value = values[key]
        if value is None:
            continue
        lookup = LOOKUPS.get(key)
        if lookup is not None:
            (name_column,) = [column for _, column in lookup.names]
            table = lookup.source([name_column])
            name = conn.execute(sa.select(table.c[name_column]).where(table.c[lookup.key] == value)).scalar()
            value = f"{name} (#{value})"
        chosen[label] = str(value)
    return chosen


def _file_query(
    columns: list[tuple[str, int]], spec: SnapshotFile, filters: ReportFilters | None, chosen: dict[str, str]
) -> tuple[sa.Select, list[str], list[dict]]:
    """The file's SELECT, the filters it applies and those it cannot (with the reason)."""
    # The view name comes from SNAPSHOT_FILES and the column names from the database, never from input.
    view = sa.table(spec.view, *(sa.column(name) for name, _ in columns)).alias("view_rows")
    present = {name for name, _ in columns}
    source, selected, plain = view, [], {}
    for name, type_code in columns:
        if name == "tenant_id":  # one tenant per snapshot: the manifest names it
            continue
        selected.append(_written(view.c[name], name, type_code))
        plain[name] = view.c[name]
        lookup = LOOKUPS.get(name)
        missing = [pair for pair in lookup.names if pair[0] not in present] if lookup else []
        if missing:
            table = lookup.source([column for _, column in missing]).alias(f"{name}_names")
            source = source.outerjoin(table, table.c[lookup.key] == view.c[name])
            for label, column in missing:
                selected.append(table.c[column].label(label))
                plain[label] = table.c[column]
                present.add(label)
    query = sa.select(*selected).select_from(source)
    if filters is None:
        return query, [], []
    return _filtered(query, plain, spec, filters, chosen)


def _filtered(
    query: sa.Select, plain: dict[str, sa.ColumnElement], spec: SnapshotFile, filters: ReportFilters, chosen: dict
) -> tuple[sa.Select, list[str], list[dict]]:
    values = filters.params()
    period = f"{values['month_from']:%Y-%m} to {values['month_to']:%Y-%m}"
    applied, not_applied = [], []
    if spec.through is not None:
        leads = _lead_ids(spec.period)
        if spec.through == "booking_id":
            bookings = sa.table("bookings", sa.column("booking_id"), sa.column("lead_id"))
            leads = sa.select(bookings.c.booking_id).where(bookings.c.lead_id.in_(leads))
        query = query.where(plain[spec.through].in_(leads))
        applied += [f"{label} = {value} (of the lead)" for label, value in chosen.items()]
        if spec.period:
            applied.append(f"cohort month {period} (of the lead)")
        else:
            not_applied.append({"filter": f"period {period}", "why": spec.period_note})
        return query, applied, not_applied
    months = [name for name in MONTH_COLUMNS if name in plain]
    for name in months:
        query = query.where(plain[name].between(values["month_from"], values["month_to"]))
        applied.append(f"{name.replace('_', ' ')} {period}")
    if not months:
        not_applied.append({"filter": f"period {period}", "why": spec.period_note or "this file has no month"})
    for key, label in DIMENSIONS.items():
        if label not in chosen:
            continue
        if key in plain:
            query = query.where(plain[key] == values[key])
            applied.append(f"{label} = {chosen[label]}")
        else:
            not_applied.append({"filter": f"{label} = {chosen[label]}", "why": f"this file's rows are not per {label}"})
    return query, applied, not_applied


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
            chosen = {} if filters is None else _chosen(conn, filters)
            for spec in SNAPSHOT_FILES:
                query, applied, not_applied = _file_query(_column_types(conn, spec.view), spec, filters, chosen)
                params = {} if filters is None else filters.params()
                with archive.open(_entry(spec.filename, now), "w", force_zip64=True) as member:
                    rows = copy_out.write_csv(conn, query, params, member)
                item = {"file": spec.filename, "view": spec.view, "rows": rows, "filters_applied": applied}
                if filters is not None:
                    item["filters_not_applied"] = not_applied
                files.append(item)
            manifest = {
                "tenant": tenant_slug,
                "generated_at": now.isoformat(timespec="seconds"),
                "times": TIMES,
                "scope": "whole" if filters is None else "filtered",
                "filters": None
                if filters is None
                else {k: str(v) for k, v in filters.params().items() if v is not None},
                "files": files,
            }
            archive.writestr(_entry("manifest.json", now), json.dumps(manifest, indent=2, ensure_ascii=False))
    return Snapshot(filename=filename, path=path, manifest=manifest)


def _entry(name: str, now: dt.datetime) -> zipfile.ZipInfo:
    """A ZIP entry dated when the snapshot was made (India time, as the file name), not 1980."""
    entry = zipfile.ZipInfo(name, date_time=now.timetuple()[:6])
    entry.compress_type = zipfile.ZIP_DEFLATED
    entry.external_attr = 0o644 << 16  # a plain file anyone may read once unpacked
    return entry


def discard(snapshot: Snapshot) -> None:
    """Delete a snapshot's ZIP, and its folder when that was a temporary one made for it."""
    snapshot.path.unlink(missing_ok=True)
    if snapshot.path.parent.name.startswith("leadline-snapshot-"):
        shutil.rmtree(snapshot.path.parent, ignore_errors=True)


def filters_not_applied(manifest: dict) -> list[str]:
    """One line per file and filter "as filtered" could not apply to it, with why, from the manifest."""
    return [
        f"{item['file']}: {note['filter']} not applied ({note['why']})"
        for item in manifest["files"]
        for note in item.get("filters_not_applied", [])
    ]
