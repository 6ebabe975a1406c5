"""The benchmark's bulk rows: an import with and without the reporting machinery, large reads and
exports the plain pandas way and through COPY, and a whole-tenant snapshot in its own process.

Each function adds rows to the run's ``Timings`` and returns what the report should say about it.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import io
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import sqlalchemy as sa

from data import db, imports
from data.db import copy_out
from data.domain.permissions import SYSTEM
from data.writes.common import now

# A sales team's activity log: some milestones move a lead's stage, most are follow-ups.
_IMPORTED_TYPES = ("contacted", "negotiation", "site_visit_scheduled", "qualified", "negotiation")
# The triggers that keep the reporting summaries when milestones are written (migrations 0006, 0007).
_MACHINERY_TRIGGERS = ("lead_milestones_refresh_lead_facts_on_insert",)


def _milestone_file(folder: Path, name: str, rows: int, leads: int, days_ago: int) -> Path:
    path = folder / name
    stamp = (now() - dt.timedelta(days=days_ago)).strftime("%Y-%m-%d %H:%M")
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["lead_ref", "milestone_type", "occurred_at", "notes"])
        for number in range(rows):
            kind = _IMPORTED_TYPES[number % len(_IMPORTED_TYPES)]
            writer.writerow([f"B-{1 + number % leads}", kind, stamp, f"bench {number}"])
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
                lambda: imports.import_file(tenant_id, SYSTEM, "milestones", without),
            )
        finally:
            _set_machinery(True)
        touched = [f"B-{number}" for number in range(1, min(rows, leads) + 1)]
        with db.owner_engine().begin() as conn:
            conn.execute(
                sa.text(
                    "select refresh_lead_facts(:t, array("
                    "select lead_id from leads where tenant_id = :t and lead_ref = any(:refs)))"
                ),
                {"t": tenant_id, "refs": touched},
            )
        measure(
            f"import {rows:,} milestones (CSV), reporting machinery on",
            lambda: imports.import_file(tenant_id, SYSTEM, "milestones", with_machinery),
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
    """Run ``python -m data snapshot`` for the whole tenant; return (seconds, peak RSS in MB).

    The peak is the process's own high-water mark (VmHWM), sampled until it exits: the rusage
    of a child also counts the memory of the parent it was forked from (the benchmark, which
    has just held a million rows), so it would not measure the snapshot.
    """
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "data", "snapshot", "--tenant", tenant_slug, "--out", folder],
            stdout=subprocess.DEVNULL,
        )
        peak_kb = 0
        status = Path(f"/proc/{process.pid}/status")
        while process.poll() is None:
            with contextlib.suppress(OSError):
                for line in status.read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        peak_kb = max(peak_kb, int(line.split()[1]))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"the snapshot command failed with exit status {process.returncode}")
    return seconds, peak_kb / 1024
