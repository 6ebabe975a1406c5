-- Trigger function: refuses updates, deletes and truncation of the append-only account_ledger
-- and audit_log (their *_forbid_change and *_forbid_truncate triggers, migration 0001).
-- First defined in migration 0001; this is its current definition.
create or replace function forbid_change() returns trigger
language plpgsql as $$
begin
    raise exception '% is append-only: % is not allowed', tg_table_name, lower(tg_op)
        using errcode = 'insufficient_privilege',
              hint = 'Correct a mistake by adding a new entry (a reversal), never by editing.';
end;
$$;
