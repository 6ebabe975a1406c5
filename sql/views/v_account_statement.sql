-- Statement of account: one row per ledger entry, in date order, with a running balance.
-- Grain: tenant, ledger entry. The balance is per booking (one account per booked unit).
-- Every column but lead_id and running_balance is leadline_ledger_entries()' (sql/functions),
-- the one definition of reversal netting: balance_change is + for debits (the customer owes
-- more) and - for credits; a reversal cancels the entry it reverses: effective_entry_type is
-- the reversed entry's type and type_amount is negative, so sums of type_amount by
-- effective_entry_type net reversals out (received = receipts less bounced receipts, and so
-- on); counted_amount is what an entry still counts for (0 once reversed, 0 for a reversal).
create view v_account_statement with (security_invoker = true) as

with

-- Each booking's entries through the ledger's (tenant_id, booking_id) index.
entries_with_effect as (
    select
        entries.tenant_id,
        entries.customer_id,
        entries.booking_id,
        bookings.lead_id,
        entries.ledger_entry_id,
        entries.entry_date,
        entries.due_date,
        entries.entry_type,
        entries.side,
        entries.amount::numeric(14, 2) as amount,  -- the ledger's type: a function's result drops it
        entries.payment_mode,
        entries.reference,
        entries.notes,
        entries.reverses_entry_id,
        entries.reversed_by_entry_id,
        entries.is_reversed,
        entries.effective_entry_type,
        entries.effective_due_date,
        entries.debit_amount,
        entries.credit_amount,
        entries.balance_change,
        entries.type_amount,
        entries.created_by,
        entries.created_at,
        entries.reversed_on_date,
        entries.counted_amount
    from bookings
    cross join lateral leadline_ledger_entries(bookings.tenant_id, bookings.booking_id) as entries
),

final as (
    select
        tenant_id,
        customer_id,
        booking_id,
        lead_id,
        ledger_entry_id,
        entry_date,
        due_date,
        entry_type,
        side,
        amount,
        payment_mode,
        reference,
        notes,
        reverses_entry_id,
        reversed_by_entry_id,
        is_reversed,
        effective_entry_type,
        effective_due_date,
        debit_amount,
        credit_amount,
        balance_change,
        type_amount,
        created_by,
        created_at,
        sum(balance_change) over (
            partition by tenant_id, booking_id
            order by entry_date, ledger_entry_id
            rows between unbounded preceding and current row
        ) as running_balance,
        reversed_on_date,
        counted_amount
    from entries_with_effect
)

select * from final;
