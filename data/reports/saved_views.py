"""Saved views a person may open: their own and the tenant's shared ones, each of a page their role
opens, and the one they land on after signing in.

Row-level security decides which views a person sees (migration 0017: their own and the shared
ones), so the read runs as that person (``app.user_id``); the permission table then leaves out the
views of pages their role cannot open (a manager's shared Overview is no view for a rep).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from data.db import Scope
from data.db.acting_user import user_transaction
from data.domain import saved_views as rules
from data.domain.permissions import allowed
from data.reports.cache import cached_read


@dataclass(frozen=True)
class SavedView:
    """One view: its id and name, the page (``funnel``), the filters as the URL holds them, whether
    it is shared, whether the reader owns it, and its owner's name."""

    saved_view_id: int
    name: str
    page: str
    query: dict[str, str]
    is_shared: bool
    is_own: bool
    owner_name: str


@dataclass(frozen=True)
class SavedViews:
    """``views``: the reader's own views first, then the shared ones, each by name.
    ``landing``: the view the reader lands on after signing in, if they chose one they may open."""

    views: tuple[SavedView, ...]
    landing: SavedView | None


_ROLE = "select role from app_users where user_id = :user_id and is_active and deleted_at is null"

_VIEWS = """
    with

    reader as (
        select tenant_id, landing_saved_view_id from app_users where user_id = :user_id
    ),

    final as (
        select
            saved_views.saved_view_id,
            saved_views.name,
            saved_views.page,
            saved_views.query,
            saved_views.is_shared,
            saved_views.owner_user_id = :user_id as is_own,
            owners.display_name as owner_name,
            saved_views.saved_view_id = reader.landing_saved_view_id as is_landing
        from saved_views
        inner join reader on reader.tenant_id = saved_views.tenant_id
        inner join app_users as owners
            on owners.tenant_id = saved_views.tenant_id and owners.user_id = saved_views.owner_user_id
        where saved_views.deleted_at is null and saved_views.page = any(:pages)
    )

    select * from final
    order by is_own desc, lower(name), saved_view_id
"""


@cached_read
def saved_views(scope: Scope | int, user_id: int) -> SavedViews:
    """The views ``user_id`` may open (none for an inactive or unknown user), and their landing view."""
    with user_transaction(scope, user_id) as conn:
        role = conn.execute(sa.text(_ROLE), {"user_id": user_id}).scalar()
        pages = [page for page, action in rules.PAGES.items() if allowed(role, action)]
        rows = conn.execute(sa.text(_VIEWS), {"user_id": user_id, "pages": pages}).all() if pages else []
    views = tuple(
        SavedView(
            saved_view_id=row.saved_view_id,
            name=row.name,
            page=row.page,
            query=dict(row.query),
            is_shared=row.is_shared,
            is_own=row.is_own,
            owner_name=row.owner_name,
        )
        for row in rows
    )
    landing = next((view for view, row in zip(views, rows, strict=True) if row.is_landing), None)
    return SavedViews(views=views, landing=landing)


def landing_view(scope: Scope | int, user_id: int) -> SavedView | None:
    """The view ``user_id`` lands on after signing in, if any (from the cached ``saved_views``)."""
    return saved_views(scope, user_id).landing
