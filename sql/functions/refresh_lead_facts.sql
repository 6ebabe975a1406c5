-- Brings lead_facts up to date for the given leads (upsert of compute_lead_facts()).
-- The refresh in PL/pgSQL rather than SQL: its statement's plan is then kept for the session,
-- not made again on every writing statement (a SQL function is planned at each call).
-- First defined in migration 0007; this is its current definition.
create or replace function refresh_lead_facts(lead_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    insert into lead_facts
    select * from compute_lead_facts(lead_tenant_id, lead_ids)
    on conflict (tenant_id, lead_id) do update set
        generated_at = excluded.generated_at,
        cohort_month = excluded.cohort_month,
        project_id = excluded.project_id,
        lead_source_id = excluded.lead_source_id,
        campaign_id = excluded.campaign_id,
        owner_user_id = excluded.owner_user_id,
        has_contacted = excluded.has_contacted,
        has_qualified = excluded.has_qualified,
        has_reengaged = excluded.has_reengaged,
        has_site_visit = excluded.has_site_visit,
        has_revisit = excluded.has_revisit,
        has_booking = excluded.has_booking,
        has_cancelled_booking = excluded.has_cancelled_booking,
        has_live_booking = excluded.has_live_booking,
        first_contacted_at = excluded.first_contacted_at,
        first_site_visit_at = excluded.first_site_visit_at,
        first_booking_date = excluded.first_booking_date,
        live_booking_value = excluded.live_booking_value,
        is_live = excluded.is_live;
end;
$$;
