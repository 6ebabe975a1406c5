"""New lead: capture an enquiry. A phone that is already a lead is not a new lead: the page shows
that lead and offers to log a re-enquiry on it instead."""

import streamlit as st

from data import reports
from data.domain import vocabulary as labels
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.writes import leads as lead_writes
from ui import forms, session
from ui.text import md, shorten

st.title("New lead")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
options = reports.filter_options(scope)
entry = forms.EntryForm("new-lead")


def _name_of(frame, id_column: str, name_column: str):
    """A select box's format_func showing the name for an id (plain text: options render no Markdown)."""
    return lambda value: shorten(frame.loc[frame[id_column] == value, name_column].iloc[0], 80)


# Outside the form: each choice narrows the next (a form would not rerun between them). The
# narrowed pickers are keyed by what they depend on, so a new choice starts them afresh.
sources = options.sources
source = st.selectbox("Source", sources["source"].unique().tolist(), index=None, key=entry.key("source"))
subsources = sources[sources["source"] == source]
lead_source_id = st.selectbox(
    "Subsource",
    subsources["lead_source_id"].tolist(),
    format_func=_name_of(subsources, "lead_source_id", "subsource"),
    index=0 if len(subsources) == 1 else None,
    key=entry.key(f"subsource-{source}"),
)
campaigns = options.campaigns[options.campaigns["lead_source_id"] == lead_source_id]
campaign_id = st.selectbox(
    "Campaign (if any)",
    campaigns["campaign_id"].tolist(),
    format_func=_name_of(campaigns, "campaign_id", "name"),
    index=None,
    placeholder="No campaign" if campaigns.empty else "Choose a campaign",
    key=entry.key(f"campaign-{lead_source_id}"),
)

with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    errors.under("lead_source_id", "campaign_id")
    name = st.text_input("Name", max_chars=NAME_MAX, key=entry.key("name"))
    errors.under("name")
    phone = st.text_input(
        "Mobile", placeholder="98765 43210 or +91 98765 43210", max_chars=SHORT_TEXT_MAX, key=entry.key("phone")
    )
    errors.under("phone")
    email = st.text_input("Email (optional)", max_chars=SHORT_TEXT_MAX, key=entry.key("email"))
    errors.under("email")
    projects = options.projects
    project_id = st.selectbox(
        "Project of interest",
        projects["project_id"].tolist(),
        format_func=_name_of(projects, "project_id", "name"),
        index=None,
        key=entry.key("project"),
    )
    errors.under("project_id")
    unit_type = st.selectbox(
        "Unit type", labels.UNIT_TYPES, index=None, format_func=labels.labeller("unit_type"), key=entry.key("unit-type")
    )
    errors.under("unit_type_preference")
    budget = st.text_input(
        "Budget in rupees (optional)", placeholder="e.g. 75,00,000", max_chars=SHORT_TEXT_MAX, key=entry.key("budget")
    )
    errors.under("budget")
    owner_user_id = user.user_id
    if user.role != "rep":
        owners = options.owners
        owner_user_id = st.selectbox(
            "Owner",
            owners["user_id"].tolist(),
            format_func=_name_of(owners, "user_id", "display_name"),
            index=None,
            key=entry.key("owner"),
        )
        errors.under("owner_user_id")
    notes = st.text_area(forms.up_to("Notes"), height=80, key=entry.key("notes"))
    errors.under("notes")
    submitted = st.form_submit_button("Save lead", type="primary", width="stretch", key=entry.key("save"))

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
            idempotency_key=entry.idempotency_key,
        )
    except lead_writes.DuplicateLead as duplicate:
        st.session_state["lead-duplicate"] = duplicate.existing._asdict()
    except ValidationError as error:
        errors.show(error)
    else:
        entry.saved(f"Saved: new lead **{md(name.strip())}**.", lead_id=saved.lead_id)

if existing := st.session_state.get("lead-duplicate"):
    st.warning(
        f"**{md(existing['phone'])} is already a lead:** {md(existing['name'])} (lead {existing['lead_id']}, "
        f"owner {md(existing['owner_name'] or 'nobody')}, {labels.label('lead_status', existing['status']).lower()}). "
        "Nothing was saved.",
        icon=":material/person_search:",
    )
    st.caption("If they enquired again, log it on that lead with the source chosen above.")
    reenquiry = forms.EntryForm("reenquiry")
    if st.button("Log a re-enquiry", key=reenquiry.key("save"), type="primary"):
        try:
            saved = lead_writes.log_reenquiry(
                user.tenant_id,
                user.user_id,
                lead_id=existing["lead_id"],
                lead_source_id=lead_source_id,
                campaign_id=campaign_id,
                notes=notes,
                idempotency_key=reenquiry.idempotency_key,
            )
        except ValidationError as error:
            forms.show_errors(error, {"lead_source_id": "Source", "campaign_id": "Campaign"})
        else:
            st.session_state.pop("lead-duplicate", None)
            # The new-lead form held this enquiry: it starts afresh too.
            entry.start_afresh()
            reenquiry.saved(
                f"Saved: re-enquiry on **{md(existing['name'])}**.",
                # A rep's timeline shows only their own leads; no link to a colleague's.
                lead_id=saved.lead_id if user.role != "rep" or existing["owner_user_id"] == user.user_id else None,
            )
