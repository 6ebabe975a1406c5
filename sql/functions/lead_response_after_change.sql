-- Trigger function: refreshes lead_response for the leads a statement on leads, lead_milestones
-- or lead_engagements touched (the *_refresh_lead_response_on_* triggers, migration 0014).
create or replace function lead_response_after_change() returns trigger
language plpgsql
as $$
begin
    perform refresh_lead_response_in_turn(tenant_id, array_agg(distinct lead_id order by lead_id))
    from changed_rows
    group by tenant_id;
    return null;
end;
$$;
