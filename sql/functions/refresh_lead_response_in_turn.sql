-- As refresh_lead_facts_in_turn(): lock the leads first, so that two writers on one lead queue
-- and the refresh (a new statement) sees what the first committed.
create or replace function refresh_lead_response_in_turn(response_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    perform 1
    from leads
    where leads.tenant_id = response_tenant_id and leads.lead_id = any(lead_ids)
    order by leads.lead_id
    for no key update;
    perform refresh_lead_response(response_tenant_id, lead_ids);
end;
$$;
