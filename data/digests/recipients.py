"""Who gets which digest: each person's choices on their profile, else their role's default.

A person may get only the kinds their role may (``DIGEST_KINDS_BY_ROLE``); a kind they never
chose follows ``DEFAULT_DIGEST_KINDS``. A choice made under another role is ignored for a kind the
new role may not get. Without an e-mail address a person gets nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from data import db
from data.domain.vocabulary import DEFAULT_DIGEST_KINDS, DIGEST_KINDS, DIGEST_KINDS_BY_ROLE, ROLES
from data.writes.auth import User


@dataclass(frozen=True)
class Recipient:
    """A person as the digests see them: who, their role, where to write, and what they get."""

    tenant_id: int
    user_id: int
    username: str
    display_name: str
    role: str
    email: str | None
    kinds: tuple[str, ...]

    @property
    def scope(self) -> db.Scope:
        """What the person may see, as when they sign in: a rep only their own leads."""
        return User(self.tenant_id, self.user_id, self.username, self.display_name, self.role).scope


def effective_kinds(role: str, choices: dict[str, bool]) -> tuple[str, ...]:
    """The kinds a person of the role gets, given their choices per kind (missing: the default)."""
    return tuple(
        kind
        for kind in DIGEST_KINDS_BY_ROLE.get(role, ())
        if choices.get(kind, kind in DEFAULT_DIGEST_KINDS.get(role, ()))
    )


_PEOPLE = """
    select
        app_users.user_id, app_users.username, app_users.display_name, app_users.role, app_users.email,
        coalesce(
            jsonb_object_agg(digest_choices.digest_kind, digest_choices.is_enabled)
                filter (where digest_choices.digest_kind is not null),
            '{}'::jsonb
        ) as choices
    from app_users
    left join digest_choices
        on digest_choices.tenant_id = app_users.tenant_id and digest_choices.user_id = app_users.user_id
    where app_users.is_active and app_users.deleted_at is null and app_users.role = any(:roles)
        and (cast(:user_id as bigint) is null or app_users.user_id = :user_id)
    group by app_users.tenant_id, app_users.user_id
    order by app_users.user_id
"""


def _recipients(conn: sa.Connection, tenant_id: int, user_id: int | None) -> list[Recipient]:
    rows = conn.execute(sa.text(_PEOPLE), {"roles": list(ROLES), "user_id": user_id}).all()
    return [
        Recipient(
            tenant_id=tenant_id,
            user_id=row.user_id,
            username=row.username,
            display_name=row.display_name,
            role=row.role,
            email=row.email,
            kinds=effective_kinds(row.role, row.choices),
        )
        for row in rows
    ]


def recipients(tenant_id: int) -> list[Recipient]:
    """Every active person of the tenant with the kinds they get (e-mail or not), by user id."""
    with db.tenant_transaction(tenant_id) as conn:
        return _recipients(conn, tenant_id, None)


def recipient(tenant_id: int, user_id: int) -> Recipient | None:
    """One active person with the kinds they get; None for an inactive or unknown user."""
    with db.tenant_transaction(tenant_id) as conn:
        found = _recipients(conn, tenant_id, user_id)
    return found[0] if found else None


def kinds_for_role(role: str) -> tuple[str, ...]:
    """The kinds a role may get, in ``DIGEST_KINDS`` order."""
    allowed = DIGEST_KINDS_BY_ROLE.get(role, ())
    return tuple(kind for kind in DIGEST_KINDS if kind in allowed)
