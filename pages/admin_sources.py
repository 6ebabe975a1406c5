"""Lead sources (admins): add source/subsource pairs, retire ones no longer used, set each one's
speed-to-lead SLA, and the working hours the SLA counts."""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.rules import NAME_MAX
from data.domain.validation import ValidationError
from data.writes import catalog
from ui import forms, session, tables
from ui.text import md

st.title("Lead sources")
forms.show_flash()
admin = session.current_user()
sources = reports.list_sources(admin.tenant_id)
tables.show_table(
    sources,
    {"source": ("Source", "text"), "subsource": ("Subsource", "text"), "sla_minutes": ("SLA (working min)", "count")},
    "sources",
    key="sources",
)

left, right = st.columns(2)
with left.form("add-source", clear_on_submit=True):
    st.subheader("Add")
    source = st.text_input("Source", placeholder="e.g. Online Portal", max_chars=NAME_MAX, key="add-source-source")
    subsource = st.text_input("Subsource", placeholder="e.g. 99acres", max_chars=NAME_MAX, key="add-source-subsource")
    if st.form_submit_button("Add source", type="primary"):
        try:
            catalog.add_source(admin.tenant_id, source, subsource, admin.user_id)
            forms.succeeded(f"Added {md(source.strip())} / {md(subsource.strip())}.")
        except ValidationError as error:
            forms.show_errors(error)
with right.form("retire-source"):
    st.subheader("Retire")
    labels = {int(row.lead_source_id): f"{row.source} / {row.subsource}" for row in sources.itertuples()}
    chosen = st.selectbox("Source", list(labels), format_func=labels.get, key="retire-source-id")
    st.caption("Retired sources keep their history in every report; new leads can no longer pick them.")
    if st.form_submit_button("Retire") and chosen is not None:
        catalog.retire_source(admin.tenant_id, chosen, admin.user_id)
        forms.succeeded(f"Retired {md(labels[chosen])}.")

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

st.header("Speed to lead")
sla_column, hours_column = st.columns(2)
sla_column.subheader("SLA per source")
# Outside the form, so that the minutes shown are the chosen source's own.
sla_source = sla_column.selectbox("Source", list(labels), format_func=labels.get, key="sla-source-id")
with sla_column.form("source-sla"):
    low, high = catalog.SLA_MINUTES_RANGE
    current_sla = low if sla_source is None else sources.set_index("lead_source_id").at[sla_source, "sla_minutes"]
    minutes = st.number_input(
        "Working minutes to a first response", low, high, int(current_sla), step=1, key=f"sla-minutes-{sla_source}"
    )
    if st.form_submit_button("Save SLA") and sla_source is not None:
        try:
            catalog.set_source_sla(admin.tenant_id, admin.user_id, sla_source, int(minutes))
            forms.succeeded(f"{md(labels[sla_source])}: first response within {int(minutes)} working minutes.")
        except ValidationError as error:
            forms.show_errors(error)
with hours_column.form("working-hours"):
    st.subheader("Working hours (India time)")
    current = {
        int(row.iso_weekday): (row.opens_at, row.closes_at)
        for row in reports.list_working_hours(admin.tenant_id).itertuples()
    }
    hours = {}
    for weekday, name in enumerate(WEEKDAY_NAMES, start=1):
        is_open, opens, closes = st.columns([2, 2, 2])
        # A closed day offers the usual hours, ready for when it is ticked: a form draws nothing new
        # until it is submitted, so every day's times are always on the form.
        opens_at, closes_at = current.get(weekday, (dt.time(9), dt.time(20)))
        ticked = is_open.checkbox(name, value=weekday in current, key=f"hours-open-{weekday}")
        opening = opens.time_input("Opens", opens_at, key=f"hours-opens-{weekday}", label_visibility="collapsed")
        closing = closes.time_input("Closes", closes_at, key=f"hours-closes-{weekday}", label_visibility="collapsed")
        if ticked:
            hours[weekday] = (opening, closing)
    st.caption(
        "Speed to lead counts only these hours. A day left unticked is closed; with every day "
        "unticked, the default applies: 09:00–20:00 every day."
    )
    if st.form_submit_button("Save working hours"):
        try:
            catalog.set_working_hours(admin.tenant_id, admin.user_id, hours)
            forms.succeeded("Working hours saved.")
        except ValidationError as error:
            forms.show_errors(error, {f"hours_{day}": WEEKDAY_NAMES[day - 1] for day in range(1, 8)})
