-- Trigger function: a change of a tenant's working hours moves every lead's working minutes and
-- breach moment, so it refreshes every lead of the tenant (working_hours_refresh_lead_response_on_*,
-- migration 0014).
create or replace function lead_response_after_hours_change() returns trigger
language plpgsql
as $$
declare
    changed_tenant_id bigint;
begin
    for changed_tenant_id in select distinct tenant_id from changed_rows order by tenant_id loop
        perform refresh_lead_response_in_turn(
            changed_tenant_id,
            array(select leads.lead_id from leads where leads.tenant_id = changed_tenant_id order by leads.lead_id)
        );
    end loop;
    return null;
end;
$$;
