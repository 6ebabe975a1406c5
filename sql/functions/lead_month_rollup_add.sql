-- Adds changed lead facts to the rollups: each new version counts +1, each old one -1. Unchanged
-- leads cancel out and touch no row, so a refresh that changed nothing takes no lock. Rows are
-- upserted in key order, so two writers never lock in opposite orders. Static SQL in PL/pgSQL,
-- so its plan is made once per session, not once per statement.
-- First defined in migration 0007; this is its current definition.
create or replace function lead_month_rollup_add(new_rows lead_facts[], old_rows lead_facts[]) returns void
language plpgsql
as $$
begin
    with

    changes as (
        select 1 as sign, * from unnest(new_rows)
        union all
        select -1 as sign, * from unnest(old_rows)
    ),

    deltas as (
        select
            tenant_id,
            cohort_month,
            project_id,
            lead_source_id,
            campaign_id,
            owner_user_id,
            sum(sign) as leads,
            sum(sign) filter (where has_contacted) as contacted,
            sum(sign) filter (where has_qualified) as qualified,
            sum(sign) filter (where has_reengaged) as reengaged,
            sum(sign) filter (where has_site_visit) as site_visited,
            sum(sign) filter (where has_revisit) as revisited,
            sum(sign) filter (where has_booking) as booked,
            sum(sign) filter (where has_cancelled_booking) as cancelled,
            sum(sign) filter (where has_live_booking) as net_booked,
            sum(sign * live_booking_value) as net_booking_value,
            sum(sign * (first_booking_date - leadline_date(generated_at))) as days_to_first_booking_sum
        from changes
        where is_live
        group by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    ),

    nonzero_deltas as (
        select
            tenant_id,
            cohort_month,
            project_id,
            lead_source_id,
            campaign_id,
            owner_user_id,
            leads,
            coalesce(contacted, 0) as contacted,
            coalesce(qualified, 0) as qualified,
            coalesce(reengaged, 0) as reengaged,
            coalesce(site_visited, 0) as site_visited,
            coalesce(revisited, 0) as revisited,
            coalesce(booked, 0) as booked,
            coalesce(cancelled, 0) as cancelled,
            coalesce(net_booked, 0) as net_booked,
            net_booking_value,
            coalesce(days_to_first_booking_sum, 0) as days_to_first_booking_sum
        from deltas
        where leads <> 0
            or contacted <> 0 or qualified <> 0 or reengaged <> 0 or site_visited <> 0
            or revisited <> 0 or booked <> 0 or cancelled <> 0 or net_booked <> 0
            or net_booking_value <> 0 or days_to_first_booking_sum <> 0
    )

    insert into lead_month_rollup as rollup
    select * from nonzero_deltas
    order by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    on conflict (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id)
    do update set
        leads = rollup.leads + excluded.leads,
        contacted = rollup.contacted + excluded.contacted,
        qualified = rollup.qualified + excluded.qualified,
        reengaged = rollup.reengaged + excluded.reengaged,
        site_visited = rollup.site_visited + excluded.site_visited,
        revisited = rollup.revisited + excluded.revisited,
        booked = rollup.booked + excluded.booked,
        cancelled = rollup.cancelled + excluded.cancelled,
        net_booked = rollup.net_booked + excluded.net_booked,
        net_booking_value = rollup.net_booking_value + excluded.net_booking_value,
        days_to_first_booking_sum = rollup.days_to_first_booking_sum + excluded.days_to_first_booking_sum;

    with

    changes as (
        select 1 as sign, changed as facts from unnest(new_rows) as changed where changed.is_live
        union all
        select -1 as sign, changed as facts from unnest(old_rows) as changed where changed.is_live
    ),

    step_deltas as (
        select
            (changes.facts).tenant_id,
            (changes.facts).cohort_month,
            (changes.facts).project_id,
            (changes.facts).lead_source_id,
            (changes.facts).campaign_id,
            (changes.facts).owner_user_id,
            steps.lag_step,
            steps.days,
            sum(changes.sign) as leads
        from changes
        cross join lateral lead_step_days(changes.facts) as steps
        group by 1, 2, 3, 4, 5, 6, 7, 8
        having sum(changes.sign) <> 0
    )

    insert into lead_step_days_rollup as rollup
    select * from step_deltas
    order by 1, 2, 3, 4, 5, 6, 7, 8
    on conflict (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days)
    do update set leads = rollup.leads + excluded.leads;
end;
$$;
