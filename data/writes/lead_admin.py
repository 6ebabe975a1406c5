"""Writes managers (and admins) make on leads as a whole: handing leads to another rep.

A reassignment is logged on each lead like a routed assignment, as "manual by <user>"."""

from __future__ import annotations

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.validation import require
from data.domain.vocabulary import LEAD_OWNER_ROLES
from data.writes import assignment, audit


def reassign_leads(tenant_id: int, lead_ids: list[int], new_owner_user_id: int, changed_by: int) -> int:
    """Give the leads to another active rep or manager in one transaction; return how many moved."""
    require({} if lead_ids else {"lead_ids": "Choose at least one lead."})
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, changed_by, Action.LEAD_REASSIGN)
        owner = conn.execute(
            sa.text("select role from app_users where user_id = :user_id and is_active and deleted_at is null"),
            {"user_id": new_owner_user_id},
        ).scalar()
        require({} if owner in LEAD_OWNER_ROLES else {"owner": "Choose an active rep or manager."})
        moved = conn.execute(
            sa.text(
                """
                update leads as changed set owner_user_id = :owner
                from leads as previous
                where changed.tenant_id = previous.tenant_id and changed.lead_id = previous.lead_id
                    and changed.lead_id = any(:lead_ids) and changed.deleted_at is null
                    and changed.owner_user_id is distinct from :owner
                returning changed.lead_id, previous.owner_user_id as previous_owner
                """
            ),
            {"owner": new_owner_user_id, "lead_ids": list(lead_ids)},
        ).all()
        manual = assignment.by_hand(new_owner_user_id, "manual", changed_by)
        assignment.log_assignments(conn, tenant_id, [row.lead_id for row in moved], [manual] * len(moved))
        for row in moved:
            audit.record(
                conn,
                tenant_id=tenant_id,
                user_id=changed_by,
                action="lead.reassigned",
                table_name="leads",
                row_key={"lead_id": row.lead_id},
                before={"owner_user_id": row.previous_owner},
                after={"owner_user_id": new_owner_user_id},
            )
    reports.data_changed(tenant_id)
    return len(moved)
