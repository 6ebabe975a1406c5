-- How long leads took from generation to first site visit, and from first site visit to
-- first booking, as a histogram: how many leads took each whole number of days.
-- Grain: tenant, cohort_month, project, source/subsource, campaign, owner, lag_step, days.
-- lag_step: 'generated_to_visit' (India dates of generation and first visit) or
-- 'visit_to_booking' (first visit to first booking date). Leads as in v_lead_facts. Kept in
-- lead_step_days_rollup (migration 0007); a group whose leads all moved away keeps a row of
-- zeros there, skipped here.
create view v_lead_step_days with (security_invoker = true) as

with

step_counts as (
    select * from lead_step_days_rollup where leads > 0
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
        step_counts.lag_step,
        step_counts.days,
        step_counts.leads
    from step_counts
    inner join lead_sources
        on lead_sources.tenant_id = step_counts.tenant_id
        and lead_sources.lead_source_id = step_counts.lead_source_id
)

select * from final;
