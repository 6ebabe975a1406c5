-- Overdue money by how long it has been overdue, per booking.
-- Grain: tenant, booking (only bookings with a demand due before today). Payments (receipts
-- and credit notes, net of their reversals) settle the oldest demands first; what is left of
-- each demand due before today is aged by the days since its due date: 0-30, 31-60, 61-90 and
-- over 90. Reversed demands are left out. The four buckets add up to
-- v_customer_ledger_summary.overdue_amount. Reversals as leadline_ledger_entries() defines them.
--
-- Each booking's demands are read through the ledger's (tenant_id, booking_id) index, so the
-- cost follows the bookings asked for, and no plan depends on fresh table statistics.
create view v_receivables_ageing with (security_invoker = true) as

with

-- What each booking has paid is kept in booking_accounts (migration 0007).
booking_payments as (
    select
        bookings.tenant_id,
        bookings.booking_id,
        coalesce(booking_accounts.payments, 0) as paid
    from bookings
    left join booking_accounts
        on booking_accounts.tenant_id = bookings.tenant_id
        and booking_accounts.booking_id = bookings.booking_id
),

final as (
    select
        booking_payments.tenant_id,
        booking_payments.booking_id,
        booking_ageing.overdue_0_30,
        booking_ageing.overdue_31_60,
        booking_ageing.overdue_61_90,
        booking_ageing.overdue_over_90,
        booking_ageing.overdue_amount,
        booking_ageing.oldest_days_past_due
    from booking_payments
    cross join lateral (
        select
            count(*) as past_due_demands,
            coalesce(sum(unpaid_amount) filter (where days_past_due <= 30), 0)::numeric(16, 2) as overdue_0_30,
            coalesce(sum(unpaid_amount) filter (where days_past_due between 31 and 60), 0)::numeric(16, 2)
                as overdue_31_60,
            coalesce(sum(unpaid_amount) filter (where days_past_due between 61 and 90), 0)::numeric(16, 2)
                as overdue_61_90,
            coalesce(sum(unpaid_amount) filter (where days_past_due > 90), 0)::numeric(16, 2) as overdue_over_90,
            coalesce(sum(unpaid_amount), 0)::numeric(16, 2) as overdue_amount,
            max(days_past_due) filter (where unpaid_amount > 0) as oldest_days_past_due
        from (
            select
                leadline_today() - demands_in_due_order.due_date as days_past_due,
                least(
                    demands_in_due_order.amount,
                    greatest(0, demands_in_due_order.demanded_before + demands_in_due_order.amount - booking_payments.paid)
                ) as unpaid_amount
            from (
                select
                    live_demands.due_date,
                    live_demands.amount,
                    coalesce(sum(live_demands.amount) over (
                        order by live_demands.due_date, live_demands.ledger_entry_id
                        rows between unbounded preceding and 1 preceding
                    ), 0) as demanded_before
                from leadline_ledger_entries(
                    booking_payments.tenant_id, booking_payments.booking_id
                ) as live_demands
                where live_demands.entry_type = 'demand' and not live_demands.is_reversed
            ) as demands_in_due_order
            where demands_in_due_order.due_date < leadline_today()
        ) as unpaid_demands
    ) as booking_ageing
    where booking_ageing.past_due_demands > 0
)

select * from final;
