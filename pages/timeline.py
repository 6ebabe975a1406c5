"""Lead timeline: find a lead by name or phone (or open ?lead=<id>) and see everything that happened to it."""

import streamlit as st

from data import reports
from ui import charts, format, lead_picker, session, tables
from ui.text import md, md_line

NAME_IN_HEADING = 80  # characters of the lead's name in the heading; the whole name is in its tooltip

st.title("Lead timeline")
scope = session.current_scope()
lead_id = lead_picker.pick_lead(scope, choose_first=True)
if lead_id is None:
    st.stop()
timeline = reports.lead_timeline(scope, lead_id)
lead = timeline.lead.iloc[0]


def _or_dash(value) -> str:
    """The user's text escaped for Markdown, or a dash where there is none."""
    return md(value) or "—"


st.subheader(md_line(lead["name"], NAME_IN_HEADING), help=md(lead["name"]))
st.caption(
    f"{_or_dash(lead['phone'])} · {_or_dash(lead['source'])} / {_or_dash(lead['subsource'])} "
    f"· campaign: {_or_dash(lead['campaign_name'])} · owner: {_or_dash(lead['owner_name'])} "
    f"· generated {format.moment(lead['generated_at'])}"
)
if timeline.follow_up is not None:
    st.warning(f"Follow-up due {format.moment(timeline.follow_up)}")

st.plotly_chart(charts.lead_timeline(timeline.milestones, timeline.engagements))
tables.show_table(
    timeline.milestones,
    {
        "sequence_no": ("Step", "count"),
        "milestone_type": ("Milestone", "code:milestone_type"),
        "occurred_at": ("When", "moment"),
        "outcome": ("Outcome", "code:outcome"),
        "days_since_previous": ("Days since previous", "days"),
        "days_since_generated": ("Days since lead", "days"),
        "recorded_by_name": ("Recorded by", "text"),
        "notes": ("Notes", "text"),
        "next_follow_up_at": ("Next follow-up", "moment"),
    },
    f"lead-{lead_id}-milestones",
    key="milestones",
)
st.subheader("Calls, messages and meetings")
tables.show_table(
    timeline.engagements,
    {
        "occurred_at": ("When", "moment"),
        "engagement_type": ("Type", "code:engagement_type"),
        "direction": ("Direction", "code:direction"),
        "status": ("Status", "code:engagement_status"),
        "duration_seconds": ("Seconds", "count"),
        "notes": ("Notes", "text"),
        "next_follow_up_at": ("Next follow-up", "moment"),
    },
    f"lead-{lead_id}-engagements",
    key="engagements",
)
st.subheader("Assignments")
st.caption("Who the lead was given to: by a routing rule (its pool and turn), or by hand, and why nobody when nobody.")
tables.show_table(
    timeline.assignments,
    {
        "assigned_at": ("When", "moment"),
        "assigned_to_name": ("Assigned to", "text"),
        "reason": ("Why", "code:assignment_reason"),
        "rule_name": ("Rule", "text"),
        "pool": ("Pool", "code:routing_pool"),
        "turn": ("Turn", "count"),
        "assigned_by_name": ("By hand, by", "text"),
        "detail": ("Detail", "text"),
    },
    f"lead-{lead_id}-assignments",
    key="assignments",
)
