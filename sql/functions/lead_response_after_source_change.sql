-- Trigger function: a source whose SLA changed refreshes the leads of that source
-- (lead_sources_refresh_lead_response_on_update, migration 0014); other changes to a source
-- (its name, its retirement) refresh nothing.
create or replace function lead_response_after_source_change() returns trigger
language plpgsql
as $$
declare
    changed record;
begin
    for changed in
        select new_sources.tenant_id, array_agg(new_sources.lead_source_id) as lead_source_ids
        from new_sources
        inner join old_sources
            on old_sources.tenant_id = new_sources.tenant_id
            and old_sources.lead_source_id = new_sources.lead_source_id
        where old_sources.sla_minutes is distinct from new_sources.sla_minutes
        group by new_sources.tenant_id
        order by new_sources.tenant_id
    loop
        perform refresh_lead_response_in_turn(
            changed.tenant_id,
            array(
                select leads.lead_id
                from leads
                where leads.tenant_id = changed.tenant_id and leads.lead_source_id = any(changed.lead_source_ids)
                order by leads.lead_id
            )
        );
    end loop;
    return null;
end;
$$;
