"""Admin setup writes: validation that writes nothing, duplicates as field messages, audit rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.validation import ValidationError
from data.writes import catalog
from tests.support.world import World, add_people, build_world


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("catalog")
    add_people(built)
    return built


def count(world: World, table: str) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()  # constant table names


def last_audit(world: World) -> sa.Row:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                "select action, user_id, row_key, before_values, after_values from audit_log "
                "order by audit_log_id desc limit 1"
            )
        ).one()


def test_a_source_is_added_and_audited_and_a_duplicate_is_refused(world: World) -> None:
    boss = world.ids["boss"]
    source_id = catalog.add_source(world.alpha, "Digital", "Instagram", boss)
    entry = last_audit(world)
    assert (entry.action, entry.user_id, entry.row_key) == ("lead_sources.created", boss, {"lead_source_id": source_id})
    assert entry.after_values == {"source": "Digital", "subsource": "Instagram"}
    before = count(world, "lead_sources")
    with pytest.raises(ValidationError) as refused:
        catalog.add_source(world.alpha, " Digital ", "Instagram", boss)
    assert refused.value.errors == {"subsource": "That source and subsource exist."}
    assert count(world, "lead_sources") == before


def test_retiring_a_source_keeps_its_row_and_audits_before_and_after(world: World) -> None:
    source_id = catalog.add_source(world.alpha, "Print", "Times of India", world.ids["boss"])
    catalog.retire_source(world.alpha, source_id, world.ids["boss"])
    entry = last_audit(world)
    assert entry.action == "lead_sources.retired" and entry.before_values == {"deleted_at": None}
    assert entry.after_values["deleted_at"] is not None
    assert source_id not in reports.list_sources(world.alpha)["lead_source_id"].tolist()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"budget": "-5"}, "budget"),
        ({"budget": "lots"}, "budget"),
        ({"end_date": dt.date(2025, 1, 1)}, "end_date"),
        ({"status": "running"}, "status"),
        ({"name": "  "}, "name"),
        ({"name": "Portal Jan"}, "name"),  # taken
    ],
)
def test_campaign_refusals_write_nothing(world: World, changes: dict, field: str) -> None:
    values = {
        "name": "Monsoon push",
        "campaign_type": "Paid social",
        "channel": "Facebook",
        "lead_source_id": world.ids["s1"],
        "project_id": world.ids["p1"],
        "budget": "250000",
        "start_date": dt.date(2026, 6, 1),
        "end_date": dt.date(2026, 8, 31),
        "status": "active",
        **changes,
    }
    before = count(world, "campaigns")
    with pytest.raises(ValidationError) as refused:
        catalog.add_campaign(world.alpha, world.ids["boss"], **values)
    assert field in refused.value.errors
    assert count(world, "campaigns") == before


def test_campaign_update_and_spend_are_audited(world: World) -> None:
    boss = world.ids["boss"]
    campaign_id = catalog.add_campaign(
        world.alpha,
        boss,
        name="Festive push",
        campaign_type="Paid search",
        channel="Google",
        lead_source_id=world.ids["s1"],
        project_id=None,
        budget="1,00,000",
        start_date=dt.date(2026, 10, 1),
        end_date=None,
    )
    catalog.update_campaign(
        world.alpha,
        boss,
        campaign_id,
        budget="150000",
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2026, 11, 30),
        status="completed",
    )
    entry = last_audit(world)
    assert entry.before_values["budget"] == "100000.00" and entry.after_values["budget"] == "150000.00"
    assert entry.before_values["status"] == "active" and entry.after_values["status"] == "completed"
    catalog.add_spend(world.alpha, boss, campaign_id, dt.date(2026, 10, 5), "42,500.50")
    with db.tenant_transaction(world.alpha) as conn:
        spent = conn.execute(
            sa.text("select spend from v_campaign_performance where campaign_id = :id"), {"id": campaign_id}
        ).scalar_one()
    assert spent == Decimal("42500.50")
    with pytest.raises(ValidationError, match="amount"):
        catalog.add_spend(world.alpha, boss, campaign_id, dt.date(2026, 10, 6), "0")


def test_units_are_added_blocked_with_expiry_and_never_set_booked_by_hand(world: World) -> None:
    boss = world.ids["boss"]
    unit_id = catalog.add_unit(
        world.alpha,
        boss,
        tower_id=world.ids["t1"],
        floor=7,
        unit_number="701",
        unit_type="3BHK",
        carpet_area_sqft="1050",
        list_price="95,00,000",
    )
    later = dt.datetime.now(dt.UTC) + dt.timedelta(days=3)
    catalog.update_unit(world.alpha, boss, unit_id, list_price="9400000", status="blocked", hold_expires_at=later)
    entry = last_audit(world)
    assert entry.before_values == {"list_price": "9500000.00", "status": "available", "hold_expires_at": None}
    assert entry.after_values["status"] == "blocked"
    with pytest.raises(ValidationError, match="expiry in the future"):
        catalog.update_unit(world.alpha, boss, unit_id, list_price="9400000", status="blocked", hold_expires_at=None)
    with pytest.raises(ValidationError, match="bookings set the rest"):
        catalog.update_unit(world.alpha, boss, unit_id, list_price="9400000", status="booked")
    with pytest.raises(ValidationError, match="booked or sold"):
        catalog.update_unit(world.alpha, boss, world.ids["u1"], list_price="5000000", status="available")
    with pytest.raises(ValidationError) as refused:
        catalog.add_unit(
            world.alpha,
            boss,
            tower_id=world.ids["t1"],
            floor=7,
            unit_number="701",
            unit_type="3BHK",
            carpet_area_sqft="1050",
            list_price="9500000",
        )
    assert refused.value.errors == {"unit_number": "That tower already has that unit."}


def test_projects_and_towers(world: World) -> None:
    boss = world.ids["boss"]
    project_id = catalog.add_project(world.alpha, boss, "Gamma Greens", "Nagpur", "Wardha Road")
    catalog.add_tower(world.alpha, boss, project_id, "North")
    towers = reports.list_towers(world.alpha)
    assert ("Gamma Greens", "North") in set(zip(towers["project_name"], towers["tower_name"], strict=True))
    with pytest.raises(ValidationError, match="city"):
        catalog.add_project(world.alpha, boss, "No City", " ")
