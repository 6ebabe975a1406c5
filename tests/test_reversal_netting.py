"""Reversal netting has one definition, leadline_ledger_entries() (sql/functions): an entry that
has been reversed and its reversal cancel out. Every read that nets is held equal to it here,
on a hand-checked account (receipts, a bounced cheque, a demand raised in error, a credit note,
then a cancellation through the write) and on random ledgers: the statement's running balance,
the ledger summary's totals, balance and overdue amount, the ageing, the booking summary, the
kept booking_accounts, the cancellation's account_position and the overview's collections and
outstanding. The definition itself is checked against the plain rule written on the raw rows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
import uuid
from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from data import db, reports
from data.domain.filters import ReportFilters
from data.reports._query import period_params
from data.writes import bookings, ledger
from data.writes import leads as lead_writes
from data.writes.common import now
from tests.support.checks import form_key
from tests.support.world import World, add_people, build_world, insert

ZERO = Decimal(0)
LAKH = Decimal(100_000)
PHONES = (f"+91 98226 {number:05d}" for number in itertools.count())

DEFINITION = """
    select entries.*
    from bookings
    cross join lateral leadline_ledger_entries(bookings.tenant_id, bookings.booking_id) as entries
    order by entries.booking_id, entries.entry_date, entries.ledger_entry_id
"""

# The rule in words, on the raw rows: a reversal, or an entry some reversal names, counts for nothing.
PLAIN_RULE = """
    select entry.ledger_entry_id,
        case
            when entry.entry_type = 'reversal' then 0
            when exists (
                select 1 from account_ledger as reversal where reversal.reverses_entry_id = entry.ledger_entry_id
            ) then 0
            else entry.amount
        end as counted_amount
    from account_ledger as entry
    order by entry.ledger_entry_id
"""


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("netting")
    add_people(world)
    return world


def _rows(conn: sa.Connection, sql: str, **params) -> list[dict]:
    return [dict(row._mapping) for row in conn.execute(sa.text(sql), params)]


@dataclasses.dataclass
class Account:
    """One booking's figures worked out from the definition's rows."""

    entries: list[dict]

    def counted(self, *types: str) -> Decimal:
        return sum((e["counted_amount"] for e in self.entries if e["entry_type"] in types), ZERO)

    def by_effective_type(self, *types: str) -> Decimal:
        return sum((e["type_amount"] for e in self.entries if e["effective_entry_type"] in types), ZERO)

    @property
    def balance(self) -> Decimal:
        return sum((e["balance_change"] for e in self.entries), ZERO)

    @property
    def payments(self) -> Decimal:
        return self.counted("receipt", "credit_note")

    def overdue(self, today: dt.date) -> Decimal:
        due = sum(
            (e["counted_amount"] for e in self.entries if e["entry_type"] == "demand" and e["due_date"] < today), ZERO
        )
        return max(ZERO, due - self.payments)

    def ageing(self, today: dt.date) -> dict | None:
        """Payments settle the oldest live demands first; what is left of those due is aged."""
        live = sorted(
            (e for e in self.entries if e["entry_type"] == "demand" and e["counted_amount"] > 0),
            key=lambda e: (e["due_date"], e["ledger_entry_id"]),
        )
        buckets = dict.fromkeys(("overdue_0_30", "overdue_31_60", "overdue_61_90", "overdue_over_90"), ZERO)
        demanded_before, past_due, oldest = ZERO, 0, None
        for demand in live:
            unpaid = min(demand["amount"], max(ZERO, demanded_before + demand["amount"] - self.payments))
            demanded_before += demand["amount"]
            if demand["due_date"] >= today:
                continue
            past_due += 1
            days = (today - demand["due_date"]).days
            bucket = (
                "overdue_0_30"
                if days <= 30
                else "overdue_31_60"
                if days <= 60
                else "overdue_61_90"
                if days <= 90
                else "overdue_over_90"
            )
            buckets[bucket] += unpaid
            if unpaid > 0:
                oldest = max(oldest or 0, days)
        if not past_due:
            return None
        return {**buckets, "overdue_amount": sum(buckets.values(), ZERO), "oldest_days_past_due": oldest}


def _definition(conn: sa.Connection) -> dict[int, Account]:
    """Each booking's account from the definition; a booking without entries has none."""
    accounts: dict[int, Account] = {}
    for entry in _rows(conn, DEFINITION):
        accounts.setdefault(entry["booking_id"], Account([])).entries.append(entry)
    return accounts


def every_read_nets_as_the_definition(tenant_id: int) -> None:
    """Each netting read of the tenant's ledger equals the figures worked out from the definition."""
    with db.tenant_transaction(tenant_id) as conn:
        today = conn.execute(sa.text("select leadline_today()")).scalar_one()
        accounts = _definition(conn)
        no_entries = Account([])
        booked = _rows(
            conn,
            """
            select bookings.booking_id, bookings.lead_id, bookings.status, units.project_id, units.unit_type,
                date_trunc('month', bookings.booking_date)::date as booking_month
            from bookings inner join units on units.unit_id = bookings.unit_id
            """,
        )

        # The definition is the plain rule, and its two ways of netting agree.
        counted = {e["ledger_entry_id"]: e["counted_amount"] for a in accounts.values() for e in a.entries}
        assert counted == {row["ledger_entry_id"]: row["counted_amount"] for row in _rows(conn, PLAIN_RULE)}
        for account in accounts.values():
            for entry_type in ("demand", "receipt", "credit_note", "debit_note", "refund", "cancellation_charge"):
                assert account.counted(entry_type) == account.by_effective_type(entry_type)

        # The statement: its netting columns are the definition's, its running balance adds balance_change.
        statement = _rows(
            conn,
            """
            select booking_id, ledger_entry_id, is_reversed, reversed_by_entry_id, effective_entry_type,
                type_amount, counted_amount, running_balance
            from v_account_statement order by booking_id, entry_date, ledger_entry_id
            """,
        )
        expected_statement = []
        for booking_id, account in sorted(accounts.items()):
            running = ZERO
            for e in account.entries:
                running += e["balance_change"]
                expected_statement.append(
                    {
                        "booking_id": booking_id,
                        "ledger_entry_id": e["ledger_entry_id"],
                        "is_reversed": e["is_reversed"],
                        "reversed_by_entry_id": e["reversed_by_entry_id"],
                        "effective_entry_type": e["effective_entry_type"],
                        "type_amount": e["type_amount"],
                        "counted_amount": e["counted_amount"],
                        "running_balance": running,
                    }
                )
        assert statement == expected_statement

        # The customer ledger summary.
        summary = {
            row.pop("booking_id"): row
            for row in _rows(
                conn,
                "select booking_id, total_debits, total_credits, balance, overdue_amount, last_receipt_date, entries "
                "from v_customer_ledger_summary",
            )
        }
        for row in booked:
            account = accounts.get(row["booking_id"], no_entries)
            receipts = [
                e["entry_date"] for e in account.entries if e["entry_type"] == "receipt" and e["counted_amount"]
            ]
            assert summary[row["booking_id"]] == {
                "total_debits": sum((e["debit_amount"] for e in account.entries), ZERO),
                "total_credits": sum((e["credit_amount"] for e in account.entries), ZERO),
                "balance": account.balance,
                "overdue_amount": account.overdue(today),
                "last_receipt_date": max(receipts, default=None),
                "entries": len(account.entries),
            }, row["booking_id"]

        # The ageing: only bookings with a demand past due, buckets adding up to the overdue amount.
        ageing = {
            row.pop("booking_id"): row
            for row in _rows(
                conn,
                "select booking_id, overdue_0_30, overdue_31_60, overdue_61_90, overdue_over_90, overdue_amount, "
                "oldest_days_past_due from v_receivables_ageing",
            )
        }
        expected_ageing = {
            row["booking_id"]: accounts.get(row["booking_id"], no_entries).ageing(today) for row in booked
        }
        assert ageing == {booking_id: row for booking_id, row in expected_ageing.items() if row is not None}
        for booking_id, row in ageing.items():
            assert row["overdue_amount"] == summary[booking_id]["overdue_amount"]

        # The kept accounts (a booking without entries has no row).
        kept = {
            row.pop("booking_id"): row
            for row in _rows(
                conn,
                "select booking_id, entries, total_debits, total_credits, received_amount, refunded_amount, "
                "cancellation_charges, payments, last_receipt_date from booking_accounts",
            )
        }
        assert kept == {
            booking_id: {
                "entries": len(account.entries),
                "total_debits": summary[booking_id]["total_debits"],
                "total_credits": summary[booking_id]["total_credits"],
                "received_amount": account.counted("receipt"),
                "refunded_amount": account.counted("refund"),
                "cancellation_charges": account.counted("cancellation_charge"),
                "payments": account.payments,
                "last_receipt_date": summary[booking_id]["last_receipt_date"],
            }
            for booking_id, account in accounts.items()
        }

        # The booking summary, per project, unit type, month and status.
        groups: dict[tuple, list[Decimal]] = defaultdict(lambda: [ZERO, ZERO, ZERO])
        for row in booked:
            account = accounts.get(row["booking_id"], no_entries)
            key = (row["project_id"], row["unit_type"], row["booking_month"], row["status"])
            for index, entry_type in enumerate(("receipt", "refund", "cancellation_charge")):
                groups[key][index] += account.counted(entry_type)
        booking_summary = {
            (row["project_id"], row["unit_type"], row["booking_month"], row["status"]): [
                row["received_amount"],
                row["refunded_amount"],
                row["cancellation_charges"],
            ]
            for row in _rows(conn, "select * from v_booking_summary")
        }
        assert booking_summary == dict(groups)

        # What a cancellation counts as paid and charged.
        for row in booked:
            account = accounts.get(row["booking_id"], no_entries)
            assert bookings.account_position(conn, row["booking_id"]) == (
                account.counted("receipt") - account.counted("refund"),
                account.counted("demand", "debit_note", "cancellation_charge") - account.counted("credit_note"),
            )
        live_lead_bookings = set(
            conn.execute(
                sa.text("select booking_id from bookings where lead_id in (select lead_id from v_lead_facts)")
            ).scalars()
        )

    # The overview: receipts dated in each period net of reversals dated in it (a reversal counts on
    # its own date), and what was owed at each period's end.
    filters = ReportFilters.last_months(3, today)
    params = period_params(filters, today)
    reports.clear_report_caches()
    overview = reports.overview(tenant_id, filters, today)
    for prefix, start, end in (
        ("", params["month_from"], params["period_end"]),
        ("previous", params["previous_from"], params["previous_end"]),
    ):
        mine = [accounts[booking_id] for booking_id in live_lead_bookings if booking_id in accounts]
        collections = sum(
            (
                e["type_amount"]
                for a in mine
                for e in a.entries
                if e["effective_entry_type"] == "receipt" and start <= e["entry_date"] <= end
            ),
            ZERO,
        )
        outstanding = sum(
            (max(ZERO, sum((e["balance_change"] for e in a.entries if e["entry_date"] <= end), ZERO)) for a in mine),
            ZERO,
        )
        period = "previous" if prefix else "current"
        assert overview.value("collections", period) == float(collections)
        assert overview.value("outstanding", period) == float(outstanding)


# A hand-checked account --------------------------------------------------------------------


def _lead(world: World) -> int:
    return lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name="Netting Buyer",
        phone=next(PHONES),
        lead_source_id=world.ids["s2"],
        project_id=world.ids["p2"],
        owner_user_id=world.ids["rep"],
        generated_at=now() - dt.timedelta(days=60),
        idempotency_key=form_key(),
    ).lead_id


def _unit(world: World) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return insert(
            conn,
            "units",
            "unit_id",
            tenant_id=world.alpha,
            project_id=world.ids["p2"],
            tower_id=world.ids["t2"],
            floor=4,
            unit_number=f"N{uuid.uuid4().hex[:8]}",
            unit_type="villa",
            carpet_area_sqft=Decimal(2400),
            list_price=Decimal(10_000_000),
        )


def _entry(world: World, booking_id: int, entry_type: str, lakhs: int, day: dt.date, **extra) -> int:
    return ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        entry_type=entry_type,
        amount=str(lakhs * LAKH),
        entry_date=day,
        idempotency_key=form_key(),
        **extra,
    ).ledger_entry_id


def _reverse(world: World, entry_id: int, day: dt.date) -> None:
    ledger.reverse_entry(
        world.alpha,
        world.ids["mona"],
        ledger_entry_id=entry_id,
        reason="Netting test",
        entry_date=day,
        idempotency_key=form_key(),
    )


def _summary(world: World, booking_id: int) -> dict:
    with db.tenant_transaction(world.alpha) as conn:
        (row,) = _rows(
            conn,
            """
            select summary.total_debits, summary.total_credits, summary.balance, summary.overdue_amount,
                summary.last_receipt_date, summary.entries, accounts.received_amount, accounts.payments,
                ageing.overdue_0_30, ageing.oldest_days_past_due
            from v_customer_ledger_summary as summary
            left join booking_accounts as accounts using (tenant_id, booking_id)
            left join v_receivables_ageing as ageing using (tenant_id, booking_id)
            where summary.booking_id = :booking_id
            """,
            booking_id=booking_id,
        )
        row["position"] = bookings.account_position(conn, booking_id)
    return row


def test_a_hand_checked_account_nets_the_same_in_every_read(world: World) -> None:
    with db.tenant_transaction(world.alpha) as conn:
        today = conn.execute(sa.text("select leadline_today()")).scalar_one()
    t = lambda days: today - dt.timedelta(days=days)  # noqa: E731 - days before today
    booking_id = bookings.book_unit(
        world.alpha,
        world.ids["mona"],
        lead_id=_lead(world),
        unit_id=_unit(world),
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=t(30),
        plan_code="down-payment",
        payment_mode="rtgs",
        reference="RTGS-NET-1",
        idempotency_key=form_key(),
    ).row_id  # demands 10 L due t(30), 85 L due in 15 days, 5 L in 60; receipt 10 L
    _entry(world, booking_id, "demand", 6, t(30), due_date=t(45))  # stamp duty, due before the booking
    wrong = _entry(world, booking_id, "demand", 3, t(25), due_date=t(20))
    _reverse(world, wrong, t(15))  # raised in error
    _entry(world, booking_id, "receipt", 2, t(12), payment_mode="neft", reference="NEFT-NET-2")
    bounced = _entry(world, booking_id, "receipt", 5, t(10), payment_mode="cheque", reference="CHQ-NET-3")
    _reverse(world, bounced, t(5))  # the cheque bounced
    _entry(world, booking_id, "credit_note", 1, t(8))

    # Debits 10 + 85 + 5 + 6 + 3 + 5 (bounce) = 114 L; credits 10 + 3 (reversal) + 2 + 5 + 1 = 21 L.
    # Paid 10 + 2 = 12 L; payments with the credit note 13 L. Due before today: 6 L (45 days ago)
    # and 10 L (30 days ago), the 3 L demand reversed: 16 - 13 = 3 L overdue, all of it of the
    # 10 L demand (the older 6 L one is settled first), 30 days past due.
    assert _summary(world, booking_id) == {
        "total_debits": 114 * LAKH,
        "total_credits": 21 * LAKH,
        "balance": 93 * LAKH,
        "overdue_amount": 3 * LAKH,
        "last_receipt_date": t(12),
        "entries": 11,
        "received_amount": 12 * LAKH,
        "payments": 13 * LAKH,
        "overdue_0_30": 3 * LAKH,
        "oldest_days_past_due": 30,
        "position": (12 * LAKH, 105 * LAKH),  # charged = 10 + 85 + 5 + 6 - 1 L
    }
    every_read_nets_as_the_definition(world.alpha)

    bookings.cancel_booking(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        reason="Netting test",
        cancellation_date=t(2),
        cancellation_charge="1,00,000",
        refund_amount="11,00,000",  # all that was paid, less the charge
        refund_mode="neft",
        refund_reference="NEFT-NET-REFUND",
        idempotency_key=form_key(),
    )
    # Credited back the 105 L charged; debited the 1 L charge and the 11 L refund: 126 L each way.
    after = _summary(world, booking_id)
    assert (after["total_debits"], after["total_credits"], after["balance"], after["overdue_amount"]) == (
        126 * LAKH,
        126 * LAKH,
        ZERO,
        ZERO,
    )
    assert after["position"] == (1 * LAKH, 1 * LAKH)  # paid 12 - 11 refunded; charged 106 + 1 - 1 - 105
    every_read_nets_as_the_definition(world.alpha)


# Random ledgers ----------------------------------------------------------------------------

ENTRY_KINDS = (
    ("demand", "debit"),
    ("receipt", "credit"),
    ("credit_note", "credit"),
    ("debit_note", "debit"),
    ("refund", "debit"),
    ("cancellation_charge", "debit"),
)
STEPS = st.lists(
    st.one_of(
        st.tuples(
            st.just("entry"),
            st.sampled_from(ENTRY_KINDS),
            st.integers(1, 20),
            st.integers(0, 150),
            st.integers(-60, 60),
        ),
        st.tuples(st.just("reverse"), st.integers(0, 50), st.integers(0, 40)),
    ),
    max_size=12,
)


def _random_account(world: World, steps: list[tuple], cancelled: bool, booked_days_ago: int) -> None:
    """A new booking with ``steps``: entries (kind, lakhs, days ago, due in days) and reversals of
    earlier standing entries (which one, days after it)."""
    with db.tenant_transaction(world.alpha) as conn:
        today = conn.execute(sa.text("select leadline_today()")).scalar_one()
        lead_id = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=world.alpha,
            name="Random Buyer",
            phone=f"+9196{uuid.uuid4().int % 10**8:08d}",
            lead_source_id=world.ids["s1"],
            generated_at=now() - dt.timedelta(days=400),
        )
        customer_id = insert(
            conn, "customers", "customer_id", tenant_id=world.alpha, lead_id=lead_id, name="R", phone="+919800001111"
        )
        booking_id = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=world.alpha,
            lead_id=lead_id,
            customer_id=customer_id,
            unit_id=_unit(world),
            booking_date=today - dt.timedelta(days=booked_days_ago),
            agreement_value=Decimal(10_000_000),
            status="cancelled" if cancelled else "confirmed",
            cancelled_at=now() if cancelled else None,
        )
        standing: list[tuple[int, str, Decimal, dt.date]] = []
        for step in steps:
            if step[0] == "entry":
                _, (entry_type, side), lakhs, days_ago, due_in = step
                day = today - dt.timedelta(days=days_ago)
                entry_id = insert(
                    conn,
                    "account_ledger",
                    "ledger_entry_id",
                    tenant_id=world.alpha,
                    booking_id=booking_id,
                    customer_id=customer_id,
                    entry_date=day,
                    due_date=day + dt.timedelta(days=due_in) if entry_type == "demand" else None,
                    entry_type=entry_type,
                    side=side,
                    amount=lakhs * LAKH,
                )
                standing.append((entry_id, side, lakhs * LAKH, day))
            elif standing:
                _, which, days_after = step
                entry_id, side, amount, day = standing.pop(which % len(standing))
                insert(
                    conn,
                    "account_ledger",
                    "ledger_entry_id",
                    tenant_id=world.alpha,
                    booking_id=booking_id,
                    customer_id=customer_id,
                    entry_date=min(today, day + dt.timedelta(days=days_after)),
                    entry_type="reversal",
                    side="credit" if side == "debit" else "debit",
                    amount=amount,
                    reverses_entry_id=entry_id,
                )


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(steps=STEPS, cancelled=st.booleans(), booked_days_ago=st.integers(0, 150))
def test_random_ledgers_net_the_same_in_every_read(world: World, steps, cancelled, booked_days_ago) -> None:
    _random_account(world, steps, cancelled, booked_days_ago)
    every_read_nets_as_the_definition(world.alpha)
