"""Bookings and inventory: what was booked when, what it is worth, and what is left to sell."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data.db import Scope
from data.filters import ReportFilters, add_months
from data.reports._query import CACHE_TTL_SECONDS, read_frame

ABSORPTION_MONTHS = 3

_BY_MONTH = """
    select
        booking_month,
        sum(bookings)::bigint as bookings,
        coalesce(sum(bookings) filter (where status = 'cancelled'), 0)::bigint as later_cancelled
    from v_booking_summary
    where booking_month between :month_from and :month_to
        and (cast(:project_id as bigint) is null or project_id = :project_id)
    group by booking_month
    order by booking_month
"""

_BY_STATUS = """
    select status, sum(bookings)::bigint as bookings, sum(agreement_value) as agreement_value
    from v_booking_summary
    where booking_month between :month_from and :month_to
        and (cast(:project_id as bigint) is null or project_id = :project_id)
    group by status
    order by bookings desc
"""

_BY_PROJECT = """
    select
        project_name,
        coalesce(sum(agreement_value) filter (where status <> 'cancelled'), 0) as agreement_value,
        sum(received_amount) as received_amount,
        sum(refunded_amount) as refunded_amount
    from v_booking_summary
    where booking_month between :month_from and :month_to
        and (cast(:project_id as bigint) is null or project_id = :project_id)
    group by project_name
    order by project_name
"""

_INVENTORY = """
    select project_name, tower_name, unit_type, total_units, available, blocked, booked, sold, available_value
    from v_unit_inventory
    where cast(:project_id as bigint) is null or project_id = :project_id
    order by project_name, tower_name, unit_type
"""

_ABSORPTION = """
    with

    stock as (
        select project_id, project_name, unit_type, sum(available) as available,
            sum(available_value) as available_value
        from v_unit_inventory
        where cast(:project_id as bigint) is null or project_id = :project_id
        group by project_id, project_name, unit_type
    ),

    recent_sales as (
        select project_id, unit_type, sum(bookings) as units_booked
        from v_booking_summary
        where status <> 'cancelled' and booking_month between :absorption_from and :absorption_to
        group by project_id, unit_type
    )

    select
        stock.project_name,
        stock.unit_type,
        stock.available,
        stock.available_value,
        coalesce(recent_sales.units_booked, 0)::bigint as units_booked_recently
    from stock
    left join recent_sales
        on recent_sales.project_id = stock.project_id
        and recent_sales.unit_type = stock.unit_type
    order by stock.project_name, stock.unit_type
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


@st.cache_data(ttl=CACHE_TTL_SECONDS, show_spinner=False)
def bookings_and_inventory(scope: Scope | int, filters: ReportFilters, today: dt.date) -> BookingsInventory:
    """Bookings by month, status and project for the period; inventory and absorption now."""
    params = {
        **filters.params(),
        "absorption_from": add_months(today, -ABSORPTION_MONTHS),
        "absorption_to": add_months(today, -1),
    }
    absorption = read_frame(scope, _ABSORPTION, params)
    per_month = absorption["units_booked_recently"] / ABSORPTION_MONTHS
    absorption = absorption.assign(
        absorption_per_month=per_month,
        months_of_inventory=absorption["available"] / per_month.where(per_month > 0),
    )
    return BookingsInventory(
        by_month=read_frame(scope, _BY_MONTH, params),
        by_status=read_frame(scope, _BY_STATUS, params),
        by_project=read_frame(scope, _BY_PROJECT, params),
        inventory=read_frame(scope, _INVENTORY, params),
        absorption=absorption,
    )
