"""The audit trail: one append-only row per change, written in the change's own transaction."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa

# Never copied into the audit log, whatever table they belong to.
SECRET_COLUMNS = frozenset({"password_hash"})


def _json(values: dict[str, Any] | None) -> str | None:
    if values is None:
        return None
    visible = {key: value for key, value in values.items() if key not in SECRET_COLUMNS}
    return json.dumps(visible, default=str, sort_keys=True)


def record(
    conn: sa.Connection,
    *,
    tenant_id: int,
    user_id: int | None,
    action: str,
    table_name: str | None = None,
    row_key: dict[str, Any] | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    """Append one audit row in the caller's transaction (so it commits or rolls back with it)."""
    conn.execute(
        sa.text(
            """
            insert into audit_log (tenant_id, user_id, action, table_name, row_key, before_values, after_values)
            values (:tenant_id, :user_id, :action, :table_name, cast(:row_key as jsonb),
                    cast(:before as jsonb), cast(:after as jsonb))
            """
        ),
        {
            "tenant_id": tenant_id,
            "user_id": user_id,
            "action": action,
            "table_name": table_name,
            "row_key": _json(row_key),
            "before": _json(before),
            "after": _json(after),
        },
    )
