-- Statement of account: one row per ledger entry, in date order, with a running balance.
-- Grain: tenant, ledger entry. The balance is per booking (one account per booked unit).
-- balance_change is + for debits (the customer owes more) and - for credits. A reversal
-- cancels the entry it reverses: effective_entry_type is the reversed entry's type and
-- type_amount is negative, so sums of type_amount by effective_entry_type net reversals out
-- (received = receipts less bounced receipts, and so on).
create view v_account_statement with (security_invoker = true) as

with

ledger_entries as (
    select account_ledger.*, bookings.lead_id
    from account_ledger
    inner join bookings
        on bookings.tenant_id = account_ledger.tenant_id
        and bookings.booking_id = account_ledger.booking_id
),

reversal_links as (
    select tenant_id, reverses_entry_id, ledger_entry_id as reversed_by_entry_id
    from account_ledger
    where reverses_entry_id is not null
),

entries_with_effect as (
    select
        ledger_entries.tenant_id,
        ledger_entries.customer_id,
        ledger_entries.booking_id,
        ledger_entries.lead_id,
        ledger_entries.ledger_entry_id,
        ledger_entries.entry_date,
        ledger_entries.due_date,
        ledger_entries.entry_type,
        ledger_entries.side,
        ledger_entries.amount,
        ledger_entries.payment_mode,
        ledger_entries.reference,
        ledger_entries.notes,
        ledger_entries.reverses_entry_id,
        reversal_links.reversed_by_entry_id,
        reversal_links.reversed_by_entry_id is not null as is_reversed,
        coalesce(reversed_entries.entry_type, ledger_entries.entry_type) as effective_entry_type,
        coalesce(reversed_entries.due_date, ledger_entries.due_date) as effective_due_date,
        case when ledger_entries.side = 'debit' then ledger_entries.amount else 0 end as debit_amount,
        case when ledger_entries.side = 'credit' then ledger_entries.amount else 0 end as credit_amount,
        case
            when ledger_entries.side = 'debit' then ledger_entries.amount
            else -ledger_entries.amount
        end as balance_change,
        case
            when ledger_entries.entry_type = 'reversal' then -ledger_entries.amount
            else ledger_entries.amount
        end as type_amount,
        ledger_entries.created_by,
        ledger_entries.created_at
    from ledger_entries
    left join account_ledger as reversed_entries
        on reversed_entries.tenant_id = ledger_entries.tenant_id
        and reversed_entries.ledger_entry_id = ledger_entries.reverses_entry_id
    left join reversal_links
        on reversal_links.tenant_id = ledger_entries.tenant_id
        and reversal_links.reverses_entry_id = ledger_entries.ledger_entry_id
),

final as (
    select
        *,
        sum(balance_change) over (
            partition by tenant_id, booking_id
            order by entry_date, ledger_entry_id
            rows between unbounded preceding and current row
        ) as running_balance
    from entries_with_effect
)

select * from final;
