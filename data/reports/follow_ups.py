"""Follow-ups: which leads are waiting for their next step, and since when.

A lead's follow-up is the one its most recently logged activity asked for (a milestone's or an
engagement's ``next_follow_up_at``; a scheduled visit or call is due when it is scheduled).
Logging the next step replaces it, so a done follow-up leaves the list by itself.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from data.db import Scope
from data.reports._query import CACHE_TTL_SECONDS, read_frame

BUCKETS = {"overdue": "Overdue", "today": "Due today", "this_week": "Due in the next 7 days"}

_FOLLOW_UPS = """
    with

    activity as (
        select
            tenant_id, lead_id, created_at as recorded_at, occurred_at,
            replace(milestone_type, '_', ' ') as activity,
            coalesce(next_follow_up_at, case when milestone_type = 'site_visit_scheduled' then occurred_at end)
                as due_at
        from lead_milestones
        where deleted_at is null
        union all
        select
            tenant_id, lead_id, created_at, occurred_at,
            engagement_type || ' (' || replace(status, '_', ' ') || ')',
            coalesce(next_follow_up_at, case when status = 'scheduled' then occurred_at end)
        from lead_engagements
        where deleted_at is null
    ),

    latest_activity as (
        select distinct on (tenant_id, lead_id) tenant_id, lead_id, activity, occurred_at, due_at
        from activity
        order by tenant_id, lead_id, recorded_at desc, occurred_at desc
    ),

    final as (
        select
            leads.lead_id,
            leads.name,
            leads.phone,
            projects.name as project_name,
            app_users.display_name as owner_name,
            latest_activity.activity as last_activity,
            latest_activity.occurred_at as last_activity_at,
            latest_activity.due_at,
            case
                when leadline_date(latest_activity.due_at) < leadline_today() then 'overdue'
                when leadline_date(latest_activity.due_at) = leadline_today() then 'today'
                else 'this_week'
            end as bucket
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
    )

    select * from final
    order by due_at, lead_id
"""


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def follow_ups(scope: Scope | int) -> pd.DataFrame:
    """Open leads the scope may see whose follow-up is overdue or due within 7 days: lead_id, name,
    phone, project_name, owner_name, last_activity, last_activity_at, due_at, bucket (a key of
    ``BUCKETS``), soonest first."""
    return read_frame(scope, _FOLLOW_UPS)
