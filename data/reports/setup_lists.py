"""What the admin setup screens list: live units, towers and sources (with their SLA), the tenant's
users and working hours.

Not cached: an admin changes these and reads them back at once (each of their writes also
calls ``data_changed``, so caching them would be safe; it would save little).
"""

from __future__ import annotations

import pandas as pd

from data.db import Scope
from data.reports._query import read_frame

_UNITS = """
    select
        units.unit_id, projects.name as project_name, towers.name as tower_name, units.floor,
        units.unit_number, units.unit_type, units.carpet_area_sqft, units.list_price, units.status,
        units.hold_expires_at
    from units
    inner join projects on projects.tenant_id = units.tenant_id and projects.project_id = units.project_id
    inner join towers on towers.tenant_id = units.tenant_id and towers.tower_id = units.tower_id
    where units.deleted_at is null
        and (cast(:project_id as bigint) is null or units.project_id = :project_id)
    order by projects.name, towers.name, units.floor, units.unit_number
"""

_TOWERS = """
    select towers.tower_id, towers.project_id, projects.name as project_name, towers.name as tower_name
    from towers
    inner join projects on projects.tenant_id = towers.tenant_id and projects.project_id = towers.project_id
    where towers.deleted_at is null and projects.deleted_at is null
    order by projects.name, towers.name
"""

_SOURCES = """
    select lead_source_id, source, subsource, sla_minutes
    from lead_sources
    where deleted_at is null
    order by source, subsource
"""

# The hours in force: the tenant's own, or the default every day (leadline_working_hours()).
_WORKING_HOURS = """
    select iso_weekday, opens_at, closes_at
    from leadline_working_hours(cast(current_setting('app.tenant_id') as bigint))
    order by iso_weekday
"""

_USERS = """
    select user_id, username, display_name, role, is_active, locked_until, last_signed_in_at
    from app_users
    where deleted_at is null
    order by role, display_name
"""


def list_units(scope: Scope | int, project_id: int | None = None) -> pd.DataFrame:
    """Live units, of one project or all: unit_id, project_name, tower_name, floor, unit_number,
    unit_type, carpet_area_sqft, list_price, status, hold_expires_at."""
    return read_frame(scope, _UNITS, {"project_id": project_id})


def list_towers(scope: Scope | int) -> pd.DataFrame:
    """Live towers of live projects: tower_id, project_id, project_name, tower_name."""
    return read_frame(scope, _TOWERS)


def list_sources(scope: Scope | int) -> pd.DataFrame:
    """Live sources: lead_source_id, source, subsource, sla_minutes."""
    return read_frame(scope, _SOURCES)


def list_working_hours(scope: Scope | int) -> pd.DataFrame:
    """The working hours in force, a row per open day: iso_weekday (1 = Monday), opens_at, closes_at."""
    return read_frame(scope, _WORKING_HOURS)


def list_users(scope: Scope | int) -> pd.DataFrame:
    """Users of the tenant: user_id, username, display_name, role, is_active, locked_until,
    last_signed_in_at."""
    return read_frame(scope, _USERS)
