"""Form helpers: each form's idempotency key, what happens after a write, and a refused write's
messages beside the fields they are about.

A form is drawn inside ``st.form(entry_form_key(name))``. Its key is also the idempotency key
of the write, and it changes only when a write succeeds: resubmitting the same render (a double
click, a retry) replays the first write; the next entry gets a fresh form whose submit button is
a new widget, so a click still in flight for the old one is dropped. A refused write keeps the
form and everything typed in it (``clear_on_submit`` would wipe it); a saved one clears it.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable

import streamlit as st

from data.filters import IST
from data.validation import ValidationError


def entry_form_key(name: str) -> str:
    """The form's key for this render, which is also its write's idempotency key."""
    return st.session_state.setdefault(f"{name}-form-key", f"{name}-{uuid.uuid4().hex}")


class ErrorSlots:
    """Places for a refusal's messages: one under each field, and one at the top of the form for
    anything without a field of its own (the user's role, the form key). Create it first thing
    inside the form, call ``under`` after each field, and ``show`` when the write is refused."""

    def __init__(self) -> None:
        self._general = st.empty()
        self._slots: dict[str, object] = {}

    def under(self, *fields: str) -> None:
        """A place right here for the messages about these fields."""
        slot = st.empty()
        for field in fields:
            self._slots[field] = slot

    def show(self, error: ValidationError) -> None:
        general = [message for field, message in error.errors.items() if field not in self._slots]
        for field, message in error.errors.items():
            if field in self._slots:
                self._slots[field].error(message, icon=":material/error:")
        if general:
            self._general.error(" ".join(general), icon=":material/error:")


FOLLOW_UP_TIME = dt.time(10, 0)


def follow_up_moment(day: dt.date | None) -> dt.datetime | None:
    """A follow-up date as a moment (forms ask for the day only): 10:00 in India that day, or the
    end of today when 10:00 today has passed."""
    if day is None:
        return None
    moment = dt.datetime.combine(day, FOLLOW_UP_TIME, IST)
    if moment < dt.datetime.now(IST) and day == dt.datetime.now(IST).date():
        moment = dt.datetime.combine(day, dt.time(23, 59), IST)
    return moment


def moment_input(prefix: str) -> dt.datetime | None:
    """Date and time side by side (stacked on a phone), now by default, as one India-time moment."""
    now = dt.datetime.now(IST)
    day_column, time_column = st.columns(2)
    day = day_column.date_input("Date", value=now.date(), format="DD/MM/YYYY", key=f"{prefix}-date")
    moment = time_column.time_input("Time", value=now.time().replace(second=0, microsecond=0), key=f"{prefix}-time")
    return dt.datetime.combine(day, moment, IST) if day and moment else None


def follow_up_input(prefix: str) -> dt.datetime | None:
    """The optional next follow-up day, as the moment ``follow_up_moment`` makes of it."""
    day = st.date_input("Next follow-up", value=None, format="DD/MM/YYYY", key=f"{prefix}-follow-up")
    return follow_up_moment(day)


def saved(name: str, message: str, *, lead_id: int | None = None, fields: Iterable[str] = ()) -> None:
    """After a write: a new form key, cleared fields, and the message (with a timeline link) on the rerun."""
    st.session_state[f"{name}-form-key"] = f"{name}-{uuid.uuid4().hex}"
    for field in fields:
        st.session_state.pop(field, None)
    st.session_state["flash"] = message
    st.session_state["flash-lead"] = lead_id
    st.rerun()


def show_errors(error: ValidationError, labels: dict[str, str] | None = None) -> None:
    """One error line per field, named as the form names it."""
    labels = labels or {}
    for field, message in error.errors.items():
        st.error(f"**{labels.get(field, field.replace('_', ' ').capitalize())}**: {message}")


def succeeded(message: str) -> None:
    """Rerun so every list on the page shows the write, and say what was saved on that run."""
    st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    """Show what the last write saved (call right under the page title), with a link to the lead."""
    if message := st.session_state.pop("flash", None):
        st.success(message, icon=":material/check_circle:")
    if lead_id := st.session_state.pop("flash-lead", None):
        st.page_link(
            "pages/timeline.py",
            label="Open the lead's timeline",
            icon=":material/timeline:",
            query_params={"lead": lead_id},
        )
