"""Log site visit: the reps' main form, built for a phone — a visit done (recorded as a site visit,
or a revisit when the lead has visited before) or one scheduled."""

import datetime as dt

import streamlit as st

from data import activity
from data.filters import IST
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session

FIELDS = (
    *("visit-done", "visit-date", "visit-time", "visit-outcome", "visit-reason", "visit-location", "visit-notes"),
    "visit-follow-up",
)

st.title("Log site visit")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "visit")
now = dt.datetime.now(IST)

with st.form(forms.entry_form_key("visit")):
    errors = forms.ErrorSlots()
    done = st.radio("The visit", ["Done", "Scheduled"], horizontal=True, key="visit-done")
    day_column, time_column = st.columns(2)
    day = day_column.date_input("Date", value=now.date(), format="DD/MM/YYYY", key="visit-date")
    moment = time_column.time_input("Time", value=now.time().replace(second=0, microsecond=0), key="visit-time")
    errors.under("occurred_at", "lead_id")
    outcome = st.radio(
        "Outcome (for a visit done)",
        activity.OUTCOMES,
        index=None,
        horizontal=True,
        format_func=str.capitalize,
        key="visit-outcome",
    )
    errors.under("outcome")
    reason = st.text_input("Why", placeholder="e.g. liked the layout; price above budget", key="visit-reason")
    errors.under("outcome_reason")
    location = st.text_input(
        "Location (optional)", placeholder="latitude, longitude — 18.5204, 73.8567", key="visit-location"
    )
    errors.under("location")
    notes = st.text_area("Notes", height=80, key="visit-notes")
    follow_up = st.date_input("Next follow-up", value=None, format="DD/MM/YYYY", key="visit-follow-up")
    errors.under("next_follow_up_at")
    submitted = st.form_submit_button("Save visit", type="primary", width="stretch")

if submitted:
    try:
        saved = activity.log_site_visit(
            scope,
            user.user_id,
            lead_id=lead_id,
            is_done=done == "Done",
            occurred_at=dt.datetime.combine(day, moment, IST) if day and moment else None,
            outcome=outcome,
            outcome_reason=reason,
            location=location,
            notes=notes,
            next_follow_up_at=forms.follow_up_moment(follow_up),
            idempotency_key=forms.entry_form_key("visit"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        what = (saved.what or "visit").replace("_", " ")
        forms.saved("visit", f"Saved: {what} on {fmt.date(day)}.", lead_id=saved.lead_id, fields=FIELDS)
