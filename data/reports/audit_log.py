"""The audit log, searched by admins."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from data.reports._query import read_frame

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
        and (cast(:action as text) is null or audit_log.action like :action || '%')
        and (cast(:text as text) is null
             or audit_log.row_key::text ilike '%' || :text || '%'
             or audit_log.before_values::text ilike '%' || :text || '%'
             or audit_log.after_values::text ilike '%' || :text || '%'
             or app_users.display_name ilike '%' || :text || '%')
    order by audit_log.occurred_at desc, audit_log.audit_log_id desc
    limit :limit
"""


def audit_entries(tenant_id: int, since: dt.date, action: str | None = None, text: str | None = None) -> pd.DataFrame:
    """Newest audit rows since a date (never cached: admins look for what just happened).

    Columns: audit_log_id, occurred_at, user_name, action, table_name, row_key, before_values,
    after_values. ``action`` matches a prefix ("sign_in" finds every sign-in event); ``text``
    searches the keys, values and the user's name.
    """
    params = {"since": since, "action": action or None, "text": (text or "").strip() or None, "limit": AUDIT_LIMIT}
    return read_frame(tenant_id, _AUDIT, params)
