"""Log site visit: the reps' main form, built for a phone — a visit done (recorded as a site visit,
or a revisit when the lead has visited before) or one scheduled."""

import streamlit as st

from data import activity
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

with st.form(forms.entry_form_key("visit")):
    errors = forms.ErrorSlots()
    done = st.radio("The visit", ["Done", "Scheduled"], horizontal=True, key="visit-done")
    occurred_at = forms.moment_input("visit")
    errors.under("occurred_at")
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
    next_follow_up_at = forms.follow_up_input("visit")
    errors.under("next_follow_up_at")
    submitted = st.form_submit_button("Save visit", type="primary", width="stretch")

if submitted:
    try:
        saved = activity.log_site_visit(
            scope,
            user.user_id,
            lead_id=lead_id,
            is_done=done == "Done",
            occurred_at=occurred_at,
            outcome=outcome,
            outcome_reason=reason,
            location=location,
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=forms.entry_form_key("visit"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        what = (saved.what or "visit").replace("_", " ")
        forms.saved("visit", f"Saved: {what} on {fmt.date(occurred_at)}.", lead_id=saved.lead_id, fields=FIELDS)
