-- Funnel by cohort: how many of the leads generated in a month reached each stage.
-- Grain: tenant, cohort_month, project, source/subsource, campaign, owner.
-- Counts are of distinct leads, so they add up across rows; compute rates after summing.
-- A lead "reached" a stage when it has at least one live milestone of that type, at any
-- time. booked = has any booking; cancelled = has a cancelled booking; net_booked = has a
-- booking that is not cancelled (a lead that cancels and books again counts in all three).
create view v_lead_funnel_analysis with (security_invoker = true) as

with

live_leads as (
    select * from leads where deleted_at is null
),

live_milestones as (
    select tenant_id, lead_id, milestone_type
    from lead_milestones
    where deleted_at is null
),

stages_per_lead as (
    select
        tenant_id,
        lead_id,
        bool_or(milestone_type = 'contacted') as has_contacted,
        bool_or(milestone_type = 'qualified') as has_qualified,
        bool_or(milestone_type = 'reengaged') as has_reengaged,
        bool_or(milestone_type = 'site_visit') as has_site_visit,
        bool_or(milestone_type = 'revisit') as has_revisit
    from live_milestones
    group by tenant_id, lead_id
),

bookings_per_lead as (
    select
        tenant_id,
        lead_id,
        true as has_booking,
        bool_or(status = 'cancelled') as has_cancelled_booking,
        bool_or(status <> 'cancelled') as has_live_booking
    from bookings
    group by tenant_id, lead_id
),

lead_facts as (
    select
        live_leads.tenant_id,
        live_leads.lead_id,
        leadline_month(live_leads.generated_at) as cohort_month,
        live_leads.project_id,
        live_leads.lead_source_id,
        live_leads.campaign_id,
        live_leads.owner_user_id,
        coalesce(stages_per_lead.has_contacted, false) as has_contacted,
        coalesce(stages_per_lead.has_qualified, false) as has_qualified,
        coalesce(stages_per_lead.has_reengaged, false) as has_reengaged,
        coalesce(stages_per_lead.has_site_visit, false) as has_site_visit,
        coalesce(stages_per_lead.has_revisit, false) as has_revisit,
        coalesce(bookings_per_lead.has_booking, false) as has_booking,
        coalesce(bookings_per_lead.has_cancelled_booking, false) as has_cancelled_booking,
        coalesce(bookings_per_lead.has_live_booking, false) as has_live_booking
    from live_leads
    left join stages_per_lead
        on stages_per_lead.tenant_id = live_leads.tenant_id
        and stages_per_lead.lead_id = live_leads.lead_id
    left join bookings_per_lead
        on bookings_per_lead.tenant_id = live_leads.tenant_id
        and bookings_per_lead.lead_id = live_leads.lead_id
),

funnel_counts as (
    select
        tenant_id,
        cohort_month,
        project_id,
        lead_source_id,
        campaign_id,
        owner_user_id,
        count(*) as leads,
        count(*) filter (where has_contacted) as contacted,
        count(*) filter (where has_qualified) as qualified,
        count(*) filter (where has_reengaged) as reengaged,
        count(*) filter (where has_site_visit) as site_visited,
        count(*) filter (where has_revisit) as revisited,
        count(*) filter (where has_booking) as booked,
        count(*) filter (where has_cancelled_booking) as cancelled,
        count(*) filter (where has_live_booking) as net_booked
    from lead_facts
    group by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
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
        funnel_counts.net_booked
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
