"""Log call or message: a call, email, SMS, WhatsApp or meeting with a lead. The first completed
one also marks the lead as contacted."""

import streamlit as st

from data import activity
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session

FIELDS = (
    *("call-type", "call-channel", "call-direction", "call-status", "call-date", "call-time", "call-duration"),
    *("call-response", "call-notes", "call-follow-up"),
)
LABELS = {"call": "Call", "email": "Email", "sms": "SMS", "whatsapp": "WhatsApp", "meeting": "Meeting"}

st.title("Log call or message")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "call")

with st.form(forms.entry_form_key("call")):
    errors = forms.ErrorSlots()
    kind_column, channel_column = st.columns(2)
    engagement_type = kind_column.selectbox("Type", activity.ENGAGEMENT_TYPES, format_func=LABELS.get, key="call-type")
    channel = channel_column.selectbox("Channel", activity.CHANNELS, key="call-channel")
    errors.under("engagement_type", "channel")
    direction = st.radio(
        "Direction", activity.DIRECTIONS, horizontal=True, format_func=str.capitalize, key="call-direction"
    )
    status = st.radio(
        "Status",
        activity.ENGAGEMENT_STATUSES,
        horizontal=True,
        format_func=lambda value: value.replace("_", " ").capitalize(),
        key="call-status",
    )
    errors.under("direction", "status")
    occurred_at = forms.moment_input("call")
    errors.under("occurred_at")
    duration_column, response_column = st.columns(2)
    duration = duration_column.number_input("Duration (seconds)", min_value=0, value=None, step=30, key="call-duration")
    response = response_column.number_input(
        "They replied after (minutes)", min_value=0, value=None, step=5, key="call-response"
    )
    errors.under("duration_seconds", "response_minutes")
    notes = st.text_area("Notes", height=80, key="call-notes")
    next_follow_up_at = forms.follow_up_input("call")
    errors.under("next_follow_up_at")
    submitted = st.form_submit_button("Save", type="primary", width="stretch")

if submitted:
    try:
        saved = activity.log_engagement(
            scope,
            user.user_id,
            lead_id=lead_id,
            engagement_type=engagement_type,
            channel=channel,
            direction=direction,
            status=status,
            occurred_at=occurred_at,
            duration_seconds=None if duration is None else int(duration),
            response_minutes=None if response is None else int(response),
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=forms.entry_form_key("call"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        forms.saved(
            "call",
            f"Saved: {LABELS[engagement_type].lower()} on {fmt.date(occurred_at)}.",
            lead_id=saved.lead_id,
            fields=FIELDS,
        )
