-- Trigger function: stamps updated_at on every update (the <table>_set_updated_at triggers,
-- migrations 0001 and 0005).
-- First defined in migration 0001; this is its current definition.
create or replace function set_updated_at() returns trigger
language plpgsql as $$
begin
    new.updated_at := now();
    return new;
end;
$$;
