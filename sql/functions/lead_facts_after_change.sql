-- Trigger function: refreshes the lead facts of the leads a statement touched (the
-- *_refresh_lead_facts_on_* triggers on leads, bookings and lead_milestones updates, migration 0006).
-- First defined in migration 0007; this is its current definition.
create or replace function lead_facts_after_change() returns trigger
language plpgsql
as $$
begin
    perform refresh_lead_facts_in_turn(tenant_id, array_agg(distinct lead_id order by lead_id))
    from changed_rows
    group by tenant_id;
    return null;
end;
$$;
