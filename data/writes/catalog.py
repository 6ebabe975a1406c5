"""Admin writes that set up what leads hang on: sources (and their SLA), campaigns and spend,
projects, towers, units, and the working hours speed-to-lead counts.

Each function validates first (``ValidationError`` with one message per field, nothing
written), then runs one transaction that checks the acting user's role may
(``data.domain.permissions``), writes the row and its audit entry with the values before and after,
and finally clears the cached reports. Retiring sets ``deleted_at``;
nothing that reports count is ever deleted.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX, check_date_floor, check_not_future, check_text, parse_money
from data.domain.validation import ValidationError, require
from data.domain.vocabulary import CAMPAIGN_STATUSES, SETTABLE_UNIT_STATUSES, UNIT_TYPES
from data.writes import audit

# What a unique constraint means to the person who broke it.
_DUPLICATES = {
    "index_lead_sources_on_tenant_id_and_source_and_subsource": ("subsource", "That source and subsource exist."),
    "index_campaigns_on_tenant_id_and_name": ("name", "A campaign with that name exists."),
    "index_projects_on_tenant_id_and_name": ("name", "A project with that name exists."),
    "index_towers_on_tenant_id_and_project_id_and_name": ("name", "That project already has a tower of that name."),
    "index_units_on_tenant_id_and_tower_id_and_unit_number": ("unit_number", "That tower already has that unit."),
}


def _text(
    value: str | None, field: str, errors: dict[str, str], label: str, max_length: int = SHORT_TEXT_MAX
) -> str | None:
    return check_text(value, field, errors, max_length=max_length, required=True, label=label)


def _write(tenant_id: int, user_id: int, action: Action, write) -> Any:
    """Run one write in a tenant transaction if the user's role may; turn a duplicate into a field message."""
    try:
        with db.tenant_transaction(tenant_id) as conn:
            authorise(conn, user_id, action)
            result = write(conn)
    except sa.exc.IntegrityError as error:
        constraint = getattr(getattr(error.orig, "diag", None), "constraint_name", None)
        if constraint in _DUPLICATES:
            field, message = _DUPLICATES[constraint]
            raise ValidationError({field: message}) from error
        raise
    reports.data_changed(tenant_id)
    return result


def _insert(conn, tenant_id: int, user_id: int, table: str, id_column: str, values: dict) -> int:
    target = sa.table(table, *(sa.column(name) for name in ("tenant_id", "created_by", *values)), sa.column(id_column))
    row_id = conn.execute(
        sa.insert(target).values(tenant_id=tenant_id, created_by=user_id, **values).returning(target.c[id_column])
    ).scalar_one()
    audit.record(
        conn,
        tenant_id=tenant_id,
        user_id=user_id,
        action=f"{table}.created",
        table_name=table,
        row_key={id_column: row_id},
        after=values,
    )
    return row_id


def _update(
    conn, tenant_id: int, user_id: int, table: str, id_column: str, row_id: int, changes: dict, action: str
) -> None:
    target = sa.table(table, *(sa.column(name) for name in dict.fromkeys([id_column, *changes])))
    before = conn.execute(
        sa.select(*(target.c[name] for name in changes)).where(target.c[id_column] == row_id).with_for_update()
    ).one_or_none()
    require({} if before else {id_column: "It no longer exists."})
    conn.execute(sa.update(target).where(target.c[id_column] == row_id).values(**changes))
    audit.record(
        conn,
        tenant_id=tenant_id,
        user_id=user_id,
        action=action,
        table_name=table,
        row_key={id_column: row_id},
        before=dict(before._mapping),
        after=changes,
    )


# Sources ---------------------------------------------------------------------------------


def add_source(tenant_id: int, source: str, subsource: str, user_id: int) -> int:
    """Add a source/subsource pair (e.g. Online Portal / 99acres)."""
    errors: dict[str, str] = {}
    values = {
        "source": _text(source, "source", errors, "source", NAME_MAX),
        "subsource": _text(subsource, "subsource", errors, "subsource", NAME_MAX),
    }
    require(errors)
    return _write(
        tenant_id,
        user_id,
        Action.SETUP_SOURCE,
        lambda conn: _insert(conn, tenant_id, user_id, "lead_sources", "lead_source_id", values),
    )


def retire_source(tenant_id: int, lead_source_id: int, user_id: int) -> None:
    """Retire a source: no new leads or campaigns pick it; its history still counts."""
    _write(
        tenant_id,
        user_id,
        Action.SETUP_SOURCE,
        lambda conn: _update(
            conn,
            tenant_id,
            user_id,
            "lead_sources",
            "lead_source_id",
            lead_source_id,
            {"deleted_at": dt.datetime.now(dt.UTC)},
            "lead_sources.retired",
        ),
    )


# Campaigns and spend ---------------------------------------------------------------------


def _campaign_terms(
    budget: Any, start: dt.date | None, end: dt.date | None, status: str, errors: dict[str, str]
) -> Decimal | None:
    """Check what adding and changing a campaign share; return the budget as Decimal."""
    amount = parse_money(budget, "budget", errors)
    if start is None:
        errors["start_date"] = "Give the start date."
    elif end is not None and end < start:
        errors["end_date"] = "The end date is before the start date."
    check_date_floor(start, "start_date", errors)
    if status not in CAMPAIGN_STATUSES:
        errors["status"] = f"Choose one of {', '.join(CAMPAIGN_STATUSES)}."
    return amount


def add_campaign(
    tenant_id: int,
    user_id: int,
    *,
    name: str,
    campaign_type: str,
    channel: str,
    lead_source_id: int,
    project_id: int | None,
    budget: Any,
    start_date: dt.date,
    end_date: dt.date | None,
    status: str = "active",
) -> int:
    """Add a campaign linked to a source (and optionally a project)."""
    errors: dict[str, str] = {}
    values = {
        "name": _text(name, "name", errors, "campaign's name", NAME_MAX),
        "campaign_type": _text(campaign_type, "campaign_type", errors, "campaign type"),
        "channel": _text(channel, "channel", errors, "channel"),
        "lead_source_id": lead_source_id,
        "project_id": project_id,
        "budget": _campaign_terms(budget, start_date, end_date, status, errors),
        "start_date": start_date,
        "end_date": end_date,
        "status": status,
    }
    if lead_source_id is None:
        errors["lead_source_id"] = "Choose the source this campaign buys leads from."
    require(errors)
    return _write(
        tenant_id,
        user_id,
        Action.SETUP_CAMPAIGN,
        lambda conn: _insert(conn, tenant_id, user_id, "campaigns", "campaign_id", values),
    )


def update_campaign(
    tenant_id: int,
    user_id: int,
    campaign_id: int,
    *,
    budget: Any,
    start_date: dt.date,
    end_date: dt.date | None,
    status: str,
) -> None:
    """Change a campaign's budget, dates or status."""
    errors: dict[str, str] = {}
    changes = {
        "budget": _campaign_terms(budget, start_date, end_date, status, errors),
        "start_date": start_date,
        "end_date": end_date,
        "status": status,
    }
    require(errors)
    _write(
        tenant_id,
        user_id,
        Action.SETUP_CAMPAIGN,
        lambda conn: _update(
            conn, tenant_id, user_id, "campaigns", "campaign_id", campaign_id, changes, "campaigns.updated"
        ),
    )


def add_spend(
    tenant_id: int,
    user_id: int,
    campaign_id: int,
    spend_date: dt.date,
    amount: Any,
    idempotency_key: str | None = None,
) -> int:
    """Record money spent on a campaign on a date (so cost can be attributed to any period).

    With an ``idempotency_key``, a second call with the same key records nothing and returns the
    first call's row (the key is taken under a lock, so two concurrent calls write one row)."""
    errors: dict[str, str] = {}
    values = {
        "campaign_id": campaign_id,
        "spend_date": spend_date,
        "amount": parse_money(amount, "amount", errors, allow_zero=False),
    }
    if spend_date is None:
        errors["spend_date"] = "Give the date of the spend."
    else:
        check_not_future(spend_date, "spend_date", errors, "Spend cannot be in the future.")
        check_date_floor(spend_date, "spend_date", errors)
    require(errors)

    def write(conn) -> int:
        if idempotency_key is None:
            return _insert(conn, tenant_id, user_id, "campaign_spend", "campaign_spend_id", values)
        conn.execute(
            sa.text("select pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"spend:{idempotency_key}"}
        )
        earlier = conn.execute(
            sa.text("select campaign_spend_id from campaign_spend where idempotency_key = :key"),
            {"key": idempotency_key},
        ).scalar()
        if earlier is not None:
            return earlier
        keyed = {**values, "idempotency_key": idempotency_key}
        return _insert(conn, tenant_id, user_id, "campaign_spend", "campaign_spend_id", keyed)

    return _write(tenant_id, user_id, Action.SETUP_SPEND, write)


# Projects, towers, units -----------------------------------------------------------------


def add_project(tenant_id: int, user_id: int, name: str, city: str, locality: str | None = None) -> int:
    """Add a project."""
    errors: dict[str, str] = {}
    values = {
        "name": _text(name, "name", errors, "project's name", NAME_MAX),
        "city": _text(city, "city", errors, "city"),
        "locality": check_text(locality, "locality", errors, max_length=SHORT_TEXT_MAX),
    }
    require(errors)
    return _write(
        tenant_id,
        user_id,
        Action.SETUP_INVENTORY,
        lambda conn: _insert(conn, tenant_id, user_id, "projects", "project_id", values),
    )


def add_tower(tenant_id: int, user_id: int, project_id: int, name: str) -> int:
    """Add a tower (or phase) to a project."""
    errors: dict[str, str] = {}
    values = {"project_id": project_id, "name": _text(name, "name", errors, "tower's name", NAME_MAX)}
    require(errors)
    return _write(
        tenant_id,
        user_id,
        Action.SETUP_INVENTORY,
        lambda conn: _insert(conn, tenant_id, user_id, "towers", "tower_id", values),
    )


def add_unit(
    tenant_id: int,
    user_id: int,
    *,
    tower_id: int,
    floor: int,
    unit_number: str,
    unit_type: str,
    carpet_area_sqft: Any,
    list_price: Any,
) -> int:
    """Add an available unit to a tower."""
    errors: dict[str, str] = {}
    number = _text(unit_number, "unit_number", errors, "unit number")
    if unit_type not in UNIT_TYPES:
        errors["unit_type"] = f"Choose one of {', '.join(UNIT_TYPES)}."
    area = parse_money(carpet_area_sqft, "carpet_area_sqft", errors, allow_zero=False, what="the carpet area in sq ft")
    price = parse_money(list_price, "list_price", errors, allow_zero=False)
    try:
        floor = operator.index(floor)  # any whole number type (a widget's int, numpy's int64), never 7.5 or "7"
    except TypeError:
        floor = None
    if floor is None or isinstance(floor, bool) or not -5 <= floor <= 200:
        errors["floor"] = "Floors run from -5 to 200."
    require(errors)

    def write(conn) -> int:
        project_id = conn.execute(
            sa.text("select project_id from towers where tower_id = :tower_id"), {"tower_id": tower_id}
        ).scalar()
        require({} if project_id else {"tower_id": "Choose a tower."})
        values = {
            "project_id": project_id,
            "tower_id": tower_id,
            "floor": floor,
            "unit_number": number,
            "unit_type": unit_type,
            "carpet_area_sqft": area,
            "list_price": price,
            "status": "available",
        }
        return _insert(conn, tenant_id, user_id, "units", "unit_id", values)

    return _write(tenant_id, user_id, Action.SETUP_INVENTORY, write)


def update_unit(
    tenant_id: int,
    user_id: int,
    unit_id: int,
    *,
    list_price: Any,
    status: str,
    hold_expires_at: dt.datetime | None = None,
) -> None:
    """Change a unit's price, or block it until a time / make it available again.

    A booked or sold unit changes state only through bookings and cancellations.
    """
    errors: dict[str, str] = {}
    price = parse_money(list_price, "list_price", errors, allow_zero=False)
    if status not in SETTABLE_UNIT_STATUSES:
        errors["status"] = "Set a unit available or blocked; bookings set the rest."
    if status == "blocked" and (hold_expires_at is None or hold_expires_at <= dt.datetime.now(dt.UTC)):
        errors["hold_expires_at"] = "A block needs an expiry in the future."
    require(errors)

    def write(conn) -> None:
        current = conn.execute(
            sa.text("select status from units where unit_id = :unit_id for update"), {"unit_id": unit_id}
        ).scalar()
        require(
            {}
            if current in SETTABLE_UNIT_STATUSES
            else {"status": "This unit is booked or sold; cancel the booking to free it."}
        )
        changes = {
            "list_price": price,
            "status": status,
            "hold_expires_at": hold_expires_at if status == "blocked" else None,
        }
        _update(conn, tenant_id, user_id, "units", "unit_id", unit_id, changes, "units.updated")

    _write(tenant_id, user_id, Action.SETUP_INVENTORY, write)


# Speed-to-lead settings (issue 15) --------------------------------------------------------
# v_lead_response reads both through lead_response, which triggers refresh in the same
# transaction: new hours refresh every lead of the tenant, a new SLA that source's leads.

# The SLA a source may have, in working minutes: a minute to a working week.
SLA_MINUTES_RANGE = (1, 10_080)
WEEKDAYS = range(1, 8)  # ISO: 1 = Monday … 7 = Sunday

_HOURS = sa.text("select iso_weekday, opens_at, closes_at from working_hours order by iso_weekday")


def _hours_as_text(rows) -> dict[str, list[str]]:
    return {str(weekday): [opens.isoformat("minutes"), closes.isoformat("minutes")] for weekday, opens, closes in rows}


def set_working_hours(tenant_id: int, user_id: int, hours: Mapping[int, tuple[dt.time, dt.time]]) -> None:
    """Replace the tenant's working hours: ISO weekday → (opens, closes), India time.

    A day left out is closed; an empty mapping goes back to the default, 09:00–20:00 every day.
    """
    errors: dict[str, str] = {}
    for weekday, period in hours.items():
        opens, closes = period
        if weekday not in WEEKDAYS:
            errors["hours"] = "Days of the week are 1 (Monday) to 7 (Sunday)."
        elif not (isinstance(opens, dt.time) and isinstance(closes, dt.time)) or closes <= opens:
            errors[f"hours_{weekday}"] = "The closing time must be after the opening time, on the same day."
    require(errors)

    def write(conn: sa.Connection) -> None:
        before = _hours_as_text(conn.execute(_HOURS).all())
        conn.execute(sa.text("delete from working_hours"))
        if hours:
            conn.execute(
                sa.text(
                    "insert into working_hours (tenant_id, iso_weekday, opens_at, closes_at, updated_by) "
                    "values (:tenant_id, :iso_weekday, :opens_at, :closes_at, :updated_by)"
                ),
                [
                    {
                        "tenant_id": tenant_id,
                        "iso_weekday": weekday,
                        "opens_at": opens,
                        "closes_at": closes,
                        "updated_by": user_id,
                    }
                    for weekday, (opens, closes) in sorted(hours.items())
                ],
            )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="working_hours.set",
            table_name="working_hours",
            row_key={"tenant_id": tenant_id},
            before=before,
            after=_hours_as_text(conn.execute(_HOURS).all()),
        )

    _write(tenant_id, user_id, Action.SETUP_WORKING_HOURS, write)


def set_source_sla(tenant_id: int, user_id: int, lead_source_id: int, sla_minutes: object) -> None:
    """Set how many working minutes a source's leads may wait for a first response."""
    low, high = SLA_MINUTES_RANGE
    if isinstance(sla_minutes, bool) or not isinstance(sla_minutes, int) or not low <= sla_minutes <= high:
        require({"sla_minutes": f"Give a whole number of minutes from {low} to {high:,}."})
    _write(
        tenant_id,
        user_id,
        Action.SETUP_SOURCE,
        lambda conn: _update(
            conn,
            tenant_id,
            user_id,
            "lead_sources",
            "lead_source_id",
            lead_source_id,
            {"sla_minutes": sla_minutes},
            "lead_sources.sla_changed",
        ),
    )
