-- One row per live lead: its dimensions, which stages it reached and when it first did.
-- Grain: tenant, lead. The funnel, source and campaign views aggregate this one, so the
-- three agree on what "reached a stage" means. A lead reached a stage when it has at least
-- one live milestone of that type, at any time; bookings come from the bookings table.
create view v_lead_facts with (security_invoker = true) as

with

live_leads as (
    select * from leads where deleted_at is null
),

live_milestones as (
    select tenant_id, lead_id, milestone_type, occurred_at
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
        bool_or(milestone_type = 'revisit') as has_revisit,
        min(occurred_at) filter (where milestone_type = 'contacted') as first_contacted_at,
        min(occurred_at) filter (where milestone_type = 'site_visit') as first_site_visit_at
    from live_milestones
    group by tenant_id, lead_id
),

bookings_per_lead as (
    select
        tenant_id,
        lead_id,
        bool_or(status = 'cancelled') as has_cancelled_booking,
        bool_or(status <> 'cancelled') as has_live_booking,
        min(booking_date) as first_booking_date,
        coalesce(sum(agreement_value) filter (where status <> 'cancelled'), 0) as live_booking_value
    from bookings
    group by tenant_id, lead_id
),

final as (
    select
        live_leads.tenant_id,
        live_leads.lead_id,
        live_leads.generated_at,
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
        bookings_per_lead.lead_id is not null as has_booking,
        coalesce(bookings_per_lead.has_cancelled_booking, false) as has_cancelled_booking,
        coalesce(bookings_per_lead.has_live_booking, false) as has_live_booking,
        stages_per_lead.first_contacted_at,
        stages_per_lead.first_site_visit_at,
        bookings_per_lead.first_booking_date,
        coalesce(bookings_per_lead.live_booking_value, 0)::numeric(16, 2) as live_booking_value
    from live_leads
    left join stages_per_lead
        on stages_per_lead.tenant_id = live_leads.tenant_id
        and stages_per_lead.lead_id = live_leads.lead_id
    left join bookings_per_lead
        on bookings_per_lead.tenant_id = live_leads.tenant_id
        and bookings_per_lead.lead_id = live_leads.lead_id
)

select * from final;
