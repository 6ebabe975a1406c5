"""Setting when a lead counts as stale: the days idle each furthest stage allows (managers and admins).

The write validates first (``ValidationError``, one message per stage, nothing written), then in
one transaction authorises the user, writes the rows and one audit entry with the thresholds in
force before and after, and finally clears the tenant's cached reports. A stage set to its
default keeps no row, so it follows the default (``leadline_stale_thresholds()``, the one home of
the defaults). Saving the thresholds already in force writes nothing: a double tap is harmless.
"""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.validation import require
from data.domain.vocabulary import STALE_STAGES
from data.writes import audit

# The days a stage may allow: as check_stale_lead_thresholds_stale_after_days_range (tests hold them equal).
STALE_DAYS_RANGE = (1, 90)

_IN_FORCE = sa.text(
    "select stage, stale_after_days, default_days "
    "from leadline_stale_thresholds(cast(current_setting('app.tenant_id') as bigint))"
)
_SAVE = sa.text(
    """
    insert into stale_lead_thresholds (tenant_id, stage, stale_after_days, updated_by)
    values (:tenant_id, :stage, :stale_after_days, :updated_by)
    on conflict (tenant_id, stage)
        do update set stale_after_days = excluded.stale_after_days, updated_by = excluded.updated_by
    """
)
_ONE_WRITER = sa.text("select pg_advisory_xact_lock(hashtext('stale_lead_thresholds'), cast(:tenant_id as integer))")
_FORGET = sa.text("delete from stale_lead_thresholds where stage = :stage")


def _check(days: Mapping[str, object]) -> None:
    low, high = STALE_DAYS_RANGE
    errors: dict[str, str] = {}
    for stage, value in days.items():
        if stage not in STALE_STAGES:
            errors["stage"] = f"There is no stage {str(stage)!r}."
        elif value is not None and (isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high):
            errors[f"days_{stage}"] = f"Give a whole number of days from {low} to {high}."
    require(errors)


def set_stale_thresholds(tenant_id: int, user_id: int, days: Mapping[str, int | None]) -> bool:
    """Set the days idle after which a lead at each given stage is stale (None: the default).

    Stages left out keep theirs. Returns whether anything changed."""
    _check(days)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.SETUP_STALE_THRESHOLDS)
        # One writer at a time per tenant, so "before" is what this write changes.
        conn.execute(_ONE_WRITER, {"tenant_id": tenant_id})
        rows = conn.execute(_IN_FORCE).all()
        before = {row.stage: row.stale_after_days for row in rows}
        defaults = {row.stage: row.default_days for row in rows}
        for stage, value in days.items():
            if value is None or value == defaults[stage]:
                conn.execute(_FORGET, {"stage": stage})
            else:
                conn.execute(
                    _SAVE, {"tenant_id": tenant_id, "stage": stage, "stale_after_days": value, "updated_by": user_id}
                )
        after = {row.stage: row.stale_after_days for row in conn.execute(_IN_FORCE)}
        if after == before:
            return False
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="stale_thresholds.set",
            table_name="stale_lead_thresholds",
            row_key={"tenant_id": tenant_id},
            before=before,
            after=after,
        )
    reports.data_changed(tenant_id)
    return True
