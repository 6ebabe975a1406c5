"""New lead: capture an enquiry. A phone that is already a lead is not a new lead: the page shows
that lead and offers to log a re-enquiry on it instead."""

import streamlit as st

from data import catalog, lead_writes, reports
from data.validation import ValidationError
from ui import forms, session

FIELDS = (
    *(
        "lead-source",
        "lead-name",
        "lead-phone",
        "lead-email",
        "lead-project",
        "lead-unit-type",
        "lead-budget",
        "lead-owner",
    ),
    "lead-notes",
)

st.title("New lead")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
options = reports.filter_options(scope)

# Outside the form: each choice narrows the next (a form would not rerun between them). The
# narrowed pickers are keyed by what they depend on, so a new choice starts them afresh.
sources = options.sources
source = st.selectbox("Source", sources["source"].unique().tolist(), index=None, key="lead-source")
subsources = sources[sources["source"] == source]
lead_source_id = st.selectbox(
    "Subsource",
    subsources["lead_source_id"].tolist(),
    format_func=lambda value: subsources.loc[subsources["lead_source_id"] == value, "subsource"].iloc[0],
    index=0 if len(subsources) == 1 else None,
    key=f"lead-subsource-{source}",
)
PICKERS = (f"lead-subsource-{source}", f"lead-campaign-{lead_source_id}")
campaigns = options.campaigns[options.campaigns["lead_source_id"] == lead_source_id]
campaign_id = st.selectbox(
    "Campaign (if any)",
    campaigns["campaign_id"].tolist(),
    format_func=lambda value: campaigns.loc[campaigns["campaign_id"] == value, "name"].iloc[0],
    index=None,
    placeholder="No campaign" if campaigns.empty else "Choose a campaign",
    key=f"lead-campaign-{lead_source_id}",
)

with st.form(forms.entry_form_key("new-lead")):
    errors = forms.ErrorSlots()
    errors.under("lead_source_id", "campaign_id")
    name = st.text_input("Name", key="lead-name")
    errors.under("name")
    phone = st.text_input("Mobile", placeholder="98765 43210 or +91 98765 43210", key="lead-phone")
    errors.under("phone")
    email = st.text_input("Email (optional)", key="lead-email")
    errors.under("email")
    projects = options.projects
    project_id = st.selectbox(
        "Project of interest",
        projects["project_id"].tolist(),
        format_func=lambda value: projects.loc[projects["project_id"] == value, "name"].iloc[0],
        index=None,
        key="lead-project",
    )
    errors.under("project_id")
    unit_type = st.selectbox("Unit type", catalog.UNIT_TYPES, index=None, key="lead-unit-type")
    errors.under("unit_type_preference")
    budget = st.text_input("Budget in rupees (optional)", placeholder="e.g. 75,00,000", key="lead-budget")
    errors.under("budget")
    owner_user_id = user.user_id
    if user.role != "rep":
        owners = options.owners
        owner_user_id = st.selectbox(
            "Owner",
            owners["user_id"].tolist(),
            format_func=lambda value: owners.loc[owners["user_id"] == value, "display_name"].iloc[0],
            index=None,
            key="lead-owner",
        )
        errors.under("owner_user_id")
    notes = st.text_area("Notes", height=80, key="lead-notes")
    submitted = st.form_submit_button("Save lead", type="primary", width="stretch")

if submitted:
    st.session_state.pop("lead-duplicate", None)
    try:
        saved = lead_writes.create_lead(
            user.tenant_id,
            user.user_id,
            name=name,
            phone=phone,
            email=email,
            project_id=project_id,
            unit_type_preference=unit_type,
            budget=budget,
            lead_source_id=lead_source_id,
            campaign_id=campaign_id,
            owner_user_id=owner_user_id,
            notes=notes,
            idempotency_key=forms.entry_form_key("new-lead"),
        )
    except lead_writes.DuplicateLead as duplicate:
        st.session_state["lead-duplicate"] = duplicate.existing._asdict()
    except ValidationError as error:
        errors.show(error)
    else:
        forms.saved("new-lead", f"Saved: new lead {name.strip()}.", lead_id=saved.lead_id, fields=FIELDS + PICKERS)

if existing := st.session_state.get("lead-duplicate"):
    st.warning(
        f"**{existing['phone']} is already a lead:** {existing['name']} (lead {existing['lead_id']}, "
        f"owner {existing['owner_name'] or 'nobody'}, {existing['status']}). Nothing was saved.",
        icon=":material/person_search:",
    )
    st.caption("If they enquired again, log it on that lead with the source chosen above.")
    if st.button("Log a re-enquiry", key="lead-reenquiry", type="primary"):
        try:
            saved = lead_writes.log_reenquiry(
                user.tenant_id,
                user.user_id,
                lead_id=existing["lead_id"],
                lead_source_id=lead_source_id,
                campaign_id=campaign_id,
                notes=notes,
                idempotency_key=forms.entry_form_key("reenquiry"),
            )
        except ValidationError as error:
            forms.show_errors(error, {"lead_source_id": "Source", "campaign_id": "Campaign"})
        else:
            st.session_state.pop("lead-duplicate", None)
            forms.saved(
                "reenquiry",
                f"Saved: re-enquiry on {existing['name']}.",
                # A rep's timeline shows only their own leads; no link to a colleague's.
                lead_id=saved.lead_id if user.role != "rep" or existing["owner_user_id"] == user.user_id else None,
                fields=FIELDS + PICKERS,
            )
