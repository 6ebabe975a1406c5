"""What every data-entry write shares: the result it returns and the rules on moments (India
time, nothing in the future but scheduled items, nothing before the lead). Who may write is
``data.domain.permissions``.

The functions here run inside the caller's transaction; the write modules (``lead_writes``,
``activity``, ``bookings``, ``ledger``) each own one transaction per call.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import sqlalchemy as sa

from data.domain.filters import IST
from data.domain.rules import EARLIEST_DATE_MESSAGE, check_not_future, is_before_earliest
from data.domain.validation import ValidationError, require

MISSING_KEY = "Missing form key; reload the page."


@dataclass(frozen=True)
class Saved:
    """What a write saved: the row's id, the lead it belongs to, whether this call wrote it
    (False: an earlier submission of the same form already had) and, where the write decides
    it, what it recorded (e.g. ``revisit``)."""

    row_id: int
    lead_id: int
    is_new: bool
    what: str | None = None


def now() -> dt.datetime:
    """The current moment in India time."""
    return dt.datetime.now(IST)


def in_india(moment: dt.datetime | None) -> dt.datetime | None:
    """A moment as an aware datetime; a naive one is read as India time (what the forms show)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=IST)


def check_moment(
    moment: dt.datetime | None, field: str, errors: dict[str, str], *, may_be_future: bool = False
) -> dt.datetime | None:
    """The moment, or an error for the field when it is missing, before 1 January 2000 or too far
    in the future."""
    moment = in_india(moment)
    if moment is None:
        errors[field] = "Give the date and time."
    elif is_before_earliest(moment):
        errors[field] = EARLIEST_DATE_MESSAGE
    elif not may_be_future:
        check_not_future(moment, field, errors, "This cannot be more than a day in the future.")
    return moment


def check_follow_up(moment: dt.datetime | None, errors: dict[str, str], field: str = "next_follow_up_at"):
    """An optional follow-up moment; it may not lie in the past."""
    moment = in_india(moment)
    if moment is not None and moment < now() - dt.timedelta(minutes=5):
        errors[field] = "The next follow-up cannot be in the past."
    return moment


def check_key(idempotency_key: str | None, errors: dict[str, str]) -> None:
    """Every form carries its key; without one a resubmission could not be recognised."""
    if not idempotency_key:
        errors["idempotency_key"] = MISSING_KEY


def check_lead_chosen(lead_id: int | None, errors: dict[str, str]) -> None:
    """Say at once, with the other messages, when no lead was chosen."""
    if lead_id is None:
        errors["lead_id"] = "Choose the lead first: search by name or phone above."


def visible_lead(conn: sa.Connection, lead_id: int | None):
    """The live lead the transaction's scope may see (a rep: only their own), or a lead_id error."""
    lead = None
    if lead_id is not None:
        lead = conn.execute(
            sa.text(
                "select lead_id, name, phone, email, project_id, generated_at, status, owner_user_id "
                "from leads where lead_id = :lead_id and deleted_at is null"
            ),
            {"lead_id": lead_id},
        ).one_or_none()
    require({} if lead else {"lead_id": "Choose one of your leads."})
    return lead


def not_before_lead(lead, moment: dt.datetime | None, field: str) -> None:
    """Nothing happens to a lead before it was generated."""
    if moment is not None and moment < lead.generated_at:
        generated = lead.generated_at.astimezone(IST).strftime("%d %b %Y %H:%M")
        raise ValidationError({field: f"This is before the lead was generated ({generated})."})


KEY_USED_BY_SOMEONE_ELSE = "This form was already used by someone else; reload the page."


def replayed(conn: sa.Connection, sql: str, idempotency_key: str, user_id: int) -> Saved | None:
    """What this user's earlier submission of the same form saved, or None when the key is unused.

    ``sql`` selects ``row_id``, ``lead_id`` and ``written_by`` by ``:key``. A key another user's row
    holds is refused: replaying it would tell this user that their form saved someone else's row.
    """
    row = conn.execute(sa.text(sql), {"key": idempotency_key}).one_or_none()
    if row is None:
        return None
    if row.written_by != user_id:
        raise ValidationError({"idempotency_key": KEY_USED_BY_SOMEONE_ELSE})
    return Saved(row.row_id, row.lead_id, is_new=False)


def replay_or_refuse(saved: Saved | None) -> Saved:
    """What an earlier submission of the same form saved; when the key was taken but that row
    cannot be seen (another scope's, so someone else's), say so rather than return nothing."""
    if saved is None:
        raise ValidationError({"idempotency_key": KEY_USED_BY_SOMEONE_ELSE})
    return saved


def constraint_name(error: sa.exc.IntegrityError) -> str | None:
    """Which constraint a failed insert or update broke."""
    return getattr(getattr(error.orig, "diag", None), "constraint_name", None)
