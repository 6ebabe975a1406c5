-- Source performance by cohort month and project, with the spend that bought the leads.
-- Grain: tenant, source/subsource, cohort_month, project.
-- Lead counts follow the funnel's definitions (distinct leads of the cohort). spend is the
-- campaign spend dated in that month for campaigns linked to that source/subsource, on the
-- campaign's project (the row with no project when the campaign has none), so a month can
-- carry spend and no leads, or leads and no spend. net_booking_value is the agreement value
-- of the cohort's live (not cancelled) bookings.
create view v_lead_source_performance with (security_invoker = true) as

with

live_campaigns as (
    select * from campaigns where deleted_at is null
),

live_spend as (
    select * from campaign_spend where deleted_at is null
),

lead_rows as (
    select
        tenant_id,
        lead_source_id,
        cohort_month,
        project_id,
        sum(leads)::bigint as leads,
        sum(qualified)::bigint as qualified,
        sum(site_visited)::bigint as site_visited,
        sum(booked)::bigint as booked,
        sum(net_booked)::bigint as net_booked,
        sum(net_booking_value) as net_booking_value,
        0::numeric(14, 2) as spend
    from lead_month_rollup
    where leads > 0
    group by tenant_id, lead_source_id, cohort_month, project_id
),

spend_rows as (
    select
        live_campaigns.tenant_id,
        live_campaigns.lead_source_id,
        date_trunc('month', live_spend.spend_date)::date as cohort_month,
        live_campaigns.project_id,
        0::bigint as leads,
        0::bigint as qualified,
        0::bigint as site_visited,
        0::bigint as booked,
        0::bigint as net_booked,
        0::numeric as net_booking_value,
        sum(live_spend.amount) as spend
    from live_spend
    inner join live_campaigns
        on live_campaigns.tenant_id = live_spend.tenant_id
        and live_campaigns.campaign_id = live_spend.campaign_id
    group by
        live_campaigns.tenant_id,
        live_campaigns.lead_source_id,
        date_trunc('month', live_spend.spend_date),
        live_campaigns.project_id
),

-- Leads and spend meet on (source, month, project), either side possibly missing.
combined as (
    select * from lead_rows
    union all
    select * from spend_rows
),

combined_totals as (
    select
        tenant_id,
        lead_source_id,
        cohort_month,
        project_id,
        sum(leads)::bigint as leads,
        sum(qualified)::bigint as qualified,
        sum(site_visited)::bigint as site_visited,
        sum(booked)::bigint as booked,
        sum(net_booked)::bigint as net_booked,
        sum(net_booking_value)::numeric(16, 2) as net_booking_value,
        sum(spend)::numeric(16, 2) as spend
    from combined
    group by tenant_id, lead_source_id, cohort_month, project_id
),

final as (
    select
        combined_totals.tenant_id,
        combined_totals.lead_source_id,
        lead_sources.source,
        lead_sources.subsource,
        combined_totals.cohort_month,
        combined_totals.project_id,
        projects.name as project_name,
        combined_totals.leads,
        combined_totals.qualified,
        combined_totals.site_visited,
        combined_totals.booked,
        combined_totals.net_booked,
        combined_totals.net_booking_value,
        combined_totals.spend
    from combined_totals
    inner join lead_sources
        on lead_sources.tenant_id = combined_totals.tenant_id
        and lead_sources.lead_source_id = combined_totals.lead_source_id
    left join projects
        on projects.tenant_id = combined_totals.tenant_id
        and projects.project_id = combined_totals.project_id
)

select * from final;
