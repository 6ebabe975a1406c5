-- One row per live lead: its dimensions, which stages it reached and when it first did.
-- Grain: tenant, lead. The funnel, source and campaign views aggregate this one, so the
-- three agree on what "reached a stage" means. A lead reached a stage when it has at least
-- one live milestone of that type, at any time; bookings come from the bookings table.
--
-- The rows are kept in lead_facts by triggers in the writing transaction (migration 0006);
-- compute_lead_facts() holds the definition, and tests hold the two equal.
create view v_lead_facts with (security_invoker = true) as

select
    tenant_id,
    lead_id,
    generated_at,
    cohort_month,
    project_id,
    lead_source_id,
    campaign_id,
    owner_user_id,
    has_contacted,
    has_qualified,
    has_reengaged,
    has_site_visit,
    has_revisit,
    has_booking,
    has_cancelled_booking,
    has_live_booking,
    first_contacted_at,
    first_site_visit_at,
    first_booking_date,
    live_booking_value
from lead_facts
where is_live;
