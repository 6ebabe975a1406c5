"""Log call or message: a call, email, SMS, WhatsApp or meeting with a lead. The first completed
one also marks the lead as contacted."""

import streamlit as st

from data.domain import vocabulary as labels
from data.domain.validation import ValidationError
from data.writes import activity
from ui import format as fmt
from ui import forms, lead_picker, session
from ui.text import md

st.title("Log call or message")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
entry = forms.EntryForm("call")
lead = lead_picker.pick(scope, entry.key("lead"))

with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    kind_column, channel_column = st.columns(2)
    engagement_type = kind_column.selectbox(
        "Type", labels.LOGGABLE_ENGAGEMENT_TYPES, format_func=labels.labeller("engagement_type"), key=entry.key("type")
    )
    channel = channel_column.selectbox(
        "Channel", labels.CHANNELS, format_func=labels.labeller("channel"), key=entry.key("channel")
    )
    errors.under("engagement_type", "channel")
    direction = st.radio(
        "Direction",
        labels.DIRECTIONS,
        horizontal=True,
        format_func=labels.labeller("direction"),
        key=entry.key("direction"),
    )
    status = st.radio(
        "Status",
        labels.ENGAGEMENT_STATUSES,
        horizontal=True,
        format_func=labels.labeller("engagement_status"),
        key=entry.key("status"),
    )
    errors.under("direction", "status")
    occurred_at = forms.moment_input(entry)
    errors.under("occurred_at")
    duration_column, response_column = st.columns(2)
    duration = duration_column.number_input(
        "Duration (seconds)", min_value=0, value=None, step=30, key=entry.key("duration")
    )
    response = response_column.number_input(
        "They replied after (minutes)", min_value=0, value=None, step=5, key=entry.key("response")
    )
    errors.under("duration_seconds", "response_minutes")
    notes = st.text_area(forms.up_to("Notes"), height=80, key=entry.key("notes"))
    errors.under("notes")
    next_follow_up_at = forms.follow_up_input(entry)
    errors.under("next_follow_up_at")
    errors.under("lead_id", "duplicate")
    lead_picker.show_chosen(lead)
    confirmed = entry.confirm_duplicate()
    submitted = st.form_submit_button(
        lead_picker.save_label("Save", lead), type="primary", width="stretch", key=entry.key("save")
    )

if submitted:
    try:
        saved = activity.log_engagement(
            scope,
            user.user_id,
            lead_id=lead and lead.lead_id,
            engagement_type=engagement_type,
            channel=channel,
            direction=direction,
            status=status,
            occurred_at=occurred_at,
            duration_seconds=None if duration is None else int(duration),
            response_minutes=None if response is None else int(response),
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=entry.idempotency_key,
            confirm_duplicate=confirmed,
        )
    except ValidationError as error:
        entry.refused(error, errors)
    else:
        entry.saved(
            f"Saved: {labels.label('engagement_type', engagement_type).lower()} with **{md(lead.name)}** "
            f"on {fmt.moment(occurred_at)}.",
            lead_id=saved.lead_id,
        )
