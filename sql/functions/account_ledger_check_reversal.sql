-- Trigger function: a reversal names an existing entry of the same booking that is not itself
-- a reversal, and takes its opposite side and amount (trigger account_ledger_check_reversal,
-- migration 0001).
-- First defined in migration 0001; this is its current definition.
create or replace function account_ledger_check_reversal() returns trigger
language plpgsql as $$
declare
    reversed account_ledger%rowtype;
begin
    if new.entry_type <> 'reversal' then
        return new;
    end if;
    select * into reversed
      from account_ledger
     where tenant_id = new.tenant_id and ledger_entry_id = new.reverses_entry_id;
    if not found then
        raise exception 'ledger entry % does not exist', new.reverses_entry_id
            using errcode = 'foreign_key_violation';
    end if;
    if reversed.entry_type = 'reversal' then
        raise exception 'a reversal cannot itself be reversed (entry %)', reversed.ledger_entry_id
            using errcode = 'check_violation';
    end if;
    if reversed.booking_id <> new.booking_id then
        raise exception 'a reversal must be on the same booking as entry %', reversed.ledger_entry_id
            using errcode = 'check_violation';
    end if;
    if reversed.side = new.side or reversed.amount <> new.amount then
        raise exception 'a reversal must take the opposite side and the same amount as entry %',
            reversed.ledger_entry_id
            using errcode = 'check_violation';
    end if;
    return new;
end;
$$;
