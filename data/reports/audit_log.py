"""The audit log, searched by admins, with its stored values described in words."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd

from data.domain import vocabulary as labels
from data.domain.rules import check_search_text, like_pattern
from data.reports._query import read_frame

# Columns whose stored value is a code of one of data.domain.vocabulary' closed lists; "status" depends on the table.
_CODED_COLUMNS = {
    "role": "role",
    "milestone_type": "milestone_type",
    "engagement_type": "engagement_type",
    "direction": "direction",
    "outcome": "outcome",
    "entry_type": "entry_type",
    "side": "side",
    "payment_mode": "payment_mode",
    "refund_mode": "payment_mode",
    "unit_type": "unit_type",
    "unit_type_preference": "unit_type",
}
_STATUS_KIND = {
    "leads": "lead_status",
    "units": "unit_status",
    "bookings": "booking_status",
    "campaigns": "campaign_status",
    "lead_engagements": "engagement_status",
}

AUDIT_LIMIT = 500

_AUDIT = """
    select
        audit_log.audit_log_id, audit_log.occurred_at, app_users.display_name as user_name,
        audit_log.action, audit_log.table_name, audit_log.row_key::text as row_key,
        audit_log.before_values::text as before_values, audit_log.after_values::text as after_values
    from audit_log
    left join app_users
        on app_users.tenant_id = audit_log.tenant_id and app_users.user_id = audit_log.user_id
    where audit_log.occurred_at >= :since
        and (cast(:action as text) is null or audit_log.action like :action || '%' escape '\\')
        and (cast(:pattern as text) is null
             or audit_log.row_key::text ilike :pattern escape '\\'
             or audit_log.before_values::text ilike :pattern escape '\\'
             or audit_log.after_values::text ilike :pattern escape '\\'
             or app_users.display_name ilike :pattern escape '\\')
    order by audit_log.occurred_at desc, audit_log.audit_log_id desc
    limit :limit
"""


def _escaped(text: str) -> str:
    """The text with LIKE's wildcards escaped (``like_pattern`` without the surrounding %)."""
    return like_pattern(text)[1:-1]


def audit_entries(tenant_id: int, since: dt.date, action: str | None = None, text: str | None = None) -> pd.DataFrame:
    """Newest audit rows since a date (never cached: admins look for what just happened).

    Columns: audit_log_id, occurred_at, user_name, action, table_name, row_key, before_values,
    after_values. ``action`` matches a prefix ("sign_in" finds every sign-in event); ``text``
    searches the keys, values and the user's name, literally ("50%" finds "50%"). A control
    character or over-long text raises ``ValidationError({"search": …})``.
    """
    text = check_search_text(text)
    action = check_search_text(action)
    params = {
        "since": since,
        "action": _escaped(action) or None,
        "pattern": like_pattern(text) if text else None,
        "limit": AUDIT_LIMIT,
    }
    return read_frame(tenant_id, _AUDIT, params)


def _value_in_words(table_name: str | None, column: str, value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    kind = _STATUS_KIND.get(table_name or "") if column == "status" else _CODED_COLUMNS.get(column)
    if kind is not None:
        return labels.label(kind, value)
    if isinstance(value, list):
        return ", ".join(_value_in_words(table_name, column, item) for item in value)
    if isinstance(value, dict):
        return describe_values(table_name, json.dumps(value))
    return str(value)


def describe_values(table_name: str | None, stored: str | None) -> str:
    """A stored audit value (JSON text) in words: "Display name: Asha · Role: Manager · Is active: Yes"."""
    if labels.is_missing(stored) or stored == "":
        return ""
    values = json.loads(stored)
    if not isinstance(values, dict):
        return _value_in_words(table_name, "", values)
    return " · ".join(
        f"{labels.humanise(column)}: {_value_in_words(table_name, column, value)}" for column, value in values.items()
    )


def audit_entries_in_words(
    tenant_id: int, since: dt.date, action: str | None = None, text: str | None = None
) -> pd.DataFrame:
    """``audit_entries`` with row_key, before_values and after_values described in words (the codes
    they hold as their labels, true/false as Yes/No); action and table_name stay codes."""
    entries = audit_entries(tenant_id, since, action, text)
    for column in ("row_key", "before_values", "after_values"):
        entries[column] = [
            describe_values(table, stored) for table, stored in zip(entries["table_name"], entries[column], strict=True)
        ]
    return entries
