"""Saved views' writes: save a page and its filters under a name, delete one's own view, and choose
(or stop choosing) the view one lands on after signing in.

Each write checks its input (``data.domain.saved_views``) and the acting person's role, then runs
in one transaction as that person (``app.user_id``: row-level security lets only the owner write
a view, and shows everyone only their own and the shared ones) with its audit row, and forgets the
tenant's cached reads. Saving a name the person already uses (whatever its case) updates that
view, so a double submit saves once. A deleted view keeps its row (``deleted_at``), and nobody
lands on it any more.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa

from data.db.acting_user import user_transaction
from data.domain import saved_views as rules
from data.domain.permissions import Action, allowed, authorise
from data.domain.validation import require
from data.reports.cache import data_changed
from data.writes import audit


@dataclass(frozen=True)
class SavedViewResult:
    """What ``save_view`` saved: the view's id and name, and whether it is new (False: a view of
    that name was updated)."""

    saved_view_id: int
    name: str
    is_new: bool


NOT_YOURS = "This view is not one of yours, or it was deleted."
NOT_OPEN = "This view is no longer shared with you, or it was deleted."

_LIVE_BY_NAME = """
    select saved_view_id, name, page, query, is_shared from saved_views
    where owner_user_id = :user_id and lower(name) = lower(:name) and deleted_at is null
"""

_UPSERT = """
    insert into saved_views (tenant_id, owner_user_id, name, page, query, is_shared)
    values (:tenant_id, :user_id, :name, :page, cast(:query as jsonb), :is_shared)
    on conflict (tenant_id, owner_user_id, lower(name)) where deleted_at is null do update
        set name = excluded.name, page = excluded.page, query = excluded.query, is_shared = excluded.is_shared
    returning saved_view_id
"""

# Nobody but the owner lands on a view that is no longer shared (or no longer there).
_UNLAND_OTHERS = """
    update app_users set landing_saved_view_id = null
    where landing_saved_view_id = :saved_view_id and user_id <> :user_id
"""


def _values(row) -> dict | None:
    if row is None:
        return None
    return {"name": row.name, "page": row.page, "query": dict(row.query), "is_shared": row.is_shared}


def save_view(
    tenant_id: int, user_id: int, *, name: str, page: str, query: Mapping[str, object] | None, is_shared: bool
) -> SavedViewResult:
    """Save ``page`` with its filters ``query`` (URL keys → text) under ``name``, private or shared.

    The same name (any case) as one of the person's views updates that view. Refuses a bad name, a
    page no view is kept for, a filter no view keeps, and a page the person's role cannot open.
    """
    errors: dict[str, str] = {}
    name = rules.check_name(name, errors)
    page = rules.check_page(page, errors)
    kept = rules.check_query(query, errors)
    require(errors)
    with user_transaction(tenant_id, user_id) as conn:
        authorise(conn, user_id, rules.PAGES[page])
        before = conn.execute(sa.text(_LIVE_BY_NAME), {"user_id": user_id, "name": name}).one_or_none()
        saved_view_id = conn.execute(
            sa.text(_UPSERT),
            {
                "tenant_id": tenant_id,
                "user_id": user_id,
                "name": name,
                "page": page,
                "query": json.dumps(kept, sort_keys=True),
                "is_shared": bool(is_shared),
            },
        ).scalar_one()
        if not is_shared:
            conn.execute(sa.text(_UNLAND_OTHERS), {"saved_view_id": saved_view_id, "user_id": user_id})
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="saved_view.saved",
            table_name="saved_views",
            row_key={"saved_view_id": saved_view_id},
            before=_values(before),
            after={"name": name, "page": page, "query": kept, "is_shared": bool(is_shared)},
        )
    data_changed(tenant_id)
    return SavedViewResult(saved_view_id=saved_view_id, name=name, is_new=before is None)


def delete_view(tenant_id: int, user_id: int, saved_view_id: int) -> bool:
    """Delete one of the person's own views (nobody lands on it any more). Returns False when it was
    deleted already (a double submit); refuses anyone else's view."""
    with user_transaction(tenant_id, user_id) as conn:
        authorise(conn, user_id, Action.OWN_PROFILE)
        view = conn.execute(
            sa.text(
                "select saved_view_id, name, page, query, is_shared, deleted_at from saved_views "
                "where saved_view_id = :saved_view_id and owner_user_id = :user_id"
            ),
            {"saved_view_id": saved_view_id, "user_id": user_id},
        ).one_or_none()
        require({} if view is not None else {"saved_view_id": NOT_YOURS})
        if view.deleted_at is not None:
            return False
        conn.execute(
            sa.text("update saved_views set deleted_at = now() where saved_view_id = :saved_view_id"),
            {"saved_view_id": saved_view_id},
        )
        conn.execute(
            sa.text("update app_users set landing_saved_view_id = null where landing_saved_view_id = :saved_view_id"),
            {"saved_view_id": saved_view_id},
        )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="saved_view.deleted",
            table_name="saved_views",
            row_key={"saved_view_id": saved_view_id},
            before=_values(view),
        )
    data_changed(tenant_id)
    return True


def set_landing_view(tenant_id: int, user_id: int, saved_view_id: int | None) -> None:
    """Land on ``saved_view_id`` after signing in (None: on the menu's first page again).

    The view must be one the person may open: their own or a shared one, of a page their role opens.
    """
    with user_transaction(tenant_id, user_id) as conn:
        role = authorise(conn, user_id, Action.OWN_PROFILE)
        before = conn.execute(
            sa.text("select landing_saved_view_id from app_users where user_id = :user_id"), {"user_id": user_id}
        ).scalar()
        if saved_view_id is not None:
            page = conn.execute(
                sa.text("select page from saved_views where saved_view_id = :saved_view_id and deleted_at is null"),
                {"saved_view_id": saved_view_id},
            ).scalar()
            require({} if page is not None and allowed(role, rules.PAGES[page]) else {"saved_view_id": NOT_OPEN})
        conn.execute(
            sa.text("update app_users set landing_saved_view_id = :saved_view_id where user_id = :user_id"),
            {"saved_view_id": saved_view_id, "user_id": user_id},
        )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="saved_view.landing_set" if saved_view_id is not None else "saved_view.landing_cleared",
            table_name="app_users",
            row_key={"user_id": user_id},
            before={"landing_saved_view_id": before},
            after={"landing_saved_view_id": saved_view_id},
        )
    data_changed(tenant_id)


def clear_landing_view(tenant_id: int, user_id: int) -> None:
    """Land on the menu's first page again after signing in."""
    set_landing_view(tenant_id, user_id, None)
