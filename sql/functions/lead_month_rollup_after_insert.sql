-- Transition tables are visible only inside the trigger function, so it hands their rows over.
-- First defined in migration 0007; this is its current definition.
create or replace function lead_month_rollup_after_insert() returns trigger
language plpgsql
as $$
begin
    perform lead_month_rollup_add(array(select row(changed.*)::lead_facts from new_facts as changed), '{}');
    return null;
end;
$$;
