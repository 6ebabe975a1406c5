"""Speed-to-lead: how fast the period's leads were first answered, in working minutes, against
their source's SLA — by rep, source, project and week — and the leads waiting past their SLA now,
each one click from its call form."""

import streamlit as st

from data import reports
from ui import charts, filter_bar, session, tables, text, widgets
from ui import format as fmt

FIGURES = {
    "leads": ("Leads", "count"),
    "answered": ("Answered", "count"),
    "median_working_minutes": ("Median (working min)", "number"),
    "p90_working_minutes": ("90th percentile (working min)", "number"),
    "met": ("Within SLA", "count"),
    "breached": ("Breached", "count"),
    "open": ("Awaiting", "count"),
    "sla_rate": ("% within SLA", "percent"),
}
GROUPINGS = {
    "By rep": ("by_rep", {"owner_name": ("Rep", "text")}),
    "By source": ("by_source", {"source": ("Source", "text"), "subsource": ("Subsource", "text")}),
    "By project": ("by_project", {"project_name": ("Project", "text")}),
    "By week": ("by_week", {"week_start": ("Week from", "date")}),
}
NAME_LIMIT = 60


def minutes(value) -> str:
    """Working minutes to one decimal (a median of two leads may fall between whole minutes)."""
    return tables.formatter("number")(value) or "—"


def headline(total) -> None:
    """The period's figures in four tiles."""
    row = total.iloc[0]
    tiles = {
        "Median response (working min)": minutes(row["median_working_minutes"]),
        "90th percentile (working min)": minutes(row["p90_working_minutes"]),
        "Within SLA": fmt.percent(row["sla_rate"]),
        "Awaiting a first response": fmt.count(row["open"]),
    }
    for column, (name, value) in zip(st.columns(len(tiles)), tiles.items(), strict=True):
        column.metric(name, value, border=True)


def breach_list(breaches) -> None:
    """Unanswered leads past their SLA, oldest first, each with a link to log the call."""
    st.subheader(f"Waiting past their SLA now ({len(breaches)})")
    if breaches.empty:
        st.caption("No unanswered lead is past its SLA.")
        return
    for lead in breaches.itertuples():
        with st.container(border=True, key=f"breach-{lead.lead_id}"):
            left, right = st.columns([4, 1])
            left.markdown(f"**{text.md_line(lead.name, NAME_LIMIT)}** · {text.md(lead.phone)}")
            left.caption(
                f"Arrived {fmt.moment(lead.generated_at)} · {text.md(lead.source)} / {text.md(lead.subsource)}"
                f" · {text.md(lead.owner_name) or 'no owner'} · waiting {fmt.count(lead.working_minutes_waiting)}"
                f" working min (SLA {fmt.count(lead.sla_minutes)})"
            )
            right.page_link(
                "pages/log_call.py", label="Log call", icon=":material/call:", query_params={"lead": lead.lead_id}
            )


st.title("Speed to lead")
scope = session.current_scope()
figures = reports.speed_to_lead(scope, filter_bar.filter_bar(scope, "speed_to_lead"))
widgets.data_as_of(scope, reports.speed_to_lead)
st.caption(
    "First response: the first completed outbound call, SMS, WhatsApp, email or meeting, or the "
    "first 'contacted' milestone, after the lead arrived. Minutes count working hours only; "
    "% within SLA is of the leads already met or breached."
)
if figures.total["leads"].iloc[0]:
    headline(figures.total)
    if len(figures.by_week):
        st.plotly_chart(charts.response_trend(figures.by_week))
    for tab, (attribute, columns) in zip(st.tabs(list(GROUPINGS)), GROUPINGS.values(), strict=True):
        with tab:
            frame = getattr(figures, attribute)
            tables.show_table(frame, {**columns, **FIGURES}, f"speed-to-lead-{attribute}", key=f"speed-{attribute}")
else:
    st.info("No leads arrived in these months. Widen the dates or clear a filter in the sidebar.")
breach_list(figures.breaches)
