"""Overview: the headline funnel figures for a period and the monthly trend behind them."""

import streamlit as st

from data import reports
from ui import charts, session, widgets

st.title("Overview")
filters = widgets.period_filter()
overview = reports.overview(session.current_tenant_id(), filters)

if overview.is_empty:
    st.info("No leads were generated in this period. Widen the dates in the sidebar to see more.")
    st.stop()

st.caption("Counts are of leads generated in the period (cohorts), whatever happened to them since.")
widgets.overview_tiles(overview.totals)
st.plotly_chart(charts.monthly_trend(overview.trend))
