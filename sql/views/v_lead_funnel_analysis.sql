-- Funnel by cohort: how many of the leads generated in a month reached each stage.
-- Grain: tenant, cohort_month, project, source/subsource, campaign, owner.
-- Counts are of distinct leads, so they add up across rows; compute rates after summing.
-- "Reached a stage" is as in v_lead_facts. booked = has any booking; cancelled = has a
-- cancelled booking; net_booked = has a booking that is not cancelled (a lead that cancels
-- and books again counts in all three). net_booking_value is the agreement value of the live
-- bookings; days_to_first_booking_sum adds up, over the booked leads, the days from generation
-- to first booking (divide by booked for the average).
create view v_lead_funnel_analysis with (security_invoker = true) as

with

-- Kept per month and dimension in lead_month_rollup (migration 0007) from the lead facts;
-- a group whose leads all moved away keeps a row of zeros there, skipped here.
funnel_counts as (
    select
        tenant_id,
        cohort_month,
        project_id,
        lead_source_id,
        campaign_id,
        owner_user_id,
        leads,
        contacted,
        qualified,
        reengaged,
        site_visited,
        revisited,
        booked,
        cancelled,
        net_booked,
        net_booking_value,
        days_to_first_booking_sum
    from lead_month_rollup
    where leads > 0
),

final as (
    select
        funnel_counts.tenant_id,
        funnel_counts.cohort_month,
        funnel_counts.project_id,
        projects.name as project_name,
        funnel_counts.lead_source_id,
        lead_sources.source,
        lead_sources.subsource,
        funnel_counts.campaign_id,
        campaigns.name as campaign_name,
        funnel_counts.owner_user_id,
        app_users.display_name as owner_name,
        funnel_counts.leads,
        funnel_counts.contacted,
        funnel_counts.qualified,
        funnel_counts.reengaged,
        funnel_counts.site_visited,
        funnel_counts.revisited,
        funnel_counts.booked,
        funnel_counts.cancelled,
        funnel_counts.net_booked,
        funnel_counts.net_booking_value,
        funnel_counts.days_to_first_booking_sum
    from funnel_counts
    inner join lead_sources
        on lead_sources.tenant_id = funnel_counts.tenant_id
        and lead_sources.lead_source_id = funnel_counts.lead_source_id
    left join projects
        on projects.tenant_id = funnel_counts.tenant_id
        and projects.project_id = funnel_counts.project_id
    left join campaigns
        on campaigns.tenant_id = funnel_counts.tenant_id
        and campaigns.campaign_id = funnel_counts.campaign_id
    left join app_users
        on app_users.tenant_id = funnel_counts.tenant_id
        and app_users.user_id = funnel_counts.owner_user_id
)

select * from final;
