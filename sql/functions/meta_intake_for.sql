-- Meta Lead Ads' setting, found before its tenant is known (Meta's calls carry no key): by the
-- page a leadgen change names, or by the verify token of the subscription handshake. Security
-- definer; only the app role may call it.
create or replace function meta_intake_for(page_id text, verify_token text)
returns table (tenant_id bigint, intake_setting_id bigint)
language sql stable security definer
set search_path = pg_catalog, public
as $$
    select intake_settings.tenant_id, intake_settings.intake_setting_id
    from public.intake_settings
    where intake_settings.channel = 'meta'
        and (intake_settings.meta_page_id = page_id or intake_settings.meta_verify_token = verify_token)
$$;

revoke all on function meta_intake_for(text, text) from public;
grant execute on function meta_intake_for(text, text) to leadline_app;
