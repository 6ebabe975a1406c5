"""Setting up lead routing (admins): the ordered rules with their pools and fallback pools, and
reps' leave. Choosing a lead's owner by these is ``data.writes.assignment``.

Each write validates first, then in one transaction authorises the admin, writes the rows and
the audit entry; a committed write calls ``reports.data_changed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.rules import NAME_MAX, NOTES_MAX, SHORT_TEXT_MAX, check_date_floor, check_text
from data.domain.validation import ValidationError, require
from data.domain.vocabulary import FALLBACK_POOL, LEAD_OWNER_ROLES, PRIMARY_POOL
from data.writes import audit
from data.writes.common import constraint_name

WEIGHT_MAX = 100  # as check_routing_pool_members_weight_range allows
POSITION_MAX = 10_000


@dataclass(frozen=True)
class PoolMember:
    """A rep in a rule's pool: their weight (share of the turns) and daily cap (None: no cap)."""

    user_id: int
    weight: int = 1
    daily_cap: int | None = None


def _check_pool(members: Sequence[PoolMember], field: str, errors: dict[str, str], *, required: bool) -> None:
    if required and not members:
        errors[field] = "Put at least one rep in the pool."
        return
    if len({member.user_id for member in members}) != len(members):
        errors[field] = "Each rep once per pool."
    for member in members:
        if not isinstance(member.weight, int) or not 1 <= member.weight <= WEIGHT_MAX:
            errors[field] = f"Give each rep a weight from 1 to {WEIGHT_MAX}."
        if member.daily_cap is not None and (not isinstance(member.daily_cap, int) or member.daily_cap < 1):
            errors[field] = "A daily cap is at least 1 (leave it empty for no cap)."


def _check_people(conn: sa.Connection, members: Sequence[PoolMember], field: str, errors: dict[str, str]) -> None:
    """Every member is an active rep or manager of the tenant."""
    wanted = {member.user_id for member in members}
    found = set(
        conn.execute(
            sa.text(
                "select user_id from app_users where user_id = any(:ids) and is_active and deleted_at is null "
                "and role = any(:owner_roles)"
            ),
            {"ids": list(wanted), "owner_roles": list(LEAD_OWNER_ROLES)},
        ).scalars()
    )
    if wanted - found:
        errors[field] = "Choose active reps or managers."


def _check_conditions(conn: sa.Connection, project_id, campaign_id, errors: dict[str, str]) -> None:
    if (
        project_id is not None
        and not conn.execute(
            sa.text("select 1 from projects where project_id = :id and deleted_at is null"), {"id": project_id}
        ).scalar()
    ):
        errors["project_id"] = "Choose a project, or any."
    if (
        campaign_id is not None
        and not conn.execute(
            sa.text("select 1 from campaigns where campaign_id = :id and deleted_at is null"), {"id": campaign_id}
        ).scalar()
    ):
        errors["campaign_id"] = "Choose a campaign, or any."


_SAVE_MEMBER = """
    insert into routing_pool_members (tenant_id, routing_rule_id, pool, user_id, weight, daily_cap)
    values (:tenant_id, :routing_rule_id, :pool, :user_id, :weight, :daily_cap)
    on conflict (tenant_id, routing_rule_id, pool, user_id)
        do update set weight = excluded.weight, daily_cap = excluded.daily_cap
"""


def save_rule(
    tenant_id: int,
    admin_id: int,
    *,
    name: str,
    position: int,
    pool: Sequence[PoolMember],
    fallback: Sequence[PoolMember] = (),
    source: str | None = None,
    subsource: str | None = None,
    project_id: int | None = None,
    campaign_id: int | None = None,
    is_active: bool = True,
    routing_rule_id: int | None = None,
) -> int:
    """Add a routing rule (or change the one named) with its pool and fallback pool; return its id.

    Empty conditions match any lead. A rep kept in a pool keeps their place in its round-robin."""
    errors: dict[str, str] = {}
    name = check_text(name, "name", errors, max_length=NAME_MAX, required=True, label="rule's name")
    source = check_text(source, "source", errors, max_length=SHORT_TEXT_MAX)
    subsource = check_text(subsource, "subsource", errors, max_length=SHORT_TEXT_MAX)
    if not isinstance(position, int) or not 1 <= position <= POSITION_MAX:
        errors["position"] = f"Give the order as a whole number from 1 to {POSITION_MAX:,}."
    _check_pool(pool, "pool", errors, required=True)
    _check_pool(fallback, "fallback", errors, required=False)
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, admin_id, Action.ROUTING_SETUP)
        _check_people(conn, pool, "pool", errors)
        _check_people(conn, fallback, "fallback", errors)
        _check_conditions(conn, project_id, campaign_id, errors)
        require(errors)
        values = {
            "name": name,
            "position": position,
            "source": source,
            "subsource": subsource,
            "project_id": project_id,
            "campaign_id": campaign_id,
            "is_active": bool(is_active),
        }
        try:
            with conn.begin_nested():
                if routing_rule_id is None:
                    routing_rule_id = conn.execute(
                        sa.text(
                            """
                            insert into routing_rules (tenant_id, name, position, source, subsource, project_id,
                                campaign_id, is_active, created_by)
                            values (:tenant_id, :name, :position, :source, :subsource, :project_id, :campaign_id,
                                :is_active, :admin_id)
                            returning routing_rule_id
                            """
                        ),
                        {**values, "tenant_id": tenant_id, "admin_id": admin_id},
                    ).scalar_one()
                else:
                    # The rule's lock, as routing takes it: no lead is routed by a half-changed rule.
                    changed = conn.execute(
                        sa.text(
                            """
                            update routing_rules set name = :name, position = :position, source = :source,
                                subsource = :subsource, project_id = :project_id, campaign_id = :campaign_id,
                                is_active = :is_active
                            where routing_rule_id = :id and deleted_at is null
                            returning routing_rule_id
                            """
                        ),
                        {**values, "id": routing_rule_id},
                    ).scalar()
                    require({} if changed else {"routing_rule_id": "There is no such rule."})
        except sa.exc.IntegrityError as error:
            if constraint_name(error) == "index_routing_rules_on_tenant_id_and_name_live":
                raise ValidationError({"name": "Another rule has this name."}) from error
            raise
        for pool_name, members in ((PRIMARY_POOL, pool), (FALLBACK_POOL, fallback)):
            conn.execute(
                sa.text(
                    "delete from routing_pool_members where routing_rule_id = :id and pool = :pool "
                    "and user_id <> all(:kept)"
                ),
                {"id": routing_rule_id, "pool": pool_name, "kept": [member.user_id for member in members]},
            )
            for member in members:
                conn.execute(
                    sa.text(_SAVE_MEMBER),
                    {
                        "tenant_id": tenant_id,
                        "routing_rule_id": routing_rule_id,
                        "pool": pool_name,
                        "user_id": member.user_id,
                        "weight": member.weight,
                        "daily_cap": member.daily_cap,
                    },
                )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=admin_id,
            action="routing.rule_saved",
            table_name="routing_rules",
            row_key={"routing_rule_id": routing_rule_id},
            after={
                **values,
                PRIMARY_POOL: [vars(member) for member in pool],
                FALLBACK_POOL: [vars(member) for member in fallback],
            },
        )
    reports.data_changed(tenant_id)
    return routing_rule_id


def add_leave(
    tenant_id: int, admin_id: int, *, user_id: int, first_date: dt.date, last_date: dt.date, note: str | None = None
) -> int:
    """Mark a rep away from first_date to last_date (India dates, both included); return the leave's id."""
    errors: dict[str, str] = {}
    if not isinstance(first_date, dt.date):
        errors["first_date"] = "Give the first day away."
    else:
        check_date_floor(first_date, "first_date", errors)
    if not isinstance(last_date, dt.date):
        errors["last_date"] = "Give the last day away."
    elif isinstance(first_date, dt.date) and last_date < first_date:
        errors["last_date"] = "The last day cannot be before the first."
    note = check_text(note, "note", errors, max_length=NOTES_MAX)
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, admin_id, Action.ROUTING_SETUP)
        _check_people(conn, [PoolMember(user_id)], "user_id", errors)
        require(errors)
        leave_id = conn.execute(
            sa.text(
                """
                insert into rep_leave (tenant_id, user_id, first_date, last_date, note, created_by)
                values (:tenant_id, :user_id, :first_date, :last_date, :note, :admin_id)
                returning rep_leave_id
                """
            ),
            {
                "tenant_id": tenant_id,
                "user_id": user_id,
                "first_date": first_date,
                "last_date": last_date,
                "note": note,
                "admin_id": admin_id,
            },
        ).scalar_one()
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=admin_id,
            action="routing.leave_added",
            table_name="rep_leave",
            row_key={"rep_leave_id": leave_id},
            after={"user_id": user_id, "first_date": first_date, "last_date": last_date, "note": note},
        )
    reports.data_changed(tenant_id)
    return leave_id


def cancel_leave(tenant_id: int, admin_id: int, rep_leave_id: int) -> None:
    """Call off a rep's leave: they are routed leads again from the next lead on."""
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, admin_id, Action.ROUTING_SETUP)
        cancelled = conn.execute(
            sa.text(
                "update rep_leave set cancelled_at = now() where rep_leave_id = :id and cancelled_at is null "
                "returning user_id, first_date, last_date"
            ),
            {"id": rep_leave_id},
        ).one_or_none()
        require({} if cancelled else {"rep_leave_id": "There is no such leave, or it was called off already."})
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=admin_id,
            action="routing.leave_cancelled",
            table_name="rep_leave",
            row_key={"rep_leave_id": rep_leave_id},
            before=dict(cancelled._mapping),
        )
    reports.data_changed(tenant_id)
