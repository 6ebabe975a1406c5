"""Integrations (admins): API keys (created, shown once, revoked), how leads arrive (a webhook's
field mapping, Meta Lead Ads' settings), and the health of lead intake.

A new key is shown on the run that created it and nowhere else: it is never put in session
state, a query parameter or a message kept for the next run, so a rerun or another page has
lost it, and the database holds only its hash. Meta's secrets are typed into password fields
and never shown back: the settings' list says only whether each is set.
"""

import datetime as dt
import urllib.parse

import pandas as pd
import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from data.domain.permissions import Action, allowed
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import INTAKE_OUTCOMES, KEY_ROLES, is_missing, label, labeller
from data.intake.meta import DEFAULT_GRAPH_URL
from data.intake.reprocess import reprocess_intake_event
from data.writes import api_keys, intake_settings
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
    "the four together, and the leads Leadline has from a sender are its new leads and re-enquiries. "
    "A rejected delivery processed again is received again, on the day it was processed."
)
# Who sent a delivery, as the health tables show it.
SENDER_COLUMNS = {
    "source": ("Source", "text"),
    "subsource": ("Subsource", "text"),
    "channel": ("Channel", "code:intake_channel"),
}
OUTCOME_COLUMNS = {outcome: (label("intake_outcome", outcome), "count") for outcome in INTAKE_OUTCOMES}
OWN_FIELD_NAMES = "Leadline's own field names"


def app_address() -> str:
    """This app's address as the browser reaches it, which the API shares (under /api)."""
    parts = urllib.parse.urlsplit(st.context.url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else "https://<Leadline's address>"


# Where a key just created waits for the rerun that shows it (popped by that run).
NEW_KEY = "api-key-created"


def api_key_section(tenant_id: int, admin_id: int) -> pd.DataFrame:
    """The keys' list, the form that creates one (showing it once) and revoking; the keys listed."""
    st.subheader("API keys")
    # Drawn after the form below has run: a key created on this run is in the list at once.
    key_list = st.container()
    entry = forms.EntryForm("api-key")
    # A key created on the run before: shown on this run only. It waits in the session for the
    # one rerun that draws the form empty (a form is emptied in the browser only by a new
    # generation of its widgets, which takes a rerun) and is taken out of it here.
    created = st.session_state.pop(NEW_KEY, None)
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
                made = api_keys.create_api_key(
                    tenant_id, admin_id, name=name, role=role, rate_limit_per_minute=int(rate_limit)
                )
            except ValidationError as error:
                slots.show(error)
            else:
                st.session_state[NEW_KEY] = (name.strip(), made)
                entry.start_afresh()
                st.rerun()
    if created is not None:
        name, created = created
        st.success(
            f"Created the key {md(name)} ({label('key_role', created.role)}). Copy it now and give it to "
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
    revoke_key(tenant_id, admin_id, keys)
    return keys


def revoke_key(tenant_id: int, admin_id: int, keys: pd.DataFrame) -> None:
    """Choose a live key, then confirm: revoked at once."""
    live = {
        int(row.api_key_id): f"{row.name} ({row.key_prefix})" for row in keys.itertuples() if is_missing(row.revoked_at)
    }
    st.markdown("**Revoke a key**")
    if not live:
        st.caption("No live key to revoke.")
        return
    chosen = st.selectbox("Key", list(live), format_func=live.get, key="revoke-key-id")
    st.caption("A revoked key is refused at once, including a request already under way; it cannot be restored.")
    if st.button("Revoke…", key="revoke-key-ask"):
        st.session_state["revoke-key-asked"] = chosen
    asked = st.session_state.get("revoke-key-asked")
    if asked not in live:
        return
    st.warning(f"Revoke {md(live[asked])}? Whatever uses it stops working now.", icon=":material/warning:")
    yes, no = st.columns(2)
    if yes.button(f"Yes, revoke {md_line(live[asked], 60)}", type="primary", key="revoke-key-confirm"):
        st.session_state.pop("revoke-key-asked", None)
        try:
            api_keys.revoke_api_key(tenant_id, admin_id, asked)
            forms.succeeded(f"Revoked {md(live[asked])}. Requests with it are refused from now on.")
        except ValidationError as error:
            forms.show_errors(error)
    if no.button("Keep it", key="revoke-key-cancel"):
        st.session_state.pop("revoke-key-asked", None)
        st.rerun()


def intake_setup_section(tenant_id: int, admin_id: int, keys: pd.DataFrame) -> None:
    """The intake settings as they stand, a webhook's mapping and Meta Lead Ads' setting."""
    st.subheader("How leads arrive")
    settings = reports.intake_settings_list(tenant_id)
    if settings.empty:
        st.caption("No webhook mapping or Meta page set up yet.")
    else:
        is_meta = settings["channel"] == "meta"
        shown = settings.assign(
            mapping_name=settings["mapping_name"].where(is_meta | settings["mapping_name"].notna(), OWN_FIELD_NAMES),
            has_app_secret=settings["has_app_secret"].where(is_meta),
            has_access_token=settings["has_access_token"].where(is_meta),
        )
        tables.show_table(
            shown,
            {
                **SENDER_COLUMNS,
                "mapping_name": ("Field mapping", "text"),
                "meta_page_id": ("Meta page", "text"),
                "meta_graph_url": ("Graph API", "text"),
                "has_app_secret": ("App secret set", "yes_no"),
                "has_access_token": ("Access token set", "yes_no"),
                "user_name": ("Leads added as", "text"),
                "updated_at": ("Changed", "moment"),
            },
            "intake-settings",
            key="intake-settings",
        )
    sources = reports.list_sources(tenant_id)
    if sources.empty:
        st.caption("Add a lead source under Lead sources first: every lead that arrives has one.")
        return
    source_labels = {int(row.lead_source_id): f"{row.source} / {row.subsource}" for row in sources.itertuples()}
    webhook_setup(tenant_id, admin_id, settings, sources.set_index("lead_source_id"), source_labels)
    meta_setup(tenant_id, admin_id, sources.set_index("lead_source_id"), source_labels, keys)


def current_mapping(settings: pd.DataFrame, source: str, subsource: str) -> int | None:
    """The saved mapping the source's webhook is read with now (None: Leadline's own field names)."""
    for row in settings.itertuples():
        if row.channel == "webhook" and (row.source.lower(), row.subsource.lower()) == (
            source.lower(),
            subsource.lower(),
        ):
            return None if is_missing(row.import_mapping_id) else int(row.import_mapping_id)
    return None


def webhook_setup(
    tenant_id: int, admin_id: int, settings: pd.DataFrame, sources: pd.DataFrame, source_labels: dict[int, str]
) -> None:
    """The address a sender posts a source's leads to, and the saved mapping its bodies are read with."""
    st.markdown("**A portal's or website's webhook**")
    source_id = st.selectbox("Source", list(source_labels), format_func=source_labels.get, key="webhook-source")
    source, subsource = sources.loc[source_id, "source"], sources.loc[source_id, "subsource"]
    st.caption(
        "Give the sender this address and an intake key, sent as `Authorization: Bearer <key>` "
        "(or, for a sender that can only be given an address, added as `?key=<key>`: the address is "
        "then as secret as the key)."
    )
    quoted = [urllib.parse.quote(part, safe="") for part in (source, subsource)]
    st.code(f"{app_address()}/api/v1/intake/{quoted[0]}/{quoted[1]}", language=None)
    mappings = reports.lead_mappings(tenant_id)
    names = {None: OWN_FIELD_NAMES} | {int(row.import_mapping_id): row.name for row in mappings.itertuples()}
    current = current_mapping(settings, source, subsource)
    entry = forms.EntryForm("webhook")
    with st.form(entry.idempotency_key):
        slots = forms.ErrorSlots()
        options = list(names)
        mapping_id = st.selectbox(
            "Read its bodies with",
            options,
            index=options.index(current) if current in names else 0,
            format_func=names.get,
            help="A saved mapping of leads (made on the Import screen) names the sender's fields; "
            f"without one, the body uses {OWN_FIELD_NAMES}.",
            key=entry.key(f"mapping-{source_id}"),
        )
        slots.under("import_mapping_id", "source", "subsource")
        if st.form_submit_button("Save webhook mapping", type="primary"):
            try:
                intake_settings.save_webhook_mapping(
                    tenant_id, admin_id, source=source, subsource=subsource, import_mapping_id=mapping_id
                )
                entry.start_afresh()
                forms.succeeded(f"Saved: {md(source_labels[source_id])} is read with {md(names[mapping_id])}.")
            except ValidationError as error:
                slots.show(error)


def secret_input(
    entry: forms.EntryForm, slots: forms.ErrorSlots, label_: str, field: str, help: str | None = None
) -> str:
    """A password field of the Meta form, never filled with what is stored, and its message's place.

    No ``max_chars``: a longer paste would be dropped whole by the browser; the write says the limit."""
    value = st.text_input(label_, type="password", help=help, key=entry.key(field.replace("_", "-")))
    slots.under(field)
    return value


def meta_setup(
    tenant_id: int, admin_id: int, sources: pd.DataFrame, source_labels: dict[int, str], keys: pd.DataFrame
) -> None:
    """Meta Lead Ads for one page: its callback address, and a form for its setting."""
    st.markdown("**Meta Lead Ads (Facebook and Instagram lead forms)**")
    st.caption(
        "In Meta's app dashboard, subscribe the page's leadgen webhook with this callback address and "
        "the verify token you give here."
    )
    st.code(f"{app_address()}/api/v1/intake/meta", language=None)
    accounts = {
        int(row.user_id): f"{row.name} ({row.key_prefix})"
        for row in keys.itertuples()
        if is_missing(row.revoked_at) and allowed(row.role, Action.LEAD_CREATE)
    }
    if not accounts:
        st.caption("Create an intake key first: a page's leads are added as its account.")
        return
    entry = forms.EntryForm("meta")
    with st.form(entry.idempotency_key):
        slots = forms.ErrorSlots()
        page_id = st.text_input(
            "Page id",
            max_chars=SHORT_TEXT_MAX,
            help="To change a page set up already, give its id again.",
            key=entry.key("page-id"),
        )
        slots.under("page_id")
        verify_token = secret_input(entry, slots, "Verify token", "verify_token")
        app_secret = secret_input(
            entry, slots, "App secret", "app_secret", help="Left blank, a page set up already keeps the stored one."
        )
        access_token = secret_input(
            entry,
            slots,
            "Access token",
            "access_token",
            help="Fetches a lead's answers when a delivery lacks them. Left blank, the stored one is kept.",
        )
        graph_url = st.text_input(
            "Graph API address",
            max_chars=SHORT_TEXT_MAX,
            placeholder=DEFAULT_GRAPH_URL,
            help=f"Left blank: {md(DEFAULT_GRAPH_URL)}.",
            key=entry.key("graph-url"),
        )
        slots.under("graph_url")
        source_id = st.selectbox(
            "Its leads' source", list(source_labels), format_func=source_labels.get, key=entry.key("source")
        )
        slots.under("source", "subsource")
        user_id = st.selectbox(
            "Leads added as the account of", list(accounts), format_func=accounts.get, key=entry.key("account")
        )
        slots.under("user_id")
        if st.form_submit_button("Save Meta setting", type="primary"):
            try:
                intake_settings.save_meta_settings(
                    tenant_id,
                    admin_id,
                    page_id=page_id,
                    verify_token=verify_token,
                    app_secret=app_secret or None,
                    graph_url=graph_url or None,
                    access_token=access_token or None,
                    source=sources.loc[source_id, "source"],
                    subsource=sources.loc[source_id, "subsource"],
                    user_id=user_id,
                )
                entry.start_afresh()
                forms.succeeded(f"Saved Meta Lead Ads for page {md(page_id.strip())}.")
            except ValidationError as error:
                slots.show(error)


def intake_health_section(tenant_id: int, admin_id: int) -> None:
    """Intake by source and day, the reasons of rejections, and the last rejected deliveries."""
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
        return
    health = reports.intake_health(tenant_id, period[0], period[1], source)
    if health.daily.empty:
        st.info("Nothing was received in these days.")
        return
    totals = {"received": "Received", **{outcome: heading for outcome, (heading, _) in OUTCOME_COLUMNS.items()}}
    for column, (outcome, heading) in zip(st.columns(len(totals)), totals.items(), strict=True):
        column.metric(heading, count(health.daily[outcome].sum()))
    tables.show_table(
        health.daily,
        {"received_date": ("Day", "date"), **SENDER_COLUMNS, "received": ("Received", "count"), **OUTCOME_COLUMNS},
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
        last_errors(tenant_id, admin_id, health.last_errors)


def last_errors(tenant_id: int, admin_id: int, events: pd.DataFrame) -> None:
    """The latest rejected deliveries: why, the payload as text, and processing one again."""
    st.markdown("**Last rejected deliveries**")
    for event in events.itertuples():
        heading = f"#{event.intake_event_id} · {moment(event.received_at)} · {event.source} / {event.subsource}"
        with st.expander(md_line(heading, 100)):
            done = not is_missing(event.reprocessed_at)
            st.caption(
                f"{label('intake_channel', event.channel)}. Why: {md(event.reason)}"
                + (f" Processed again {moment(event.reprocessed_at)}." if done else "")
            )
            st.code(event.payload, language="json")
            if not done and st.button("Process again", key=f"reprocess-{event.intake_event_id}"):
                try:
                    again = reprocess_intake_event(tenant_id, admin_id, int(event.intake_event_id))
                except ValidationError as error:
                    st.error(md(" ".join(error.errors.values())), icon=":material/error:")
                else:
                    why = "; ".join(f"{field}: {message}" for field, message in (again.errors or {}).items())
                    forms.succeeded(
                        f"Processed #{event.intake_event_id} again: {label('intake_outcome', again.outcome)}"
                        + (f". Still refused: {md(why)}" if why else ".")
                    )


st.title("Integrations")
forms.show_flash()
admin = session.current_user()
listed_keys = api_key_section(admin.tenant_id, admin.user_id)
intake_setup_section(admin.tenant_id, admin.user_id, listed_keys)
intake_health_section(admin.tenant_id, admin.user_id)
