-- Each booked customer's account: what they were charged, what they paid, what they owe.
-- Grain: tenant, customer, booking (one account per booked unit).
-- balance = total_debits - total_credits (positive: the customer owes). Reversals and the
-- entries they reverse both stay in the ledger and net out in these totals.
-- overdue_amount = greatest(0, demands due before today - payments), where both sides are
-- net of reversals: demands by their due date, payments = receipts and credit notes. (A
-- reversal of a demand is a credit but not a payment, so it lowers the demands instead.)
create view v_customer_ledger_summary with (security_invoker = true) as

with

booking_accounts as (
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

ledger_totals as (
    select
        tenant_id,
        booking_id,
        count(*) as entries,
        sum(debit_amount) as total_debits,
        sum(credit_amount) as total_credits,
        coalesce(sum(type_amount) filter (
            where effective_entry_type = 'demand' and effective_due_date < leadline_today()
        ), 0) as demands_due,
        coalesce(sum(type_amount) filter (
            where effective_entry_type in ('receipt', 'credit_note')
        ), 0) as payments,
        max(entry_date) filter (where entry_type = 'receipt' and not is_reversed) as last_receipt_date
    from v_account_statement
    group by tenant_id, booking_id
),

final as (
    select
        booking_accounts.tenant_id,
        booking_accounts.customer_id,
        booking_accounts.booking_id,
        booking_accounts.lead_id,
        customers.name as customer_name,
        customers.phone,
        booking_accounts.project_id,
        projects.name as project_name,
        towers.name as tower_name,
        booking_accounts.unit_id,
        booking_accounts.unit_number,
        booking_accounts.booking_date,
        booking_accounts.booking_status,
        booking_accounts.agreement_value,
        coalesce(ledger_totals.total_debits, 0)::numeric(16, 2) as total_debits,
        coalesce(ledger_totals.total_credits, 0)::numeric(16, 2) as total_credits,
        (coalesce(ledger_totals.total_debits, 0) - coalesce(ledger_totals.total_credits, 0))::numeric(16, 2)
            as balance,
        greatest(0, coalesce(ledger_totals.demands_due, 0) - coalesce(ledger_totals.payments, 0))::numeric(16, 2)
            as overdue_amount,
        ledger_totals.last_receipt_date,
        coalesce(ledger_totals.entries, 0) as entries
    from booking_accounts
    inner join customers
        on customers.tenant_id = booking_accounts.tenant_id
        and customers.customer_id = booking_accounts.customer_id
    inner join projects
        on projects.tenant_id = booking_accounts.tenant_id
        and projects.project_id = booking_accounts.project_id
    inner join towers
        on towers.tenant_id = booking_accounts.tenant_id
        and towers.tower_id = booking_accounts.tower_id
    left join ledger_totals
        on ledger_totals.tenant_id = booking_accounts.tenant_id
        and ledger_totals.booking_id = booking_accounts.booking_id
)

select * from final;
