"""Overview: the period's headline figures against the previous period, and the monthly trend."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, drill, filter_bar, session, widgets
from ui import format as fmt

st.title("Overview")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "overview")
overview = reports.overview(scope, filters, today_in_india())
widgets.data_as_of(scope, reports.overview)
widgets.stop_if_empty(overview.is_empty)

period = f"{fmt.date(filters.month_from)} – {fmt.date(overview.period_end)}"
previous = f"{fmt.date(overview.previous_from)} – {fmt.date(overview.previous_end)}"
st.caption(
    "Lead counts are of leads generated in the period, whatever happened to them since; collections are "
    "receipts dated in the period; outstanding is what customers owed at its end."
)


def list_behind(kpi: str) -> tuple[str, dict[str, str], str] | None:
    """The leads behind a lead figure; the accounts behind what is outstanding; else none."""
    if kpi == "outstanding":
        return drill.LEDGER_PAGE, drill.accounts_query("overview"), "Open the accounts"
    if kpi in widgets.KPI_LEADS:
        return drill.LEADS_PAGE, drill.leads_query("overview", widgets.KPI_LEADS[kpi]), "Open the leads"
    return None


if overview.previous_is_covered:
    st.caption(f"Changes are against {previous}: as many days as {period}, just before it.")
    widgets.kpi_tiles(overview.kpis, compared_with=previous, links_to=list_behind)
else:
    st.caption(
        f"No change is shown: the period before this one ({previous}) starts before the first lead "
        f"({fmt.date(overview.first_lead_date)}), so it would be compared with days that had no leads."
    )
    widgets.kpi_tiles(overview.kpis, no_change="Starts before the first lead", links_to=list_behind)
st.plotly_chart(charts.monthly_trend(overview.trend))
