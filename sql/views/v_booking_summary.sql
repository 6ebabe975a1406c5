-- Bookings and the money against them, by project, unit type, booking month and status.
-- Grain: tenant, project, unit_type, booking_month, status (the booking's current status).
-- received_amount = receipts less reversed receipts; refunded_amount and
-- cancellation_charges are netted of their reversals the same way (leadline_ledger_entries(),
-- through compute_booking_accounts(), which keeps booking_accounts).
create view v_booking_summary with (security_invoker = true) as

with

booked_units as (
    select
        bookings.tenant_id,
        bookings.booking_id,
        bookings.booking_date,
        bookings.status,
        bookings.agreement_value,
        units.project_id,
        units.unit_type
    from bookings
    inner join units
        on units.tenant_id = bookings.tenant_id
        and units.unit_id = bookings.unit_id
),

-- Kept per booking in booking_accounts (migration 0007) from the ledger's inserts.
money_per_booking as (
    select tenant_id, booking_id, received_amount, refunded_amount, cancellation_charges
    from booking_accounts
),

booking_totals as (
    select
        booked_units.tenant_id,
        booked_units.project_id,
        booked_units.unit_type,
        date_trunc('month', booked_units.booking_date)::date as booking_month,
        booked_units.status,
        count(*) as bookings,
        sum(booked_units.agreement_value)::numeric(16, 2) as agreement_value,
        coalesce(sum(money_per_booking.received_amount), 0)::numeric(16, 2) as received_amount,
        coalesce(sum(money_per_booking.refunded_amount), 0)::numeric(16, 2) as refunded_amount,
        coalesce(sum(money_per_booking.cancellation_charges), 0)::numeric(16, 2) as cancellation_charges
    from booked_units
    left join money_per_booking
        on money_per_booking.tenant_id = booked_units.tenant_id
        and money_per_booking.booking_id = booked_units.booking_id
    group by
        booked_units.tenant_id,
        booked_units.project_id,
        booked_units.unit_type,
        date_trunc('month', booked_units.booking_date),
        booked_units.status
),

final as (
    select
        booking_totals.tenant_id,
        booking_totals.project_id,
        projects.name as project_name,
        booking_totals.unit_type,
        booking_totals.booking_month,
        booking_totals.status,
        booking_totals.bookings,
        booking_totals.agreement_value,
        booking_totals.received_amount,
        booking_totals.refunded_amount,
        booking_totals.cancellation_charges
    from booking_totals
    inner join projects
        on projects.tenant_id = booking_totals.tenant_id
        and projects.project_id = booking_totals.project_id
)

select * from final;
