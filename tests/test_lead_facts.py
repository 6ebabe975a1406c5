"""The kept summaries equal their definitions after any sequence of writes: inserts, retirements,
moves between months and sources, bookings, cancellations and re-bookings, ledger entries and
reversals, bulk loads, and two writers on one lead at once.

Kept: lead_facts (per lead), lead_month_rollup (per cohort month and dimension),
lead_step_days_rollup (the same, per step and number of days) and booking_accounts (per
booking). Each is compared with the same figures computed the
straightforward way from the raw rows."""

from __future__ import annotations

import concurrent.futures
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
from data.domain.permissions import SYSTEM
from tests.support.world import World, build_world, insert

MOMENT = dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC)
LEDGER_ENTRIES = (("demand", "debit"), ("receipt", "credit"), ("credit_note", "credit"), ("refund", "debit"))
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
    select leads.tenant_id, leads.lead_id, leads.generated_at, leadline_month(leads.generated_at) as cohort_month,
        leads.project_id, leads.lead_source_id, leads.campaign_id, leads.owner_user_id,
        coalesce(has_contacted, false) as has_contacted, coalesce(has_qualified, false) as has_qualified,
        coalesce(has_reengaged, false) as has_reengaged, coalesce(has_site_visit, false) as has_site_visit,
        coalesce(has_revisit, false) as has_revisit, bookings_per_lead.lead_id is not null as has_booking,
        coalesce(has_cancelled_booking, false) as has_cancelled_booking,
        coalesce(has_live_booking, false) as has_live_booking, first_contacted_at, first_site_visit_at,
        first_booking_date, coalesce(live_booking_value, 0)::numeric(16, 2) as live_booking_value
    from leads
    left join stages_per_lead using (lead_id)
    left join bookings_per_lead using (lead_id)
    where leads.deleted_at is null
    order by leads.lead_id
"""


ROLLUP_KEPT = """
    select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, leads, contacted, qualified,
        reengaged, site_visited, revisited, booked, cancelled, net_booked, net_booking_value, days_to_first_booking_sum
    from v_lead_funnel_analysis
    order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
"""

# The monthly rollup as a grouping of the straightforward per-lead rows above.
ROLLUP_STRAIGHTFORWARD = f"""
    with per_lead as ({STRAIGHTFORWARD.replace("order by leads.lead_id", "")})
    select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id,
        count(*), count(*) filter (where has_contacted), count(*) filter (where has_qualified),
        count(*) filter (where has_reengaged), count(*) filter (where has_site_visit),
        count(*) filter (where has_revisit), count(*) filter (where has_booking),
        count(*) filter (where has_cancelled_booking), count(*) filter (where has_live_booking),
        sum(live_booking_value)::numeric(16, 2),
        coalesce(sum(first_booking_date - leadline_date(generated_at)), 0)
    from per_lead
    group by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
"""

STEP_DAYS_KEPT = """
    select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days, leads
    from v_lead_step_days
    order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days
"""

# The step histogram as a grouping of the straightforward per-lead rows.
STEP_DAYS_STRAIGHTFORWARD = f"""
    with per_lead as ({STRAIGHTFORWARD.replace("order by leads.lead_id", "")}),
    steps as (
        select *, 'generated_to_visit' as lag_step,
            leadline_date(first_site_visit_at) - leadline_date(generated_at) as days
        from per_lead where first_site_visit_at is not null
        union all
        select *, 'visit_to_booking', first_booking_date - leadline_date(first_site_visit_at)
        from per_lead where first_site_visit_at is not null and first_booking_date is not null
    )
    select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days, count(*)
    from steps
    group by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days
    order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days
"""

ACCOUNTS_KEPT = """
    select booking_id, entries, total_debits, total_credits, received_amount, refunded_amount,
        cancellation_charges, payments, last_receipt_date
    from booking_accounts order by booking_id
"""

# Each booking's totals straight from the statement view, which reads only the raw ledger.
ACCOUNTS_STRAIGHTFORWARD = """
    select booking_id, count(*), sum(debit_amount), sum(credit_amount),
        coalesce(sum(type_amount) filter (where effective_entry_type = 'receipt'), 0),
        coalesce(sum(type_amount) filter (where effective_entry_type = 'refund'), 0),
        coalesce(sum(type_amount) filter (where effective_entry_type = 'cancellation_charge'), 0),
        coalesce(sum(type_amount) filter (where effective_entry_type in ('receipt', 'credit_note')), 0),
        max(entry_date) filter (where entry_type = 'receipt' and not is_reversed)
    from v_account_statement
    group by booking_id
    order by booking_id
"""


def _rows(conn: sa.Connection, sql: str, **params) -> list[tuple]:
    return [tuple(row) for row in conn.execute(sa.text(sql), params)]


def kept_equals_defined(tenant_id: int) -> None:
    with db.tenant_transaction(tenant_id) as conn:
        kept = conn.execute(sa.text(KEPT)).all()
        defined = conn.execute(sa.text(DEFINED), {"tenant_id": tenant_id}).all()
        straightforward = _rows(conn, STRAIGHTFORWARD)
        rollup = _rows(conn, ROLLUP_KEPT)
        rollup_straightforward = _rows(conn, ROLLUP_STRAIGHTFORWARD)
        step_days = _rows(conn, STEP_DAYS_KEPT)
        step_days_straightforward = _rows(conn, STEP_DAYS_STRAIGHTFORWARD)
        accounts = _rows(conn, ACCOUNTS_KEPT)
        accounts_straightforward = _rows(conn, ACCOUNTS_STRAIGHTFORWARD)
    assert kept == defined
    assert [tuple(row) for row in kept] == straightforward
    assert rollup == rollup_straightforward
    assert step_days == step_days_straightforward
    assert accounts == accounts_straightforward


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("facts")


def test_the_world_built_row_by_row_is_kept_exactly(world: World) -> None:
    kept_equals_defined(world.alpha)
    kept_equals_defined(world.beta)


def test_a_bulk_import_then_writes_leave_the_facts_exact(world: World) -> None:
    from data.db import tenants

    tenant_id = tenants.create_tenant("facts-bulk", "Facts Bulk")
    for kind in imports.KINDS:
        imports.import_file(tenant_id, SYSTEM, kind, REPO_ROOT / "data" / "examples" / f"{kind}.csv")
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
        self.entries: list[int] = []
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

    @precondition(lambda self: self.bookings)
    @rule(
        data=st.data(),
        entry=st.sampled_from(LEDGER_ENTRIES),
        amount=st.integers(1, 9),
        days=st.integers(-30, 30),
    )
    def add_ledger_entry(self, data, entry: tuple[str, str], amount: int, days: int) -> None:
        booking_id = data.draw(st.sampled_from(self.bookings))
        entry_type, side = entry
        day = dt.date(2026, 3, 10) + dt.timedelta(days=days)
        with db.tenant_transaction(self.tenant_id) as conn:
            customer_id = conn.execute(
                sa.text("select customer_id from bookings where booking_id = :id"), {"id": booking_id}
            ).scalar_one()
            self.entries.append(
                insert(
                    conn,
                    "account_ledger",
                    "ledger_entry_id",
                    tenant_id=self.tenant_id,
                    booking_id=booking_id,
                    customer_id=customer_id,
                    entry_date=day,
                    due_date=day if entry_type == "demand" else None,
                    entry_type=entry_type,
                    side=side,
                    amount=Decimal(amount * 100_000),
                )
            )

    @precondition(lambda self: self.entries)
    @rule(data=st.data())
    def reverse_ledger_entry(self, data) -> None:
        entry_id = data.draw(st.sampled_from(self.entries))
        with db.tenant_transaction(self.tenant_id) as conn:
            # A reversal mirrors its entry; an entry already reversed is left alone.
            conn.execute(
                sa.text(
                    """
                    insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, entry_type, side,
                        amount, reverses_entry_id)
                    select tenant_id, customer_id, booking_id, entry_date + 3, 'reversal',
                        case side when 'debit' then 'credit' else 'debit' end, amount, ledger_entry_id
                    from account_ledger
                    where ledger_entry_id = :id
                        and not exists (select 1 from account_ledger as done where done.reverses_entry_id = :id)
                    """
                ),
                {"id": entry_id},
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


def test_two_writers_on_one_lead_both_count(world: World) -> None:
    """The second writer waits for the first and refreshes from what it committed."""
    tenant_id = world.alpha
    with db.tenant_transaction(tenant_id) as conn:
        lead_id = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=tenant_id,
            name="Race Lead",
            phone=f"+9197{uuid.uuid4().int % 10**8:08d}",
            lead_source_id=world.ids["s1"],
            generated_at=MOMENT,
        )

    def add(conn: sa.Connection, milestone_type: str) -> None:
        insert(
            conn,
            "lead_milestones",
            "milestone_id",
            tenant_id=tenant_id,
            lead_id=lead_id,
            milestone_type=milestone_type,
            occurred_at=MOMENT,
        )

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        with db.tenant_transaction(tenant_id) as first_conn:
            add(first_conn, "contacted")
            second = pool.submit(_in_transaction, tenant_id, add, "site_visit")
            # The second writer is queued behind the first one's lock on the lead.
            with pytest.raises(TimeoutError):
                second.result(timeout=1)
        second.result(timeout=30)
    with db.tenant_transaction(tenant_id) as conn:
        facts = conn.execute(
            sa.text("select has_contacted, has_site_visit from v_lead_facts where lead_id = :id"), {"id": lead_id}
        ).one()
    assert tuple(facts) == (True, True)
    kept_equals_defined(tenant_id)


def _in_transaction(tenant_id: int, write, *args) -> None:
    with db.tenant_transaction(tenant_id) as conn:
        write(conn, *args)
