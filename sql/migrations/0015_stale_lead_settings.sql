-- Stale leads (issue 15): open leads idle for more than N calendar days, N per the furthest stage
-- the lead reached. The tenant's own N per stage are kept here; a stage without a row uses the
-- default of leadline_stale_thresholds(), the one home of the defaults and of the stages' order
-- (docs/reporting-views.md, "Stale leads").

create table stale_lead_thresholds (
    tenant_id bigint not null,
    stage text not null,
    stale_after_days integer not null,
    updated_by bigint,
    updated_at timestamptz not null default now(),
    constraint pk_stale_lead_thresholds primary key (tenant_id, stage),
    constraint fk_stale_lead_thresholds_tenant_id foreign key (tenant_id) references tenants (tenant_id),
    constraint fk_stale_lead_thresholds_updated_by foreign key (tenant_id, updated_by)
        references app_users (tenant_id, user_id),
    constraint check_stale_lead_thresholds_stage check (
        stage in ('new', 'contacted', 'qualified', 'site_visit', 'negotiation')
    ),
    -- A day to a quarter: past that a lead is not stale but forgotten, and the list would be noise.
    constraint check_stale_lead_thresholds_stale_after_days_range check (stale_after_days between 1 and 90)
);

create trigger stale_lead_thresholds_set_updated_at before update on stale_lead_thresholds
    for each row execute function set_updated_at();

-- The tenant's settings, read whole by everyone of the tenant (a rep's list is measured by them).
alter table stale_lead_thresholds enable row level security;
alter table stale_lead_thresholds force row level security;
create policy tenant_isolation on stale_lead_thresholds
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint);
grant select, insert, update, delete on stale_lead_thresholds to leadline_app;
