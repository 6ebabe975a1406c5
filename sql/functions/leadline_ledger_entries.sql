-- Reversal netting, the one definition: every entry of one booking's account with what
-- reversals make of it. A reversal takes the opposite side and the same amount of the entry it
-- reverses (account_ledger_check_reversal()), both stay in the ledger, and together they cancel.
--
--   reversed_by_entry_id, reversed_on_date: the reversal of this entry and its date (null when
--     it stands); is_reversed: a later entry reverses this one.
--   effective_entry_type, effective_due_date: a reversal's are those of the entry it reverses.
--   balance_change: + for a debit (the customer owes more), - for a credit.
--   type_amount: + amount, - for a reversal, so sums of type_amount by effective_entry_type net
--     reversals out on the reversal's own date (a cheque that bounces in April lowers April's
--     collections; March's stay as they were).
--   counted_amount: what the entry still counts for today: its amount, or 0 for a reversal and
--     for an entry that has been reversed.
-- Summed over a whole account, sum(type_amount) by effective_entry_type equals
-- sum(counted_amount) by entry_type (a reversal has the same amount as its entry);
-- tests/test_reversal_netting.py holds every read that nets equal to this function.
--
-- language sql, stable, not strict, one select: the planner inlines it into the calling query
-- like a view, so a caller that passes a booking's key reads that booking's entries through the
-- ledger's (tenant_id, booking_id) index, and one that does not use the reversal columns loses
-- the join to the reversals (on a unique key). Only a reversal looks up the entry it reverses
-- (a handful among many entries; measured: a join for every entry made compute_booking_accounts
-- twice as slow at 20,000 leads). Callers look bookings up one at a time (cross join lateral),
-- as docs/scaling.md explains.
create or replace function leadline_ledger_entries(entries_tenant_id bigint, entries_booking_id bigint)
returns table (
    tenant_id bigint,
    customer_id bigint,
    booking_id bigint,
    ledger_entry_id bigint,
    entry_date date,
    due_date date,
    entry_type text,
    side text,
    amount numeric,
    payment_mode text,
    reference text,
    notes text,
    reverses_entry_id bigint,
    created_by bigint,
    created_at timestamptz,
    reversed_by_entry_id bigint,
    reversed_on_date date,
    is_reversed boolean,
    effective_entry_type text,
    effective_due_date date,
    debit_amount numeric,
    credit_amount numeric,
    balance_change numeric,
    type_amount numeric,
    counted_amount numeric
)
language sql stable
as $$
    select
        entries.tenant_id,
        entries.customer_id,
        entries.booking_id,
        entries.ledger_entry_id,
        entries.entry_date,
        entries.due_date,
        entries.entry_type,
        entries.side,
        entries.amount,
        entries.payment_mode,
        entries.reference,
        entries.notes,
        entries.reverses_entry_id,
        entries.created_by,
        entries.created_at,
        reversals.ledger_entry_id,
        reversals.entry_date,
        reversals.ledger_entry_id is not null,
        case
            when entries.entry_type = 'reversal' then (
                select reversed_entries.entry_type
                from account_ledger as reversed_entries
                where reversed_entries.tenant_id = entries.tenant_id
                    and reversed_entries.ledger_entry_id = entries.reverses_entry_id
            )
            else entries.entry_type
        end,
        case
            when entries.entry_type = 'reversal' then (
                select reversed_entries.due_date
                from account_ledger as reversed_entries
                where reversed_entries.tenant_id = entries.tenant_id
                    and reversed_entries.ledger_entry_id = entries.reverses_entry_id
            )
            else entries.due_date
        end,
        case when entries.side = 'debit' then entries.amount else 0 end,
        case when entries.side = 'credit' then entries.amount else 0 end,
        case when entries.side = 'debit' then entries.amount else -entries.amount end,
        case when entries.entry_type = 'reversal' then -entries.amount else entries.amount end,
        case
            when entries.entry_type = 'reversal' or reversals.ledger_entry_id is not null then 0
            else entries.amount
        end
    from account_ledger as entries
    left join account_ledger as reversals
        on reversals.tenant_id = entries.tenant_id
        and reversals.reverses_entry_id = entries.ledger_entry_id
    where entries.tenant_id = entries_tenant_id and entries.booking_id = entries_booking_id
$$;
