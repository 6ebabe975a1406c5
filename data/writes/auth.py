"""Users and sign-in: passwords, server-side lockout, and sessions that end when they should.

Passwords are bcrypt hashes (the format streamlit-authenticator reads). Every sign-in
attempt is recorded in ``sign_in_attempts``; five failures for a username within fifteen
minutes lock the account for fifteen minutes. A session is valid only if it began after the
user's ``sessions_valid_after``, which signing out, deactivation and a password change move
to now, so an old cookie stops working at once. Every event is in the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import bcrypt
import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import ROLES, SYSTEM, Action, Actor, authorise, recorded_as
from data.domain.rules import NAME_MAX, check_text
from data.domain.validation import require
from data.writes import audit

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=15)
LOCK_DURATION = dt.timedelta(minutes=15)
MIN_PASSWORD_LENGTH = 10
WRONG_CREDENTIALS = "Wrong username or password."


@dataclass(frozen=True)
class User:
    """A signed-in person."""

    tenant_id: int
    user_id: int
    username: str
    display_name: str
    role: str

    @property
    def scope(self) -> db.Scope:
        """What this user may see: a rep only their own leads, everyone else the tenant."""
        return db.Scope(self.tenant_id, self.user_id if self.role == "rep" else None)


@dataclass(frozen=True)
class SignInResult:
    """The user when the attempt succeeded, otherwise a message fit to show."""

    user: User | None
    message: str | None = None


def _now(now: dt.datetime | None) -> dt.datetime:
    return now or dt.datetime.now(dt.UTC)


def _matches(password: str, password_hash: str) -> bool:
    """Whether the password is the one the bcrypt hash was made of."""
    try:
        return bcrypt.checkpw(password.encode(), password_hash.encode())
    except ValueError:  # not a bcrypt hash at all
        return False


def hash_password(password: str) -> str:
    """A bcrypt hash of the password."""
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def password_problem(password: str) -> str | None:
    """Why a password is not acceptable, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters."
    if password.strip() != password:
        return "Leave out spaces at the start and end."
    return None


def _user(tenant_id: int, row) -> User:
    return User(tenant_id, row.user_id, row.username, row.display_name, row.role)


def _validate_new_user(username: str, display_name: str, role: str, password: str) -> None:
    errors = {}
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]{1,39}", username):
        errors["username"] = "2 to 40 characters: lower-case letters, digits, dot, dash or underscore."
    check_text(display_name, "display_name", errors, max_length=NAME_MAX, required=True, label="person's name")
    if role not in ROLES:
        errors["role"] = f"Choose one of {', '.join(ROLES)}."
    if problem := password_problem(password):
        errors["password"] = problem
    require(errors)


def create_user(
    tenant_id: int, username: str, display_name: str, role: str, password: str, created_by: Actor = SYSTEM
) -> User:
    """Create a user who can sign in; refuse a taken username or a weak password.

    ``created_by`` is the admin adding the user. ``SYSTEM`` (no user) is for the command line's
    create-admin, which makes a tenant's first admin before anyone can sign in, and for fixtures."""
    username = username.strip().lower()
    _validate_new_user(username, display_name, role, password)
    with db.tenant_transaction(tenant_id) as conn:
        if created_by is not SYSTEM:
            authorise(conn, created_by, Action.USER_MANAGE)
        created_by = recorded_as(created_by)
        taken = conn.execute(
            sa.text("select 1 from app_users where username = :username"), {"username": username}
        ).scalar()
        require({"username": "That username is taken."} if taken else {})
        row = conn.execute(
            sa.text(
                """
                insert into app_users (tenant_id, username, display_name, role, password_hash, created_by)
                values (:tenant_id, :username, :display_name, :role, :password_hash, :created_by)
                returning user_id, username, display_name, role, is_active
                """
            ),
            {
                "tenant_id": tenant_id,
                "username": username,
                "display_name": display_name.strip(),
                "role": role,
                "password_hash": hash_password(password),
                "created_by": created_by,
            },
        ).one()
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=created_by,
            action="user.created",
            table_name="app_users",
            row_key={"user_id": row.user_id},
            after=dict(row._mapping),
        )
    reports.data_changed(tenant_id)  # the owner pickers list users
    return _user(tenant_id, row)


def _failures_since(conn, username: str, since: dt.datetime) -> int:
    return conn.execute(
        sa.text(
            "select count(*) from sign_in_attempts "
            "where username = :username and not is_success and attempted_at > :since"
        ),
        {"username": username, "since": since},
    ).scalar_one()


def _last_success(conn, username: str) -> dt.datetime | None:
    return conn.execute(
        sa.text("select max(attempted_at) from sign_in_attempts where username = :username and is_success"),
        {"username": username},
    ).scalar()


def _locked_message(until: dt.datetime) -> str:
    local = until.astimezone(dt.timezone(dt.timedelta(hours=5, minutes=30)))
    return (
        f"This account is locked after {MAX_FAILURES} failed sign-ins. "
        f"Try again after {local:%H:%M} (India time), or ask an admin."
    )


def attempt_sign_in(tenant_id: int, username: str, password: str, now: dt.datetime | None = None) -> SignInResult:
    """Check a username and password, recording the attempt, any lock and the audit row."""
    now = _now(now)
    username = username.strip().lower()
    with db.tenant_transaction(tenant_id) as conn:
        # Locking the user's row serialises concurrent attempts, so the count cannot race.
        row = conn.execute(
            sa.text(
                """
                select user_id, username, display_name, role, is_active, password_hash, locked_until
                from app_users where username = :username and deleted_at is null
                for update
                """
            ),
            {"username": username},
        ).one_or_none()
        user_id = row.user_id if row else None
        key = {"username": username}
        if row and row.locked_until and row.locked_until > now:
            audit.record(
                conn,
                tenant_id=tenant_id,
                user_id=user_id,
                action="sign_in.refused_locked",
                table_name="app_users",
                row_key=key,
            )
            return SignInResult(None, _locked_message(row.locked_until))

        is_success = bool(row and row.is_active and row.password_hash and _matches(password, row.password_hash))
        conn.execute(
            sa.text(
                "insert into sign_in_attempts (tenant_id, username, attempted_at, is_success) "
                "values (:tenant_id, :username, :now, :is_success)"
            ),
            {"tenant_id": tenant_id, "username": username, "now": now, "is_success": is_success},
        )
        if is_success:
            conn.execute(
                sa.text("update app_users set last_signed_in_at = :now, locked_until = null where user_id = :user_id"),
                {"now": now, "user_id": user_id},
            )
            audit.record(
                conn, tenant_id=tenant_id, user_id=user_id, action="sign_in", table_name="app_users", row_key=key
            )
            return SignInResult(_user(tenant_id, row))

        audit.record(
            conn, tenant_id=tenant_id, user_id=user_id, action="sign_in.failed", table_name="app_users", row_key=key
        )
        if row is None:
            return SignInResult(None, WRONG_CREDENTIALS)
        if not row.is_active and row.password_hash and _matches(password, row.password_hash):
            return SignInResult(None, "This account is deactivated. Ask an admin.")
        # Failures count from the later of: the window's start, the last success, a lock's end.
        since = max(filter(None, [now - FAILURE_WINDOW, _last_success(conn, username), row.locked_until]))
        if _failures_since(conn, username, since) >= MAX_FAILURES:
            until = now + LOCK_DURATION
            conn.execute(
                sa.text("update app_users set locked_until = :until where user_id = :user_id"),
                {"until": until, "user_id": user_id},
            )
            audit.record(
                conn,
                tenant_id=tenant_id,
                user_id=user_id,
                action="sign_in.locked",
                table_name="app_users",
                row_key=key,
                after={"locked_until": until},
            )
            return SignInResult(None, _locked_message(until))
        return SignInResult(None, WRONG_CREDENTIALS)


def _end_sessions(conn, tenant_id: int, user_id: int, now: dt.datetime) -> None:
    conn.execute(
        sa.text("update app_users set sessions_valid_after = :now where user_id = :user_id"),
        {"now": now, "user_id": user_id},
    )


def sign_out(tenant_id: int, user_id: int, now: dt.datetime | None = None) -> None:
    """End every session of the user: cookies issued before now stop working."""
    now = _now(now)
    with db.tenant_transaction(tenant_id) as conn:
        _end_sessions(conn, tenant_id, user_id, now)
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="sign_out",
            table_name="app_users",
            row_key={"user_id": user_id},
        )


def session_user(tenant_id: int, username: str, issued_at: dt.datetime) -> User | None:
    """The user of a session that began at ``issued_at``, if that session is still valid."""
    with db.tenant_transaction(tenant_id) as conn:
        row = conn.execute(
            sa.text(
                """
                select user_id, username, display_name, role from app_users
                where username = :username and is_active and deleted_at is null
                    and sessions_valid_after <= :issued_at
                """
            ),
            {"username": username, "issued_at": issued_at},
        ).one_or_none()
    return _user(tenant_id, row) if row else None


def _update_user(
    tenant_id: int,
    user_id: int,
    changed_by: int,
    action: str,
    assignments: dict,
    end_sessions: bool,
    permission: Action = Action.USER_MANAGE,
) -> None:
    columns = ("is_active", "role", "password_hash", "display_name", "locked_until")
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, changed_by, permission)
        before = conn.execute(
            sa.text(
                "select user_id, username, display_name, role, is_active, locked_until from app_users "
                "where user_id = :user_id for update"
            ),
            {"user_id": user_id},
        ).one_or_none()
        require({} if before else {"user_id": "No such user."})
        params = {name: assignments.get(name) for name in columns}
        conn.execute(
            sa.text(
                """
                update app_users set
                    is_active = coalesce(cast(:is_active as boolean), is_active),
                    role = coalesce(cast(:role as text), role),
                    password_hash = coalesce(cast(:password_hash as text), password_hash),
                    display_name = coalesce(cast(:display_name as text), display_name),
                    locked_until = case when cast(:unlock as boolean) then null else locked_until end
                where user_id = :user_id
                """
            ),
            {**params, "unlock": bool(assignments.get("unlock")), "user_id": user_id},
        )
        if end_sessions:
            _end_sessions(conn, tenant_id, user_id, _now(None))
        after = conn.execute(
            sa.text(
                "select user_id, username, display_name, role, is_active, locked_until from app_users "
                "where user_id = :user_id"
            ),
            {"user_id": user_id},
        ).one()
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=changed_by,
            action=action,
            table_name="app_users",
            row_key={"user_id": user_id},
            before=dict(before._mapping),
            after=dict(after._mapping),
        )
    reports.data_changed(tenant_id)  # names, roles and activity show in the owner pickers


def change_password(tenant_id: int, user_id: int, new_password: str, changed_by: int) -> None:
    """Set a new password (and unlock); every existing session of the user ends."""
    problem = password_problem(new_password)
    require({"password": problem} if problem else {})
    _update_user(
        tenant_id,
        user_id,
        changed_by,
        "user.password_changed",
        {"password_hash": hash_password(new_password), "unlock": True},
        end_sessions=True,
        # Anyone may change their own password; someone else's is an admin's to change.
        permission=Action.OWN_PASSWORD if user_id == changed_by else Action.USER_MANAGE,
    )


def set_active(tenant_id: int, user_id: int, is_active: bool, changed_by: int) -> None:
    """Deactivate (ending every session) or reactivate a user."""
    require({"user_id": "You cannot deactivate yourself."} if user_id == changed_by and not is_active else {})
    _update_user(
        tenant_id,
        user_id,
        changed_by,
        "user.activated" if is_active else "user.deactivated",
        {"is_active": is_active},
        end_sessions=not is_active,
    )


def set_role(tenant_id: int, user_id: int, role: str, changed_by: int) -> None:
    """Give a user another role; their sessions end so the new navigation applies at once."""
    require({} if role in ROLES else {"role": f"Choose one of {', '.join(ROLES)}."})
    require({"role": "You cannot change your own role."} if user_id == changed_by else {})
    _update_user(tenant_id, user_id, changed_by, "user.role_changed", {"role": role}, end_sessions=True)


def credentials(tenant_id: int) -> dict:
    """Active users in the form streamlit-authenticator's ``Authenticate`` takes."""
    with db.tenant_transaction(tenant_id) as conn:
        rows = conn.execute(
            sa.text(
                "select username, display_name, role, password_hash from app_users "
                "where is_active and deleted_at is null and password_hash is not null"
            )
        ).all()
    return {
        "usernames": {
            row.username: {
                "name": row.display_name,
                "password": row.password_hash,
                "roles": [row.role],
                "email": f"{row.username}@users.leadline.invalid",
            }
            for row in rows
        }
    }
