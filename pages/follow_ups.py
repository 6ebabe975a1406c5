"""Follow-ups: leads waiting for their next step — overdue, due today, due this week — each with
links that open the form for that step on that lead."""

import streamlit as st

from data import reports
from ui import format as fmt
from ui import session

STEPS = (
    ("pages/log_call.py", "Log call", ":material/call:"),
    ("pages/log_visit.py", "Log visit", ":material/directions_walk:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
)

user = session.current_user()
st.title("My follow-ups" if user.role == "rep" else "Follow-ups")
due = reports.follow_ups(session.current_scope())
if due.empty:
    st.info("No follow-ups are overdue or due in the next 7 days.", icon=":material/task_alt:")
    st.stop()

for bucket, heading in reports.FOLLOW_UP_BUCKETS.items():
    leads = due[due["bucket"] == bucket]
    st.subheader(f"{heading} ({len(leads)})")
    if leads.empty:
        st.caption("Nothing here.")
    for lead in leads.itertuples():
        with st.container(border=True, key=f"follow-up-{lead.lead_id}"):
            owner = "" if user.role == "rep" else f" · {lead.owner_name or 'no owner'}"
            st.markdown(f"**{lead.name}** · {lead.phone}{owner}")
            st.caption(
                f"Due {fmt.moment(lead.due_at)} · last: {lead.last_activity} {fmt.moment(lead.last_activity_at)}"
                f" · {lead.project_name or 'no project'}"
            )
            for column, (path, label, icon) in zip(st.columns(len(STEPS)), STEPS, strict=True):
                column.page_link(path, label=label, icon=icon, query_params={"lead": lead.lead_id})
