"""Lead routing (admins): the ordered rules that give each new lead a rep, their pools (weights,
daily caps) and fallback pools, and reps' leave. How a lead is routed is data.writes.assignment."""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from data.domain.rules import NAME_MAX, NOTES_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import FALLBACK_POOL, LEAD_OWNER_ROLES, PRIMARY_POOL, is_missing
from data.writes import routing
from ui import forms, session, tables
from ui.text import md

ANY = "Any"

st.title("Lead routing")
forms.show_flash()
admin = session.current_user()
tenant_id = admin.tenant_id
st.caption(
    "A new lead without an owner goes to the first rule, in order, whose conditions it meets (an empty "
    "condition meets any lead): to the next rep of its pool by weight, skipping reps who are inactive, on "
    "leave or at their daily cap; when nobody in the pool is left, to its fallback pool. A rep's own new "
    "lead stays theirs. Every assignment shows on the lead's timeline."
)

rules = reports.routing_rules(tenant_id)
members = reports.routing_pool_members(tenant_id)
options = reports.filter_options(tenant_id)
people = reports.list_users(tenant_id)
people = people[people["role"].isin(LEAD_OWNER_ROLES) & people["is_active"]]
tables.show_table(
    rules,
    {
        "position": ("Order", "count"),
        "name": ("Rule", "text"),
        "source": ("Source", "text"),
        "subsource": ("Subsource", "text"),
        "project_name": ("Project", "text"),
        "campaign_name": ("Campaign", "text"),
        "pool_members": ("Pool (weight, cap)", "text"),
        "fallback_members": ("Fallback pool", "text"),
        "is_active": ("Active", "yes_no"),
        "turns_taken": ("Leads routed", "count"),
    },
    "routing-rules",
    key="rules",
)

st.subheader("Add or change a rule")
rule_names = {int(row.routing_rule_id): row.name for row in rules.itertuples()}
# A rule just added opens for changing (a second tap on Save then saves the same rule again), and
# the next new rule gets a form of its own, empty: a form's widgets keep what was typed in them.
if (saved_rule_id := st.session_state.pop("rule-saved", None)) is not None:
    st.session_state["rule-id"] = saved_rule_id
    st.session_state["new-rule-forms"] = st.session_state.get("new-rule-forms", 0) + 1
rule_id = st.selectbox(
    "Rule", [None, *rule_names], format_func=lambda key: "New rule" if key is None else rule_names[key], key="rule-id"
)
rule = rules[rules["routing_rule_id"] == rule_id].iloc[0] if rule_id is not None else None
form_id = str(rule_id) if rule_id is not None else f"new-{st.session_state.get('new-rule-forms', 0)}"
sources = sorted(set(options.sources["source"]))
subsources = sorted(set(options.sources["subsource"]))
projects = {int(row.project_id): row.name for row in options.projects.itertuples()}
campaigns = {int(row.campaign_id): row.name for row in options.campaigns.itertuples()}


def _index(choices: list, value) -> int:
    """Where the rule's current value sits among the choices (the first, "Any", when it is none)."""
    return choices.index(value) if value in choices else 0


def _member(user_id: int, pool: str):
    """The rule's member row for the person in the pool, or None."""
    found = members[
        (members["routing_rule_id"] == rule_id) & (members["user_id"] == user_id) & (members["pool"] == pool)
    ]
    return None if found.empty else found.iloc[0]


with st.form(f"rule-{form_id}"):
    name = st.text_input(
        "Name", value="" if rule is None else rule["name"], max_chars=NAME_MAX, key=f"rule-name-{form_id}"
    )
    position = st.number_input(
        "Order (lowest is tried first)",
        min_value=1,
        max_value=routing.POSITION_MAX,
        value=len(rules) + 1 if rule is None else int(rule["position"]),
        key=f"rule-position-{form_id}",
    )
    left, right = st.columns(2)
    source_choices = [ANY, *sources]
    source = left.selectbox(
        "Source",
        source_choices,
        index=_index(source_choices, None if rule is None else rule["source"]),
        key=f"rule-source-{form_id}",
    )
    subsource_choices = [ANY, *subsources]
    subsource = right.selectbox(
        "Subsource",
        subsource_choices,
        index=_index(subsource_choices, None if rule is None else rule["subsource"]),
        key=f"rule-subsource-{form_id}",
    )
    project_choices = [None, *projects]
    project_id = left.selectbox(
        "Project",
        project_choices,
        index=_index(project_choices, None if rule is None else rule["project_id"]),
        format_func=lambda key: ANY if key is None else projects[key],
        key=f"rule-project-{form_id}",
    )
    campaign_choices = [None, *campaigns]
    campaign_id = right.selectbox(
        "Campaign",
        campaign_choices,
        index=_index(campaign_choices, None if rule is None else rule["campaign_id"]),
        format_func=lambda key: ANY if key is None else campaigns[key],
        key=f"rule-campaign-{form_id}",
    )
    is_active = st.checkbox(
        "Active", value=True if rule is None else bool(rule["is_active"]), key=f"rule-active-{form_id}"
    )
    st.markdown("**Pools**: a weight of 0 leaves the rep out; a daily cap of 0 means no cap.")
    pool, fallback = [], []
    for person in people.itertuples():
        in_pool, in_fallback = _member(person.user_id, PRIMARY_POOL), _member(person.user_id, FALLBACK_POOL)
        kept = in_pool if in_pool is not None else in_fallback
        name_column, pool_column, fallback_column, cap_column = st.columns([2, 1, 1, 1])
        name_column.markdown(md(person.display_name))
        cap_now = 0 if kept is None or is_missing(kept["daily_cap"]) else int(kept["daily_cap"])
        weight = pool_column.number_input(
            "Pool weight",
            0,
            routing.WEIGHT_MAX,
            0 if in_pool is None else int(in_pool["weight"]),
            key=f"pool-{form_id}-{person.user_id}",
        )
        fallback_weight = fallback_column.number_input(
            "Fallback weight",
            0,
            routing.WEIGHT_MAX,
            0 if in_fallback is None else int(in_fallback["weight"]),
            key=f"fallback-{form_id}-{person.user_id}",
        )
        cap = cap_column.number_input("Daily cap", 0, 10_000, cap_now, key=f"cap-{form_id}-{person.user_id}")
        if weight:
            pool.append(routing.PoolMember(int(person.user_id), int(weight), int(cap) or None))
        if fallback_weight:
            fallback.append(routing.PoolMember(int(person.user_id), int(fallback_weight), int(cap) or None))
    if st.form_submit_button("Save rule", type="primary"):
        try:
            saved_id = routing.save_rule(
                tenant_id,
                admin.user_id,
                routing_rule_id=rule_id,
                name=name,
                position=int(position),
                source=None if source == ANY else source,
                subsource=None if subsource == ANY else subsource,
                project_id=project_id,
                campaign_id=campaign_id,
                is_active=is_active,
                pool=pool,
                fallback=fallback,
            )
            if rule_id is None:
                st.session_state["rule-saved"] = saved_id
            forms.succeeded(f"Saved the rule {md(name.strip())}.")
        except ValidationError as error:
            forms.show_errors(error)

st.subheader("Leave")
leave = reports.current_leave(tenant_id)
tables.show_table(
    leave,
    {
        "display_name": ("Rep", "text"),
        "first_date": ("From", "date"),
        "last_date": ("To", "date"),
        "note": ("Note", "text"),
    },
    "leave",
    key="leave",
)
reps = {int(row.user_id): row.display_name for row in people.itertuples()}
left, right = st.columns(2)
with left.form("add-leave", clear_on_submit=True):
    rep = st.selectbox("Rep", list(reps), format_func=reps.get, key="leave-rep")
    today = today_in_india()
    days = st.date_input("Away from … to (both included)", (today, today + dt.timedelta(days=1)), key="leave-days")
    note = st.text_input("Note", max_chars=NOTES_MAX, key="leave-note")
    if st.form_submit_button("Add leave", type="primary"):
        first, last = (days[0], days[-1]) if days else (None, None)
        try:
            routing.add_leave(tenant_id, admin.user_id, user_id=rep, first_date=first, last_date=last, note=note)
            forms.succeeded(f"{md(reps[rep])} is away from {first:%d %b} to {last:%d %b}.")
        except ValidationError as error:
            forms.show_errors(error)
with right.form("cancel-leave"):
    away = {
        int(row.rep_leave_id): f"{row.display_name}, {row.first_date:%d %b}–{row.last_date:%d %b}"
        for row in leave.itertuples()
    }
    # Keyed by the list, so a leave just added is chosen rather than the empty list's nothing.
    chosen = st.selectbox("Leave", list(away), format_func=away.get, key=f"leave-id-{'-'.join(map(str, away))}")
    if st.form_submit_button("Call off") and chosen is not None:
        routing.cancel_leave(tenant_id, admin.user_id, chosen)
        forms.succeeded(f"Called off: {md(away[chosen])}.")
