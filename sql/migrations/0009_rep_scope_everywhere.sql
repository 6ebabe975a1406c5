-- Rep scope everywhere: inside a rep's transaction (app.owner_user_id set) every table that hangs
-- off a lead shows only the rows of that rep's own leads. 0003 scoped leads, milestones,
-- engagements, customers and bookings, 0006/0007 the per-lead kept tables; the ledger and the
-- kept per-booking totals still showed every booking of the tenant. Tables that describe the
-- tenant rather than a lead (projects, units, sources, campaigns, users…) stay tenant-wide;
-- tests/test_rep_scope.py holds the list, from the catalogue, so a new table must choose.

-- The owner-scope policy, written once: a row is visible to a rep when the row it hangs off
-- (its lead, or its booking) is visible to them. The parent's own restrictive policy does the
-- rest, so scoping follows the chain booking → lead without repeating it. With no owner set
-- (managers, admins, leadership) the first arm is true and the lookup never runs, so their
-- reads pay one current_setting() per row, as with 0003's policies.
-- A restrictive policy without FOR applies to every command and, for inserts, checks the new
-- row with USING: a rep can neither read nor write a row of someone else's lead.
create function leadline_apply_owner_policy(target regclass, parent regclass, parent_key name) returns void
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

-- Migrations only (the owner): the app role has no business creating policies.
revoke all on function leadline_apply_owner_policy(regclass, regclass, name) from public;

select leadline_apply_owner_policy('account_ledger', 'bookings', 'booking_id');
select leadline_apply_owner_policy('booking_accounts', 'bookings', 'booking_id');

-- Not per lead, and nothing a rep reads: the audit trail (before and after values of every
-- write, anyone's leads included; read on the admin-only Audit log) and the sign-in attempts
-- (read at sign-in, before anyone is a rep). A rep's writes still append their audit rows:
-- this policy is for SELECT only, and audit.record() inserts without RETURNING.
do $$
declare
    table_name text;
begin
    foreach table_name in array array['audit_log', 'sign_in_attempts'] loop
        execute format(
            $policy$
            create policy owner_scope on %I as restrictive
                for select
                using (nullif(current_setting('app.owner_user_id', true), '') is null)
            $policy$,
            table_name
        );
    end loop;
end;
$$;
