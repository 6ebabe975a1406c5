-- The stale-lead thresholds in force for a tenant: one row per stage, in the stages' order
-- (stage_rank 0 = new … 4 = negotiation), with the tenant's own days (stale_lead_thresholds) or
-- the default. This is the one home of the stages' order and of the defaults: new 3, contacted 3,
-- qualified 5, site visit 7, negotiation 5 days. is_default says whether the default applies.
create or replace function leadline_stale_thresholds(thresholds_tenant_id bigint)
returns table (stage text, stage_rank integer, stale_after_days integer, default_days integer, is_default boolean)
language sql stable
as $$
    with

    defaults (stage, stage_rank, default_days) as (
        values ('new', 0, 3), ('contacted', 1, 3), ('qualified', 2, 5), ('site_visit', 3, 7), ('negotiation', 4, 5)
    )

    select
        defaults.stage,
        defaults.stage_rank,
        coalesce(stale_lead_thresholds.stale_after_days, defaults.default_days),
        defaults.default_days,
        stale_lead_thresholds.stale_after_days is null
    from defaults
    left join stale_lead_thresholds
        on stale_lead_thresholds.tenant_id = thresholds_tenant_id
        and stale_lead_thresholds.stage = defaults.stage
    order by defaults.stage_rank
$$;
