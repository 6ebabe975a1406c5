"""Log milestone: any step of a lead's journey but a booking or cancellation (the booking forms
record those), under the timeline's rules."""

import streamlit as st

from data.domain import vocabulary as labels
from data.domain.rules import NOTES_MAX
from data.domain.validation import ValidationError
from data.writes import activity
from ui import format as fmt
from ui import forms, lead_picker, session
from ui.text import md

CHOICES = [kind for kind in activity.MILESTONE_TYPES if kind not in (*activity.BOOKING_MILESTONES, "lead_generated")]

st.title("Log milestone")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
entry = forms.EntryForm("milestone")
lead = lead_picker.pick(scope, entry.key("lead"))

with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    milestone_type = st.selectbox(
        "Milestone",
        CHOICES,
        format_func=labels.labeller("milestone_type"),
        key=entry.key("type"),
        help="Bookings and cancellations are recorded with the booking forms. "
        "Only a scheduled visit may be dated ahead.",
    )
    errors.under("milestone_type")
    occurred_at = forms.moment_input(entry)
    errors.under("occurred_at")
    outcome = st.radio(
        "Outcome (optional)",
        activity.OUTCOMES,
        index=None,
        horizontal=True,
        format_func=labels.labeller("outcome"),
        key=entry.key("outcome"),
    )
    errors.under("outcome")
    notes = st.text_area("Notes", height=80, max_chars=NOTES_MAX, key=entry.key("notes"))
    next_follow_up_at = forms.follow_up_input(entry)
    errors.under("next_follow_up_at")
    errors.under("lead_id", "duplicate")
    lead_picker.show_chosen(lead)
    confirmed = entry.confirm_duplicate()
    submitted = st.form_submit_button(
        lead_picker.save_label("Save milestone", lead), type="primary", width="stretch", key=entry.key("save")
    )

if submitted:
    try:
        saved = activity.log_milestone(
            scope,
            user.user_id,
            lead_id=lead and lead.lead_id,
            milestone_type=milestone_type,
            occurred_at=occurred_at,
            outcome=outcome,
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=entry.idempotency_key,
            confirm_duplicate=confirmed,
        )
    except ValidationError as error:
        entry.refused(error, errors)
    else:
        what = labels.label("milestone_type", milestone_type).lower()
        entry.saved(f"Saved: {what} for **{md(lead.name)}** on {fmt.moment(occurred_at)}.", lead_id=saved.lead_id)
