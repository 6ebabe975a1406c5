-- Only milestones of the types compute_lead_facts() reads make lead facts. Adding or removing
-- one of another type (a negotiation, a scheduled visit, the lead_generated mark) changes no
-- fact, so it refreshes nothing; an update refreshes every lead it touches, whatever the type.
-- First defined in migration 0007; this is its current definition.
create or replace function lead_facts_after_milestone_insert_or_delete() returns trigger
language plpgsql
as $$
begin
    perform refresh_lead_facts_in_turn(tenant_id, array_agg(distinct lead_id order by lead_id))
    from changed_rows
    where milestone_type in ('contacted', 'qualified', 'reengaged', 'site_visit', 'revisit')
    group by tenant_id;
    return null;
end;
$$;
