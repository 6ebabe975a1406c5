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


PAGE_SIZE = 500

# The bookings behind the page's figures: the period's bookings (by booking month) of the
# project filter, each with the money kept against it in booking_accounts, as v_booking_summary
# sums them; the totals over all of them ride along on every row.
_BOOKING_ROWS = """
    with

    period_bookings as (
        select
            bookings.booking_id,
            bookings.lead_id,
            customers.name as customer_name,
            projects.name as project_name,
            towers.name as tower_name,
            units.unit_number,
            units.unit_type,
            bookings.booking_date,
            bookings.status,
            bookings.agreement_value,
            coalesce(booking_accounts.received_amount, 0) as received_amount,
            coalesce(booking_accounts.refunded_amount, 0) as refunded_amount
        from bookings
        inner join units on units.tenant_id = bookings.tenant_id and units.unit_id = bookings.unit_id
        inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
        inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
        inner join customers
            on customers.tenant_id = bookings.tenant_id and customers.customer_id = bookings.customer_id
        left join booking_accounts
            on booking_accounts.tenant_id = bookings.tenant_id and booking_accounts.booking_id = bookings.booking_id
        where (cast(:project_id as bigint) is null or units.project_id = :project_id)
            and bookings.booking_date >= :month_from
            and bookings.booking_date < cast(:month_to as date) + interval '1 month'
    )

    select
        *,
        count(*) over () as total_bookings,
        sum(agreement_value) filter (where status <> 'cancelled') over () as total_live_agreement_value,
        sum(received_amount) over () as total_received_amount
    from period_bookings
    order by booking_date desc, booking_id desc
    limit :limit offset :offset
"""


@dataclass(frozen=True)
class BookingRows:
    """A page of the period's bookings, newest first, and totals over all of them.

    ``rows``: booking_id, lead_id, customer_name, project_name, tower_name, unit_number,
    unit_type, booking_date, status, agreement_value, received_amount, refunded_amount.
    ``bookings``, ``live_agreement_value`` (cancelled bookings left out) and ``received_amount``
    are over every booking the filters select, as the page's charts count them.
    """

    rows: pd.DataFrame
    bookings: int
    live_agreement_value: float
    received_amount: float
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        """How many pages the bookings fill (at least one)."""
        return max(1, -(-self.bookings // self.page_size))


@cached_read
def booking_rows(scope: Scope | int, filters: ReportFilters, page: int = 1) -> BookingRows:
    """A page of PAGE_SIZE of the bookings behind the Bookings page's figures (the period's, of
    the project filter), newest first; past the end, the first page."""
    params = {**filters.params(), "limit": PAGE_SIZE}
    (frame,) = read_frames(scope, [_BOOKING_ROWS], {**params, "offset": (page - 1) * PAGE_SIZE})
    if frame.empty and page > 1:
        page = 1
        (frame,) = read_frames(scope, [_BOOKING_ROWS], {**params, "offset": 0})
    first = frame.iloc[0] if len(frame) else None
    return BookingRows(
        rows=frame.drop(columns=["total_bookings", "total_live_agreement_value", "total_received_amount"]),
        bookings=0 if first is None else int(first["total_bookings"]),
        live_agreement_value=0.0 if first is None else float(first["total_live_agreement_value"] or 0),
        received_amount=0.0 if first is None else float(first["total_received_amount"] or 0),
        page=page,
        page_size=PAGE_SIZE,
    )


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
