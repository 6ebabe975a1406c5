"""Log site visit: the reps' main form, built for a phone — a visit done (recorded as a site visit,
or a revisit when the lead has visited before) or one scheduled."""

import streamlit as st

from data.domain import vocabulary as labels
from data.domain.rules import SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.writes import activity
from ui import format as fmt
from ui import forms, lead_picker, session
from ui.text import md

st.title("Log site visit")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
entry = forms.EntryForm("visit")
lead = lead_picker.pick(scope, entry.key("lead"))

with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    done = st.radio("The visit", ["Done", "Scheduled"], horizontal=True, key=entry.key("done"))
    occurred_at = forms.moment_input(entry)
    errors.under("occurred_at")
    outcome = st.radio(
        "Outcome (for a visit done)",
        labels.OUTCOMES,
        index=None,
        horizontal=True,
        format_func=labels.labeller("outcome"),
        key=entry.key("outcome"),
    )
    errors.under("outcome")
    reason = st.text_input(
        forms.up_to("Why"),
        placeholder="e.g. liked the layout; price above budget",
        key=entry.key("reason"),
    )
    errors.under("outcome_reason")
    location = st.text_input(
        "Location (optional)",
        placeholder="latitude, longitude — 18.5204, 73.8567",
        max_chars=SHORT_TEXT_MAX,
        key=entry.key("location"),
    )
    errors.under("location")
    notes = st.text_area(forms.up_to("Notes"), height=80, key=entry.key("notes"))
    errors.under("notes")
    next_follow_up_at = forms.follow_up_input(entry)
    errors.under("next_follow_up_at")
    errors.under("lead_id", "duplicate")
    lead_picker.show_chosen(lead)
    confirmed = entry.confirm_duplicate()
    submitted = st.form_submit_button(
        lead_picker.save_label("Save visit", lead), type="primary", width="stretch", key=entry.key("save")
    )

if submitted:
    try:
        saved = activity.log_site_visit(
            scope,
            user.user_id,
            lead_id=lead and lead.lead_id,
            is_done=done == "Done",
            occurred_at=occurred_at,
            outcome=outcome,
            outcome_reason=reason,
            location=location,
            notes=notes,
            next_follow_up_at=next_follow_up_at,
            idempotency_key=entry.idempotency_key,
            confirm_duplicate=confirmed,
        )
    except ValidationError as error:
        entry.refused(error, errors)
    else:
        what = labels.label("milestone_type", saved.what or "site_visit").lower()
        entry.saved(
            f"Saved: {what} for **{md(lead.name)}** on {fmt.moment(occurred_at)}.",
            lead_id=saved.lead_id,
        )
