"""Lead sources (admins): add source/subsource pairs, retire ones no longer used."""

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
tables.show_table(sources, {"source": ("Source", "text"), "subsource": ("Subsource", "text")}, "sources", key="sources")

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
