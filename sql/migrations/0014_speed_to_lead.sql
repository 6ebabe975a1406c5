-- Speed-to-lead (issue 15): how fast each lead was first answered, in working time, against the
-- SLA of its source. The settings are the tenant's working hours (working_hours) and an SLA in
-- minutes per source (lead_sources.sla_minutes); lead_response keeps, per lead, the parts of
-- v_lead_response that do not depend on the moment of the read, refreshed in the writing
-- transaction by statement-level triggers, as lead_facts is (0006, 0007).
-- The functions named here live in sql/functions (applied before this file, see data/db/migrate.py).

alter table lead_sources
    add column sla_minutes integer not null default 15,
    add constraint check_lead_sources_sla_minutes_range check (sla_minutes between 1 and 10080);

-- One opening period per day of the week (ISO: 1 = Monday … 7 = Sunday), in India time. A day
-- without a row is closed; a tenant with no row at all works 09:00–20:00 every day
-- (leadline_working_hours(), the one home of that default).
create table working_hours (
    tenant_id bigint not null,
    iso_weekday smallint not null,
    opens_at time not null,
    closes_at time not null,
    updated_by bigint,
    updated_at timestamptz not null default now(),
    constraint pk_working_hours primary key (tenant_id, iso_weekday),
    constraint fk_working_hours_tenant_id foreign key (tenant_id) references tenants (tenant_id),
    constraint fk_working_hours_updated_by foreign key (tenant_id, updated_by)
        references app_users (tenant_id, user_id),
    constraint check_working_hours_iso_weekday_range check (iso_weekday between 1 and 7),
    constraint check_working_hours_closes_after_opens check (closes_at > opens_at)
);

create trigger working_hours_set_updated_at before update on working_hours
    for each row execute function set_updated_at();

alter table working_hours enable row level security;
alter table working_hours force row level security;
create policy tenant_isolation on working_hours
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint);
grant select, insert, update, delete on working_hours to leadline_app;

-- Per lead: its dimensions, its first response and the response times, its source's SLA and the
-- moment an unanswered lead breaches it (when its working time since generation passes
-- sla_minutes + 1 whole minutes). compute_lead_response() is the definition.
create table lead_response (
    tenant_id bigint not null,
    lead_id bigint not null,
    owner_user_id bigint,
    lead_source_id bigint not null,
    project_id bigint,
    campaign_id bigint,
    cohort_month date not null,
    generated_at timestamptz not null,
    first_response_at timestamptz,
    response_minutes bigint,
    response_working_minutes bigint,
    sla_minutes integer not null,
    sla_breach_at timestamptz not null,
    -- False once the lead is retired; its row stays so that a reinstated lead is updated in place.
    is_live boolean not null,
    constraint pk_lead_response primary key (tenant_id, lead_id),
    constraint fk_lead_response_lead_id foreign key (tenant_id, lead_id) references leads (tenant_id, lead_id)
);

create index index_lead_response_on_tenant_id_and_generated_at on lead_response (tenant_id, generated_at);
-- The live breach list: unanswered live leads by the moment they breach.
create index index_lead_response_on_tenant_id_and_sla_breach_at_unanswered
    on lead_response (tenant_id, sla_breach_at) where first_response_at is null and is_live;

alter table lead_response enable row level security;
alter table lead_response force row level security;
create policy tenant_isolation on lead_response
    using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint)
    with check (tenant_id = nullif(current_setting('app.tenant_id', true), '')::bigint);
-- As lead_facts: a rep's reads see their own leads' rows; their writes refresh only those.
create policy owner_scope on lead_response as restrictive
    using (
        nullif(current_setting('app.owner_user_id', true), '') is null
        or owner_user_id = nullif(current_setting('app.owner_user_id', true), '')::bigint
    );
grant select, insert, update on lead_response to leadline_app;

-- A change to a lead or to its milestones or engagements refreshes the leads it touched; one
-- trigger per table and event (a trigger with a transition table may have only one event).
do $$
declare
    table_name text;
begin
    foreach table_name in array array['leads', 'lead_milestones', 'lead_engagements'] loop
        execute format(
            'create trigger %I after insert on %I referencing new table as changed_rows '
            'for each statement execute function lead_response_after_change()',
            table_name || '_refresh_lead_response_on_insert', table_name
        );
        execute format(
            'create trigger %I after update on %I referencing new table as changed_rows '
            'for each statement execute function lead_response_after_change()',
            table_name || '_refresh_lead_response_on_update', table_name
        );
        execute format(
            'create trigger %I after delete on %I referencing old table as changed_rows '
            'for each statement execute function lead_response_after_change()',
            table_name || '_refresh_lead_response_on_delete', table_name
        );
    end loop;
end;
$$;

-- A change of the working hours refreshes every lead of the tenant; a change of a source's SLA,
-- the leads of that source.
create trigger working_hours_refresh_lead_response_on_insert after insert on working_hours
    referencing new table as changed_rows
    for each statement execute function lead_response_after_hours_change();
create trigger working_hours_refresh_lead_response_on_update after update on working_hours
    referencing new table as changed_rows
    for each statement execute function lead_response_after_hours_change();
create trigger working_hours_refresh_lead_response_on_delete after delete on working_hours
    referencing old table as changed_rows
    for each statement execute function lead_response_after_hours_change();
create trigger lead_sources_refresh_lead_response_on_update after update on lead_sources
    referencing old table as old_sources new table as new_sources
    for each statement execute function lead_response_after_source_change();

-- Existing leads, once (as the migration's owner; where the owner is not a superuser and no
-- tenant is set, row-level security hides them: python -m data rebuild-kept-tables, see
-- docs/scaling.md).
select refresh_lead_response(tenant_id, array_agg(lead_id order by lead_id)) from leads group by tenant_id;
