"""The kept lead facts equal their definition after any sequence of writes: inserts, retirements,
moves between months and sources, bookings, cancellations and re-bookings, and bulk loads."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from data import db, imports
from data.db import REPO_ROOT
from tests.world import World, build_world, insert

MOMENT = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
TYPES = ("contacted", "qualified", "reengaged", "site_visit", "revisit", "booking", "cancellation")
KEPT = """
    select tenant_id, lead_id, generated_at, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id,
        has_contacted, has_qualified, has_reengaged, has_site_visit, has_revisit, has_booking, has_cancelled_booking,
        has_live_booking, first_contacted_at, first_site_visit_at, first_booking_date, live_booking_value
    from v_lead_facts order by lead_id
"""
DEFINED = """
    select tenant_id, lead_id, generated_at, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id,
        has_contacted, has_qualified, has_reengaged, has_site_visit, has_revisit, has_booking, has_cancelled_booking,
        has_live_booking, first_contacted_at, first_site_visit_at, first_booking_date, live_booking_value
    from compute_lead_facts(:tenant_id, array(select lead_id from leads))
    where is_live
    order by lead_id
"""

# v_lead_facts as it was written before it read a kept table: every milestone and booking of the
# tenant grouped per lead. Independent of compute_lead_facts(), so a mistake there shows too.
STRAIGHTFORWARD = """
    with
    stages_per_lead as (
        select lead_id,
            bool_or(milestone_type = 'contacted') as has_contacted,
            bool_or(milestone_type = 'qualified') as has_qualified,
            bool_or(milestone_type = 'reengaged') as has_reengaged,
            bool_or(milestone_type = 'site_visit') as has_site_visit,
            bool_or(milestone_type = 'revisit') as has_revisit,
            min(occurred_at) filter (where milestone_type = 'contacted') as first_contacted_at,
            min(occurred_at) filter (where milestone_type = 'site_visit') as first_site_visit_at
        from lead_milestones where deleted_at is null group by lead_id
    ),
    bookings_per_lead as (
        select lead_id,
            bool_or(status = 'cancelled') as has_cancelled_booking,
            bool_or(status <> 'cancelled') as has_live_booking,
            min(booking_date) as first_booking_date,
            coalesce(sum(agreement_value) filter (where status <> 'cancelled'), 0) as live_booking_value
        from bookings group by lead_id
    )
    select leads.tenant_id, leads.lead_id, leads.generated_at, leadline_month(leads.generated_at),
        leads.project_id, leads.lead_source_id, leads.campaign_id, leads.owner_user_id,
        coalesce(has_contacted, false), coalesce(has_qualified, false), coalesce(has_reengaged, false),
        coalesce(has_site_visit, false), coalesce(has_revisit, false), bookings_per_lead.lead_id is not null,
        coalesce(has_cancelled_booking, false), coalesce(has_live_booking, false), first_contacted_at,
        first_site_visit_at, first_booking_date, coalesce(live_booking_value, 0)::numeric(16, 2)
    from leads
    left join stages_per_lead using (lead_id)
    left join bookings_per_lead using (lead_id)
    where leads.deleted_at is null
    order by leads.lead_id
"""


def kept_equals_defined(tenant_id: int) -> None:
    with db.tenant_transaction(tenant_id) as conn:
        kept = conn.execute(sa.text(KEPT)).all()
        defined = conn.execute(sa.text(DEFINED), {"tenant_id": tenant_id}).all()
        straightforward = conn.execute(sa.text(STRAIGHTFORWARD)).all()
    assert kept == defined
    assert [tuple(row) for row in kept] == [tuple(row) for row in straightforward]


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("facts")


def test_the_world_built_row_by_row_is_kept_exactly(world: World) -> None:
    kept_equals_defined(world.alpha)
    kept_equals_defined(world.beta)


def test_a_bulk_import_then_writes_leave_the_facts_exact(world: World) -> None:
    from data import tenants

    tenant_id = tenants.create_tenant("facts-bulk", "Facts Bulk")
    for kind in imports.KINDS:
        imports.import_file(tenant_id, None, kind, REPO_ROOT / "data" / "examples" / f"{kind}.csv")
    kept_equals_defined(tenant_id)
    with db.tenant_transaction(tenant_id) as conn:
        conn.execute(sa.text("update lead_milestones set deleted_at = now() where milestone_type = 'site_visit'"))
        conn.execute(
            sa.text("update bookings set status = 'cancelled', cancelled_at = now() where booking_ref = 'BK-501'")
        )
        conn.execute(
            sa.text("update leads set generated_at = generated_at - interval '40 days' where lead_ref = 'CRM-1003'")
        )
    kept_equals_defined(tenant_id)


class FactsModel(RuleBasedStateMachine):
    """Random writes on a handful of leads; after each, the kept facts equal the definition."""

    world: World

    @initialize()
    def leads(self) -> None:
        world = FactsModel.world
        self.tenant_id = world.alpha
        self.leads: list[int] = []
        self.milestones: list[int] = []
        self.bookings: list[int] = []
        with db.tenant_transaction(self.tenant_id) as conn:
            for _ in range(3):
                phone = f"+9196{uuid.uuid4().int % 10**8:08d}"
                self.leads.append(
                    insert(
                        conn,
                        "leads",
                        "lead_id",
                        tenant_id=self.tenant_id,
                        name="Model Lead",
                        phone=phone,
                        lead_source_id=world.ids["s1"],
                        generated_at=MOMENT,
                    )
                )

    @rule(data=st.data(), milestone_type=st.sampled_from(TYPES), days=st.integers(-40, 40))
    def add_milestone(self, data, milestone_type: str, days: int) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            self.milestones.append(
                insert(
                    conn,
                    "lead_milestones",
                    "milestone_id",
                    tenant_id=self.tenant_id,
                    lead_id=lead_id,
                    milestone_type=milestone_type,
                    occurred_at=MOMENT + dt.timedelta(days=days),
                )
            )

    @precondition(lambda self: self.milestones)
    @rule(data=st.data())
    def retire_or_restore_milestone(self, data) -> None:
        milestone_id = data.draw(st.sampled_from(self.milestones))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    "update lead_milestones set deleted_at = case when deleted_at is null then now() end "
                    "where milestone_id = :id"
                ),
                {"id": milestone_id},
            )

    @rule(data=st.data(), days=st.integers(-60, 60), source=st.sampled_from(("s1", "s2")))
    def move_lead(self, data, days: int, source: str) -> None:
        # Between months (generated_at) and between sources: both change the lead's grouping.
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    "update leads set generated_at = :at, lead_source_id = :source, campaign_id = null "
                    "where lead_id = :id"
                ),
                {"at": MOMENT + dt.timedelta(days=days), "source": FactsModel.world.ids[source], "id": lead_id},
            )

    @rule(data=st.data())
    def retire_or_restore_lead(self, data) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    "update leads set deleted_at = case when deleted_at is null then now() end where lead_id = :id"
                ),
                {"id": lead_id},
            )

    @rule(data=st.data(), value=st.integers(1, 9))
    def book(self, data, value: int) -> None:
        world = FactsModel.world
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            customer = conn.execute(
                sa.text("select customer_id from customers where lead_id = :id"), {"id": lead_id}
            ).scalar() or insert(
                conn,
                "customers",
                "customer_id",
                tenant_id=self.tenant_id,
                lead_id=lead_id,
                name="M",
                phone="+919800009999",
            )
            unit = insert(
                conn,
                "units",
                "unit_id",
                tenant_id=self.tenant_id,
                project_id=world.ids["p2"],
                tower_id=world.ids["t2"],
                floor=1,
                unit_number=f"F{uuid.uuid4().hex[:8]}",
                unit_type="villa",
                carpet_area_sqft=Decimal(1000),
                list_price=Decimal(10_000_000),
            )
            self.bookings.append(
                insert(
                    conn,
                    "bookings",
                    "booking_id",
                    tenant_id=self.tenant_id,
                    lead_id=lead_id,
                    customer_id=customer,
                    unit_id=unit,
                    booking_date=dt.date(2026, 3, 1),
                    agreement_value=Decimal(value * 1_000_000),
                )
            )

    @precondition(lambda self: self.bookings)
    @rule(data=st.data())
    def cancel(self, data) -> None:
        booking_id = data.draw(st.sampled_from(self.bookings))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    "update bookings set status = 'cancelled', cancelled_at = now() "
                    "where booking_id = :id and status <> 'cancelled'"
                ),
                {"id": booking_id},
            )

    @invariant()
    def facts_are_exact(self) -> None:
        kept_equals_defined(self.tenant_id)


def test_random_writes_keep_the_facts_exact(world: World) -> None:
    FactsModel.world = world
    machine = FactsModel.TestCase
    machine.settings = settings(
        max_examples=15, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
    )
    machine().runTest()
