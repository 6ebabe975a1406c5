"""The benchmark's bulk rows: an import with and without the reporting machinery, large reads and
exports the plain pandas way and through COPY, and a whole-tenant snapshot in its own process.

Each function adds rows to the run's ``Timings`` and returns what the report should say about it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data import copy_out, db, imports
from data.writes import now

# The triggers that keep the reporting summaries when milestones are written (migrations 0006, 0007).
_MACHINERY_TRIGGERS = ("lead_milestones_refresh_lead_facts_on_insert",)


def _milestone_file(folder: Path, name: str, rows: int, leads: int, days_ago: int) -> Path:
    path = folder / name
    stamp = (now() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_ref", "milestone_type", "occurred_at", "notes"])
        for number in range(rows):
            writer.writerow([f"B-{1 + number % leads}", "negotiation", stamp, f"bench {number}"])
    return path


def _set_machinery(enabled: bool) -> None:
    action = "enable" if enabled else "disable"
    with db.owner_engine().begin() as conn:
        for trigger in _MACHINERY_TRIGGERS:
            conn.execute(sa.text(f"alter table lead_milestones {action} trigger {trigger}"))


def imports_with_and_without_machinery(measure: Callable, tenant_id: int, leads: int) -> int:
    """Import two files of milestones, the first with the summary triggers switched off.

    The file without the machinery goes first, into the smaller table, so the comparison does
    not flatter the machinery. Afterwards the facts of the leads it touched are refreshed, so
    the tenant's summaries stay exact for the rest of the run.
    """
    rows = min(400_000, 4 * leads)
    with tempfile.TemporaryDirectory() as folder:
        without = _milestone_file(Path(folder), "without.csv", rows, leads, days_ago=2)
        with_machinery = _milestone_file(Path(folder), "with.csv", rows, leads, days_ago=1)
        _set_machinery(False)
        try:
            measure(
                f"import {rows:,} milestones (CSV), reporting machinery off",
                lambda: imports.import_file(tenant_id, None, "milestones", without),
            )
        finally:
            _set_machinery(True)
        with db.owner_engine().begin() as conn:
            conn.execute(
                sa.text("select refresh_lead_facts(:t, array(select lead_id from leads where tenant_id = :t))"),
                {"t": tenant_id},
            )
        measure(
            f"import {rows:,} milestones (CSV), reporting machinery on",
            lambda: imports.import_file(tenant_id, None, "milestones", with_machinery),
        )
    return rows


_LARGE_READ = "select * from lead_engagements order by engagement_id limit :size"


def large_read_and_export(measure: Callable, tenant_id: int, leads: int) -> int:
    """Read a large result into pandas and write it as CSV, the plain way and through COPY."""
    size = min(1_000_000, 10 * leads)
    params = {"size": size}
    frame = None

    def read_sql() -> None:
        nonlocal frame
        with db.tenant_transaction(tenant_id) as conn:
            frame = pd.read_sql(sa.text(_LARGE_READ), conn, params=params)

    def export_copy() -> None:
        with db.tenant_transaction(tenant_id) as conn, tempfile.TemporaryFile() as out:
            copy_out.write_csv(conn, _LARGE_READ, params, out)

    measure(f"read {size:,} rows into pandas · pd.read_sql", read_sql)
    measure(
        f"read {size:,} rows into pandas · COPY + pyarrow", lambda: copy_out.read_frame(tenant_id, _LARGE_READ, params)
    )
    measure(f"write {size:,} rows as CSV · DataFrame.to_csv", lambda: frame.to_csv(io.StringIO()))
    measure(f"write {size:,} rows as CSV · COPY streamed to a file", export_copy)
    return size


def snapshot_in_own_process(tenant_slug: str) -> tuple[float, float]:
    """Run ``python -m data snapshot`` for the whole tenant; return (seconds, peak RSS in MB)."""
    with tempfile.TemporaryDirectory() as folder:
        started = dt.datetime.now()
        process = subprocess.Popen(
            [sys.executable, "-m", "data", "snapshot", "--tenant", tenant_slug, "--out", folder],
            stdout=subprocess.DEVNULL,
        )
        _, status, usage = os.wait4(process.pid, 0)
        seconds = (dt.datetime.now() - started).total_seconds()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise RuntimeError(f"the snapshot command failed with exit status {process.returncode}")
    # ru_maxrss is in kilobytes on Linux.
    return seconds, usage.ru_maxrss / 1024
