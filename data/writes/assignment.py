"""Who gets a lead: routing a new lead by the admins' rules, and the assignment log.

Runs inside the caller's writing transaction (the lead's insert, a re-enquiry, an import batch,
a reassignment), so a lead and its assignment commit or roll back together.

Routing, for a lead without an owner:

1. The rules are tried in order (``position``); the first active one whose conditions all hold
   (source, subsource, project, campaign; an empty condition holds for any lead) is taken, and
   its row is locked (``select … for update``) until the transaction ends: every turn of a rule
   is taken under that lock, so concurrent leads get distinct turns, one after the other.
2. Within the rule's pool, a rep is available when active, not deleted, still a rep or manager,
   not on leave today and under their daily cap (leads assigned to them since midnight, India
   time, by a rule or by hand, their own new leads included; an import's named owners are
   history, not today's work, and do not count). Among the available reps the turn goes by
   smooth weighted round-robin: each adds its weight to its running score, the highest score
   (the first listed on a tie) gets the lead and gives back the pool's total weight.
   Deterministic, and over any run of turns each rep's share is its weight's share to within
   one lead (weights 1:1:2 over 400 leads: 100, 100, 200).
3. When nobody in the pool is available, the fallback pool is tried the same way; when nobody is
   there either, the lead has no owner, and the log says why for each rep.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data.domain.filters import IST, today_in_india
from data.domain.vocabulary import LEAD_OWNER_ROLES, ROUTED_REASONS, ROUTING_POOLS


@dataclass(frozen=True)
class Choice:
    """An owner for a lead (or none) and why: ``reason`` is an ``ASSIGNMENT_REASON`` code; a routed
    lead names its rule, pool and turn; ``assigned_by`` is the person who chose by hand."""

    user_id: int | None
    reason: str
    routing_rule_id: int | None = None
    pool: str | None = None
    turn: int | None = None
    detail: str | None = None
    assigned_by: int | None = None


def by_hand(user_id: int | None, reason: str, assigned_by: int | None) -> Choice:
    """An owner a person (or an import file) named."""
    return Choice(user_id=user_id, reason=reason, assigned_by=assigned_by)


_MATCHING_RULE = """
    with lead_source as (
        select source, subsource from lead_sources where lead_source_id = :lead_source_id
    )
    select routing_rules.routing_rule_id
    from routing_rules
    cross join lead_source
    where routing_rules.deleted_at is null and routing_rules.is_active
        and (routing_rules.source is null or lower(routing_rules.source) = lower(lead_source.source))
        and (routing_rules.subsource is null or lower(routing_rules.subsource) = lower(lead_source.subsource))
        and (routing_rules.project_id is null or routing_rules.project_id = :project_id)
        and (routing_rules.campaign_id is null or routing_rules.campaign_id = :campaign_id)
    order by routing_rules.position, routing_rules.routing_rule_id
    limit 1
    for update of routing_rules
"""

# Every member of the rule's pools, in the order ties are broken, with what makes them available.
_MEMBERS = """
    select
        members.pool,
        members.user_id,
        members.weight,
        members.daily_cap,
        members.current_weight,
        app_users.display_name,
        (app_users.is_active and app_users.deleted_at is null and app_users.role = any(:owner_roles)) as is_active,
        exists (
            select 1 from rep_leave
            where rep_leave.tenant_id = members.tenant_id and rep_leave.user_id = members.user_id
                and rep_leave.cancelled_at is null and :today between rep_leave.first_date and rep_leave.last_date
        ) as is_on_leave,
        (
            select count(*) from lead_assignments
            where lead_assignments.tenant_id = members.tenant_id and lead_assignments.user_id = members.user_id
                and lead_assignments.assigned_at >= :day_start and lead_assignments.reason <> 'imported'
        ) as assigned_today
    from routing_pool_members as members
    inner join app_users on app_users.tenant_id = members.tenant_id and app_users.user_id = members.user_id
    where members.routing_rule_id = :routing_rule_id
    order by members.pool, members.user_id
"""

_SAVE_SCORES = """
    update routing_pool_members as members set current_weight = scores.current_weight
    from unnest(cast(:user_ids as bigint[]), cast(:scores as bigint[])) as scores(user_id, current_weight)
    where members.routing_rule_id = :routing_rule_id and members.pool = :pool and members.user_id = scores.user_id
"""


def _unavailable(member) -> str | None:
    """Why a pool member cannot take a lead today, or None when they can."""
    if not member.is_active:
        return "inactive"
    if member.is_on_leave:
        return "on leave"
    if member.daily_cap is not None and member.assigned_today >= member.daily_cap:
        return f"{member.assigned_today} today (cap {member.daily_cap})"
    return None


def has_rules(conn: sa.Connection) -> bool:
    """Whether the tenant has any active routing rule (an import skips routing when none)."""
    return bool(
        conn.execute(
            sa.text("select exists (select 1 from routing_rules where deleted_at is null and is_active)")
        ).scalar()
    )


def choose_owner(
    conn: sa.Connection, *, lead_source_id: int | None, project_id: int | None, campaign_id: int | None
) -> Choice:
    """The owner the rules give a new lead of this source, project and campaign, taking the turn
    (under the matched rule's row lock, held until the caller's transaction ends)."""
    rule_id = conn.execute(
        sa.text(_MATCHING_RULE),
        {"lead_source_id": lead_source_id, "project_id": project_id, "campaign_id": campaign_id},
    ).scalar()
    if rule_id is None:
        return Choice(user_id=None, reason="no_rule")
    today = today_in_india()
    members = conn.execute(
        sa.text(_MEMBERS),
        {
            "routing_rule_id": rule_id,
            "owner_roles": list(LEAD_OWNER_ROLES),
            "today": today,
            "day_start": dt.datetime.combine(today, dt.time(), IST),
        },
    ).all()
    reasons: list[str] = []
    for pool, reason in zip(ROUTING_POOLS, ROUTED_REASONS, strict=True):
        in_pool = [member for member in members if member.pool == pool]
        available = [member for member in in_pool if _unavailable(member) is None]
        reasons += [f"{member.display_name}: {_unavailable(member)}" for member in in_pool if member not in available]
        if available:
            user_id = _take_turn(conn, rule_id, pool, available)
            turn = conn.execute(
                sa.text(
                    "update routing_rules set turns_taken = turns_taken + 1 "
                    "where routing_rule_id = :id returning turns_taken"
                ),
                {"id": rule_id},
            ).scalar_one()
            return Choice(user_id=user_id, reason=reason, routing_rule_id=rule_id, pool=pool, turn=turn)
    detail = "; ".join(reasons) if reasons else "the rule's pools are empty"
    return Choice(user_id=None, reason="no_rep", routing_rule_id=rule_id, detail=detail)


def _take_turn(conn: sa.Connection, rule_id: int, pool: str, available: list) -> int:
    """Smooth weighted round-robin among the available members: the chosen rep's user_id."""
    total = sum(member.weight for member in available)
    scores = {member.user_id: member.current_weight + member.weight for member in available}
    chosen = max(available, key=lambda member: scores[member.user_id])  # max keeps the first of equals
    scores[chosen.user_id] -= total
    conn.execute(
        sa.text(_SAVE_SCORES),
        {"routing_rule_id": rule_id, "pool": pool, "user_ids": list(scores), "scores": list(scores.values())},
    )
    return chosen.user_id


_LOG = """
    insert into lead_assignments (tenant_id, lead_id, user_id, reason, routing_rule_id, pool, turn, detail,
        assigned_by)
    values (:tenant_id, :lead_id, :user_id, :reason, :routing_rule_id, :pool, :turn, :detail, :assigned_by)
"""


def log_assignment(conn: sa.Connection, tenant_id: int, lead_id: int, choice: Choice) -> None:
    """Append the lead's assignment to the log, in the caller's transaction."""
    conn.execute(
        sa.text(_LOG),
        {
            "tenant_id": tenant_id,
            "lead_id": lead_id,
            "user_id": choice.user_id,
            "reason": choice.reason,
            "routing_rule_id": choice.routing_rule_id,
            "pool": choice.pool,
            "turn": choice.turn,
            "detail": choice.detail,
            "assigned_by": choice.assigned_by,
        },
    )


def log_assignments(conn: sa.Connection, tenant_id: int, lead_ids: list[int], choices: list[Choice]) -> None:
    """Append many leads' assignments at once (an import batch, a reassignment)."""
    if not lead_ids:
        return
    conn.execute(
        sa.text(
            """
            insert into lead_assignments (tenant_id, lead_id, user_id, reason, routing_rule_id, pool, turn, detail,
                assigned_by)
            select :tenant_id, lead_id, user_id, reason, routing_rule_id, pool, turn, detail, assigned_by
            from unnest(
                cast(:lead_ids as bigint[]), cast(:user_ids as bigint[]), cast(:reasons as text[]),
                cast(:rule_ids as bigint[]), cast(:pools as text[]), cast(:turns as bigint[]),
                cast(:details as text[]), cast(:assigned_by as bigint[])
            ) with ordinality
                as listed(lead_id, user_id, reason, routing_rule_id, pool, turn, detail, assigned_by, line)
            order by line
            """
        ),
        {
            "tenant_id": tenant_id,
            "lead_ids": list(lead_ids),
            "user_ids": [choice.user_id for choice in choices],
            "reasons": [choice.reason for choice in choices],
            "rule_ids": [choice.routing_rule_id for choice in choices],
            "pools": [choice.pool for choice in choices],
            "turns": [choice.turn for choice in choices],
            "details": [choice.detail for choice in choices],
            "assigned_by": [choice.assigned_by for choice in choices],
        },
    )


def owner_is_gone(conn: sa.Connection, owner_user_id: int | None) -> bool:
    """Whether a lead's owner can no longer work it: none, inactive, deleted, or no longer a rep or manager."""
    if owner_user_id is None:
        return True
    return not conn.execute(
        sa.text(
            "select 1 from app_users where user_id = :id and is_active and deleted_at is null "
            "and role = any(:owner_roles)"
        ),
        {"id": owner_user_id, "owner_roles": list(LEAD_OWNER_ROLES)},
    ).scalar()
