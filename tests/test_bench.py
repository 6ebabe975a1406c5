"""The benchmark runs end to end on a small tenant and writes its table (timings are not checked)."""

from __future__ import annotations

from pathlib import Path

from data import bench


def test_the_benchmark_writes_a_row_for_every_measurement(tmp_path: Path) -> None:
    written = bench.run(leads=400, runs=1, out=tmp_path / "performance.md").read_text()
    rows = [line for line in written.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    assert (
        len(rows) == 6 * 6 + 3 + 3 + 3
    )  # six reads × six filter sets, statement, timeline, naive funnel, writes, bulk
    assert "| funnel · one campaign | 1 |" in written and "PostgreSQL" in written
