"""Funnel: how far the period's leads got, month by month, and how long each step took."""

import streamlit as st

from data import reports
from ui import charts, drill, filter_bar, session, tables, widgets

st.title("Funnel")
scope = session.current_scope()
funnel = reports.funnel(scope, filter_bar.filter_bar(scope, "funnel"))
widgets.data_as_of(scope, reports.funnel)
widgets.stop_if_empty(funnel.is_empty)

clicked = st.plotly_chart(
    charts.funnel_chart(funnel.stages), on_select="rerun", selection_mode="points", key="funnel-chart"
)
if clicked and clicked.selection.points:
    stage = funnel.stages["stage"].iloc[clicked.selection.points[0]["point_index"]]
    drill.open_leads("funnel", stage, forget=("funnel-chart",))
st.caption("Click a stage, or any figure in the tables, to open the leads behind it.")
st.caption(
    "The stages are not nested: a lead that skipped a stage (a walk-in who books without a revisit) still "
    'counts in the later ones. So "% of previous stage" is shown only where every lead of the stage reached '
    "the one before; the step conversion is the leads that reached both, over the leads of the stage before."
)
tables.show_table(
    funnel.stages,
    {
        "label": ("Stage", "text"),
        "leads": ("Leads", "count"),
        "from_top": ("% of leads", "percent"),
        "from_previous": ("% of previous stage", "percent"),
        "step_conversion": ("Step conversion", "percent"),
        "without_previous": ("Skipped the previous stage", "count"),
    },
    "funnel-stages",
    key="stages",
    on_pick=lambda row, _column, key: drill.open_leads("funnel", row["stage"], forget=(key,)),
)

st.subheader("Monthly cohorts")
tables.show_table(
    funnel.cohorts,
    {
        "cohort_month": ("Cohort month", "date"),
        "leads": ("Leads", "count"),
        "contacted": ("Contacted", "count"),
        "qualified": ("Qualified", "count"),
        "site_visited": ("Site visits", "count"),
        "revisited": ("Revisits", "count"),
        "booked": ("Booked", "count"),
        "cancelled": ("Cancelled", "count"),
        "net_booked": ("Net booked", "count"),
        "contacted_rate": ("Contacted %", "percent"),
        "visit_rate": ("Visit %", "percent"),
        "net_booking_rate": ("Net booking %", "percent"),
    },
    "funnel-cohorts",
    key="cohorts",
    on_pick=lambda row, column, key: drill.open_leads(
        "funnel", drill.stage_of(column), drill.cohort_month(row), forget=(key,)
    ),
)

st.subheader("Time between steps")
if funnel.lags.empty:
    st.info("No lead here has visited the site yet.")
else:
    st.plotly_chart(charts.lag_boxes(funnel.lags))
    tables.show_table(
        funnel.lags,
        {
            "step": ("Step", "text"),
            "source": ("Source", "text"),
            "leads": ("Leads", "count"),
            "median": ("Median days", "days"),
            "q1": ("25th percentile", "days"),
            "q3": ("75th percentile", "days"),
            "mean": ("Mean days", "number"),
        },
        "funnel-lags",
        key="lags",
    )
