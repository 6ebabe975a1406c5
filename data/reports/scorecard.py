"""Team scorecard: one row per rep for the period's leads — the funnel's stage counts, speed to
lead, the calls and visits they logged, and their follow-ups overdue now.

Each column is read with the SQL of the screen that owns it, so the figures cannot drift apart
(docs/reporting-views.md, "Team scorecard"): the stage counts sum ``v_lead_funnel_analysis``
with the funnel's ``STAGE_SUMS``; the response figures are speed-to-lead's ``BY_REP_SQL`` on
``v_lead_response``; overdue follow-ups count the follow-ups read's overdue buckets. A rep is
the lead's current owner, as on those screens, except for the calls and visits logged, which
belong to whoever logged them (the effort a rep put in, even on a lead later handed over).
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.domain.vocabulary import VISIT_MILESTONES
from data.reports._query import LEAD_FILTERS, read_frames
from data.reports.cache import cached_read
from data.reports.cohort_funnel import STAGE_SUMS
from data.reports.due_follow_ups import DUE, OVERDUE_BUCKETS
from data.reports.speed_to_lead import BY_REP_SQL, with_sla_rate

_STAGES = (
    "select owner_user_id, "
    + STAGE_SUMS
    + " from v_lead_funnel_analysis where cohort_month between :month_from and :month_to and "
    + LEAD_FILTERS
    + " group by owner_user_id"
)

# Calls (whatever their direction or outcome, but not those only scheduled) and site visits and
# revisits done, dated in the period's months, on the leads the filters select, by who logged them.
# Rows nobody logged (imports, the intake API) count for no one.
_LOGGED = (
    """
    with

    filtered_leads as materialized (
        select lead_id from leads where deleted_at is null and """
    + LEAD_FILTERS
    + """
    ),

    calls as (
        select recorded_by as user_id, count(*) as calls_logged
        from lead_engagements
        where deleted_at is null
            and engagement_type = :call_type
            and status <> :scheduled_status
            and leadline_month(occurred_at) between :month_from and :month_to
            and lead_id in (select lead_id from filtered_leads)
            and recorded_by is not null
        group by recorded_by
    ),

    visits as (
        select recorded_by as user_id, count(*) as visits_logged
        from lead_milestones
        where deleted_at is null
            and milestone_type = any(:visit_types)
            and leadline_month(occurred_at) between :month_from and :month_to
            and lead_id in (select lead_id from filtered_leads)
            and recorded_by is not null
        group by recorded_by
    )

    select
        coalesce(calls.user_id, visits.user_id) as user_id,
        coalesce(calls.calls_logged, 0) as calls_logged,
        coalesce(visits.visits_logged, 0) as visits_logged
    from calls
    full outer join visits on visits.user_id = calls.user_id
"""
)

# Overdue now, whatever the months: the follow-ups read's own buckets, of the leads the other
# filters select.
_OVERDUE = (
    DUE
    + """
    select owner_user_id, count(*) as overdue_follow_ups
    from bucketed
    where bucket = any(:overdue_buckets)
        and lead_id in (select lead_id from leads where """
    + LEAD_FILTERS
    + """)
    group by owner_user_id
"""
)

_PEOPLE = """
    select user_id, display_name, role = 'rep' and is_active and deleted_at is null as is_active_rep
    from app_users
"""

COLUMNS = (
    "owner_user_id",
    "rep_name",
    "leads",
    "answered",
    "met",
    "breached",
    "sla_rate",
    "median_working_minutes",
    "calls_logged",
    "visits_logged",
    "site_visited",
    "revisited",
    "booked",
    "cancelled",
    "net_booked",
    "lead_to_booking_rate",
    "overdue_follow_ups",
)
# The columns that are counts: zero, never missing, for a row without them.
_COUNTS = [
    name for name in COLUMNS if name not in ("owner_user_id", "rep_name") and not name.endswith(("_rate", "_minutes"))
]

# A lead nobody owns has no user id; the frames are joined on this key, 0 standing for nobody.
_NOBODY = 0


def _keyed(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    key = frame[column].astype("Int64").fillna(_NOBODY).astype("int64")
    return frame.drop(columns=[column]).set_index(key.rename("rep_key"))


@cached_read
def scorecard(scope: Scope | int, filters: ReportFilters) -> pd.DataFrame:
    """One row per rep for the leads the filters select.

    Columns: owner_user_id (null for the leads nobody owns), rep_name (null for those), leads,
    site_visited, revisited, booked, cancelled, net_booked (the funnel's counts of the rep's
    leads), lead_to_booking_rate (net_booked / leads, as the overview and sources), answered,
    met, breached, sla_rate, median_working_minutes (speed to lead's figures of the same leads),
    calls_logged and visits_logged (by the user who logged them, dated in the months, on the
    filtered leads), overdue_follow_ups (the owner's open leads overdue now, any month). Rows:
    every active rep (with zeros when idle) unless an owner is chosen, everyone else with a
    figure, and one row for nobody when unowned leads have one; by name, nobody last. A rep's
    scope reads the rep's own row only.
    """
    # A rep's scope sees only the rep's leads (row-level security); the owner is pinned too, so the
    # rep's row is all there is, even the activity others logged on the rep's leads left out.
    rep = scope.owner_user_id if isinstance(scope, Scope) else None
    if rep is not None:
        filters = replace(filters, owner_user_id=rep)
    params = {
        **filters.params(),
        "call_type": "call",
        "scheduled_status": "scheduled",
        "visit_types": list(VISIT_MILESTONES),
        "overdue_buckets": list(OVERDUE_BUCKETS),
    }
    stages, responses, logged, overdue, people = read_frames(
        scope, [_STAGES, BY_REP_SQL, _LOGGED, _OVERDUE, _PEOPLE], params
    )
    # Speed to lead's own "leads" is the funnel's, read above; the rest of its figures are kept.
    responses = with_sla_rate(responses)[
        ["owner_user_id", "answered", "met", "breached", "sla_rate", "median_working_minutes"]
    ]
    figures = pd.concat(
        [
            _keyed(stages, "owner_user_id"),
            _keyed(responses, "owner_user_id"),
            _keyed(logged, "user_id"),
            _keyed(overdue, "owner_user_id"),
        ],
        axis=1,
    )
    people = _keyed(people, "user_id")
    shown = set(figures.index)
    if filters.owner_user_id is None:
        shown |= set(people.index[people["is_active_rep"]])
    if rep is not None:
        shown = {rep}
    rows = figures.reindex(sorted(shown))
    rows[_COUNTS] = rows[_COUNTS].fillna(0).astype("int64")
    rows["rep_name"] = people["display_name"].reindex(rows.index)
    rows["owner_user_id"] = pd.array([None if key == _NOBODY else key for key in rows.index], dtype="Int64")
    leads = rows["leads"].where(rows["leads"] > 0)
    rows["lead_to_booking_rate"] = rows["net_booked"] / leads
    order = rows.assign(nobody=rows["owner_user_id"].isna(), name_key=rows["rep_name"].str.casefold())
    order = order.sort_values(["nobody", "name_key", "owner_user_id"])
    return order[list(COLUMNS)].reset_index(drop=True)
