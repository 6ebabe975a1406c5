"""One delivered lead → a new lead, a re-enquiry, a replay of an earlier answer, or a refusal.

Fields are named as a sender names them (``source``, ``subsource``, ``project``, ``campaign``,
``owner``, ``unit_type``…), and so are the messages of a refusal. Names are matched without
regard to case: ``99acres`` / ``Organic`` finds the source an admin set up as "99acres" /
"organic". A new lead's ``lead_generated`` milestone asks for a follow-up at once, so the lead is
on its owner's (and the managers') follow-up list the moment it arrives.

Concurrent deliveries are serialised by transaction-scoped advisory locks: one per platform
lead id (twenty copies of one delivery give one lead and nineteen replays) and one per phone
(twenty enquiries from one phone with different ids give one lead and nineteen re-enquiries).
Locks are always taken in that order, so two deliveries never wait on each other in a circle.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.rules import SHORT_TEXT_MAX, check_text
from data.domain.validation import ValidationError
from data.domain.vocabulary import INTAKE_CHANNELS
from data.writes.common import now
from data.writes.leads import DuplicateLead, check_new_lead, insert_lead, insert_reenquiry

# The lead-form's field names, as a sender calls them (the messages name the sender's fields).
_FIELD_NAMES = {
    "unit_type_preference": "unit_type",
    "lead_source_id": "source",
    "campaign_id": "campaign",
    "owner_user_id": "owner",
    "project_id": "project",
    "occurred_at": "generated_at",
}
# The fields a delivery may carry; anything else is refused by name, not silently dropped.
FIELDS = (
    "name",
    "phone",
    "email",
    "project",
    "unit_type",
    "budget",
    "source",
    "subsource",
    "campaign",
    "owner",
    "generated_at",
    "external_ref",
    "notes",
)


@dataclass(frozen=True)
class Received:
    """The answer to a delivery: the lead, whether it was new (``created``) or a re-enquiry
    (``reengaged``), whether this delivery only replayed an earlier one, and its log entry."""

    lead_id: int
    status: str
    is_replay: bool
    intake_event_id: int


def _sender_errors(errors: Mapping[str, str]) -> dict[str, str]:
    return {_FIELD_NAMES.get(field, field): message for field, message in errors.items()}


def _lock(conn: sa.Connection, *parts: object) -> None:
    conn.execute(
        sa.text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": "intake:" + ":".join(str(part) for part in parts)},
    )


def _earlier(conn: sa.Connection, source: str, external_ref: str | None, idempotency_key: str | None):
    return conn.execute(
        sa.text(
            """
            select intake_event_id, outcome, lead_id from intake_events
            where outcome in ('created', 'reengaged')
                and ((external_ref = :ref and lower(source) = lower(:source)) or idempotency_key = :key)
            order by intake_event_id
            limit 1
            """
        ),
        {"source": source, "ref": external_ref, "key": idempotency_key},
    ).one_or_none()


def _resolve(conn: sa.Connection, fields: Mapping[str, Any], errors: dict[str, str]) -> dict[str, int | None]:
    """The ids of the named source, campaign, project and owner, or a message per unknown name."""
    ids: dict[str, int | None] = {"lead_source_id": None, "campaign_id": None, "project_id": None}
    source, subsource = fields.get("source"), fields.get("subsource")
    ids["lead_source_id"] = conn.execute(
        sa.text(
            "select lead_source_id from lead_sources where lower(source) = lower(:source) "
            "and lower(subsource) = lower(:subsource) and deleted_at is null"
        ),
        {"source": source, "subsource": subsource},
    ).scalar()
    if ids["lead_source_id"] is None and "source" not in errors:
        errors["source"] = f"There is no lead source {source} / {subsource}; an admin adds it under Lead sources."
    if fields.get("campaign") and ids["lead_source_id"] is not None and "campaign" not in errors:
        ids["campaign_id"] = conn.execute(
            sa.text(
                "select campaign_id from campaigns where lower(name) = lower(:name) "
                "and lead_source_id = :source and deleted_at is null"
            ),
            {"name": fields["campaign"], "source": ids["lead_source_id"]},
        ).scalar()
        if ids["campaign_id"] is None:
            errors["campaign"] = f"There is no campaign {fields['campaign']} of {source} / {subsource}."
    if fields.get("project") and "project" not in errors:
        ids["project_id"] = conn.execute(
            sa.text("select project_id from projects where lower(name) = lower(:name) and deleted_at is null"),
            {"name": fields["project"]},
        ).scalar()
        if ids["project_id"] is None:
            errors["project"] = f"There is no project {fields['project']}."
    ids["owner_user_id"] = None
    if fields.get("owner") and "owner" not in errors:
        ids["owner_user_id"] = conn.execute(
            sa.text("select user_id from app_users where username = lower(:username) and not is_api_key"),
            {"username": str(fields["owner"]).strip()},
        ).scalar()
        if ids["owner_user_id"] is None:
            errors["owner"] = f"There is no user {fields['owner']}; give a rep's or a manager's username."
    return ids


def _check_shape(fields: Mapping[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    for field in sorted(set(fields) - set(FIELDS)):
        errors[field] = f"Unknown field; a lead has {', '.join(FIELDS)}."
    for field in ("project", "campaign", "owner", "unit_type"):
        if fields.get(field) is not None and not isinstance(fields[field], str):
            errors[field] = f"Give the {field.replace('_', ' ')} as text."
    check_text(fields.get("source"), "source", errors, max_length=SHORT_TEXT_MAX, required=True, label="source")
    check_text(
        fields.get("subsource"), "subsource", errors, max_length=SHORT_TEXT_MAX, required=True, label="subsource"
    )
    check_text(fields.get("external_ref"), "external_ref", errors, max_length=SHORT_TEXT_MAX, label="reference")
    return errors


def _text_or_none(value: Any) -> str | None:
    return (value.strip() or None) if isinstance(value, str) else None


def _parse_moment(value: Any, errors: dict[str, str]) -> dt.datetime | None:
    if value is None or isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value).strip())
    except ValueError:
        errors["generated_at"] = "Give a date and time like 2026-11-30T14:05:00+05:30."
        return None


def _log(conn, tenant_id, channel, fields, payload, outcome, *, lead_id=None, errors=None, api_key_id=None, key=None):
    return conn.execute(
        sa.text(
            """
            insert into intake_events (tenant_id, channel, source, subsource, external_ref, idempotency_key,
                payload, outcome, errors, lead_id, api_key_id)
            values (:tenant_id, :channel, :source, :subsource, :ref, :key, cast(:payload as jsonb), :outcome,
                cast(:errors as jsonb), :lead_id, :api_key_id)
            returning intake_event_id
            """
        ),
        {
            "tenant_id": tenant_id,
            "channel": channel,
            "source": _storable(fields.get("source")),
            "subsource": _storable(fields.get("subsource")),
            "ref": _storable(fields.get("external_ref")) or None,
            "key": key,
            "payload": _jsonb(payload),
            "outcome": outcome,
            "errors": None if errors is None else json.dumps(errors),
            "lead_id": lead_id,
            "api_key_id": api_key_id,
        },
    ).scalar_one()


def _storable(value: Any) -> str:
    """Text as PostgreSQL stores it: no NUL characters (it refuses them), at most a line's length."""
    return (_text_or_none(value) or "").replace("\x00", "")[:SHORT_TEXT_MAX]


def _jsonb(payload: Mapping[str, Any]) -> str:
    """The payload as jsonb takes it: a NUL character (which jsonb refuses) kept as U+FFFD."""
    return json.dumps(dict(payload), default=str).replace("\\u0000", "\\ufffd")


def log_rejection(
    tenant_id: int,
    *,
    channel: str,
    fields: Mapping[str, Any],
    payload: Mapping[str, Any],
    errors: Mapping[str, str],
    api_key_id: int | None = None,
) -> int:
    """Keep a delivery that could not become a lead, with why, in its own transaction."""
    with db.tenant_transaction(tenant_id) as conn:
        event_id = log_rejection_in(
            conn, tenant_id, channel=channel, fields=fields, payload=payload, errors=errors, api_key_id=api_key_id
        )
    reports.data_changed(tenant_id)
    return event_id


def log_rejection_in(
    conn: sa.Connection,
    tenant_id: int,
    *,
    channel: str,
    fields: Mapping[str, Any],
    payload: Mapping[str, Any],
    errors: Mapping[str, str],
    api_key_id: int | None = None,
) -> int:
    """``log_rejection`` in the caller's transaction (which calls ``reports.data_changed`` once committed)."""
    return _log(conn, tenant_id, channel, fields, payload, "rejected", errors=dict(errors), api_key_id=api_key_id)


def receive_lead(
    tenant_id: int,
    user_id: int,
    fields: Mapping[str, Any],
    *,
    channel: str,
    payload: Mapping[str, Any] | None = None,
    idempotency_key: str | None = None,
    api_key_id: int | None = None,
) -> Received:
    """Turn one delivery into a lead (201-like ``created``) or a re-enquiry (``reengaged``).

    ``fields`` are named as in ``FIELDS``; ``payload`` is what was received (kept in the log; the
    fields themselves when omitted). A refusal raises ``ValidationError`` with the sender's field
    names, after logging the delivery as rejected; a permission refusal is not logged (the
    caller's key may not create leads at all)."""
    if channel not in INTAKE_CHANNELS:
        raise ValueError(f"unknown intake channel {channel!r}")
    payload = fields if payload is None else payload
    try:
        return _receive(tenant_id, user_id, fields, channel, payload, idempotency_key, api_key_id)
    except ValidationError as error:
        if "user" in error.errors:  # not allowed: nothing about the delivery is wrong
            raise
        log_rejection(
            tenant_id, channel=channel, fields=fields, payload=payload, errors=error.errors, api_key_id=api_key_id
        )
        raise


def receive_lead_in(
    conn: sa.Connection,
    tenant_id: int,
    user_id: int,
    fields: Mapping[str, Any],
    *,
    channel: str,
    payload: Mapping[str, Any],
    api_key_id: int | None = None,
) -> Received:
    """``receive_lead`` in the caller's transaction, for a write that does more in it (processing a
    kept delivery again marks the old one in the same transaction).

    The delivery's rows are written in a savepoint: a refusal raises ``ValidationError`` having
    undone only them, and is not logged (the caller logs it with ``log_rejection_in``); the caller
    calls ``reports.data_changed`` once committed."""
    if channel not in INTAKE_CHANNELS:
        raise ValueError(f"unknown intake channel {channel!r}")
    return _receive(tenant_id, user_id, fields, channel, payload, None, api_key_id, conn=conn)


@contextlib.contextmanager
def _transaction(tenant_id: int, conn: sa.Connection | None) -> Iterator[sa.Connection]:
    """The delivery's own tenant transaction, or a savepoint in the caller's."""
    if conn is None:
        with db.tenant_transaction(tenant_id) as own:
            yield own
    else:
        with conn.begin_nested():
            yield conn


def _receive(tenant_id, user_id, fields, channel, payload, idempotency_key, api_key_id, conn=None) -> Received:
    errors = _check_shape(fields)
    generated_at = _parse_moment(fields.get("generated_at"), errors)
    external_ref = _text_or_none(fields.get("external_ref"))
    source = _text_or_none(fields.get("source")) or ""
    if errors:  # say every message the fields earn on their own, before touching the database
        _checked(fields, {}, generated_at, errors)
    caller_conn = conn
    with _transaction(tenant_id, caller_conn) as conn:
        role = authorise(conn, user_id, Action.LEAD_CREATE)
        if external_ref is not None:
            _lock(conn, tenant_id, "ref", source.lower(), external_ref)
        if idempotency_key is not None:
            _lock(conn, tenant_id, "key", idempotency_key)
        if earlier := _earlier(conn, source, external_ref, idempotency_key):
            event_id = _log(
                conn, tenant_id, channel, fields, payload, "replayed", lead_id=earlier.lead_id, api_key_id=api_key_id
            )
            return Received(earlier.lead_id, earlier.outcome, True, event_id)
        ids = _resolve(conn, fields, errors) if not errors.keys() & {"source", "subsource"} else {}
        lead = _checked(fields, ids, generated_at, errors)
        _lock(conn, tenant_id, "phone", lead.phone)
        if generated_at is None:
            # "Now" is the moment the delivery is written, taken under the phone's lock: a
            # delivery that waited for another one of the same phone is never dated before it.
            lead = dataclasses.replace(lead, generated_at=now())
        key = idempotency_key or f"intake:{uuid.uuid4()}"
        try:
            with conn.begin_nested():
                saved = insert_lead(conn, tenant_id, user_id, role, lead, key, next_follow_up_at=now())
            status = "created"
        except DuplicateLead as duplicate:
            authorise(conn, user_id, Action.LEAD_REENGAGE)
            try:
                saved = insert_reenquiry(
                    conn,
                    tenant_id,
                    user_id,
                    duplicate.existing.lead_id,
                    lead.lead_source_id,
                    lead.campaign_id,
                    _not_before_lead(conn, duplicate.existing.lead_id, lead.generated_at),
                    lead.notes,
                    key,
                )
            except ValidationError as error:
                raise ValidationError(_sender_errors(error.errors)) from error
            status = "reengaged"
        except ValidationError as error:
            raise ValidationError(_sender_errors(error.errors)) from error
        event_id = _log(
            conn,
            tenant_id,
            channel,
            fields,
            payload,
            status,
            lead_id=saved.lead_id,
            api_key_id=api_key_id,
            key=idempotency_key,
        )
    if caller_conn is None:  # otherwise the caller's transaction is not committed yet
        reports.data_changed(tenant_id)
    return Received(saved.lead_id, status, False, event_id)


def _not_before_lead(conn: sa.Connection, lead_id: int, moment: dt.datetime) -> dt.datetime:
    """When a re-enquiry is recorded: when it was made, or when the lead was generated if that is
    later. Two portals may deliver one person's enquiries out of order; the later delivery of an
    earlier enquiry is still a re-enquiry of the lead, not a refusal that loses it."""
    generated_at = conn.execute(sa.text("select generated_at from leads where lead_id = :id"), {"id": lead_id}).scalar()
    return max(moment, generated_at) if generated_at is not None else moment


def _checked(fields, ids, generated_at, errors):
    try:
        return check_new_lead(
            name=fields.get("name"),
            phone=fields.get("phone"),
            email=fields.get("email"),
            unit_type_preference=_text_or_none(fields.get("unit_type")),
            budget=fields.get("budget"),
            notes=fields.get("notes"),
            generated_at=generated_at,
            lead_source_id=ids.get("lead_source_id"),
            campaign_id=ids.get("campaign_id"),
            project_id=ids.get("project_id"),
            owner_user_id=ids.get("owner_user_id"),
            errors=errors,
        )
    except ValidationError as error:
        raise ValidationError(_sender_errors(error.errors)) from error
