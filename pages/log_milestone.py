"""Log milestone: any step of a lead's journey but a booking or cancellation (the booking forms
record those), under the timeline's rules."""

import streamlit as st

from data import activity
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session

FIELDS = (
    *("milestone-type", "milestone-date", "milestone-time", "milestone-outcome", "milestone-notes"),
    "milestone-follow-up",
)
CHOICES = [kind for kind in activity.MILESTONE_TYPES if kind not in (*activity.BOOKING_MILESTONES, "lead_generated")]

st.title("Log milestone")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "milestone")

with st.form(forms.entry_form_key("milestone")):
    errors = forms.ErrorSlots()
    milestone_type = st.selectbox(
        "Milestone",
        CHOICES,
        format_func=lambda value: value.replace("_", " ").capitalize(),
        key="milestone-type",
        help="Bookings and cancellations are recorded with the booking forms. "
        "Only a scheduled visit may be dated ahead.",
    )
    errors.under("milestone_type")
    occurred_at = forms.moment_input("milestone")
    errors.under("occurred_at")
    outcome = st.radio(
        "Outcome (optional)",
        activity.OUTCOMES,
        index=None,
        horizontal=True,
        format_func=str.capitalize,
        key="milestone-outcome",
    )
    errors.under("outcome")
    notes = st.text_area("Notes", height=80, key="milestone-notes")
    next_follow_up_at = forms.follow_up_input("milestone")
    errors.under("next_follow_up_at")
    submitted = st.form_submit_button("Save milestone", type="primary", width="stretch")

if submitted:
    try:
        saved = activity.log_milestone(
            scope,
            user.user_id,
            lead_id=lead_id,
            milestone_type=milestone_type,
            occurred_at=occurred_at,
            outcome=outcome,
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=forms.entry_form_key("milestone"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        what = milestone_type.replace("_", " ")
        forms.saved("milestone", f"Saved: {what} on {fmt.date(occurred_at)}.", lead_id=saved.lead_id, fields=FIELDS)
