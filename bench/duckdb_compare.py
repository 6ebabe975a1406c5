"""The benchmark's comparison: the funnel and source aggregations written the straightforward way
(count distinct over raw milestones), in PostgreSQL and in DuckDB over the same rows.

DuckDB is a benchmark dependency only; nothing in the product imports it. The tenant's live
leads and milestones are copied out of PostgreSQL (COPY, CSV) and loaded into an in-memory
DuckDB database; the load is reported apart from the queries. Moments are exported in India
time without a zone, so both engines put a lead in the same cohort month.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from pathlib import Path

import duckdb
import sqlalchemy as sa

from data import db
from data.db import copy_out

_EXPORTS = {
    "leads": """
        select lead_id, lead_source_id, generated_at at time zone 'Asia/Kolkata' as generated_local
        from leads where deleted_at is null
    """,
    "lead_milestones": """
        select lead_id, milestone_type from lead_milestones where deleted_at is null
    """,
}

# The same two statements run in both engines, over tables of the same names and rows.
FUNNEL = """
    select date_trunc('month', leads.generated_local) as cohort_month,
        count(distinct leads.lead_id) as leads,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'contacted') as contacted,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'qualified') as qualified,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'site_visit') as site_visited,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'revisit') as revisited,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'booking') as booked
    from leads
    left join lead_milestones on lead_milestones.lead_id = leads.lead_id
    group by 1
"""

SOURCES = """
    select leads.lead_source_id, date_trunc('month', leads.generated_local) as cohort_month,
        count(distinct leads.lead_id) as leads,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'qualified') as qualified,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'site_visit') as site_visited,
        count(distinct lead_milestones.lead_id) filter (where milestone_type = 'booking') as booked
    from leads
    left join lead_milestones on lead_milestones.lead_id = leads.lead_id
    group by 1, 2
"""

# In PostgreSQL the statements read the tenant's own tables through views of the same shape.
_POSTGRES_TABLES = """
    with
    leads as (
        select lead_id, lead_source_id, generated_at at time zone 'Asia/Kolkata' as generated_local
        from leads where deleted_at is null
    ),
    lead_milestones as (
        select lead_id, milestone_type from lead_milestones where deleted_at is null
    )
"""


def compare(measure: Callable, tenant_id: int, runs: int) -> None:
    """Time both statements in PostgreSQL and in DuckDB; the DuckDB load is its own row."""
    for name, statement in (("funnel", FUNNEL), ("sources", SOURCES)):

        def in_postgres(statement: str = statement) -> None:
            with db.tenant_transaction(tenant_id) as conn:
                conn.execute(sa.text(_POSTGRES_TABLES + statement)).all()

        measure(f"{name} written straightforwardly · PostgreSQL", in_postgres, runs)
    with tempfile.TemporaryDirectory() as folder:
        database = duckdb.connect()
        measure(
            "load the tenant's leads and milestones into DuckDB (COPY out, CSV in)",
            lambda: _load(database, tenant_id, Path(folder)),
            1,
        )
        for name, statement in (("funnel", FUNNEL), ("sources", SOURCES)):
            measure(f"{name} written straightforwardly · DuckDB", lambda s=statement: database.sql(s).fetchall(), runs)
        database.close()


def _load(database: duckdb.DuckDBPyConnection, tenant_id: int, folder: Path) -> None:
    for table, query in _EXPORTS.items():
        path = folder / f"{table}.csv"
        with db.tenant_transaction(tenant_id) as conn, path.open("wb") as out:
            copy_out.write_csv(conn, query, {}, out)
        database.read_csv(str(path), header=True).create(table)
