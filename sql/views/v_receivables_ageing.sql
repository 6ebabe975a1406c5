-- Overdue money by how long it has been overdue, per booking.
-- Grain: tenant, booking. Payments (receipts and credit notes, net of their reversals) settle
-- the oldest demands first; what is left of each demand due before today is aged by the days
-- since its due date: 0-30, 31-60, 61-90 and over 90. Reversed demands are left out. The
-- four buckets add up to v_customer_ledger_summary.overdue_amount.
create view v_receivables_ageing with (security_invoker = true) as

with

statement_entries as (
    select * from v_account_statement
),

live_demands as (
    select tenant_id, booking_id, ledger_entry_id, due_date, amount
    from statement_entries
    where entry_type = 'demand' and not is_reversed
),

payments_per_booking as (
    select tenant_id, booking_id, sum(type_amount) as paid
    from statement_entries
    where effective_entry_type in ('receipt', 'credit_note')
    group by tenant_id, booking_id
),

demands_in_due_order as (
    select
        live_demands.*,
        coalesce(sum(live_demands.amount) over (
            partition by live_demands.tenant_id, live_demands.booking_id
            order by live_demands.due_date, live_demands.ledger_entry_id
            rows between unbounded preceding and 1 preceding
        ), 0) as demanded_before
    from live_demands
),

unpaid_demands as (
    select
        demands_in_due_order.tenant_id,
        demands_in_due_order.booking_id,
        leadline_today() - demands_in_due_order.due_date as days_past_due,
        least(
            demands_in_due_order.amount,
            greatest(
                0,
                demands_in_due_order.demanded_before + demands_in_due_order.amount
                - coalesce(payments_per_booking.paid, 0)
            )
        ) as unpaid_amount
    from demands_in_due_order
    left join payments_per_booking
        on payments_per_booking.tenant_id = demands_in_due_order.tenant_id
        and payments_per_booking.booking_id = demands_in_due_order.booking_id
    where demands_in_due_order.due_date < leadline_today()
),

final as (
    select
        tenant_id,
        booking_id,
        coalesce(sum(unpaid_amount) filter (where days_past_due <= 30), 0)::numeric(16, 2) as overdue_0_30,
        coalesce(sum(unpaid_amount) filter (where days_past_due between 31 and 60), 0)::numeric(16, 2) as overdue_31_60,
        coalesce(sum(unpaid_amount) filter (where days_past_due between 61 and 90), 0)::numeric(16, 2) as overdue_61_90,
        coalesce(sum(unpaid_amount) filter (where days_past_due > 90), 0)::numeric(16, 2) as overdue_over_90,
        coalesce(sum(unpaid_amount), 0)::numeric(16, 2) as overdue_amount,
        max(days_past_due) filter (where unpaid_amount > 0) as oldest_days_past_due
    from unpaid_demands
    group by tenant_id, booking_id
)

select * from final;
