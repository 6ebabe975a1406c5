-- Each booked customer's account: what they were charged, what they paid, what they owe.
-- Grain: tenant, customer, booking (one account per booked unit).
-- balance = total_debits - total_credits (positive: the customer owes). Reversals and the
-- entries they reverse both stay in the ledger and net out in these totals, as
-- leadline_ledger_entries() (sql/functions) defines for every read.
-- overdue_amount = greatest(0, demands due before today - payments), where both sides are
-- net of reversals: demands by their due date, payments = receipts and credit notes. (A
-- reversal of a demand is a credit but not a payment, so it lowers the demands instead.)
create view v_customer_ledger_summary with (security_invoker = true) as

with

booked_units as (
    select
        bookings.tenant_id,
        bookings.booking_id,
        bookings.customer_id,
        bookings.lead_id,
        bookings.booking_date,
        bookings.status as booking_status,
        bookings.agreement_value,
        units.project_id,
        units.tower_id,
        units.unit_id,
        units.unit_number
    from bookings
    inner join units
        on units.tenant_id = bookings.tenant_id
        and units.unit_id = bookings.unit_id
),

final as (
    select
        booked_units.tenant_id,
        booked_units.customer_id,
        booked_units.booking_id,
        booked_units.lead_id,
        customers.name as customer_name,
        customers.phone,
        booked_units.project_id,
        projects.name as project_name,
        towers.name as tower_name,
        booked_units.unit_id,
        booked_units.unit_number,
        booked_units.booking_date,
        booked_units.booking_status,
        booked_units.agreement_value,
        coalesce(booking_accounts.total_debits, 0)::numeric(16, 2) as total_debits,
        coalesce(booking_accounts.total_credits, 0)::numeric(16, 2) as total_credits,
        (coalesce(booking_accounts.total_debits, 0) - coalesce(booking_accounts.total_credits, 0))::numeric(16, 2)
            as balance,
        greatest(0, coalesce(demands_due.amount, 0) - coalesce(booking_accounts.payments, 0))::numeric(16, 2)
            as overdue_amount,
        booking_accounts.last_receipt_date,
        coalesce(booking_accounts.entries, 0) as entries
    from booked_units
    inner join customers
        on customers.tenant_id = booked_units.tenant_id
        and customers.customer_id = booked_units.customer_id
    inner join projects
        on projects.tenant_id = booked_units.tenant_id
        and projects.project_id = booked_units.project_id
    inner join towers
        on towers.tenant_id = booked_units.tenant_id
        and towers.tower_id = booked_units.tower_id
    -- Totals are kept per booking in booking_accounts (migration 0007).
    left join booking_accounts
        on booking_accounts.tenant_id = booked_units.tenant_id
        and booking_accounts.booking_id = booked_units.booking_id
    -- Only what has fallen due moves with the calendar: read per booking through the ledger's
    -- (tenant_id, booking_id) index, so the cost follows the bookings asked for.
    -- A reversed demand and its reversal cancel out (counted_amount 0: leadline_ledger_entries()).
    cross join lateral (
        select sum(entries.counted_amount) as amount
        from leadline_ledger_entries(booked_units.tenant_id, booked_units.booking_id) as entries
        where entries.entry_type = 'demand' and entries.due_date < leadline_today()
    ) as demands_due
)

select * from final;
