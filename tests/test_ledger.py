"""Ledger writes: validation, idempotent resubmission, one reversal per entry, and balances."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from data import db
from data.domain.validation import ValidationError
from data.writes import ledger
from tests.support.world import World, add_people, build_world, insert

DAY = dt.date(2026, 3, 1)


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("ledger")
    add_people(built)
    # The ledger is kept by managers and admins (data.domain.permissions); Mona, a manager, writes here.
    built.ids["clerk"] = built.ids["mona"]
    return built


def entries(world: World, booking: str = "b3") -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text("select count(*) from account_ledger where booking_id = :b"), {"b": world.ids[booking]}
        ).scalar_one()


def balance(tenant_id: int, booking_id: int) -> Decimal:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(
            sa.text("select balance from v_customer_ledger_summary where booking_id = :b"), {"b": booking_id}
        ).scalar_one()


def key() -> str:
    return uuid.uuid4().hex


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": "0"}, "amount"),
        ({"amount": "-100"}, "amount"),
        ({"entry_type": "refund"}, "entry_type"),
        ({"entry_type": "demand", "due_date": None}, "due_date"),
        ({"payment_mode": "barter"}, "payment_mode"),
        ({"reference": " "}, "reference"),
        ({"entry_date": dt.date(2099, 1, 1)}, "entry_date"),
        ({"booking_id": -1}, "booking_id"),
    ],
)
def test_bad_entries_are_refused_and_write_nothing(world: World, changes: dict, field: str) -> None:
    values = {
        "booking_id": world.ids["b3"],
        "entry_type": "receipt",
        "amount": "100000",
        "entry_date": DAY,
        "payment_mode": "neft",
        "reference": "NEFT-1",
        "idempotency_key": key(),
        **changes,
    }
    before = entries(world)
    with pytest.raises(ValidationError) as refused:
        ledger.add_entry(world.alpha, world.ids["clerk"], **values)
    assert field in refused.value.errors
    assert entries(world) == before


def audit_rows(world: World, ledger_entry_id: int) -> list[sa.Row]:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text("select action, user_id, after_values from audit_log where row_key->>'ledger_entry_id' = :id"),
            {"id": str(ledger_entry_id)},
        ).all()


def test_twenty_concurrent_submissions_of_one_receipt_write_one_entry(world: World) -> None:
    form_key = key()
    before = entries(world)

    def submit(_):
        return ledger.add_entry(
            world.alpha,
            world.ids["clerk"],
            booking_id=world.ids["b3"],
            entry_type="receipt",
            amount="2,50,000",
            entry_date=DAY,
            payment_mode="upi",
            reference="UPI-77",
            idempotency_key=form_key,
        )

    with ThreadPoolExecutor(max_workers=20) as pool:
        results = list(pool.map(submit, range(20)))
    assert entries(world) == before + 1
    assert len({result.ledger_entry_id for result in results}) == 1
    assert sum(result.is_new for result in results) == 1
    (audited,) = audit_rows(world, results[0].ledger_entry_id)  # one audit row, not twenty
    assert (audited.action, audited.user_id, audited.after_values["amount"]) == (
        "ledger.receipt",
        world.ids["clerk"],
        "250000.00",
    )
    with pytest.raises(ValidationError, match="already submitted with other values"):
        ledger.add_entry(
            world.alpha,
            world.ids["clerk"],
            booking_id=world.ids["b3"],
            entry_type="receipt",
            amount="2,60,000",
            entry_date=DAY,
            payment_mode="upi",
            reference="UPI-77",
            idempotency_key=form_key,
        )
    assert entries(world) == before + 1


def test_a_reversal_mirrors_its_entry_once_even_under_concurrency(world: World) -> None:
    demand = ledger.add_entry(
        world.alpha,
        world.ids["clerk"],
        booking_id=world.ids["b3"],
        entry_type="demand",
        amount="800000",
        entry_date=DAY,
        due_date=DAY,
        idempotency_key=key(),
    )
    before = balance(world.alpha, world.ids["b3"])

    def reverse(_):
        try:
            return ledger.reverse_entry(
                world.alpha,
                world.ids["clerk"],
                ledger_entry_id=demand.ledger_entry_id,
                reason="Raised in error",
                entry_date=DAY,
                idempotency_key=key(),
            )
        except ValidationError as refused:
            return refused

    with ThreadPoolExecutor(max_workers=10) as pool:
        outcomes = list(pool.map(reverse, range(10)))
    written = [outcome for outcome in outcomes if isinstance(outcome, ledger.Written)]
    refused = [outcome for outcome in outcomes if isinstance(outcome, ValidationError)]
    assert len(written) == 1 and len(refused) == 9
    (audited,) = audit_rows(world, written[0].ledger_entry_id)
    assert (audited.action, audited.after_values["reverses_entry_id"]) == ("ledger.reversal", demand.ledger_entry_id)
    assert all("already been reversed" in str(error) for error in refused)
    assert balance(world.alpha, world.ids["b3"]) == before - Decimal("800000")
    with pytest.raises(ValidationError, match="cannot be reversed"):
        ledger.reverse_entry(
            world.alpha,
            world.ids["clerk"],
            ledger_entry_id=written[0].ledger_entry_id,
            reason="again",
            entry_date=DAY,
            idempotency_key=key(),
        )


class LedgerModel(RuleBasedStateMachine):
    """Random demands, receipts, credit notes and reversals against a model of the balance."""

    def __init__(self) -> None:
        super().__init__()
        self.model: dict[int, Decimal] = {}  # entry id -> signed effect on the balance
        self.reversed: set[int] = set()  # entries that have been reversed
        self.reversals: set[int] = set()  # the reversal entries themselves

    @initialize()
    def new_booking(self) -> None:
        world = LedgerModel.world
        with db.tenant_transaction(world.alpha) as conn:
            phone = f"+9197{uuid.uuid4().int % 10**8:08d}"
            lead = insert(
                conn,
                "leads",
                "lead_id",
                tenant_id=world.alpha,
                name="Model Buyer",
                phone=phone,
                lead_source_id=world.ids["s1"],
                generated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
            )
            customer = insert(
                conn, "customers", "customer_id", tenant_id=world.alpha, lead_id=lead, name="Model Buyer", phone=phone
            )
            unit = insert(
                conn,
                "units",
                "unit_id",
                tenant_id=world.alpha,
                project_id=world.ids["p2"],
                tower_id=world.ids["t2"],
                floor=1,
                unit_number=f"M{uuid.uuid4().hex[:8]}",
                unit_type="villa",
                carpet_area_sqft=Decimal(1000),
                list_price=Decimal(10_000_000),
                status="booked",
            )
            self.booking = insert(
                conn,
                "bookings",
                "booking_id",
                tenant_id=world.alpha,
                lead_id=lead,
                customer_id=customer,
                unit_id=unit,
                booking_date=DAY,
                agreement_value=Decimal(10_000_000),
            )

    def _add(self, entry_type: str, amount: Decimal, sign: int) -> None:
        extra = {"due_date": DAY} if entry_type == "demand" else {}
        if entry_type == "receipt":
            extra = {"payment_mode": "cash"}
        written = ledger.add_entry(
            LedgerModel.world.alpha,
            LedgerModel.world.ids["clerk"],
            booking_id=self.booking,
            entry_type=entry_type,
            amount=amount,
            entry_date=DAY,
            idempotency_key=key(),
            **extra,
        )
        self.model[written.ledger_entry_id] = sign * amount

    @rule(amount=st.decimals(min_value="0.01", max_value="5000000", places=2))
    def demand(self, amount: Decimal) -> None:
        self._add("demand", amount, +1)

    @rule(amount=st.decimals(min_value="0.01", max_value="5000000", places=2))
    def receipt(self, amount: Decimal) -> None:
        self._add("receipt", amount, -1)

    @rule(amount=st.decimals(min_value="0.01", max_value="500000", places=2))
    def credit_note(self, amount: Decimal) -> None:
        self._add("credit_note", amount, -1)

    @precondition(lambda self: any(entry not in self.reversed for entry in self.originals()))
    @rule(data=st.data())
    def reverse(self, data) -> None:
        target = data.draw(st.sampled_from(sorted(e for e in self.originals() if e not in self.reversed)))
        written = ledger.reverse_entry(
            LedgerModel.world.alpha,
            LedgerModel.world.ids["clerk"],
            ledger_entry_id=target,
            reason="model",
            entry_date=DAY,
            idempotency_key=key(),
        )
        self.model[written.ledger_entry_id] = -self.model[target]
        self.reversed.add(target)
        self.reversals.add(written.ledger_entry_id)

    @precondition(lambda self: bool(self.reversed))
    @rule(data=st.data())
    def reverse_again(self, data) -> None:
        target = data.draw(st.sampled_from(sorted(self.reversed)))
        with pytest.raises(ValidationError, match="already been reversed"):
            ledger.reverse_entry(
                LedgerModel.world.alpha,
                LedgerModel.world.ids["clerk"],
                ledger_entry_id=target,
                reason="twice",
                entry_date=DAY,
                idempotency_key=key(),
            )

    def originals(self) -> list[int]:
        """Entries that are not reversals themselves (and so may be reversed)."""
        return [entry for entry in self.model if entry not in self.reversals]

    @invariant()
    def balance_matches_the_model(self) -> None:
        if hasattr(self, "booking"):
            assert balance(LedgerModel.world.alpha, self.booking) == sum(self.model.values(), Decimal(0))


def test_balances_follow_any_sequence_of_ledger_operations(world: World) -> None:
    LedgerModel.world = world
    machine = LedgerModel.TestCase
    machine.settings = settings(
        max_examples=15, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    machine().runTest()
