"""Bookings and inventory: what was booked when, what it is worth, and what is left to sell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.db import Scope
from data.domain.filters import ReportFilters, add_months
from data.reports._query import read_frames
from data.reports.cache import cached_read

ABSORPTION_MONTHS = 3

# One read of the booking summary (a few rows per project, unit type, month and status); the
# period's tables and the recent pace are cut from it here rather than by four more reads.
_BOOKINGS = """
    select project_id, project_name, unit_type, booking_month, status, bookings, agreement_value,
        received_amount, refunded_amount
    from v_booking_summary
    where cast(:project_id as bigint) is null or project_id = :project_id
"""

_INVENTORY = """
    select project_name, tower_name, unit_type, total_units, available, blocked, booked, sold, available_value
    from v_unit_inventory
    where cast(:project_id as bigint) is null or project_id = :project_id
    order by project_name, tower_name, unit_type
"""

_STOCK = """
    select project_id, project_name, unit_type, sum(available)::bigint as available,
        sum(available_value) as available_value
    from v_unit_inventory
    where cast(:project_id as bigint) is null or project_id = :project_id
    group by project_id, project_name, unit_type
    order by project_name, unit_type
"""


@dataclass(frozen=True)
class BookingsInventory:
    """Bookings in the period and the inventory now.

    ``by_month``: booking_month, bookings, later_cancelled. ``by_status``: status, bookings,
    agreement_value. ``by_project``: project_name, agreement_value (live bookings),
    received_amount, refunded_amount. ``inventory``: per project, tower and unit type the unit
    counts by state and available_value. ``absorption``: per project and unit type the units
    available, available_value, units_booked_recently (live bookings in the last three full
    months), absorption_per_month and months_of_inventory.
    """

    by_month: pd.DataFrame
    by_status: pd.DataFrame
    by_project: pd.DataFrame
    inventory: pd.DataFrame
    absorption: pd.DataFrame


def _in_months(bookings: pd.DataFrame, month_from: dt.date, month_to: dt.date) -> pd.DataFrame:
    return bookings[(bookings["booking_month"] >= month_from) & (bookings["booking_month"] <= month_to)]


def _by_month(period: pd.DataFrame) -> pd.DataFrame:
    cancelled = period["bookings"].where(period["status"] == "cancelled", 0)
    frame = (
        period.assign(later_cancelled=cancelled)
        .groupby("booking_month", as_index=False)[["bookings", "later_cancelled"]]
        .sum()
    )
    return frame.astype({"bookings": "int64", "later_cancelled": "int64"}).sort_values(
        "booking_month", ignore_index=True
    )


def _by_status(period: pd.DataFrame) -> pd.DataFrame:
    frame = period.groupby("status", as_index=False)[["bookings", "agreement_value"]].sum()
    return frame.astype({"bookings": "int64"}).sort_values(
        ["bookings", "status"], ascending=[False, True], ignore_index=True
    )


def _by_project(period: pd.DataFrame) -> pd.DataFrame:
    live_value = period["agreement_value"].where(period["status"] != "cancelled", 0)
    frame = period.assign(agreement_value=live_value).groupby("project_name", as_index=False)[
        ["agreement_value", "received_amount", "refunded_amount"]
    ]
    return frame.sum().sort_values("project_name", ignore_index=True)


def _absorption(stock: pd.DataFrame, bookings: pd.DataFrame, today: dt.date) -> pd.DataFrame:
    recent = _in_months(bookings, add_months(today, -ABSORPTION_MONTHS), add_months(today, -1))
    recent = recent[recent["status"] != "cancelled"].groupby(["project_id", "unit_type"], as_index=False)["bookings"]
    frame = stock.merge(recent.sum(), on=["project_id", "unit_type"], how="left")
    frame["units_booked_recently"] = frame["bookings"].fillna(0).astype("int64")
    per_month = frame["units_booked_recently"] / ABSORPTION_MONTHS
    return frame.assign(
        absorption_per_month=per_month,
        months_of_inventory=frame["available"] / per_month.where(per_month > 0),
    )[
        [
            "project_name",
            "unit_type",
            "available",
            "available_value",
            "units_booked_recently",
            "absorption_per_month",
            "months_of_inventory",
        ]
    ]


@cached_read
def bookings_and_inventory(scope: Scope | int, filters: ReportFilters, today: dt.date) -> BookingsInventory:
    """Bookings by month, status and project for the period; inventory and absorption now."""
    bookings, inventory, stock = read_frames(scope, [_BOOKINGS, _INVENTORY, _STOCK], filters.params())
    period = _in_months(bookings, filters.month_from, filters.month_to)
    return BookingsInventory(
        by_month=_by_month(period),
        by_status=_by_status(period),
        by_project=_by_project(period),
        inventory=inventory,
        absorption=_absorption(stock, bookings, today),
    )
