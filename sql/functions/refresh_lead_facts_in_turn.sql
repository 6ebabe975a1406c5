-- Lead facts under concurrent writes. Two transactions writing to one lead each computed its
-- facts from their own snapshot, and the later commit kept facts that missed the other's write.
-- Locking the leads first queues such writers; the refresh after the lock is a new statement,
-- so (read committed) it sees what the first writer committed.
-- First defined in migration 0007; this is its current definition.
create or replace function refresh_lead_facts_in_turn(lead_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    perform 1
    from leads
    where leads.tenant_id = lead_tenant_id and leads.lead_id = any(lead_ids)
    order by leads.lead_id
    for no key update;
    perform refresh_lead_facts(lead_tenant_id, lead_ids);
end;
$$;
