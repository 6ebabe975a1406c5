"""Form helpers: one data-entry form's life across reruns, what happens after a write, and a
refused write's messages beside the fields they are about.

An ``EntryForm`` is drawn inside ``st.form(entry.idempotency_key)``; that key is also its write's
idempotency key, and it changes only when a write succeeds: resubmitting the same render (a
double click, a retry) replays the first write, and the next entry gets a fresh form whose
submit button is a new widget, so a click still in flight for the old one is dropped.

Every widget of the form (and its lead picker) is keyed through ``entry.key(field)``, which
carries the form's generation. Saving starts the next generation, so every widget is a new one
that the browser draws empty: clearing a widget's value in session state alone would not do, as
the browser keeps showing (and sending back) what the old widget held. A refused write keeps
the generation, the form and everything typed in it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid

import streamlit as st

from data.domain.filters import IST
from data.domain.rules import NOTES_MAX
from data.domain.validation import NeedsConfirmation, ProbableDuplicate, ValidationError
from ui.text import md


class EntryForm:
    """One data-entry form of a page: its widget keys, its idempotency key, and what saving does."""

    def __init__(self, name: str) -> None:
        self.name = name

    @property
    def generation(self) -> int:
        """How many times this form has been saved in this session."""
        return st.session_state.get(f"{self.name}-generation", 0)

    @property
    def idempotency_key(self) -> str:
        """The form's key for this render, which is also its write's idempotency key."""
        return st.session_state.setdefault(f"{self.name}-form-key", f"{self.name}-{uuid.uuid4().hex}")

    def key(self, field: str) -> str:
        """The widget key of one field in this generation of the form."""
        return f"{self.name}-{self.generation}-{field}"

    def saved(self, message: str, *, lead_id: int | None = None) -> None:
        """After a write: the next, empty generation of the form, the message and a timeline link.

        ``message`` is shown as Markdown: escape any user text in it with ``ui.text.md``. The
        ``?lead=`` a link brought is dropped too, or the empty form would choose that lead again.
        """
        self.start_afresh()
        if "lead" in st.query_params:
            del st.query_params["lead"]
        st.session_state["flash"] = message
        st.session_state["flash-lead"] = lead_id
        st.rerun()

    def start_afresh(self) -> None:
        """The next generation: every field empty, a new idempotency key, no open question."""
        st.session_state[f"{self.name}-generation"] = self.generation + 1
        st.session_state[f"{self.name}-form-key"] = f"{self.name}-{uuid.uuid4().hex}"
        st.session_state.pop(f"{self.name}-duplicate", None)
        st.session_state.pop(f"{self.name}-question", None)

    def confirm_duplicate(self) -> bool:
        """After a write was refused as a probable duplicate, ask whether to save another anyway.

        Call inside the form, right above the submit button; True when the person ticked it.
        """
        question = st.session_state.get(f"{self.name}-duplicate")
        if not question:
            return False
        st.warning(md(question), icon=":material/content_copy:")
        # Keyed by the question: a tick given for one probable duplicate never answers another.
        digest = hashlib.sha1(question.encode()).hexdigest()[:10]
        return st.checkbox("Yes, this is another one: save it", key=self.key(f"duplicate-{digest}"))

    def reason_needed(self, label: str) -> str | None:
        """After a write asked for a reason (``NeedsConfirmation``), the field that gives it.

        Call inside the form, right above the submit button; None while no reason is asked for.
        """
        question = st.session_state.get(f"{self.name}-question")
        if not question:
            return None
        st.warning(md(question), icon=":material/help:")
        return st.text_input(up_to(label), key=self.key("reason-needed"))

    def refused(self, error: ValidationError, slots: ErrorSlots) -> None:
        """Show a refusal: a probable duplicate or a reason asked for becomes a question in the form
        on the next run; the rest go under their fields."""
        if isinstance(error, ProbableDuplicate):
            st.session_state[f"{self.name}-duplicate"] = error.errors["duplicate"]
            st.rerun()
        if isinstance(error, NeedsConfirmation) and not st.session_state.get(f"{self.name}-question"):
            st.session_state[f"{self.name}-question"] = " ".join(error.errors.values())
            st.rerun()
        st.session_state.pop(f"{self.name}-duplicate", None)
        slots.show(error)


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
        """Each message under its field (as text: a message may quote what was typed)."""
        general = [message for field, message in error.errors.items() if field not in self._slots]
        for field, message in error.errors.items():
            if field in self._slots:
                self._slots[field].error(md(message), icon=":material/error:")
        if general:
            self._general.error(md(" ".join(general)), icon=":material/error:")


def up_to(label: str, limit: int = NOTES_MAX) -> str:
    """A long text field's label with its limit said beside it: "Notes (up to 2,000 characters)".

    Long text fields take no ``max_chars``: the browser would drop a longer paste whole, leaving
    the field empty with no word why; the data layer refuses it instead, with a message under
    the field, and keeps what was typed.
    """
    return f"{label} (up to {limit:,} characters)"


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


def moment_input(entry: EntryForm) -> dt.datetime | None:
    """Date and time side by side (stacked on a phone), now by default, as one India-time moment."""
    now = dt.datetime.now(IST)
    day_column, time_column = st.columns(2)
    day = day_column.date_input("Date", value=now.date(), format="DD/MM/YYYY", key=entry.key("date"))
    moment = time_column.time_input("Time", value=now.time().replace(second=0, microsecond=0), key=entry.key("time"))
    return dt.datetime.combine(day, moment, IST) if day and moment else None


def follow_up_input(entry: EntryForm) -> dt.datetime | None:
    """The optional next follow-up day, as the moment ``follow_up_moment`` makes of it."""
    day = st.date_input("Next follow-up", value=None, format="DD/MM/YYYY", key=entry.key("follow-up"))
    return follow_up_moment(day)


def show_errors(error: ValidationError, labels: dict[str, str] | None = None) -> None:
    """One error line per field, named as the form names it (the message as text)."""
    labels = labels or {}
    for field, message in error.errors.items():
        st.error(f"**{labels.get(field, field.replace('_', ' ').capitalize())}**: {md(message)}")


def succeeded(message: str) -> None:
    """Rerun so every list on the page shows the write, and say what was saved on that run.

    ``message`` is shown as Markdown: escape any user text in it with ``ui.text.md``."""
    st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    """Show what the last write saved (call right under the page title), with a link to the lead."""
    if message := st.session_state.pop("flash", None):
        st.success(message, icon=":material/check_circle:")
        # On a phone the page stays scrolled down at the emptied form: say it where the eye is too.
        st.toast(message, icon=":material/check_circle:")
    if lead_id := st.session_state.pop("flash-lead", None):
        st.page_link(
            "pages/timeline.py",
            label="Open the lead's timeline",
            icon=":material/timeline:",
            query_params={"lead": lead_id},
        )
