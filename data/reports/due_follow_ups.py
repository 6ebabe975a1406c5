"""Follow-ups: which leads are waiting for their next step, and since when.

A lead's follow-up is the one its latest activity asked for (a milestone's or an engagement's
``next_follow_up_at``; a scheduled visit or call is due when it is scheduled). Logging the next
step replaces it, so a done follow-up leaves the list by itself.

"Latest" is a total order, so two reads of unchanged data always pick the same activity:
recorded time (``created_at``) newest first, then the moment it happened (``occurred_at``)
newest first, then an engagement before a milestone, then the higher row id. Rows written in one
transaction share ``created_at``; the tie that matters is a lead's first completed call, written
as the engagement (carrying the follow-up the rep asked for) plus a ``contacted`` milestone
derived from it (carrying none) — the engagement is what the person logged, so it wins.

Buckets, computed in SQL from the follow-up's date in India time against today: ``today``, then
overdue by age (1–3 days, 4–7 days, more than 7), then ``this_week`` (the next 6 days). Within
every bucket leads come by due moment, earliest first, then lead id: the longest-waiting
overdue lead first (nobody sinks to the bottom of a long list), the soonest upcoming one first.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.reports._query import read_frames
from data.reports.cache import cached_read

# Bucket keys in the order the screen shows them, with their headings.
BUCKETS = {
    "today": "Due today",
    "overdue_1_3": "Overdue 1–3 days",
    "overdue_4_7": "Overdue 4–7 days",
    "overdue_older": "Overdue more than 7 days",
    "this_week": "Due in the next 7 days",
}
OVERDUE_BUCKETS = ("overdue_1_3", "overdue_4_7", "overdue_older")

# The owner filter's value for leads nobody owns (a user id is a number, so it cannot clash).
UNASSIGNED = "unassigned"

# The follow-up an activity asks for (its own next_follow_up_at, or a scheduled visit's or call's
# moment) and the order that makes an activity a lead's latest (the docstring's): the one home of
# both, which the stale-lead list (data.reports.stale_leads) reads too. Constant SQL.
MILESTONE_DUE_AT = "coalesce(next_follow_up_at, case when milestone_type = 'site_visit_scheduled' then occurred_at end)"
ENGAGEMENT_DUE_AT = "coalesce(next_follow_up_at, case when status = 'scheduled' then occurred_at end)"
LATEST_FIRST = "recorded_at desc, occurred_at desc, kind_rank, activity_id desc"

# The open leads due now, bucketed; the team scorecard counts its overdue ones per owner.
DUE = (
    """
    with

    activity as (
        select
            tenant_id, lead_id, created_at as recorded_at, occurred_at,
            'milestone' as activity_kind,
            1 as kind_rank,
            milestone_id as activity_id,
            milestone_type as activity_type,
            cast(null as text) as activity_status,
            """
    + MILESTONE_DUE_AT
    + """ as due_at
        from lead_milestones
        where deleted_at is null
        union all
        select
            tenant_id, lead_id, created_at, occurred_at,
            'engagement',
            0,
            engagement_id,
            engagement_type,
            status,
            """
    + ENGAGEMENT_DUE_AT
    + """
        from lead_engagements
        where deleted_at is null
    ),

    -- The module docstring's total order: every tie is broken, down to the row id.
    latest_activity as (
        select distinct on (tenant_id, lead_id)
            tenant_id, lead_id, activity_kind, activity_type, activity_status, occurred_at, due_at
        from activity
        order by tenant_id, lead_id, """
    + LATEST_FIRST
    + """
    ),

    due as (
        select
            leads.lead_id,
            leads.name,
            leads.phone,
            projects.name as project_name,
            leads.owner_user_id,
            app_users.display_name as owner_name,
            latest_activity.activity_kind as last_activity_kind,
            latest_activity.activity_type as last_activity_type,
            latest_activity.activity_status as last_activity_status,
            latest_activity.occurred_at as last_activity_at,
            latest_activity.due_at,
            leadline_today() - leadline_date(latest_activity.due_at) as days_overdue
        from latest_activity
        inner join leads
            on leads.tenant_id = latest_activity.tenant_id and leads.lead_id = latest_activity.lead_id
        left join projects
            on projects.tenant_id = leads.tenant_id and projects.project_id = leads.project_id
        left join app_users
            on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
        where leads.deleted_at is null
            and leads.status = 'open'
            and latest_activity.due_at is not null
            and leadline_date(latest_activity.due_at) < leadline_today() + 7
    ),

    bucketed as (
        select
            *,
            case
                when days_overdue = 0 then 'today'
                when days_overdue < 0 then 'this_week'
                when days_overdue <= 3 then 'overdue_1_3'
                when days_overdue <= 7 then 'overdue_4_7'
                else 'overdue_older'
            end as bucket
        from due
    )
"""
)

_LEADS = (
    DUE
    + """
    select * from bucketed
    where (cast(:owner_user_id as bigint) is null or owner_user_id = :owner_user_id)
        and (not :unassigned_only or owner_user_id is null)
    order by due_at, lead_id
"""
)

_BY_OWNER = (
    DUE
    + """
    select
        owner_user_id,
        owner_name,
        count(*) filter (where bucket in ('overdue_1_3', 'overdue_4_7', 'overdue_older')) as overdue,
        count(*) filter (where bucket = 'today') as today,
        count(*) filter (where bucket = 'this_week') as this_week
    from bucketed
    group by owner_user_id, owner_name
    order by owner_user_id is null, owner_name, owner_user_id
"""
)


@dataclass(frozen=True)
class FollowUps:
    """The due leads (perhaps of one owner) and the counts of every owner in the scope."""

    leads: pd.DataFrame
    by_owner: pd.DataFrame


@cached_read
def follow_ups(scope: Scope | int, owner: int | str | None = None) -> FollowUps:
    """Open leads the scope may see whose follow-up is overdue or due within 7 days.

    ``owner`` narrows ``leads`` to one owner's user id, or to leads nobody owns with
    ``UNASSIGNED``; ``None`` keeps everyone. ``leads``: lead_id, name, phone, project_name,
    owner_user_id, owner_name, last_activity_kind ('milestone' or 'engagement'),
    last_activity_type (a milestone or engagement type code), last_activity_status (an
    engagement status code, null for a milestone), last_activity_at, due_at, days_overdue
    (negative when upcoming), bucket (a key of ``BUCKETS``); by due moment, then lead id.
    ``by_owner`` (never narrowed by ``owner``): owner_user_id (null for nobody), owner_name,
    overdue, today, this_week; by owner name, nobody last.
    """
    # A user id may come as a numpy integer (from a frame's column); it means the same.
    is_user_id = isinstance(owner, numbers.Integral) and not isinstance(owner, bool)
    if owner is not None and owner != UNASSIGNED and not is_user_id:
        raise ValueError(f"owner must be a user id, {UNASSIGNED!r} or None, not {owner!r}")
    params = {
        "owner_user_id": int(owner) if is_user_id else None,
        "unassigned_only": owner == UNASSIGNED,
    }
    leads, by_owner = read_frames(scope, [_LEADS, _BY_OWNER], params)
    for frame in (leads, by_owner):
        # Without this a null owner turns the column into floats (7.0, NaN).
        frame["owner_user_id"] = frame["owner_user_id"].astype("Int64")
    return FollowUps(leads=leads, by_owner=by_owner)
