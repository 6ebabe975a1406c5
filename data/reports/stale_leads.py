"""Stale leads: open leads nobody has touched for longer than their stage allows, oldest first.

A lead is stale when its days idle — calendar days in India time from its last activity to
today — exceed the threshold of the furthest stage it reached (the tenant's own, or the default
of ``leadline_thresholds()``). Exactly the threshold is not stale yet; a day more is. Every
definition (open, activity, furthest stage, days idle, the next follow-up) is in
docs/reporting-views.md, "Stale leads". The next follow-up is the one My follow-ups shows: the
follow-up the lead's latest activity asked for (``data.reports.due_follow_ups``), due or overdue.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.reports._query import LEAD_FILTERS, read_frame
from data.reports.cache import cached_read
from data.reports.due_follow_ups import ENGAGEMENT_DUE_AT, LATEST_FIRST, MILESTONE_DUE_AT


@dataclass(frozen=True)
class StaleLeadFilters:
    """Which stale leads to list: one rep's (owner_user_id), one source (and subsource), one
    project; None means any. Not months: a lead is stale whenever it arrived."""

    owner_user_id: int | None = None
    source: str | None = None
    subsource: str | None = None
    project_id: int | None = None

    def params(self) -> dict:
        """The filters as the bound parameters of ``LEAD_FILTERS`` (no campaign filter here)."""
        return {
            "owner_user_id": self.owner_user_id,
            "source": self.source,
            "subsource": self.subsource,
            "project_id": self.project_id,
            "campaign_id": None,
        }


_THRESHOLDS = """
    select stage, stage_rank, stale_after_days, default_days, is_default
    from leadline_stale_thresholds(cast(current_setting('app.tenant_id') as bigint))
    order by stage_rank
"""

# One open lead's live activity (milestones and engagements), each with when it happened
# (activity_at: a scheduled visit or call was done when it was logged, its own moment being the
# follow-up) and the follow-up it asks for. Constant SQL, run once per lead in a lateral subquery.
_LEAD_ACTIVITY = (
    """
    select
        'milestone' as activity_kind, 1 as kind_rank, milestone_id as activity_id, milestone_type as activity_type,
        cast(null as text) as activity_status, created_at as recorded_at, occurred_at,
        case when milestone_type = 'site_visit_scheduled' then least(created_at, occurred_at) else occurred_at end
            as activity_at,
        """
    + MILESTONE_DUE_AT
    + """ as due_at
    from lead_milestones
    where lead_milestones.tenant_id = open_leads.tenant_id and lead_milestones.lead_id = open_leads.lead_id
        and lead_milestones.deleted_at is null
    union all
    select
        'engagement', 0, engagement_id, engagement_type, status, created_at, occurred_at,
        case when status = 'scheduled' then least(created_at, occurred_at) else occurred_at end,
        """
    + ENGAGEMENT_DUE_AT
    + """
    from lead_engagements
    where lead_engagements.tenant_id = open_leads.tenant_id and lead_engagements.lead_id = open_leads.lead_id
        and lead_engagements.deleted_at is null
"""
)

# Each open lead's activity and milestones are looked up on their own, through the lead's indexes
# (lateral subqueries): joined as whole-tenant sets, the planner, misled by row-level security's
# estimates, compared every activity with every lead (measured: 30 s on the 3,000-lead demo).
_STALE = (
    """
    with

    thresholds as materialized (
        select * from leadline_stale_thresholds(cast(current_setting('app.tenant_id') as bigint))
    ),

    -- Live, not lost, not booked. A booking sets its lead to booked, and cancelling the last live
    -- one sets it back to open (the booking writes and the import alike), so a lead whose booking
    -- was cancelled is open again.
    open_leads as materialized (
        select tenant_id, lead_id, name, phone, owner_user_id, lead_source_id, project_id, generated_at
        from leads
        where deleted_at is null
            and status = 'open'
            and """
    + LEAD_FILTERS
    + """
    ),

    -- The lead's arrival is its first activity: an activity dated before it does not count.
    idle_leads as (
        select
            open_leads.*,
            case when last_activity.activity_at > open_leads.generated_at then last_activity.activity_kind end
                as last_activity_kind,
            case when last_activity.activity_at > open_leads.generated_at then last_activity.activity_type end
                as last_activity_type,
            case when last_activity.activity_at > open_leads.generated_at then last_activity.activity_status end
                as last_activity_status,
            greatest(open_leads.generated_at, last_activity.activity_at) as last_activity_at,
            reached.stage_rank,
            latest_activity.due_at as next_follow_up_at
        from open_leads
        left join lateral (
            select * from ("""
    + _LEAD_ACTIVITY
    + """) as activity
            order by activity_at desc, recorded_at desc, kind_rank, activity_id desc
            limit 1
        ) as last_activity on true
        -- The activity whose follow-up stands, as My follow-ups picks it (data.reports.due_follow_ups).
        left join lateral (
            select * from ("""
    + _LEAD_ACTIVITY
    + """) as activity
            order by """
    + LATEST_FIRST
    + """
            limit 1
        ) as latest_activity on true
        cross join lateral (
            select coalesce(max(thresholds.stage_rank), 0) as stage_rank
            from lead_milestones
            inner join thresholds on thresholds.stage = leadline_stale_stage(lead_milestones.milestone_type)
            where lead_milestones.tenant_id = open_leads.tenant_id and lead_milestones.lead_id = open_leads.lead_id
                and lead_milestones.deleted_at is null
        ) as reached
    ),

    final as (
        select
            idle_leads.lead_id,
            idle_leads.name,
            idle_leads.phone,
            idle_leads.owner_user_id,
            app_users.display_name as owner_name,
            lead_sources.source,
            lead_sources.subsource,
            projects.name as project_name,
            thresholds.stage as furthest_stage,
            idle_leads.last_activity_at,
            leadline_today() - leadline_date(idle_leads.last_activity_at) as days_idle,
            thresholds.stale_after_days,
            idle_leads.next_follow_up_at,
            idle_leads.last_activity_kind,
            idle_leads.last_activity_type,
            idle_leads.last_activity_status
        from idle_leads
        inner join thresholds on thresholds.stage_rank = idle_leads.stage_rank
        inner join lead_sources
            on lead_sources.tenant_id = idle_leads.tenant_id and lead_sources.lead_source_id = idle_leads.lead_source_id
        left join projects on projects.tenant_id = idle_leads.tenant_id and projects.project_id = idle_leads.project_id
        left join app_users
            on app_users.tenant_id = idle_leads.tenant_id and app_users.user_id = idle_leads.owner_user_id
    )

    select * from final
    where days_idle > stale_after_days
    order by last_activity_at, lead_id
"""
)


@cached_read
def stale_leads(scope: Scope | int, filters: StaleLeadFilters = StaleLeadFilters()) -> pd.DataFrame:
    """Open leads the scope may see, idle past their furthest stage's threshold, oldest first.

    Columns: lead_id, name, phone, owner_user_id (nullable), owner_name, source, subsource,
    project_name (null without a project), furthest_stage (a ``STALE_STAGE`` code),
    last_activity_at, days_idle (calendar days in India time), stale_after_days,
    next_follow_up_at (null when none), last_activity_kind ('milestone', 'engagement', or null
    when the lead's arrival is its latest activity), last_activity_type (a milestone or
    engagement type code), last_activity_status (an engagement status code, null for a
    milestone); by last activity, then lead id.
    """
    frame = read_frame(scope, _STALE, filters.params())
    # Without this a null owner turns the column into floats (7.0, NaN).
    frame["owner_user_id"] = frame["owner_user_id"].astype("Int64")
    return frame


def stale_thresholds(scope: Scope | int) -> pd.DataFrame:
    """The thresholds in force, a row per stage in order: stage (a ``STALE_STAGE`` code),
    stage_rank, stale_after_days, default_days, is_default. Read fresh: the settings form shows
    what was just saved."""
    return read_frame(scope, _THRESHOLDS)
