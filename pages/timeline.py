"""Lead timeline: find a lead by name or phone (or open ?lead=<id>) and see everything that happened to it."""

import streamlit as st

from data import reports
from ui import charts, format, lead_picker, session, tables

st.title("Lead timeline")
scope = session.current_scope()
lead_id = lead_picker.pick_lead(scope, choose_first=True)
if lead_id is None:
    st.stop()
timeline = reports.lead_timeline(scope, lead_id)
lead = timeline.lead.iloc[0]

st.subheader(lead["name"])
st.caption(
    f"{lead['phone']} · {lead['source']} / {lead['subsource']} · campaign: {lead['campaign_name'] or '—'} "
    f"· owner: {lead['owner_name'] or '—'} · generated {format.moment(lead['generated_at'])}"
)
if timeline.follow_up is not None:
    st.warning(f"Follow-up due {format.moment(timeline.follow_up)}")

st.plotly_chart(charts.lead_timeline(timeline.milestones, timeline.engagements))
tables.show_table(
    timeline.milestones,
    {
        "sequence_no": ("Step", "count"),
        "milestone_type": ("Milestone", "text"),
        "occurred_at": ("When", "moment"),
        "outcome": ("Outcome", "text"),
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
        "engagement_type": ("Type", "text"),
        "direction": ("Direction", "text"),
        "status": ("Status", "text"),
        "duration_seconds": ("Seconds", "count"),
        "notes": ("Notes", "text"),
        "next_follow_up_at": ("Next follow-up", "moment"),
    },
    f"lead-{lead_id}-engagements",
    key="engagements",
)
