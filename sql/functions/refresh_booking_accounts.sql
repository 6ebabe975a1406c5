-- Brings booking_accounts up to date for the given bookings (upsert of compute_booking_accounts()).
-- First defined in migration 0007; this is its current definition.
create or replace function refresh_booking_accounts(account_tenant_id bigint, account_booking_ids bigint[]) returns void
language plpgsql
as $$
begin
    insert into booking_accounts
    select * from compute_booking_accounts(account_tenant_id, account_booking_ids)
    on conflict (tenant_id, booking_id) do update set
        entries = excluded.entries,
        total_debits = excluded.total_debits,
        total_credits = excluded.total_credits,
        received_amount = excluded.received_amount,
        refunded_amount = excluded.refunded_amount,
        cancellation_charges = excluded.cancellation_charges,
        payments = excluded.payments,
        last_receipt_date = excluded.last_receipt_date;
end;
$$;
