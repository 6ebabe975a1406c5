"""Units a booking form can offer, and the bookings a cancellation form can pick from."""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.reports._query import read_frame
from data.reports.cache import cached_read

_AVAILABLE_UNITS = """
    select
        units.unit_id, units.project_id, projects.name as project_name, towers.name as tower_name, units.floor,
        units.unit_number, units.unit_type, units.carpet_area_sqft, units.list_price
    from units
    inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
    inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
    where units.deleted_at is null
        and (units.status = 'available' or leadline_hold_expired(units.status, units.hold_expires_at))
    order by projects.name, towers.name, units.floor, units.unit_number
"""

_LEAD_BOOKINGS = """
    select
        bookings.booking_id, bookings.lead_id, customers.name as customer_name, projects.name as project_name,
        towers.name as tower_name, units.unit_number, units.unit_type, bookings.booking_date,
        bookings.agreement_value, bookings.status
    from bookings
    inner join customers
        on customers.tenant_id = bookings.tenant_id and customers.customer_id = bookings.customer_id
    inner join units on units.tenant_id = bookings.tenant_id and units.unit_id = bookings.unit_id
    inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
    inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
    where bookings.lead_id = :lead_id
    order by bookings.booking_date, bookings.booking_id
"""


@cached_read
def available_units(scope: Scope | int) -> pd.DataFrame:
    """Units that can be booked now (available, or blocked with an expired hold): unit_id, project_id,
    project_name, tower_name, floor, unit_number, unit_type, carpet_area_sqft, list_price."""
    return read_frame(scope, _AVAILABLE_UNITS)


@cached_read
def lead_bookings(scope: Scope | int, lead_id: int) -> pd.DataFrame:
    """The lead's bookings, cancelled ones included: booking_id, lead_id, customer_name, project_name,
    tower_name, unit_number, unit_type, booking_date, agreement_value, status."""
    return read_frame(scope, _LEAD_BOOKINGS, {"lead_id": lead_id})
