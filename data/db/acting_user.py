"""A tenant transaction that also names the person acting in it, for the tables whose row-level
security depends on who is asking (saved views: one's own and the shared ones; only the owner
writes). The person is the transaction-local ``app.user_id``, set like ``app.tenant_id``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import sqlalchemy as sa

from data.db import Scope, tenant_transaction


@contextlib.contextmanager
def user_transaction(scope: int | Scope, user_id: int) -> Iterator[sa.Connection]:
    """``tenant_transaction`` with ``app.user_id`` set to ``user_id`` for this transaction only."""
    with tenant_transaction(scope) as conn:
        conn.execute(sa.text("select set_config('app.user_id', :user_id, true)"), {"user_id": str(int(user_id))})
        yield conn
