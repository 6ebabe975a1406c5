-- The owner-scope policy of a table that hangs off a lead or a booking: a row is visible to a rep
-- when the row it hangs off is (migration 0009 applies it to account_ledger and booking_accounts).
-- Migrations only (the owner): the app role has no business creating policies.
-- First defined in migration 0009; this is its current definition.
create or replace function leadline_apply_owner_policy(target regclass, parent regclass, parent_key name) returns void
language plpgsql
as $$
begin
    execute format(
        $policy$
        create policy owner_scope on %1$s as restrictive
            using (
                nullif(current_setting('app.owner_user_id', true), '') is null
                or exists (
                    select 1 from %2$s as parent
                    where parent.tenant_id = %1$s.tenant_id and parent.%3$I = %1$s.%3$I
                )
            )
        $policy$,
        target, parent, parent_key
    );
end;
$$;

revoke all on function leadline_apply_owner_policy(regclass, regclass, name) from public;
