-- A tenant's id by its slug, for the app role, which may read only the tenant it is working in
-- and so cannot look tenants up itself (security definer; only the app role may call it).
-- First defined in migration 0002; this is its current definition.
create or replace function tenant_id_for_slug(tenant_slug text) returns bigint
language sql stable security definer
set search_path = pg_catalog, public
return (select tenant_id from public.tenants where slug = tenant_slug);

revoke all on function tenant_id_for_slug(text) from public;
grant execute on function tenant_id_for_slug(text) to leadline_app;
