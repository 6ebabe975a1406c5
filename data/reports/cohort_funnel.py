"""Funnel: how far the period's leads got, month by month, and how long each step took.

A lead counts in every stage it reached, whatever the order, so the stages are not nested (a
walk-in may book without a revisit). Each step's conversion is therefore counted as the leads
that reached both the stage and the one before, over the leads that reached the one before
(``v_lead_funnel_steps``); where every lead of a stage reached the one before, that is the plain
"% of the previous stage".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters
from data.reports._query import LEAD_FILTERS, read_frames
from data.reports.cache import cached_read

STAGES = (
    ("leads", "Leads"),
    ("contacted", "Contacted"),
    ("qualified", "Qualified"),
    ("site_visited", "Site visit"),
    ("revisited", "Revisit"),
    ("booked", "Booked"),
    ("net_booked", "Net booked"),
)

# The counting rule, said on the chart and wherever the stages are shown.
COUNTING_RULE = "A lead counts in every stage it reached, whatever the order"

# For each stage after the first, the column of v_lead_funnel_steps counting the leads that
# reached it and the stage before (every contacted lead is a lead: that step needs no column).
REACHED_WITH_PREVIOUS = {
    "qualified": "qualified_and_contacted",
    "site_visited": "site_visited_and_qualified",
    "revisited": "revisited_and_site_visited",
    "booked": "booked_and_revisited",
    "net_booked": "net_booked_and_booked",
}

_STEPS = (
    "select "
    + ", ".join(f"coalesce(sum({column}), 0)::bigint as {column}" for column in REACHED_WITH_PREVIOUS.values())
    + """
    from v_lead_funnel_steps
    where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
)

# The stage counts summed over rows of v_lead_funnel_analysis; the team scorecard sums the same.
STAGE_SUMS = """
        sum(leads)::bigint as leads,
        sum(contacted)::bigint as contacted,
        sum(qualified)::bigint as qualified,
        sum(site_visited)::bigint as site_visited,
        sum(revisited)::bigint as revisited,
        sum(booked)::bigint as booked,
        sum(cancelled)::bigint as cancelled,
        sum(net_booked)::bigint as net_booked
"""

_COHORTS = (
    """
    select
        cohort_month,"""
    + STAGE_SUMS
    + """
    from v_lead_funnel_analysis
    where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by cohort_month
    order by cohort_month
    """
)

# The step lags as a histogram (leads per whole number of days), kept per cohort month and
# dimension: a handful of rows per source whatever the number of leads.
_LAG_DAYS = (
    """
    select lag_step, source, days, sum(leads)::bigint as leads
    from v_lead_step_days
    where cohort_month between :month_from and :month_to and """
    + LEAD_FILTERS
    + """
    group by lag_step, source, days
    order by lag_step, source, days
    """
)

LAG_STEPS = {"generated_to_visit": "Lead → first site visit", "visit_to_booking": "First site visit → booking"}


def percentile_from_counts(days: np.ndarray, counts: np.ndarray, fraction: float) -> float:
    """The continuous percentile (PostgreSQL's percentile_cont) of values given as a histogram.

    ``days`` ascending, ``counts`` how many of each. With n values, the percentile sits at
    position fraction * (n - 1) of the sorted values, interpolated between its neighbours.
    """
    position = fraction * (counts.sum() - 1)
    # The sorted values up to each histogram bar: value k (0-based) is days[i] for the first i
    # whose running count exceeds k.
    running = np.cumsum(counts)
    below = days[np.searchsorted(running, np.floor(position), side="right")]
    above = days[np.searchsorted(running, np.ceil(position), side="right")]
    return float(below + (position - np.floor(position)) * (above - below))


def _lag_summary(histogram: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (step, source), bars in histogram.groupby(["lag_step", "source"], sort=False):
        days = bars["days"].to_numpy()
        counts = bars["leads"].to_numpy()
        rows.append(
            {
                "step": LAG_STEPS[step],
                "source": source,
                "leads": int(counts.sum()),
                "minimum": float(days.min()),
                "q1": percentile_from_counts(days, counts, 0.25),
                "median": percentile_from_counts(days, counts, 0.5),
                "q3": percentile_from_counts(days, counts, 0.75),
                "maximum": float(days.max()),
                "mean": float((days * counts).sum() / counts.sum()),
            }
        )
    columns = ["step", "source", "leads", "minimum", "q1", "median", "q3", "maximum", "mean"]
    frame = pd.DataFrame(rows, columns=columns)
    # As before: visits first, then bookings; sources in order.
    return frame.sort_values(["step", "source"], ascending=[False, True], ignore_index=True)


@dataclass(frozen=True)
class Funnel:
    """The funnel of the period's leads.

    ``stages``: stage, label, leads, from_top (share of leads), with_previous (of them, the leads
    that reached the stage before too), is_nested (every one did), step_conversion (with_previous
    over the stage before's leads), from_previous (leads over the stage before's: only where
    nested, else None, as it would mean nothing) and without_previous (leads that skipped the
    stage before). The first stage has no step. ``cohorts``: per cohort_month the stage counts and contacted_rate,
    visit_rate, booking_rate, net_booking_rate. ``lags``: per step and source the lead count,
    minimum, q1, median, q3, maximum and mean days.
    """

    stages: pd.DataFrame
    cohorts: pd.DataFrame
    lags: pd.DataFrame

    @property
    def is_empty(self) -> bool:
        """Whether no lead arrived in the period the filters select."""
        return self.cohorts.empty


def _ratio(part: int | None, whole: int) -> float | None:
    return part / whole if part is not None and whole else None


def _stages(cohorts: pd.DataFrame, steps: pd.DataFrame) -> pd.DataFrame:
    stages = [column for column, _ in STAGES]
    totals = [int(cohorts[column].sum()) for column in stages]
    reached = {stage: int(steps[column].iloc[0]) for stage, column in REACHED_WITH_PREVIOUS.items()}
    # Every lead is a lead: whoever was contacted reached the stage before.
    with_previous = [None, totals[1]] + [reached[stage] for stage in stages[2:]]
    top = totals[0]
    nested = [None] + [both == count for both, count in zip(with_previous[1:], totals[1:], strict=True)]
    return pd.DataFrame(
        {
            "stage": stages,
            "label": [label for _, label in STAGES],
            "leads": totals,
            "from_top": [_ratio(count, top) for count in totals],
            "with_previous": with_previous,
            "is_nested": nested,
            "step_conversion": [None]
            + [_ratio(both, before) for before, both in zip(totals[:-1], with_previous[1:], strict=True)],
            "from_previous": [None]
            + [
                _ratio(count, before) if is_nested else None
                for (before, count), is_nested in zip(itertools.pairwise(totals), nested[1:], strict=True)
            ],
            "without_previous": [None]
            + [count - both for count, both in zip(totals[1:], with_previous[1:], strict=True)],
        }
    )


def _with_rates(cohorts: pd.DataFrame) -> pd.DataFrame:
    leads = cohorts["leads"].where(cohorts["leads"] > 0)
    return cohorts.assign(
        contacted_rate=cohorts["contacted"] / leads,
        visit_rate=cohorts["site_visited"] / leads,
        booking_rate=cohorts["booked"] / leads,
        net_booking_rate=cohorts["net_booked"] / leads,
    )


@cached_read
def funnel(scope: Scope | int, filters: ReportFilters) -> Funnel:
    """Stage totals, the monthly cohort table and the step lags for the filters."""
    cohorts, lag_days, steps = read_frames(scope, [_COHORTS, _LAG_DAYS, _STEPS], filters.params())
    return Funnel(stages=_stages(cohorts, steps), cohorts=_with_rates(cohorts), lags=_lag_summary(lag_days))
