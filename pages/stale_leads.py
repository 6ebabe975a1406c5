"""Stale leads: open leads nobody has touched for longer than their furthest stage allows, oldest
first — every rep's for managers and admins, narrowed by rep, source and project; a rep's own as
My stale leads — each one click from its timeline and its call form. Managers and admins set the
days each stage allows under the list."""

import streamlit as st

from data import reports
from data.domain.permissions import Action, allowed
from data.domain.validation import ValidationError
from data.domain.vocabulary import is_missing, label
from data.writes import stale_leads as stale_writes
from ui import format as fmt
from ui import forms, session, text, widgets

PAGE_SIZE = 25
NAME_LIMIT = 60
SHOWN = "stale-leads-shown"
STEPS = (
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
    ("pages/log_call.py", "Log call", ":material/call:"),
)


def start_over() -> None:
    """Other filters list from the oldest lead again."""
    st.session_state.pop(SHOWN, None)


def show_more() -> None:
    """Reveal the next page of leads."""
    st.session_state[SHOWN] = st.session_state.get(SHOWN, PAGE_SIZE) + PAGE_SIZE


def choose(name: str, key: str, options: dict) -> object:
    """One filter in the sidebar: "All" or one of the options (shown as plain text)."""
    return st.sidebar.selectbox(
        name,
        [None, *options],
        format_func=lambda value: "All" if value is None else options[value],
        key=key,
        on_change=start_over,
    )


def chosen_filters(scope, is_rep: bool) -> reports.StaleLeadFilters:
    """The filters, in the sidebar as on the analysis screens (on a phone the list comes first):
    rep (not for a rep, who sees their own only), source, subsource, project."""
    options = reports.filter_options(scope)
    st.sidebar.header("Filters")
    owner = None
    if not is_rep:
        owners = {int(row.user_id): text.shorten(row.display_name) for row in options.owners.itertuples()}
        owner = choose("Rep", "stale-rep", owners)
    sources = options.sources
    source = choose("Source", "stale-source", {name: text.shorten(name) for name in sources["source"].unique()})
    subsource = None
    if source:
        subsources = sources.loc[sources["source"] == source, "subsource"]
        subsource = choose("Subsource", "stale-subsource", {name: text.shorten(name) for name in subsources})
    projects = {int(row.project_id): text.shorten(row.name) for row in options.projects.itertuples()}
    project = choose("Project", "stale-project", projects)
    return reports.StaleLeadFilters(owner_user_id=owner, source=source, subsource=subsource, project_id=project)


def last_activity(lead) -> str:
    """The latest activity as people name it: "Site visit", "Call (no answer)", or the arrival."""
    if is_missing(lead.last_activity_kind):
        return "arrived"
    if lead.last_activity_kind == "milestone":
        return label("milestone_type", lead.last_activity_type)
    status = label("engagement_status", lead.last_activity_status).lower()
    return f"{label('engagement_type', lead.last_activity_type)} ({status})"


def days(count: int) -> str:
    """A number of days in words: "1 day", "4 days"."""
    return "1 day" if count == 1 else f"{fmt.count(count)} days"


def card(lead, show_owner: bool) -> None:
    """One lead: who, how to reach them, where it stands, how long it has waited, and the next steps."""
    with st.container(border=True, key=f"stale-{lead.lead_id}"):
        full_name = text.shorten(lead.name)
        st.markdown(
            f"**{text.md_line(lead.name, NAME_LIMIT)}** · {text.md(lead.phone)}",
            help=text.md(lead.name) if len(full_name) > NAME_LIMIT else None,
        )
        st.caption(
            f"{label('stale_stage', lead.furthest_stage)} · idle {days(lead.days_idle)}"
            f" (stale after {days(lead.stale_after_days)}) · last: {last_activity(lead)}"
            f" {fmt.moment(lead.last_activity_at)} · next follow-up: {fmt.moment(lead.next_follow_up_at)}"
        )
        owner = f"{text.md(lead.owner_name) or 'no owner'} · " if show_owner else ""
        st.caption(
            f"{owner}{text.md(lead.source)} / {text.md(lead.subsource)} · project: {text.md(lead.project_name) or '—'}"
        )
        for column, (path, step, icon) in zip(st.columns(len(STEPS)), STEPS, strict=True):
            column.page_link(path, label=step, icon=icon, query_params={"lead": lead.lead_id})


def stale_list(stale, show_owner: bool) -> None:
    """The oldest leads first, a page at a time."""
    st.subheader(f"Idle past their threshold ({fmt.count(len(stale))})")
    if stale.empty:
        st.info("No open lead is idle past its stage's threshold.", icon=":material/task_alt:")
        return
    shown = st.session_state.get(SHOWN, PAGE_SIZE)
    for lead in stale.head(shown).itertuples():
        card(lead, show_owner)
    if len(stale) > shown:
        st.caption(f"Showing {shown} of {fmt.count(len(stale))}.")
        st.button("Show more", key="stale-leads-more", on_click=show_more)


def threshold_form(user, thresholds) -> None:
    """The days each stage allows, for the roles that may set them."""
    st.subheader("Stale after (days idle)")
    low, high = stale_writes.STALE_DAYS_RANGE
    with st.form("stale-thresholds"):
        chosen = {}
        for column, row in zip(st.columns(len(thresholds)), thresholds.itertuples(), strict=True):
            chosen[row.stage] = column.number_input(
                label("stale_stage", row.stage),
                low,
                high,
                int(row.stale_after_days),
                step=1,
                key=f"stale-days-{row.stage}",
            )
        defaults = " · ".join(
            f"{label('stale_stage', row.stage)} {row.default_days}" for row in thresholds.itertuples()
        )
        st.caption(f"Whole days from {low} to {high}. Defaults: {defaults}; a stage set to its default follows it.")
        if st.form_submit_button("Save thresholds"):
            try:
                if stale_writes.set_stale_thresholds(
                    user.tenant_id, user.user_id, {stage: int(value) for stage, value in chosen.items()}
                ):
                    forms.succeeded("Stale-lead thresholds saved.")
                else:
                    st.info("These thresholds are already in force.")
            except ValidationError as error:
                forms.show_errors(error, {f"days_{stage}": label("stale_stage", stage) for stage in chosen})


user = session.current_user()
is_rep = user.role == "rep"
st.title("My stale leads" if is_rep else "Stale leads")
forms.show_flash()
scope = session.current_scope()
filters = chosen_filters(scope, is_rep)
thresholds = reports.stale_thresholds(scope)
st.caption(
    "Open leads with no call, message, visit or milestone for more days than their furthest stage "
    "allows, oldest first: "
    + " · ".join(f"{label('stale_stage', row.stage)} {days(row.stale_after_days)}" for row in thresholds.itertuples())
    + "."
)
stale = reports.stale_leads(scope, filters)
widgets.data_as_of(scope, reports.stale_leads)
stale_list(stale, show_owner=not is_rep)
if allowed(user.role, Action.SETUP_STALE_THRESHOLDS):
    threshold_form(user, thresholds)
