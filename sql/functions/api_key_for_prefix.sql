-- The key a request presents, found by its visible prefix before its tenant is known (the app
-- role sees api_keys only inside a tenant): its tenant, hash, account and role, and whether it is
-- revoked, and its rate limit. The caller compares the hash itself. Security definer; only the app role may call it.
create or replace function api_key_for_prefix(prefix text)
returns table (
    tenant_id bigint, api_key_id bigint, key_hash text, user_id bigint, role text, is_revoked boolean,
    rate_limit_per_minute integer
)
language sql stable security definer
set search_path = pg_catalog, public
as $$
    select api_keys.tenant_id, api_keys.api_key_id, api_keys.key_hash, api_keys.user_id, api_keys.role,
        api_keys.revoked_at is not null, api_keys.rate_limit_per_minute
    from public.api_keys
    where api_keys.key_prefix = prefix
$$;

revoke all on function api_key_for_prefix(text) from public;
grant execute on function api_key_for_prefix(text) to leadline_app;
