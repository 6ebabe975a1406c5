-- Campaign performance over the campaign's whole life, cancellation-adjusted.
-- Grain: tenant, campaign. Leads are attributed to their first-touch campaign.
-- net_booked and net_booking_value leave cancelled bookings out, and so do the cost per
-- booking and the ROI built on them: roi = (net_booking_value - spend) / spend, NULL when
-- nothing was spent. Costs are NULL where their denominator is zero.
create view v_campaign_performance with (security_invoker = true) as

with

live_campaigns as (
    select * from campaigns where deleted_at is null
),

spend_per_campaign as (
    select tenant_id, campaign_id, sum(amount) as spend
    from campaign_spend
    where deleted_at is null
    group by tenant_id, campaign_id
),

leads_per_campaign as (
    select
        tenant_id,
        campaign_id,
        sum(leads)::bigint as leads,
        sum(site_visited)::bigint as site_visited,
        sum(booked)::bigint as booked,
        sum(cancelled)::bigint as cancelled,
        sum(net_booked)::bigint as net_booked,
        sum(net_booking_value) as net_booking_value
    from lead_month_rollup
    where campaign_id is not null and leads > 0
    group by tenant_id, campaign_id
),

campaign_totals as (
    select
        live_campaigns.tenant_id,
        live_campaigns.campaign_id,
        live_campaigns.name as campaign_name,
        live_campaigns.campaign_type,
        live_campaigns.channel,
        live_campaigns.lead_source_id,
        live_campaigns.project_id,
        live_campaigns.status,
        live_campaigns.start_date,
        live_campaigns.end_date,
        live_campaigns.budget,
        live_campaigns.expected_roi,
        coalesce(spend_per_campaign.spend, 0)::numeric(16, 2) as spend,
        coalesce(leads_per_campaign.leads, 0) as leads,
        coalesce(leads_per_campaign.site_visited, 0) as site_visited,
        coalesce(leads_per_campaign.booked, 0) as booked,
        coalesce(leads_per_campaign.cancelled, 0) as cancelled,
        coalesce(leads_per_campaign.net_booked, 0) as net_booked,
        coalesce(leads_per_campaign.net_booking_value, 0)::numeric(16, 2) as net_booking_value
    from live_campaigns
    left join spend_per_campaign
        on spend_per_campaign.tenant_id = live_campaigns.tenant_id
        and spend_per_campaign.campaign_id = live_campaigns.campaign_id
    left join leads_per_campaign
        on leads_per_campaign.tenant_id = live_campaigns.tenant_id
        and leads_per_campaign.campaign_id = live_campaigns.campaign_id
),

final as (
    select
        campaign_totals.tenant_id,
        campaign_totals.campaign_id,
        campaign_totals.campaign_name,
        campaign_totals.campaign_type,
        campaign_totals.channel,
        campaign_totals.lead_source_id,
        lead_sources.source,
        lead_sources.subsource,
        campaign_totals.project_id,
        projects.name as project_name,
        campaign_totals.status,
        campaign_totals.start_date,
        campaign_totals.end_date,
        campaign_totals.budget,
        campaign_totals.expected_roi,
        campaign_totals.spend,
        campaign_totals.leads,
        campaign_totals.site_visited,
        campaign_totals.booked,
        campaign_totals.cancelled,
        campaign_totals.net_booked,
        campaign_totals.net_booking_value,
        round(campaign_totals.spend / nullif(campaign_totals.leads, 0), 2) as cost_per_lead,
        round(campaign_totals.spend / nullif(campaign_totals.site_visited, 0), 2) as cost_per_site_visit,
        round(campaign_totals.spend / nullif(campaign_totals.net_booked, 0), 2) as cost_per_booking,
        round(
            (campaign_totals.net_booking_value - campaign_totals.spend) / nullif(campaign_totals.spend, 0), 4
        ) as roi,
        round(campaign_totals.spend / nullif(campaign_totals.budget, 0), 4) as budget_utilisation
    from campaign_totals
    inner join lead_sources
        on lead_sources.tenant_id = campaign_totals.tenant_id
        and lead_sources.lead_source_id = campaign_totals.lead_source_id
    left join projects
        on projects.tenant_id = campaign_totals.tenant_id
        and projects.project_id = campaign_totals.project_id
)

select * from final;
