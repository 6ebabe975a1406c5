"""Integrations (admins): API keys (created, shown once, revoked) and the health of lead intake.

A new key is shown on the run that created it and nowhere else: it is never put in session
state, a query parameter or a message kept for the next run, so a rerun or another page has
lost it, and the database holds only its hash.
"""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from data.domain.rules import NAME_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import INTAKE_OUTCOMES, KEY_ROLES, is_missing, label, labeller
from data.writes import api_keys
from ui import forms, session, tables
from ui.format import count, moment
from ui.text import md, md_line

HEALTH_DAYS = 7  # the period the health table opens on: the last 7 days, today included
DEFINITIONS = (
    "Each delivery a portal, ad platform or website sent counts once, on its day in India time. "
    "**Received**: every delivery that reached Leadline. **New lead**: it made a new lead. "
    "**Re-enquiry**: its phone was a lead already, so it was logged as that lead's re-enquiry. "
    "**Repeat delivery**: the same delivery again (same platform lead id or idempotency key), which "
    "changed nothing. **Rejected**: it could not become a lead; the reasons are below. Received is "
    "the four together, and the leads Leadline has from a sender are its new leads and re-enquiries."
)
# Who sent a delivery, as the health tables show it.
SENDER_COLUMNS = {
    "source": ("Source", "text"),
    "subsource": ("Subsource", "text"),
    "channel": ("Channel", "code:intake_channel"),
}
OUTCOME_COLUMNS = {outcome: (label("intake_outcome", outcome), "count") for outcome in INTAKE_OUTCOMES}

st.title("Integrations")
forms.show_flash()
admin = session.current_user()
tenant_id = admin.tenant_id

# API keys -------------------------------------------------------------------------------------

st.subheader("API keys")
# Drawn after the form below has run: a key created on this run is in the list at once.
key_list = st.container()

entry = forms.EntryForm("api-key")
created = None
with st.form(entry.idempotency_key):
    st.markdown("**Create a key**")
    slots = forms.ErrorSlots()
    name = st.text_input("Name", max_chars=NAME_MAX, placeholder="e.g. 99acres feed", key=entry.key("name"))
    slots.under("name")
    role = st.selectbox("Acts as", KEY_ROLES, format_func=labeller("key_role"), key=entry.key("role"))
    slots.under("role")
    rate_limit = st.number_input(
        "Requests a minute",
        min_value=1,
        max_value=api_keys.RATE_LIMIT_MAX,
        value=api_keys.DEFAULT_RATE_LIMIT,
        step=1,
        key=entry.key("rate-limit"),
    )
    slots.under("rate_limit_per_minute")
    if st.form_submit_button("Create key", type="primary"):
        try:
            created = api_keys.create_api_key(
                tenant_id, admin.user_id, name=name, role=role, rate_limit_per_minute=int(rate_limit)
            )
            entry.start_afresh()  # the next run's form is empty; this run still shows the key below
        except ValidationError as error:
            slots.show(error)
if created is not None:
    st.success(
        f"Created the key {md(name.strip())} ({label('key_role', created.role)}). Copy it now and give it to "
        "the sender: **This is the only time it is shown.** Leadline keeps only its hash.",
        icon=":material/key:",
    )
    st.code(created.key, language=None)

keys = reports.api_key_list(tenant_id)
with key_list:
    if keys.empty:
        st.info("No API keys yet.")
    else:
        tables.show_table(
            keys,
            {
                "name": ("Name", "text"),
                "role": ("Acts as", "code:key_role"),
                "key_prefix": ("Key starts", "text"),
                "rate_limit_per_minute": ("Requests a minute", "count"),
                "created_at": ("Created", "moment"),
                "created_by_name": ("Created by", "text"),
                "last_used_at": ("Last used", "moment"),
                "revoked_at": ("Revoked", "moment"),
                "revoked_by_name": ("Revoked by", "text"),
            },
            "api-keys",
            key="api-keys",
        )
        st.caption("Last used is noted at most once a minute per key.")

live = {
    int(row.api_key_id): f"{row.name} ({row.key_prefix})" for row in keys.itertuples() if is_missing(row.revoked_at)
}
st.markdown("**Revoke a key**")
if not live:
    st.caption("No live key to revoke.")
else:
    chosen = st.selectbox("Key", list(live), format_func=live.get, key="revoke-key-id")
    st.caption("A revoked key is refused at once, including a request already under way; it cannot be restored.")
    if st.button("Revoke…", key="revoke-key-ask"):
        st.session_state["revoke-key-asked"] = chosen
    asked = st.session_state.get("revoke-key-asked")
    if asked in live:
        st.warning(f"Revoke {md(live[asked])}? Whatever uses it stops working now.", icon=":material/warning:")
        yes, no = st.columns(2)
        if yes.button(f"Yes, revoke {md_line(live[asked], 60)}", type="primary", key="revoke-key-confirm"):
            st.session_state.pop("revoke-key-asked", None)
            try:
                api_keys.revoke_api_key(tenant_id, admin.user_id, asked)
                forms.succeeded(f"Revoked {md(live[asked])}. Requests with it are refused from now on.")
            except ValidationError as error:
                forms.show_errors(error)
        if no.button("Keep it", key="revoke-key-cancel"):
            st.session_state.pop("revoke-key-asked", None)
            st.rerun()

# Intake health --------------------------------------------------------------------------------

st.subheader("Intake health")
st.caption(DEFINITIONS)
today = today_in_india()
left, right = st.columns(2)
period = left.date_input(
    "Received between",
    value=(today - dt.timedelta(days=HEALTH_DAYS - 1), today),
    format="DD/MM/YYYY",
    key="intake-period",
)
source = right.selectbox(
    "Source",
    [None, *reports.intake_sources(tenant_id)],
    format_func=lambda value: "All sources" if value is None else (value or "(none given)"),
    key="intake-source",
)
if len(period) != 2:
    st.info("Choose the last day of the period too.")
    st.stop()
health = reports.intake_health(tenant_id, period[0], period[1], source)

if health.daily.empty:
    st.info("Nothing was received in these days.")
else:
    totals = {"received": "Received", **{outcome: heading for outcome, (heading, _) in OUTCOME_COLUMNS.items()}}
    for column, (outcome, heading) in zip(st.columns(len(totals)), totals.items(), strict=True):
        column.metric(heading, count(health.daily[outcome].sum()))
    tables.show_table(
        health.daily,
        {
            "received_date": ("Day", "date"),
            **SENDER_COLUMNS,
            "received": ("Received", "count"),
            **OUTCOME_COLUMNS,
        },
        "intake-health",
        key="intake-health",
    )

if not health.reasons.empty:
    st.markdown("**Why deliveries were rejected**")
    tables.show_table(
        health.reasons,
        {
            **SENDER_COLUMNS,
            "field": ("Field", "text"),
            "message": ("Reason", "text"),
            "rejections": ("Rejections", "count"),
        },
        "intake-rejection-reasons",
        key="intake-reasons",
    )

if not health.last_errors.empty:
    st.markdown("**Last rejected deliveries**")
    for event in health.last_errors.itertuples():
        heading = f"#{event.intake_event_id} · {moment(event.received_at)} · {event.source} / {event.subsource}"
        with st.expander(md_line(heading, 100)):
            st.caption(
                f"{label('intake_channel', event.channel)}. Why: {md(event.reason)}"
                + ("" if is_missing(event.reprocessed_at) else f" Processed again {moment(event.reprocessed_at)}.")
            )
            st.code(event.payload, language="json")
