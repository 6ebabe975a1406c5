-- Funnel steps by cohort: of the leads generated in a month, how many reached both a stage and
-- the stage before it in the funnel's order (lead, contacted, qualified, site visit, revisit,
-- booked, net booked). Grain: tenant, cohort_month, project, source/subsource, campaign, owner,
-- as v_lead_funnel_analysis, whose per-stage counts these go with.
-- The stages are not nested: a lead counts in every stage it reached, whatever the order (a
-- walk-in may book without a revisit), so a stage's count over the one before's is no
-- conversion. A true step conversion is <stage>_and_<previous stage> / <previous stage>. Every
-- contacted lead is a lead, and every live booking a booking, so those two steps are nested.
-- Counted lead by lead from the lead facts ("reached a stage" as there), so they are exact.
create view v_lead_funnel_steps with (security_invoker = true) as

with

lead_stages as (
    select
        tenant_id,
        cohort_month,
        project_id,
        lead_source_id,
        campaign_id,
        owner_user_id,
        has_contacted,
        has_qualified,
        has_site_visit,
        has_revisit,
        has_booking,
        has_live_booking
    from v_lead_facts
),

step_counts as (
    select
        tenant_id,
        cohort_month,
        project_id,
        lead_source_id,
        campaign_id,
        owner_user_id,
        count(*) filter (where has_qualified and has_contacted) as qualified_and_contacted,
        count(*) filter (where has_site_visit and has_qualified) as site_visited_and_qualified,
        count(*) filter (where has_revisit and has_site_visit) as revisited_and_site_visited,
        count(*) filter (where has_booking and has_revisit) as booked_and_revisited,
        count(*) filter (where has_live_booking and has_booking) as net_booked_and_booked
    from lead_stages
    group by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
),

final as (
    select
        step_counts.tenant_id,
        step_counts.cohort_month,
        step_counts.project_id,
        step_counts.lead_source_id,
        lead_sources.source,
        lead_sources.subsource,
        step_counts.campaign_id,
        step_counts.owner_user_id,
        step_counts.qualified_and_contacted,
        step_counts.site_visited_and_qualified,
        step_counts.revisited_and_site_visited,
        step_counts.booked_and_revisited,
        step_counts.net_booked_and_booked
    from step_counts
    inner join lead_sources
        on lead_sources.tenant_id = step_counts.tenant_id
        and lead_sources.lead_source_id = step_counts.lead_source_id
)

select * from final;
