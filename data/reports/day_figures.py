"""Days' activity: what happened on a span of India days against the span before, and the leads
assigned to someone since a moment. The digests' reads (data.digests): a manager's "yesterday
against the day before", leadership's "last week against the week before", a rep's new leads.

Unlike the Overview's cohort figures, these count each thing on the day it happened: the leads
generated, the site visits and revisits done, the units booked (cancelled later or not) and the
bookings cancelled in the days.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.db import Scope
from data.domain.vocabulary import VISIT_MILESTONES
from data.reports._query import read_frame
from data.reports.cache import cached_read

# The figures in the order the digests show them.
DAY_FIGURES = ("leads", "site_visits", "bookings", "cancellations")

_DAY_FIGURES = """
    with

    generated_leads as (
        select leadline_date(generated_at) as activity_date
        from leads
        where deleted_at is null
            and leadline_date(generated_at) between :previous_first and :last_day
    ),

    visits as (
        select leadline_date(occurred_at) as activity_date
        from lead_milestones
        where deleted_at is null
            and milestone_type = any(:visit_milestones)
            and leadline_date(occurred_at) between :previous_first and :last_day
    ),

    booked as (
        select booking_date as activity_date
        from bookings
        where booking_date between :previous_first and :last_day
    ),

    cancelled as (
        select leadline_date(cancelled_at) as activity_date
        from bookings
        where cancelled_at is not null
            and leadline_date(cancelled_at) between :previous_first and :last_day
    ),

    counted as (
        select 'leads' as figure, activity_date from generated_leads
        union all
        select 'site_visits', activity_date from visits
        union all
        select 'bookings', activity_date from booked
        union all
        select 'cancellations', activity_date from cancelled
    )

    select
        figure,
        count(*) filter (where activity_date between :first_day and :last_day) as current,
        count(*) filter (where activity_date between :previous_first and :previous_last) as previous
    from counted
    group by figure
"""

_NEW_ASSIGNMENTS = """
    with

    latest_assignments as (
        select distinct on (lead_assignments.lead_id)
            lead_assignments.tenant_id, lead_assignments.lead_id, lead_assignments.user_id,
            lead_assignments.assigned_at, lead_assignments.reason
        from lead_assignments
        where lead_assignments.assigned_at >= :since
        order by lead_assignments.lead_id, lead_assignments.assigned_at desc, lead_assignments.lead_assignment_id desc
    )

    select
        leads.lead_id,
        leads.name,
        leads.phone,
        projects.name as project_name,
        lead_sources.source,
        lead_sources.subsource,
        leads.owner_user_id,
        app_users.display_name as owner_name,
        latest_assignments.assigned_at,
        latest_assignments.reason
    from latest_assignments
    inner join leads
        on leads.tenant_id = latest_assignments.tenant_id and leads.lead_id = latest_assignments.lead_id
        and leads.owner_user_id = latest_assignments.user_id
    inner join lead_sources
        on lead_sources.tenant_id = leads.tenant_id and lead_sources.lead_source_id = leads.lead_source_id
    left join projects on projects.tenant_id = leads.tenant_id and projects.project_id = leads.project_id
    left join app_users on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
    where leads.deleted_at is null
    order by latest_assignments.assigned_at, leads.lead_id
"""


@cached_read
def day_figures(
    scope: Scope | int, first_day: dt.date, last_day: dt.date, previous_first: dt.date, previous_last: dt.date
) -> pd.DataFrame:
    """Each of ``DAY_FIGURES`` counted on the days first_day..last_day and previous_first..previous_last
    (India dates, both spans inclusive; the previous span ends before the first begins).

    Columns: figure, current, previous; one row per figure in ``DAY_FIGURES`` order, zero when nothing happened.
    """
    frame = read_frame(
        scope,
        _DAY_FIGURES,
        {
            "first_day": first_day,
            "last_day": last_day,
            "previous_first": previous_first,
            "previous_last": previous_last,
            "visit_milestones": list(VISIT_MILESTONES),
        },
    )
    counted = frame.set_index("figure")
    return pd.DataFrame(
        {
            "figure": list(DAY_FIGURES),
            "current": [int(counted["current"].get(name, 0)) for name in DAY_FIGURES],
            "previous": [int(counted["previous"].get(name, 0)) for name in DAY_FIGURES],
        }
    )


@cached_read
def new_assignments(scope: Scope | int, since: dt.datetime) -> pd.DataFrame:
    """Leads whose latest assignment since ``since`` gave them the owner they still have.

    Columns: lead_id, name, phone, project_name, source, subsource, owner_user_id, owner_name,
    assigned_at, reason (an assignment reason code); oldest assignment first.
    """
    frame = read_frame(scope, _NEW_ASSIGNMENTS, {"since": since})
    frame["owner_user_id"] = frame["owner_user_id"].astype("Int64")
    return frame
