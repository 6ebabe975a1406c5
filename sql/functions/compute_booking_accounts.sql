-- The definition, per booking through the ledger's (tenant_id, booking_id) index, for the same
-- reason as compute_lead_facts(): inside an import the statistics lag behind the table.
-- Reversals are netted as leadline_ledger_entries() nets them (the one definition).
-- First defined in migration 0007; this is its current definition.
create or replace function compute_booking_accounts(account_tenant_id bigint, account_booking_ids bigint[])
returns setof booking_accounts
language sql stable
as $$
    select
        account_tenant_id,
        chosen.booking_id,
        totals.entries,
        totals.total_debits,
        totals.total_credits,
        totals.received_amount,
        totals.refunded_amount,
        totals.cancellation_charges,
        totals.payments,
        totals.last_receipt_date
    from unnest(account_booking_ids) as chosen(booking_id)
    cross join lateral (
        select
            count(*) as entries,
            coalesce(sum(entries.amount) filter (where entries.side = 'debit'), 0) as total_debits,
            coalesce(sum(entries.amount) filter (where entries.side = 'credit'), 0) as total_credits,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'receipt'), 0)
                as received_amount,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'refund'), 0)
                as refunded_amount,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'cancellation_charge'), 0)
                as cancellation_charges,
            coalesce(sum(entries.type_amount) filter (
                where entries.effective_entry_type in ('receipt', 'credit_note')
            ), 0) as payments,
            max(entries.entry_date) filter (where entries.entry_type = 'receipt' and not entries.is_reversed)
                as last_receipt_date
        from leadline_ledger_entries(account_tenant_id, chosen.booking_id) as entries
    ) as totals
$$;
