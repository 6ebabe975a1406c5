-- Brings lead_response up to date for the given leads (upsert of compute_lead_response()).
-- PL/pgSQL, so that the statement's plan is kept for the session (see refresh_lead_facts()).
create or replace function refresh_lead_response(response_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    insert into lead_response
    select * from compute_lead_response(response_tenant_id, lead_ids)
    on conflict (tenant_id, lead_id) do update set
        owner_user_id = excluded.owner_user_id,
        lead_source_id = excluded.lead_source_id,
        project_id = excluded.project_id,
        campaign_id = excluded.campaign_id,
        cohort_month = excluded.cohort_month,
        generated_at = excluded.generated_at,
        first_response_at = excluded.first_response_at,
        response_minutes = excluded.response_minutes,
        response_working_minutes = excluded.response_working_minutes,
        sla_minutes = excluded.sla_minutes,
        sla_breach_at = excluded.sla_breach_at,
        is_live = excluded.is_live;
end;
$$;
