"""What reps record about a lead: site visits, milestones, and calls, messages and meetings.

Every function takes the caller's ``Scope``: for a rep it carries the rep as owner, so
row-level security lets the rep write only on their own leads. Each call validates, then
writes the row, its audit entry and anything the rules derive from it (a second visit is a
``revisit``; the first completed engagement of a lead also records ``contacted``) in one
transaction, and replays an earlier submission of the same form instead of writing twice.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.db import Scope
from data.domain.permissions import Action, authorise
from data.domain.rules import DUPLICATE_WINDOW, NOTES_MAX, SHORT_TEXT_MAX, check_text, moment_words
from data.domain.validation import ProbableDuplicate, require
from data.domain.vocabulary import (
    BOOKING_MILESTONES,
    CHANNELS,
    DIRECTIONS,
    ENGAGEMENT_STATUSES,
    LOGGABLE_ENGAGEMENT_TYPES,
    MILESTONE_TYPES,
    OUTCOMES,
    SCHEDULED_MILESTONES,
    VISIT_MILESTONES,
    label,
)
from data.writes import audit
from data.writes.common import (
    Saved,
    check_follow_up,
    check_key,
    check_lead_chosen,
    check_moment,
    not_before_lead,
    replay_or_refuse,
    replayed,
    visible_lead,
)

_LOCATION = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*[,;\s]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_location(text: str | None, errors: dict[str, str]) -> tuple[Decimal | None, Decimal | None]:
    """'12.9716, 77.5946' as (latitude, longitude); blank is no location."""
    text = check_text(text, "location", errors, max_length=SHORT_TEXT_MAX)
    if text is None:
        return None, None
    match = _LOCATION.match(text)
    if not match:
        errors["location"] = "Give latitude and longitude as two numbers, e.g. 12.9716, 77.5946."
        return None, None
    try:
        latitude, longitude = (Decimal(part).quantize(Decimal("0.000001")) for part in match.groups())
    except InvalidOperation:
        errors["location"] = "Give latitude and longitude as two numbers, e.g. 12.9716, 77.5946."
        return None, None
    if not -90 <= latitude <= 90:
        errors["location"] = "Latitude must be between -90 and 90."
    elif not -180 <= longitude <= 180:
        errors["location"] = "Longitude must be between -180 and 180."
    return latitude, longitude


_MILESTONE_BY_KEY = (
    "select milestone_id as row_id, lead_id, recorded_by as written_by from lead_milestones "
    "where idempotency_key = :key"
)
_ENGAGEMENT_BY_KEY = (
    "select engagement_id as row_id, lead_id, recorded_by as written_by from lead_engagements "
    "where idempotency_key = :key"
)


def _replayed_milestone(conn, idempotency_key: str, user_id: int) -> Saved | None:
    return replayed(conn, _MILESTONE_BY_KEY, idempotency_key, user_id)


def _replayed_engagement(conn, idempotency_key: str, user_id: int) -> Saved | None:
    return replayed(conn, _ENGAGEMENT_BY_KEY, idempotency_key, user_id)


def _has_milestone(conn, lead_id: int, milestone_type: str, before: dt.datetime | None = None) -> bool:
    return bool(
        conn.execute(
            sa.text(
                """
                select 1 from lead_milestones
                where lead_id = :lead_id and milestone_type = :milestone_type and deleted_at is null
                    and (cast(:before as timestamptz) is null or occurred_at < :before)
                limit 1
                """
            ),
            {"lead_id": lead_id, "milestone_type": milestone_type, "before": before},
        ).scalar()
    )


# Visits done are one kind whatever the rules named them: logged twice, a site visit's copy
# would become a revisit.
_SAME_KIND = {code: VISIT_MILESTONES for code in VISIT_MILESTONES}

_NEARBY_MILESTONE = """
    select milestone_id as row_id, occurred_at from lead_milestones
    where lead_id = :lead_id and milestone_type = any(cast(:kinds as text[])) and deleted_at is null
        and occurred_at between cast(:moment as timestamptz) - cast(:window as interval)
            and cast(:moment as timestamptz) + cast(:window as interval)
    order by abs(extract(epoch from occurred_at - cast(:moment as timestamptz))), milestone_id
    limit 1
"""
_NEARBY_ENGAGEMENT = """
    select engagement_id as row_id, occurred_at from lead_engagements
    where lead_id = :lead_id and engagement_type = any(cast(:kinds as text[])) and deleted_at is null
        and occurred_at between cast(:moment as timestamptz) - cast(:window as interval)
            and cast(:moment as timestamptz) + cast(:window as interval)
    order by abs(extract(epoch from occurred_at - cast(:moment as timestamptz))), engagement_id
    limit 1
"""


def _refuse_probable_duplicate(conn, sql: str, lead_id: int, kinds: tuple[str, ...], moment, what: str) -> None:
    """Ask before saving a second activity of the same kind on the lead within the window."""
    nearby = conn.execute(
        sa.text(sql), {"lead_id": lead_id, "kinds": list(kinds), "moment": moment, "window": DUPLICATE_WINDOW}
    ).one_or_none()
    if nearby is not None:
        question = f"This looks like the {what} saved for {moment_words(nearby.occurred_at)} — save another?"
        raise ProbableDuplicate(
            {"duplicate": question}, existing_id=nearby.row_id, existing_at=nearby.occurred_at, what=what
        )


def _lower_first(text: str) -> str:
    """'Site visit' → 'site visit', but 'SMS' and 'WhatsApp' keep their capitals."""
    return text if any(char.isupper() for char in text[1:]) else text[:1].lower() + text[1:]


def insert_milestone(conn: sa.Connection, tenant_id: int, user_id: int, values: dict[str, Any]) -> int | None:
    """Insert one milestone with its audit row; None when its idempotency key was already used."""
    row = {
        "outcome": None,
        "latitude": None,
        "longitude": None,
        "notes": None,
        "next_follow_up_at": None,
        "metadata": {},
        "idempotency_key": None,
        **values,
    }
    milestone_id = conn.execute(
        sa.text(
            """
            insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, outcome, latitude,
                longitude, notes, next_follow_up_at, metadata, recorded_by, idempotency_key)
            values (:tenant_id, :lead_id, :milestone_type, :occurred_at, :outcome, :latitude, :longitude, :notes,
                :next_follow_up_at, cast(:metadata as jsonb), :user_id, :idempotency_key)
            on conflict (tenant_id, idempotency_key) do nothing
            returning milestone_id
            """
        ),
        {**row, "metadata": json.dumps(row["metadata"]), "tenant_id": tenant_id, "user_id": user_id},
    ).scalar()
    if milestone_id is not None:
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action=f"milestone.{row['milestone_type']}",
            table_name="lead_milestones",
            row_key={"milestone_id": milestone_id, "lead_id": row["lead_id"]},
            after=row,
        )
    return milestone_id


def log_site_visit(
    scope: Scope | int,
    user_id: int,
    *,
    lead_id: int | None,
    is_done: bool,
    occurred_at: dt.datetime | None,
    idempotency_key: str,
    outcome: str | None = None,
    outcome_reason: str | None = None,
    location: str | None = None,
    notes: str | None = None,
    next_follow_up_at: dt.datetime | None = None,
    confirm_duplicate: bool = False,
) -> Saved:
    """A visit done (``site_visit``, or ``revisit`` when the lead visited before) or scheduled.

    A second visit of the same kind on the lead within ``DUPLICATE_WINDOW`` of another raises
    ``ProbableDuplicate`` unless ``confirm_duplicate``; a resubmitted form replays first."""
    scope = scope if isinstance(scope, Scope) else Scope(int(scope))
    errors: dict[str, str] = {}
    occurred_at = check_moment(occurred_at, "occurred_at", errors, may_be_future=not is_done)
    reason = check_text(outcome_reason, "outcome_reason", errors, max_length=NOTES_MAX, label="reason", multiline=True)
    if is_done:
        if outcome not in OUTCOMES:
            errors["outcome"] = "Choose how the visit went: positive, neutral or negative."
        if reason is None and "outcome_reason" not in errors:
            errors["outcome_reason"] = "Say why, in a few words (e.g. liked the layout, price too high)."
    elif outcome is not None:
        errors["outcome"] = "A scheduled visit has no outcome yet; log it when it has happened."
    notes = check_text(notes, "notes", errors, max_length=NOTES_MAX, multiline=True)
    latitude, longitude = parse_location(location, errors)
    next_follow_up_at = check_follow_up(next_follow_up_at, errors)
    check_key(idempotency_key, errors)
    check_lead_chosen(lead_id, errors)
    require(errors)

    with db.tenant_transaction(scope) as conn:
        authorise(conn, user_id, Action.VISIT_LOG)
        if replayed := _replayed_milestone(conn, idempotency_key, user_id):
            return replayed
        lead = visible_lead(conn, lead_id)
        not_before_lead(lead, occurred_at, "occurred_at")
        if not confirm_duplicate:
            kinds = _SAME_KIND["site_visit"] if is_done else SCHEDULED_MILESTONES
            what = "site visit" if is_done else "scheduled visit"
            _refuse_probable_duplicate(conn, _NEARBY_MILESTONE, lead.lead_id, kinds, occurred_at, what)
        if not is_done:
            milestone_type = "site_visit_scheduled"
        elif _has_milestone(conn, lead.lead_id, "site_visit", before=occurred_at):
            milestone_type = "revisit"
        else:
            milestone_type = "site_visit"
        values = {
            "lead_id": lead.lead_id,
            "milestone_type": milestone_type,
            "occurred_at": occurred_at,
            "outcome": outcome if is_done else None,
            "latitude": latitude,
            "longitude": longitude,
            "notes": notes,
            "next_follow_up_at": next_follow_up_at,
            "metadata": {"outcome_reason": reason} if is_done else {},
            "idempotency_key": idempotency_key,
        }
        milestone_id = insert_milestone(conn, scope.tenant_id, user_id, values)
        if milestone_id is None:  # the same form, submitted a moment ago in another request
            return replay_or_refuse(_replayed_milestone(conn, idempotency_key, user_id))
    reports.data_changed(scope.tenant_id)
    return Saved(milestone_id, lead.lead_id, is_new=True, what=milestone_type)


def _milestone_rules(conn, lead, milestone_type: str, occurred_at: dt.datetime) -> None:
    errors: dict[str, str] = {}
    if milestone_type in BOOKING_MILESTONES:
        errors["milestone_type"] = "Bookings and cancellations are recorded with the booking forms."
    elif milestone_type == "lead_generated":
        errors["milestone_type"] = "A lead is generated once, when it is added."
    elif milestone_type == "revisit" and not _has_milestone(conn, lead.lead_id, "site_visit", before=occurred_at):
        errors["milestone_type"] = "A revisit needs an earlier site visit; log a site visit first."
    require(errors)


def log_milestone(
    scope: Scope | int,
    user_id: int,
    *,
    lead_id: int | None,
    milestone_type: str,
    occurred_at: dt.datetime | None,
    idempotency_key: str,
    outcome: str | None = None,
    notes: str | None = None,
    next_follow_up_at: dt.datetime | None = None,
    confirm_duplicate: bool = False,
) -> Saved:
    """Any milestone but a booking or cancellation, under the timeline's rules.

    The same milestone on the lead within ``DUPLICATE_WINDOW`` of another raises
    ``ProbableDuplicate`` unless ``confirm_duplicate``; a resubmitted form replays first."""
    scope = scope if isinstance(scope, Scope) else Scope(int(scope))
    errors: dict[str, str] = {}
    if milestone_type not in MILESTONE_TYPES:
        errors["milestone_type"] = "Choose a milestone."
    occurred_at = check_moment(occurred_at, "occurred_at", errors, may_be_future=milestone_type in SCHEDULED_MILESTONES)
    if outcome not in (None, *OUTCOMES):
        errors["outcome"] = "Choose positive, neutral or negative."
    notes = check_text(notes, "notes", errors, max_length=NOTES_MAX, multiline=True)
    next_follow_up_at = check_follow_up(next_follow_up_at, errors)
    check_key(idempotency_key, errors)
    check_lead_chosen(lead_id, errors)
    require(errors)

    with db.tenant_transaction(scope) as conn:
        authorise(conn, user_id, Action.MILESTONE_LOG)
        if replayed := _replayed_milestone(conn, idempotency_key, user_id):
            return replayed
        lead = visible_lead(conn, lead_id)
        not_before_lead(lead, occurred_at, "occurred_at")
        _milestone_rules(conn, lead, milestone_type, occurred_at)
        if not confirm_duplicate:
            kinds = _SAME_KIND.get(milestone_type, (milestone_type,))
            what = f"{_lower_first(label('milestone_type', milestone_type))} milestone"
            _refuse_probable_duplicate(conn, _NEARBY_MILESTONE, lead.lead_id, kinds, occurred_at, what)
        values = {
            "lead_id": lead.lead_id,
            "milestone_type": milestone_type,
            "occurred_at": occurred_at,
            "outcome": outcome,
            "notes": notes,
            "next_follow_up_at": next_follow_up_at,
            "idempotency_key": idempotency_key,
        }
        milestone_id = insert_milestone(conn, scope.tenant_id, user_id, values)
        if milestone_id is None:
            return replay_or_refuse(_replayed_milestone(conn, idempotency_key, user_id))
    reports.data_changed(scope.tenant_id)
    return Saved(milestone_id, lead.lead_id, is_new=True)


def _engagement_errors(
    engagement_type, channel, direction, status, duration_seconds, response_minutes, errors: dict[str, str]
) -> None:
    if engagement_type not in LOGGABLE_ENGAGEMENT_TYPES:
        errors["engagement_type"] = "Choose call, email, SMS, WhatsApp or meeting."
    if channel not in (None, *CHANNELS):
        errors["channel"] = "Choose a channel."
    if direction not in DIRECTIONS:
        errors["direction"] = "Choose outbound (we reached out) or inbound (they did)."
    if status not in ENGAGEMENT_STATUSES:
        errors["status"] = "Choose completed, no answer, scheduled or failed."
    if duration_seconds is not None and not 0 <= duration_seconds <= 24 * 3600:
        errors["duration_seconds"] = "Give the duration in seconds, between 0 and a day."
    if response_minutes is not None and not 0 <= response_minutes <= 60 * 24 * 30:
        errors["response_minutes"] = "Give the response time in minutes, between 0 and 30 days."


def log_engagement(
    scope: Scope | int,
    user_id: int,
    *,
    lead_id: int | None,
    engagement_type: str,
    direction: str,
    status: str,
    occurred_at: dt.datetime | None,
    idempotency_key: str,
    channel: str | None = None,
    duration_seconds: int | None = None,
    response_minutes: int | None = None,
    notes: str | None = None,
    next_follow_up_at: dt.datetime | None = None,
    confirm_duplicate: bool = False,
) -> Saved:
    """A call, email, SMS, WhatsApp or meeting; the lead's first completed one also records ``contacted``.

    The same kind of engagement on the lead within ``DUPLICATE_WINDOW`` of another raises
    ``ProbableDuplicate`` unless ``confirm_duplicate``; a resubmitted form replays first."""
    scope = scope if isinstance(scope, Scope) else Scope(int(scope))
    errors: dict[str, str] = {}
    _engagement_errors(engagement_type, channel, direction, status, duration_seconds, response_minutes, errors)
    occurred_at = check_moment(occurred_at, "occurred_at", errors, may_be_future=status == "scheduled")
    notes = check_text(notes, "notes", errors, max_length=NOTES_MAX, multiline=True)
    next_follow_up_at = check_follow_up(next_follow_up_at, errors)
    check_key(idempotency_key, errors)
    check_lead_chosen(lead_id, errors)
    require(errors)

    with db.tenant_transaction(scope) as conn:
        authorise(conn, user_id, Action.ENGAGEMENT_LOG)
        if replayed := _replayed_engagement(conn, idempotency_key, user_id):
            return replayed
        lead = visible_lead(conn, lead_id)
        not_before_lead(lead, occurred_at, "occurred_at")
        if not confirm_duplicate:
            what = _lower_first(label("engagement_type", engagement_type))
            _refuse_probable_duplicate(conn, _NEARBY_ENGAGEMENT, lead.lead_id, (engagement_type,), occurred_at, what)
        row = {
            "lead_id": lead.lead_id,
            "engagement_type": engagement_type,
            "channel": channel,
            "direction": direction,
            "status": status,
            "occurred_at": occurred_at,
            "duration_seconds": duration_seconds,
            "responded_at": None if response_minutes is None else occurred_at + dt.timedelta(minutes=response_minutes),
            "notes": notes,
            "next_follow_up_at": next_follow_up_at,
        }
        engagement_id = conn.execute(
            sa.text(
                """
                insert into lead_engagements (tenant_id, lead_id, engagement_type, channel, direction, status,
                    occurred_at, duration_seconds, responded_at, notes, next_follow_up_at, recorded_by,
                    idempotency_key)
                values (:tenant_id, :lead_id, :engagement_type, :channel, :direction, :status, :occurred_at,
                    :duration_seconds, :responded_at, :notes, :next_follow_up_at, :user_id, :key)
                on conflict (tenant_id, idempotency_key) do nothing
                returning engagement_id
                """
            ),
            {**row, "tenant_id": scope.tenant_id, "user_id": user_id, "key": idempotency_key},
        ).scalar()
        if engagement_id is None:  # the same form, submitted a moment ago in another request
            return replay_or_refuse(_replayed_engagement(conn, idempotency_key, user_id))
        audit.record(
            conn,
            tenant_id=scope.tenant_id,
            user_id=user_id,
            action=f"engagement.{engagement_type}",
            table_name="lead_engagements",
            row_key={"engagement_id": engagement_id, "lead_id": lead.lead_id},
            after=row,
        )
        if status == "completed" and not _has_milestone(conn, lead.lead_id, "contacted"):
            insert_milestone(
                conn,
                scope.tenant_id,
                user_id,
                {
                    "lead_id": lead.lead_id,
                    "milestone_type": "contacted",
                    "occurred_at": occurred_at,
                    "metadata": {"engagement_id": engagement_id, "engagement_type": engagement_type},
                    "idempotency_key": f"{idempotency_key}:contacted",
                },
            )
    reports.data_changed(scope.tenant_id)
    return Saved(engagement_id, lead.lead_id, is_new=True)
