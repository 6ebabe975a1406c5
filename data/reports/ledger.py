"""Customer ledger: what each booked customer owes, how overdue it is, and their statement."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

import pandas as pd

from data import db
from data.db import Scope
from data.domain.filters import ReportFilters
from data.domain.validation import require
from data.domain.vocabulary import ENTRY_TYPE, OVERDUE_BUCKET, OVERDUE_BUCKETS
from data.reports._query import FILTERED_BOOKINGS_CTE, read_frame
from data.reports.cache import cached_read

PAGE_SIZE = 500

_SUMMARY = (
    """
    with

    """
    + FILTERED_BOOKINGS_CTE
    + """,

    -- Each filtered booking's account and ageing, looked up by its key: the views' rows for
    -- one booking come through the indexes, so the cost follows the bookings selected.
    accounts as materialized (
        select
            account.booking_id,
            account.customer_name,
            account.phone,
            account.project_name,
            account.tower_name,
            account.unit_number,
            account.booking_date,
            account.booking_status,
            account.agreement_value,
            account.total_debits,
            account.total_credits,
            account.balance,
            account.overdue_amount,
            coalesce(ageing.overdue_0_30, 0) as overdue_0_30,
            coalesce(ageing.overdue_31_60, 0) as overdue_31_60,
            coalesce(ageing.overdue_61_90, 0) as overdue_61_90,
            coalesce(ageing.overdue_over_90, 0) as overdue_over_90,
            account.last_receipt_date,
            account.entries
        from filtered_bookings
        cross join lateral (
            select * from v_customer_ledger_summary
            where v_customer_ledger_summary.tenant_id = filtered_bookings.tenant_id
                and v_customer_ledger_summary.booking_id = filtered_bookings.booking_id
            offset 0
        ) as account
        left join lateral (
            select * from v_receivables_ageing
            where v_receivables_ageing.tenant_id = filtered_bookings.tenant_id
                and v_receivables_ageing.booking_id = filtered_bookings.booking_id
            offset 0
        ) as ageing on true
    )

    select
        *,
        count(*) over () as total_accounts,
        sum(greatest(balance, 0)) over () as total_outstanding,
        sum(overdue_amount) over () as total_overdue,
        sum(overdue_0_30) over () as total_overdue_0_30,
        sum(overdue_31_60) over () as total_overdue_31_60,
        sum(overdue_61_90) over () as total_overdue_61_90,
        sum(overdue_over_90) over () as total_overdue_over_90
    from accounts
    -- An ageing bucket (a bound name, each branch a constant column) keeps the accounts with
    -- money overdue in it; none keeps every account.
    where case cast(:overdue as text)
        when 'overdue_0_30' then overdue_0_30 > 0
        when 'overdue_31_60' then overdue_31_60 > 0
        when 'overdue_61_90' then overdue_61_90 > 0
        when 'overdue_over_90' then overdue_over_90 > 0
        else true
    end
    order by overdue_amount desc, balance desc, booking_id
    limit :limit offset :offset
    """
)

SUMMARY_COLUMNS = [
    "booking_id",
    "customer_name",
    "phone",
    "project_name",
    "tower_name",
    "unit_number",
    "booking_date",
    "booking_status",
    "agreement_value",
    "total_debits",
    "total_credits",
    "balance",
    "overdue_amount",
    "overdue_0_30",
    "overdue_31_60",
    "overdue_61_90",
    "overdue_over_90",
    "last_receipt_date",
    "entries",
]
TOTALS = ("accounts", "outstanding", "overdue", "overdue_0_30", "overdue_31_60", "overdue_61_90", "overdue_over_90")

_STATEMENT = """
    select
        ledger_entry_id, entry_date, due_date, entry_type, effective_entry_type, payment_mode, reference, notes,
        debit_amount, credit_amount, running_balance, reverses_entry_id, reversed_by_entry_id, is_reversed
    from v_account_statement
    where booking_id = :booking_id
    order by entry_date, ledger_entry_id
"""

# The entry types' names live in data.domain.vocabulary; pages/ledger_entry.py still imports this name.
ENTRY_LABELS = ENTRY_TYPE


@dataclass(frozen=True)
class LedgerSummary:
    """One page of the booked units, most overdue first, and the totals over all of them.

    ``rows``: booking_id, customer_name, phone, project_name, tower_name, unit_number,
    booking_date, booking_status, agreement_value, total_debits, total_credits, balance,
    overdue_amount, overdue_0_30, overdue_31_60, overdue_61_90, overdue_over_90 (days past due),
    last_receipt_date, entries. ``totals``: accounts, outstanding (positive balances),
    overdue and the four overdue buckets, over every account the filters select.
    """

    rows: pd.DataFrame
    totals: dict
    page: int
    page_size: int

    @property
    def page_count(self) -> int:
        """How many pages the accounts fill (at least one)."""
        return max(1, -(-int(self.totals["accounts"]) // self.page_size))

    @property
    def is_empty(self) -> bool:
        """Whether the filters select no booked unit."""
        return int(self.totals["accounts"]) == 0


def _totals(frame: pd.DataFrame) -> dict:
    if frame.empty:
        return dict.fromkeys(TOTALS, 0)
    first = frame.iloc[0]
    return {name: first[f"total_{name}"] for name in TOTALS}


@cached_read
def ledger_summary(
    scope: Scope | int, filters: ReportFilters, page: int = 1, overdue: str | None = None
) -> LedgerSummary:
    """A page of PAGE_SIZE booked units, most overdue first, with the totals over all of them.

    The project, source, campaign and owner filters apply (to the lead who booked); balances
    are as of today, whatever the period. ``overdue`` (one of ``OVERDUE_BUCKETS``) keeps the
    accounts with money overdue in that bucket, and the totals are theirs; another value raises
    ``ValidationError({"overdue": …})``. A page past the end gives the first page.
    """
    if overdue is not None and overdue not in OVERDUE_BUCKETS:
        require({"overdue": "Choose one of " + ", ".join(OVERDUE_BUCKET.values()) + "."})
    params = {**filters.params(), "overdue": overdue, "limit": PAGE_SIZE}
    frame = read_frame(scope, _SUMMARY, {**params, "offset": (page - 1) * PAGE_SIZE})
    if frame.empty and page > 1:
        page = 1
        frame = read_frame(scope, _SUMMARY, {**params, "offset": 0})
    return LedgerSummary(rows=frame[SUMMARY_COLUMNS], totals=_totals(frame), page=page, page_size=PAGE_SIZE)


def _describe(entries: pd.DataFrame) -> pd.Series:
    """A reader's description of each entry, naming what a reversal reverses."""
    by_id = entries.set_index("ledger_entry_id")
    descriptions = []
    for entry in entries.itertuples():
        label = ENTRY_TYPE[entry.entry_type]
        if entry.entry_type == "reversal":
            reversed_entry = by_id.loc[entry.reverses_entry_id]
            label = (
                f"Reversal of #{int(entry.reverses_entry_id)} "
                f"({ENTRY_TYPE[reversed_entry.entry_type].lower()} of {reversed_entry.entry_date.day} "
                f"{reversed_entry.entry_date:%b %Y})"
            )
        elif entry.is_reversed:
            label = f"{label} (reversed by #{int(entry.reversed_by_entry_id)})"
        descriptions.append(label)
    return pd.Series(descriptions, index=entries.index, dtype="string")


@cached_read
def account_statement(scope: Scope | int, booking_id: int) -> pd.DataFrame:
    """Every entry of one booking's account in date order with the running balance.

    Columns: ledger_entry_id, entry_date, description (a reversal names the entry it
    reverses), due_date, payment_mode, reference, notes, debit_amount, credit_amount,
    running_balance, entry_type, is_reversed (a later entry reverses this one).
    """
    entries = read_frame(scope, _STATEMENT, {"booking_id": booking_id})
    if entries.empty:
        return entries
    entries["description"] = _describe(entries)
    return entries[
        [
            "ledger_entry_id",
            "entry_date",
            "description",
            "due_date",
            "payment_mode",
            "reference",
            "notes",
            "debit_amount",
            "credit_amount",
            "running_balance",
            "entry_type",
            "is_reversed",
        ]
    ]


CLOSING_BALANCE = "Closing balance"


def with_closing_balance(statement: pd.DataFrame) -> pd.DataFrame:
    """The statement (``account_statement``) ending with its closing line: "Closing balance",
    dated the last entry's date, its balance the balance after that entry (the account's balance
    in ``ledger_summary``); the line's other columns are empty. A statement without entries
    stays empty."""
    if statement.empty:
        return statement
    last = statement.iloc[-1]
    closing = {
        "entry_date": last["entry_date"],
        "description": CLOSING_BALANCE,
        "running_balance": last["running_balance"],
    }
    line = pd.DataFrame([closing], columns=statement.columns).astype(statement.dtypes.to_dict(), errors="ignore")
    return pd.concat([statement, line], ignore_index=True)


def account_figures(scope: Scope | int, booking_id: int) -> tuple[Decimal, Decimal]:
    """(paid, charged) on a booking as the cancellation counts them (``account_position`` in
    data.writes.bookings), for the cancellation form to show how much can be refunded."""
    # Imported here: the write modules import data.reports, which would otherwise import them back.
    from data.writes.bookings import account_position

    with db.tenant_transaction(scope) as conn:
        return account_position(conn, booking_id)
