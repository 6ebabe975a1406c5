-- Tenant isolation: row-level security on every tenant-owned table, forced so that even the
-- tables' owner is filtered, and privileges for the app role (leadline_app), which owns
-- nothing. The tenant comes from the transaction-local setting app.tenant_id; with no
-- tenant set the policies compare with NULL and every table is empty.
--
-- The app role gets no DELETE anywhere (rows are retired with deleted_at) and only
-- SELECT and INSERT on the append-only account_ledger and audit_log.

do $$
declare
    table_name text;
begin
    foreach table_name in array array[
        'app_users', 'projects', 'towers', 'units', 'lead_sources', 'campaigns', 'campaign_spend',
        'leads', 'lead_milestones', 'lead_engagements', 'customers', 'bookings', 'account_ledger',
        'audit_log'
    ] loop
        execute format('alter table %I enable row level security', table_name);
        execute format('alter table %I force row level security', table_name);
        execute format(
            $policy$
            create policy tenant_isolation on %I
                using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint)
                with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint)
            $policy$,
            table_name
        );
    end loop;
end;
$$;

-- Tenants are created by the owner (python -m data seed-demo / create-admin). The app
-- role may read only the tenant it is working in, and find a tenant's id by its slug.
alter table tenants enable row level security;
create policy tenant_isolation on tenants
    for select
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint);

create function tenant_id_for_slug(tenant_slug text) returns bigint
language sql stable security definer
set search_path = pg_catalog, public
return (select tenant_id from public.tenants where slug = tenant_slug);

revoke all on function tenant_id_for_slug(text) from public;

grant usage on schema public to leadline_app;
grant select on tenants to leadline_app;
grant execute on function tenant_id_for_slug(text) to leadline_app;
grant select, insert, update on
    app_users, projects, towers, units, lead_sources, campaigns, campaign_spend,
    leads, lead_milestones, lead_engagements, customers, bookings
    to leadline_app;
grant select, insert on account_ledger, audit_log to leadline_app;
grant usage on all sequences in schema public to leadline_app;
