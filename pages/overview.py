"""Overview: the period's headline figures against the previous period, and the monthly trend."""

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from ui import charts, filter_bar, session, widgets

st.title("Overview")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope)
overview = reports.overview(scope, filters, today_in_india())
widgets.stop_if_empty(overview.is_empty)

st.caption(
    "Lead counts are of leads generated in the period, whatever happened to them since; collections are "
    "receipts dated in the period; outstanding is what customers owed at its end."
)
widgets.kpi_tiles(overview.kpis)
st.plotly_chart(charts.monthly_trend(overview.trend))
