"""What every report read shares: running SQL into a DataFrame, the cache lifetime, and the
lead filter clause.

``LEAD_FILTERS`` is the one place the sidebar's dimension filters become SQL. It is a constant
joined to each query's own constant text, never a value: every value in it is a bound
parameter, and a NULL parameter means "any".
"""

from __future__ import annotations

import datetime as dt

import pandas as pd
import sqlalchemy as sa

from data import db
from data.db import Scope
from data.domain.filters import IST, ReportFilters, add_months, first_of_month

CACHE_TTL_SECONDS = 300

LEAD_FILTERS = """
    (cast(:project_id as bigint) is null or project_id = :project_id)
    and (cast(:campaign_id as bigint) is null or campaign_id = :campaign_id)
    and (cast(:owner_user_id as bigint) is null or owner_user_id = :owner_user_id)
    and (cast(:source as text) is null or lead_source_id in (
        select lead_source_id from lead_sources
        where source = :source and (cast(:subsource as text) is null or subsource = :subsource)
    ))
"""

# The leads the filters select, as a CTE for reads that join money or events to them.
# Materialized: as a plain "lead_id in (select … from v_lead_facts)" the planner may
# evaluate the view once per outer row (seen: minutes on the 3,000-lead demo).
FILTERED_LEADS_CTE = "filtered_leads as materialized (select * from v_lead_facts where " + LEAD_FILTERS + ")"

# The bookings whose lead the filters select. Each booking finds its lead by key (a lateral
# lookup the planner cannot turn around), so the cost follows the bookings, not the tenant's
# leads, which may be a million. (Row-level security's current_setting() comparisons are
# estimated at 0.5 % of a table, so a planned join may well start from the larger side.)
FILTERED_BOOKINGS_CTE = (
    """
    filtered_bookings as materialized (
        select tenant_id, booking_id
        from (
            select
                bookings.tenant_id,
                bookings.booking_id,
                lead_facts.project_id,
                lead_facts.campaign_id,
                lead_facts.owner_user_id,
                lead_facts.lead_source_id
            from bookings
            cross join lateral (
                select project_id, campaign_id, owner_user_id, lead_source_id
                from v_lead_facts
                where v_lead_facts.tenant_id = bookings.tenant_id and v_lead_facts.lead_id = bookings.lead_id
                offset 0
            ) as lead_facts
        ) as booked_leads
        where """
    + LEAD_FILTERS
    + """
    )
"""
)


def read_frame(scope: Scope | int, sql: str, params: dict | None = None) -> pd.DataFrame:
    """Run one read as the app role in the tenant's transaction; moments come back in India time."""
    (frame,) = read_frames(scope, [sql], params)
    return frame


def read_frames(scope: Scope | int, queries: list[str], params: dict | None = None) -> list[pd.DataFrame]:
    """Run several reads with the same parameters in one transaction (one snapshot, one set-up)."""
    with db.tenant_transaction(scope) as conn:
        frames = [pd.read_sql(sa.text(sql), conn, params=params or {}) for sql in queries]
    for frame in frames:
        for name in frame.columns:
            if isinstance(frame[name].dtype, pd.DatetimeTZDtype):
                frame[name] = frame[name].dt.tz_convert(IST)
    return frames


def period_params(filters: ReportFilters, today: dt.date) -> dict:
    """The filters' bound parameters plus the period's dates and the previous period's.

    ``period_end`` is the last day of the last month, or today when that month is not over;
    the previous period (``previous_from`` to ``previous_end``) has exactly as many days and
    ends the day before the period starts (``ReportFilters.previous_period``). For cohort
    counts it is split into the whole months of the monthly rollup (``previous_months_from``
    to ``previous_end``'s month) and, when it starts in the middle of a month, that month's
    leads from ``previous_from`` on (``previous_part_month``, else null).
    """
    period_end, previous_from, previous_end = filters.previous_period(today)
    starts_mid_month = previous_from.day != 1
    return {
        **filters.params(),
        "previous_from": previous_from,
        "previous_end": previous_end,
        "previous_months_from": add_months(previous_from, 1) if starts_mid_month else previous_from,
        "previous_part_month": first_of_month(previous_from) if starts_mid_month else None,
        "period_end": period_end,
    }
