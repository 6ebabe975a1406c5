"""Campaigns (admins): add campaigns, change budget, dates and status, and record spend."""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import CAMPAIGN_STATUSES, labeller
from data.writes import catalog
from ui import forms, session
from ui.text import md

st.title("Campaigns setup")
forms.show_flash()
admin = session.current_user()
options = reports.filter_options(admin.tenant_id)
sources = reports.list_sources(admin.tenant_id)
source_labels = {int(r.lead_source_id): f"{r.source} / {r.subsource}" for r in sources.itertuples()}
project_labels = {None: "All projects", **{int(r.project_id): r.name for r in options.projects.itertuples()}}
campaign_labels = {int(r.campaign_id): r.name for r in options.campaigns.itertuples()}

add, change, spend = st.tabs(["Add a campaign", "Change a campaign", "Record spend"])
with add, st.form("add-campaign", clear_on_submit=True):
    name = st.text_input("Name", max_chars=NAME_MAX, key="campaign-name")
    left, right = st.columns(2)
    campaign_type = left.text_input(
        "Type", placeholder="Paid social, Portal listing, Event…", max_chars=SHORT_TEXT_MAX, key="campaign-type"
    )
    channel = right.text_input(
        "Channel", placeholder="Facebook, Google, 99acres…", max_chars=SHORT_TEXT_MAX, key="campaign-channel"
    )
    source_id = left.selectbox("Source", list(source_labels), format_func=source_labels.get, key="campaign-source")
    project_id = right.selectbox(
        "Project", list(project_labels), format_func=project_labels.get, key="campaign-project"
    )
    budget = left.text_input("Budget (₹)", max_chars=SHORT_TEXT_MAX, key="campaign-budget", placeholder="5,00,000")
    status = right.selectbox(
        "Status", CAMPAIGN_STATUSES, format_func=labeller("campaign_status"), key="campaign-status"
    )
    start = left.date_input("Start", value=today_in_india(), format="DD/MM/YYYY", key="campaign-start")
    end = right.date_input("End (optional)", value=None, format="DD/MM/YYYY", key="campaign-end")
    if st.form_submit_button("Add campaign", type="primary"):
        try:
            catalog.add_campaign(
                admin.tenant_id,
                admin.user_id,
                name=name,
                campaign_type=campaign_type,
                channel=channel,
                lead_source_id=source_id,
                project_id=project_id,
                budget=budget,
                start_date=start,
                end_date=end,
                status=status,
            )
            forms.succeeded(f"Added {md(name.strip())}.")
        except ValidationError as error:
            forms.show_errors(error)
with change, st.form("change-campaign"):
    campaign_id = st.selectbox(
        "Campaign", list(campaign_labels), format_func=campaign_labels.get, key="change-campaign-id"
    )
    left, right = st.columns(2)
    new_budget = left.text_input("Budget (₹)", max_chars=SHORT_TEXT_MAX, key="change-campaign-budget")
    new_status = right.selectbox(
        "Status", CAMPAIGN_STATUSES, format_func=labeller("campaign_status"), key="change-campaign-status"
    )
    new_start = left.date_input("Start", value=today_in_india(), format="DD/MM/YYYY", key="change-campaign-start")
    new_end = right.date_input("End (optional)", value=None, format="DD/MM/YYYY", key="change-campaign-end")
    if st.form_submit_button("Save", type="primary") and campaign_id is not None:
        try:
            catalog.update_campaign(
                admin.tenant_id,
                admin.user_id,
                campaign_id,
                budget=new_budget,
                start_date=new_start,
                end_date=new_end,
                status=new_status,
            )
            forms.succeeded(f"Saved {md(campaign_labels[campaign_id])}.")
        except ValidationError as error:
            forms.show_errors(error)
with spend, st.form("add-spend", clear_on_submit=True):
    spend_campaign = st.selectbox(
        "Campaign", list(campaign_labels), format_func=campaign_labels.get, key="spend-campaign"
    )
    left, right = st.columns(2)
    spend_date = left.date_input(
        "Date",
        value=today_in_india(),
        max_value=today_in_india() + dt.timedelta(days=1),
        format="DD/MM/YYYY",
        key="spend-date",
    )
    amount = right.text_input("Amount (₹)", max_chars=SHORT_TEXT_MAX, key="spend-amount")
    if st.form_submit_button("Record spend", type="primary") and spend_campaign is not None:
        try:
            catalog.add_spend(admin.tenant_id, admin.user_id, spend_campaign, spend_date, amount)
            forms.succeeded(f"Recorded ₹{md(amount.strip())} on {md(campaign_labels[spend_campaign])}.")
        except ValidationError as error:
            forms.show_errors(error)
