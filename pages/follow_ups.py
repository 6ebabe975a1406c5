"""Follow-ups: leads waiting for their next step — due today, overdue by age, due this week — each
with links that open the form for that step on that lead. Managers and admins see every rep's
counts and can narrow the list to one rep; each bucket shows its most urgent leads first and
more on request, so a long list stays a short page."""

import streamlit as st

from data import reports
from data.domain.vocabulary import label
from data.reports.due_follow_ups import OVERDUE_BUCKETS, UNASSIGNED
from ui import format as fmt
from ui import session, tables, text

PAGE_SIZE = 25
NAME_LIMIT = 60
STEPS = (
    ("pages/log_call.py", "Log call", ":material/call:"),
    ("pages/log_visit.py", "Log visit", ":material/directions_walk:"),
    ("pages/timeline.py", "Timeline", ":material/timeline:"),
)
COUNT_COLUMNS = {
    "owner_label": ("Rep", "text"),
    "overdue": ("Overdue", "count"),
    "today": ("Due today", "count"),
    "this_week": ("Next 7 days", "count"),
}


def shown_key(bucket: str) -> str:
    """Where the number of leads shown in a bucket is kept between reruns."""
    return f"follow-ups-shown-{bucket}"


def show_more(bucket: str) -> None:
    """Reveal the next page of a bucket."""
    st.session_state[shown_key(bucket)] = st.session_state.get(shown_key(bucket), PAGE_SIZE) + PAGE_SIZE


def start_over() -> None:
    """Another rep's list starts at its most urgent leads again."""
    for bucket in reports.FOLLOW_UP_BUCKETS:
        st.session_state.pop(shown_key(bucket), None)


def owner_label(owner_name: object) -> str:
    """An owner's name as plain text (for tables and option lists), or "Unassigned"."""
    return text.shorten(owner_name) or "Unassigned"


def rep_filter(by_owner) -> int | str | None:
    """Every rep's counts, then the rep whose leads to list (None: all)."""
    counts = by_owner.assign(owner_label=by_owner["owner_name"].map(owner_label))
    tables.show_table(counts, COUNT_COLUMNS, "follow-ups-by-rep", key="follow-ups-by-rep")
    names = {int(row.owner_user_id): row.owner_label for row in counts.dropna(subset="owner_user_id").itertuples()}
    options = [None, *names]
    if counts["owner_user_id"].isna().any():
        options.append(UNASSIGNED)
    return st.selectbox(
        "Rep",
        options,
        format_func=lambda owner: "All reps" if owner is None else names.get(owner, "Unassigned"),
        key="follow-ups-rep",
        on_change=start_over,
    )


def last_activity(lead) -> str:
    """The latest activity as people name it: "Site visit", "Call (no answer)"."""
    if lead.last_activity_kind == "milestone":
        return label("milestone_type", lead.last_activity_type)
    status = label("engagement_status", lead.last_activity_status).lower()
    return f"{label('engagement_type', lead.last_activity_type)} ({status})"


def card(lead, show_owner: bool) -> None:
    """One lead: who, how to reach them, what is due, what happened last, and the next steps."""
    with st.container(border=True, key=f"follow-up-{lead.lead_id}"):
        full_name = text.shorten(lead.name)
        owner = f" · {text.md(lead.owner_name) or 'no owner'}" if show_owner else ""
        st.markdown(
            f"**{text.md_line(lead.name, NAME_LIMIT)}** · {text.md(lead.phone)}{owner}",
            # A shortened name keeps its full text in the tooltip.
            help=text.md(lead.name) if len(full_name) > NAME_LIMIT else None,
        )
        days = "1 day" if lead.days_overdue == 1 else f"{lead.days_overdue} days"
        overdue = f" ({days} overdue)" if lead.bucket in OVERDUE_BUCKETS else ""
        st.caption(
            f"Due {fmt.moment(lead.due_at)}{overdue} · last: {last_activity(lead)} {fmt.moment(lead.last_activity_at)}"
            f" · {text.md(lead.project_name) or 'no project'}"
        )
        for column, (path, step, icon) in zip(st.columns(len(STEPS)), STEPS, strict=True):
            column.page_link(path, label=step, icon=icon, query_params={"lead": lead.lead_id})


def bucket_section(bucket: str, heading: str, leads, show_owner: bool) -> None:
    """A bucket's heading and its most urgent leads, with a button for the next ones. An empty
    bucket is left out (on a phone, empty headings pushed the first cards off the screen), except
    "Due today", which says so."""
    if leads.empty and bucket != "today":
        return
    st.subheader(f"{heading} ({len(leads)})")
    if leads.empty:
        st.caption("Nothing here.")
        return
    shown = st.session_state.get(shown_key(bucket), PAGE_SIZE)
    for lead in leads.head(shown).itertuples():
        card(lead, show_owner)
    if len(leads) > shown:
        st.caption(f"Showing {shown} of {len(leads)}.")
        st.button("Show more", key=f"follow-ups-more-{bucket}", on_click=show_more, args=(bucket,))


user = session.current_user()
is_rep = user.role == "rep"
st.title("My follow-ups" if is_rep else "Follow-ups")
scope = session.current_scope()
owner = None if is_rep else rep_filter(reports.follow_ups(scope).by_owner)
due = reports.follow_ups(scope, owner).leads
if due.empty:
    st.info("No follow-ups are overdue or due in the next 7 days.", icon=":material/task_alt:")
    st.stop()

for bucket, heading in reports.FOLLOW_UP_BUCKETS.items():
    bucket_section(bucket, heading, due[due["bucket"] == bucket], show_owner=not is_rep)
