"""Leads: the leads this person may see (or those behind a clicked figure: ``?stage=``); a row opens
the lead's timeline; managers can hand chosen leads to another rep."""

import streamlit as st

from data import reports
from data.domain.permissions import Action, allowed
from data.domain.validation import ValidationError
from data.domain.vocabulary import REACHED_STAGE
from data.writes import lead_admin
from ui import drill, filter_bar, forms, session, tables, widgets

user = session.current_user()
st.title("My leads" if user.role == "rep" else "Leads")
forms.show_flash()
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "lead_list")
stage = filter_bar.stage_pick()
listed = reports.lead_list(scope, filters, tables.requested_page("leads-page"), stage)
leads = listed.rows
widgets.stop_if_empty(leads.empty)
tables.pager(
    key="leads-page",
    page=listed.page,
    page_count=listed.page_count,
    total_rows=listed.total_leads,
    page_size=listed.page_size,
    noun=(
        "Leads generated in the period, newest first:"
        if stage == "leads"
        else f"Leads generated in the period that reached {REACHED_STAGE[stage].lower()}, newest first:"
    ),
)
st.caption("Click a lead to open its timeline.")

columns = {
    "name": ("Name", "text"),
    "phone": ("Phone", "text"),
    "project_name": ("Project", "text"),
    "source": ("Source", "text"),
    "subsource": ("Subsource", "text"),
    "owner_name": ("Owner", "text"),
    "status": ("Status", "code:lead_status"),
    "generated_at": ("Generated", "date"),
    "has_site_visit": ("Visited", "yes_no"),
    "has_live_booking": ("Booked", "yes_no"),
}
tables.show_table(
    leads,
    columns,
    "leads",
    key="leads",
    height=420,
    primary=(
        "name",
        "phone",
        "project_name",
        "subsource",
        "owner_name",
        "status",
        "generated_at",
        "has_site_visit",
        "has_live_booking",
    ),
    on_pick=lambda row, _column, key: drill.open_lead(row["lead_id"], forget=(key,)),
)

if allowed(user.role, Action.LEAD_REASSIGN):
    st.subheader("Reassign leads")
    options = reports.filter_options(scope).owners
    with st.form("reassign", clear_on_submit=True):
        chosen = st.multiselect(
            "Leads",
            leads["lead_id"].tolist(),
            format_func=lambda lead_id: " · ".join(
                leads.loc[leads["lead_id"] == lead_id, ["name", "phone", "owner_name"]].iloc[0].fillna("—")
            ),
            key="reassign-leads",
        )
        owner = st.selectbox(
            "New owner",
            options["user_id"].tolist(),
            key="reassign-owner",
            format_func=lambda user_id: options.loc[options["user_id"] == user_id, "display_name"].iloc[0],
        )
        if st.form_submit_button("Reassign", type="primary"):
            try:
                moved = lead_admin.reassign_leads(scope.tenant_id, chosen, owner, user.user_id)
                forms.succeeded(f"Moved {moved} lead(s) to their new owner.")
            except ValidationError as error:
                forms.show_errors(error, {"lead_ids": "Leads", "owner": "New owner"})
