"""API keys: created, revoked and checked here, whoever asks (the Integrations screen, the CLI).

A key is ``ll_<8 hex>_<43 random characters>``: the first part is its visible prefix (unique,
what the admin sees on screen and in the log), the whole key is shown once and stored only as
its SHA-256. A key acts as an account of its own (``app_users.is_api_key``, no password, so it
can never sign in) holding the key's role, so every write made with it passes through the same
``authorise`` and audit as a person's. Revoking a key deactivates its account in the same
transaction: a request already past the key check is refused by the write's own ``authorise``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import SYSTEM, Action, Actor, authorise, recorded_as
from data.domain.rules import NAME_MAX, check_text
from data.domain.validation import require
from data.domain.vocabulary import KEY_ROLES
from data.writes import audit

_KEY_PATTERN = re.compile(r"(ll_[0-9a-f]{8})_[A-Za-z0-9_-]{43}")
# How stale a key's "last used" may be: written at most once a minute per key, so a busy
# integration does not turn every request into an update of the same row.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)
# Requests a minute a key may make (api_keys.rate_limit_per_minute; its check constraint agrees):
# by default 200 a second, twice the intake the benchmark sustains.
DEFAULT_RATE_LIMIT = 12_000
RATE_LIMIT_MAX = 60_000


@dataclass(frozen=True)
class NewKey:
    """A key just created: the whole key is here and nowhere else, ever again."""

    api_key_id: int
    key_prefix: str
    key: str
    user_id: int
    role: str


@dataclass(frozen=True)
class KeyHolder:
    """Who a request's key acts as: the tenant, the key and its account and role."""

    tenant_id: int
    api_key_id: int
    user_id: int
    role: str
    key_prefix: str
    rate_limit_per_minute: int


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_api_key(
    tenant_id: int, actor: Actor, *, name: str, role: str, rate_limit_per_minute: int = DEFAULT_RATE_LIMIT
) -> NewKey:
    """Create a key acting as ``role`` for the tenant; the result holds the key, shown once.

    ``actor`` is the admin creating it, or ``SYSTEM`` for the command line."""
    errors: dict[str, str] = {}
    if not isinstance(rate_limit_per_minute, int) or not 1 <= rate_limit_per_minute <= RATE_LIMIT_MAX:
        errors["rate_limit_per_minute"] = f"Give a whole number of requests a minute from 1 to {RATE_LIMIT_MAX:,}."
    name = check_text(name, "name", errors, max_length=NAME_MAX, required=True, label="key's name")
    if role not in KEY_ROLES:
        errors["role"] = f"Choose one of {', '.join(KEY_ROLES)}."
    require(errors)
    key_prefix = f"ll_{secrets.token_hex(4)}"
    key = f"{key_prefix}_{secrets.token_urlsafe(32)}"
    with db.tenant_transaction(tenant_id) as conn:
        if actor is not SYSTEM:
            authorise(conn, actor, Action.API_KEY_MANAGE)
        created_by = recorded_as(actor)
        taken = conn.execute(
            sa.text("select 1 from api_keys where lower(name) = lower(:name) and revoked_at is null"), {"name": name}
        ).scalar()
        require({"name": "A live key already has that name."} if taken else {})
        user_id = conn.execute(
            sa.text(
                """
                insert into app_users (tenant_id, username, display_name, role, is_api_key, created_by)
                values (:tenant_id, :username, :display_name, :role, true, :created_by)
                returning user_id
                """
            ),
            {
                "tenant_id": tenant_id,
                "username": f"key.{key_prefix[3:]}",
                "display_name": f"API key: {name}",
                "role": role,
                "created_by": created_by,
            },
        ).scalar_one()
        api_key_id = conn.execute(
            sa.text(
                """
                insert into api_keys (tenant_id, name, role, key_prefix, key_hash, user_id, created_by,
                    rate_limit_per_minute)
                values (:tenant_id, :name, :role, :key_prefix, :key_hash, :user_id, :created_by, :rate_limit)
                returning api_key_id
                """
            ),
            {
                "tenant_id": tenant_id,
                "name": name,
                "role": role,
                "key_prefix": key_prefix,
                "key_hash": _digest(key),
                "user_id": user_id,
                "created_by": created_by,
                "rate_limit": rate_limit_per_minute,
            },
        ).scalar_one()
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=created_by,
            action="api_key.created",
            table_name="api_keys",
            row_key={"api_key_id": api_key_id},
            after={"name": name, "role": role, "key_prefix": key_prefix, "user_id": user_id},
        )
    reports.data_changed(tenant_id)
    return NewKey(api_key_id, key_prefix, key, user_id, role)


def revoke_api_key(tenant_id: int, actor: Actor, api_key_id: int) -> None:
    """Revoke a key at once: its next request is refused, and so is any write already under way."""
    with db.tenant_transaction(tenant_id) as conn:
        if actor is not SYSTEM:
            authorise(conn, actor, Action.API_KEY_MANAGE)
        key = conn.execute(
            sa.text("select api_key_id, name, user_id, revoked_at from api_keys where api_key_id = :id for update"),
            {"id": api_key_id},
        ).one_or_none()
        require({} if key else {"api_key_id": "There is no such key."})
        if key.revoked_at is not None:
            return  # revoked already: a second click changes nothing
        conn.execute(
            sa.text("update api_keys set revoked_at = now(), revoked_by = :actor where api_key_id = :id"),
            {"id": api_key_id, "actor": recorded_as(actor)},
        )
        conn.execute(sa.text("update app_users set is_active = false where user_id = :id"), {"id": key.user_id})
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=recorded_as(actor),
            action="api_key.revoked",
            table_name="api_keys",
            row_key={"api_key_id": api_key_id},
            before={"name": key.name},
        )
    reports.data_changed(tenant_id)


def key_for_prefix(tenant_id: int, key_prefix: str):
    """The tenant's key with this prefix: its ``api_key_id`` and account's ``user_id`` (for the
    command line, which names keys by the prefix an admin sees)."""
    with db.tenant_transaction(tenant_id) as conn:
        key = conn.execute(
            sa.text("select api_key_id, user_id from api_keys where key_prefix = :prefix"),
            {"prefix": key_prefix.strip()},
        ).one_or_none()
    require({} if key else {"prefix": "This tenant has no key with that prefix."})
    return key


def key_holder(key: str | None) -> KeyHolder | None:
    """Who a presented key acts as, or None when it is malformed, unknown, wrong or revoked.

    The hash is compared in constant time; the lookup is by the prefix, through a definer
    function (before the tenant is known, the app role sees no keys)."""
    match = _KEY_PATTERN.fullmatch((key or "").strip())
    if match is None:
        return None
    with db.app_engine().connect() as conn:
        row = conn.execute(
            sa.text("select * from api_key_for_prefix(:prefix)"), {"prefix": match.group(1)}
        ).one_or_none()
    if row is None or row.is_revoked or not hmac.compare_digest(row.key_hash, _digest(key.strip())):
        return None
    return KeyHolder(row.tenant_id, row.api_key_id, row.user_id, row.role, match.group(1), row.rate_limit_per_minute)


def note_key_used(holder: KeyHolder) -> None:
    """Record that the key was used now (at most once a minute; see ``LAST_USED_RESOLUTION``), so
    the Integrations screen's next read shows it."""
    with db.tenant_transaction(holder.tenant_id) as conn:
        noted = conn.execute(
            sa.text(
                "update api_keys set last_used_at = now() where api_key_id = :id "
                "and (last_used_at is null or last_used_at < now() - :resolution)"
            ),
            {"id": holder.api_key_id, "resolution": LAST_USED_RESOLUTION},
        ).rowcount
    if noted:
        reports.data_changed(holder.tenant_id)
