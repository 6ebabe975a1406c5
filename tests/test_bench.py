"""The benchmark runs end to end on a small tenant and writes its tables (timings are not checked)."""

from __future__ import annotations

from pathlib import Path

from bench import run as bench
from bench.streamlit_server import CHROMIUM


def test_the_benchmark_writes_a_row_for_every_measurement(tmp_path: Path) -> None:
    out = tmp_path / "performance.md"
    out.write_text(f"# old results\n\n{bench.NOTES_HEADING}\n\nWritten by hand.\n")
    written = bench.run(leads=400, runs=1, out=out, intake_seconds=4).read_text()
    assert "# old results" not in written and written.endswith(f"{bench.NOTES_HEADING}\n\nWritten by hand.\n")
    written = written.split(bench.NOTES_HEADING)[0]
    written, intake = written.split("## Sustained intake through the HTTP API")
    timings, comparisons = written.split("## Comparisons")
    rows = [line for line in timings.splitlines() if line.startswith("| ") and not line.startswith("| what")]
    # The Funnel timed while the API takes leads: once before, and as often as the run allows during.
    during = [row for row in rows if "Funnel, during" in row]
    rows = [row for row in rows if row not in during]
    intake_rows = [line for line in intake.splitlines() if line.startswith("| ") and not line.startswith("| req")]
    assert len(intake_rows) == 1 and intake_rows[0].startswith("| 400 | 400 |"), intake
    # Six reads × six filter sets, statement and timeline; straightforward funnel and sources in
    # PostgreSQL and DuckDB and the DuckDB load; six pages in the browser and the Funnel before the
    # intake (where there is a browser);
    # three writes; two imports; two reads, two exports.
    pages = 7 if CHROMIUM.exists() else 0
    assert len(rows) == 6 * 6 + 2 + 5 + pages + 3 + 2 + 4
    assert "| funnel · one campaign | 1 |" in timings and "PostgreSQL" in timings
    assert "| funnel written straightforwardly · DuckDB | 1 |" in timings
    assert "reporting machinery off | 1 |" in timings and "reporting machinery on | 1 |" in timings
    ratios = [line for line in comparisons.splitlines() if line.startswith("| ") and not line.startswith("| comp")]
    assert len(ratios) == 7
    assert "Whole-tenant snapshot" in comparisons and "peak RSS" in comparisons
    if pages:
        assert "| page interactive in the browser · Customer ledger | 1 |" in timings
