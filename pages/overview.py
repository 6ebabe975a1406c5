"""Overview: the period's headline figures against the previous period, and the monthly trend."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, filter_bar, session, widgets
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
if overview.previous_is_covered:
    st.caption(f"Changes are against {previous}: as many days as {period}, just before it.")
    widgets.kpi_tiles(overview.kpis, compared_with=previous)
else:
    st.caption(
        f"No change is shown: the period before this one ({previous}) starts before the first lead "
        f"({fmt.date(overview.first_lead_date)}), so it would be compared with days that had no leads."
    )
    widgets.kpi_tiles(overview.kpis, no_change="Starts before the first lead")
st.plotly_chart(charts.monthly_trend(overview.trend))
