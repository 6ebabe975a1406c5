"""Processing a rejected delivery again, once what refused it is fixed (a webhook's field
mapping, a lead source, Meta's setting): an admin's action on the Integrations screen.

The kept payload goes through the current setting of its channel — a webhook's mapping, Meta's
field reading (fetching the answers again when they were never had), or the API's fields as
sent — into ``receive_lead``, acting as the admin. In one transaction the attempt is a new
intake event (a lead, a re-enquiry, a replay, or a rejection again), the old event is marked
processed as that event, and the audit log records it. An event that was not rejected, or was
processed already, is refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import SYSTEM, Action, Actor, authorise
from data.domain.validation import ValidationError, require
from data.intake import meta, webhooks
from data.intake.leads import log_rejection_in, receive_lead_in
from data.writes import audit


@dataclass(frozen=True)
class Reprocessed:
    """The new attempt: its intake event, its outcome (created, reengaged, replayed, rejected),
    the lead when there is one, and the reasons when it was rejected again."""

    intake_event_id: int
    outcome: str
    lead_id: int | None = None
    errors: dict[str, str] | None = None


@dataclass(frozen=True)
class _Event:
    intake_event_id: int
    channel: str
    source: str
    subsource: str
    payload: dict[str, Any]
    errors: dict[str, str]
    api_key_id: int | None


_EVENT = """
    select intake_event_id, channel, source, subsource, payload, errors, outcome, reprocessed_at, api_key_id
    from intake_events
    where intake_event_id = :id
"""


def _acting(actor: Actor) -> int | None:
    # SYSTEM has no role: this is an admin's action, refused like anyone without one.
    return None if actor is SYSTEM else actor


def _checked(row) -> _Event:
    require({} if row else {"intake_event_id": "There is no such intake event."})
    if row.outcome != "rejected":
        require({"intake_event_id": "Only a rejected delivery can be processed again; this one was taken."})
    if row.reprocessed_at is not None:
        require({"intake_event_id": "This delivery was processed again already; process its latest attempt."})
    return _Event(
        row.intake_event_id, row.channel, row.source, row.subsource, row.payload, row.errors or {}, row.api_key_id
    )


def reprocess_intake_event(tenant_id: int, actor: Actor, intake_event_id: int) -> Reprocessed:
    """Run a rejected delivery's kept payload through its channel's current setting again; the
    answer says what became of it (``rejected`` again, with the reasons, is an answer too)."""
    if not isinstance(intake_event_id, int) or isinstance(intake_event_id, bool) or intake_event_id < 1:
        raise ValidationError({"intake_event_id": "There is no such intake event."})
    # Read and checked first, outside the write: Meta's answers may have to be fetched again,
    # and no transaction should wait on the Graph API.
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, _acting(actor), Action.INTAKE_SETUP)
        event = _checked(conn.execute(sa.text(_EVENT), {"id": intake_event_id}).one_or_none())
    fields, payload, problems = _attempt(tenant_id, event)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, _acting(actor), Action.INTAKE_SETUP)
        # Locked: a second admin processing it at the same moment waits, then is refused.
        _checked(conn.execute(sa.text(_EVENT + " for update"), {"id": intake_event_id}).one_or_none())
        done = _receive(conn, tenant_id, actor, event, fields, payload, problems)
        conn.execute(
            sa.text(
                "update intake_events set reprocessed_at = now(), reprocessed_as_event_id = :new "
                "where intake_event_id = :old"
            ),
            {"new": done.intake_event_id, "old": intake_event_id},
        )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=actor,
            action="intake.reprocessed",
            table_name="intake_events",
            row_key={"intake_event_id": intake_event_id},
            after={"reprocessed_as_event_id": done.intake_event_id, "outcome": done.outcome, "lead_id": done.lead_id},
        )
    reports.data_changed(tenant_id)
    return done


def _receive(conn, tenant_id, actor, event, fields, payload, problems) -> Reprocessed:
    kept = {"channel": event.channel, "payload": payload, "api_key_id": event.api_key_id}
    if problems:
        event_id = log_rejection_in(conn, tenant_id, fields=fields, errors=problems, **kept)
        return Reprocessed(event_id, "rejected", errors=problems)
    try:
        received = receive_lead_in(conn, tenant_id, actor, fields, **kept)
    except ValidationError as error:
        if "user" in error.errors:
            raise
        event_id = log_rejection_in(conn, tenant_id, fields=fields, errors=error.errors, **kept)
        return Reprocessed(event_id, "rejected", errors=error.errors)
    outcome = "replayed" if received.is_replay else received.status
    return Reprocessed(received.intake_event_id, outcome, lead_id=received.lead_id)


def _attempt(tenant_id: int, event: _Event) -> tuple[dict[str, Any], dict[str, Any], dict[str, str] | None]:
    """(the fields, the payload to keep, why it cannot be a lead) for the event's channel as set up now."""
    address = {"source": event.source, "subsource": event.subsource}
    if event.channel == "webhook":
        if "body" in event.errors and set(event.payload) == {webhooks.RECEIVED}:
            # The body itself was not a flat object: no mapping makes it one.
            return address, event.payload, event.errors
        fields, problems = webhooks.lead_fields(
            event.payload, webhooks.mapping_for(tenant_id, event.source, event.subsource), event.source, event.subsource
        )
        return fields, event.payload, problems or None
    if event.channel == "meta":
        page_id = event.payload.get("page_id")
        setting = meta.setting_in(tenant_id, page_id) if isinstance(page_id, str) else None
        if setting is None:
            problem = f"No Meta Lead Ads setting for page {page_id}; set it up under Integrations."
            return address, event.payload, {"page_id": problem}
        attempt = meta.read_change(setting, event.payload)
        return attempt.fields, attempt.kept, attempt.problems
    return dict(event.payload), event.payload, None  # the API's fields, as sent
