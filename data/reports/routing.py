"""What the Lead routing screen lists: the rules in the order they are tried, their pools, and
reps' leave.

Not cached: an admin changes these and reads them back at once (like ``setup_lists``).
"""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.reports._query import read_frame

_RULES = """
    select
        routing_rules.routing_rule_id, routing_rules.position, routing_rules.name, routing_rules.source,
        routing_rules.subsource, routing_rules.project_id, projects.name as project_name,
        routing_rules.campaign_id, campaigns.name as campaign_name, routing_rules.is_active,
        routing_rules.turns_taken, pools.pool_members, pools.fallback_members
    from routing_rules
    left join lateral (
        select
            string_agg(members.described, ', ' order by members.described) filter (where members.pool = 'primary')
                as pool_members,
            string_agg(members.described, ', ' order by members.described) filter (where members.pool = 'fallback')
                as fallback_members
        from (
            select routing_pool_members.pool,
                app_users.display_name || ' ×' || routing_pool_members.weight
                    || coalesce(' (cap ' || routing_pool_members.daily_cap || ')', '') as described
            from routing_pool_members
            inner join app_users
                on app_users.tenant_id = routing_pool_members.tenant_id
                and app_users.user_id = routing_pool_members.user_id
            where routing_pool_members.tenant_id = routing_rules.tenant_id
                and routing_pool_members.routing_rule_id = routing_rules.routing_rule_id
        ) as members
    ) as pools on true
    left join projects
        on projects.tenant_id = routing_rules.tenant_id and projects.project_id = routing_rules.project_id
    left join campaigns
        on campaigns.tenant_id = routing_rules.tenant_id and campaigns.campaign_id = routing_rules.campaign_id
    where routing_rules.deleted_at is null
    order by routing_rules.position, routing_rules.routing_rule_id
"""

_MEMBERS = """
    select
        routing_pool_members.routing_rule_id, routing_pool_members.pool, routing_pool_members.user_id,
        app_users.display_name, routing_pool_members.weight, routing_pool_members.daily_cap,
        app_users.is_active and app_users.deleted_at is null as is_active
    from routing_pool_members
    inner join app_users
        on app_users.tenant_id = routing_pool_members.tenant_id and app_users.user_id = routing_pool_members.user_id
    order by routing_pool_members.routing_rule_id, routing_pool_members.pool, app_users.display_name
"""

_LEAVE = """
    select rep_leave.rep_leave_id, rep_leave.user_id, app_users.display_name, rep_leave.first_date,
        rep_leave.last_date, rep_leave.note
    from rep_leave
    inner join app_users on app_users.tenant_id = rep_leave.tenant_id and app_users.user_id = rep_leave.user_id
    where rep_leave.cancelled_at is null and rep_leave.last_date >= (now() at time zone 'Asia/Kolkata')::date
    order by rep_leave.first_date, app_users.display_name
"""


def routing_rules(scope: Scope | int) -> pd.DataFrame:
    """The live rules in the order they are tried: routing_rule_id, position, name, source,
    subsource, project_id, project_name, campaign_id, campaign_name, is_active, turns_taken, and
    pool_members, fallback_members (e.g. "Ravi ×2 (cap 10), Sunil ×1"); empty conditions match any lead."""
    return read_frame(scope, _RULES)


def routing_pool_members(scope: Scope | int) -> pd.DataFrame:
    """Every rule's pool members: routing_rule_id, pool, user_id, display_name, weight,
    daily_cap (empty: none), is_active."""
    return read_frame(scope, _MEMBERS)


def current_leave(scope: Scope | int) -> pd.DataFrame:
    """Leave that has not ended (India date) and was not called off: rep_leave_id, user_id,
    display_name, first_date, last_date, note."""
    return read_frame(scope, _LEAVE)
