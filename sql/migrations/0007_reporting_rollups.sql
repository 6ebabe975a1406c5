-- Kept summaries for the screens that aggregate many leads or many ledger entries, maintained in
-- the writing transaction by statement-level triggers with transition tables (a bulk load
-- applies one change per statement, not one per row):
--   lead_month_rollup  the lead facts counted per cohort month and per every dimension a screen
--                      filters on; kept from lead_facts' own changes (old row out, new row in)
--   lead_step_days_rollup  the same, per funnel step and whole number of days (the lag histogram)
--   booking_accounts   each booking's ledger totals; recomputed for the bookings a ledger insert
--                      touches (the ledger is append-only, so inserts are the only change)
-- All are fresh by construction: a committed write is in the next read.

-- Lead facts under concurrent writes. Two transactions writing to one lead each computed its
-- facts from their own snapshot, and the later commit kept facts that missed the other's write.
-- Locking the leads first queues such writers; the refresh after the lock is a new statement,
-- so (read committed) it sees what the first writer committed.
-- The refresh in PL/pgSQL rather than SQL: its statement's plan is then kept for the session,
-- not made again on every writing statement (a SQL function is planned at each call).
create or replace function refresh_lead_facts(lead_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    insert into lead_facts
    select * from compute_lead_facts(lead_tenant_id, lead_ids)
    on conflict (tenant_id, lead_id) do update set
        generated_at = excluded.generated_at,
        cohort_month = excluded.cohort_month,
        project_id = excluded.project_id,
        lead_source_id = excluded.lead_source_id,
        campaign_id = excluded.campaign_id,
        owner_user_id = excluded.owner_user_id,
        has_contacted = excluded.has_contacted,
        has_qualified = excluded.has_qualified,
        has_reengaged = excluded.has_reengaged,
        has_site_visit = excluded.has_site_visit,
        has_revisit = excluded.has_revisit,
        has_booking = excluded.has_booking,
        has_cancelled_booking = excluded.has_cancelled_booking,
        has_live_booking = excluded.has_live_booking,
        first_contacted_at = excluded.first_contacted_at,
        first_site_visit_at = excluded.first_site_visit_at,
        first_booking_date = excluded.first_booking_date,
        live_booking_value = excluded.live_booking_value,
        is_live = excluded.is_live;
end;
$$;

create function refresh_lead_facts_in_turn(lead_tenant_id bigint, lead_ids bigint[]) returns void
language plpgsql
as $$
begin
    perform 1
    from leads
    where leads.tenant_id = lead_tenant_id and leads.lead_id = any(lead_ids)
    order by leads.lead_id
    for no key update;
    perform refresh_lead_facts(lead_tenant_id, lead_ids);
end;
$$;

create or replace function lead_facts_after_change() returns trigger
language plpgsql
as $$
begin
    perform refresh_lead_facts_in_turn(tenant_id, array_agg(distinct lead_id order by lead_id))
    from changed_rows
    group by tenant_id;
    return null;
end;
$$;

-- Only milestones of the types compute_lead_facts() reads make lead facts. Adding or removing
-- one of another type (a negotiation, a scheduled visit, the lead_generated mark) changes no
-- fact, so it refreshes nothing; an update refreshes every lead it touches, whatever the type.
create function lead_facts_after_milestone_insert_or_delete() returns trigger
language plpgsql
as $$
begin
    perform refresh_lead_facts_in_turn(tenant_id, array_agg(distinct lead_id order by lead_id))
    from changed_rows
    where milestone_type in ('contacted', 'qualified', 'reengaged', 'site_visit', 'revisit')
    group by tenant_id;
    return null;
end;
$$;

drop trigger lead_milestones_refresh_lead_facts_on_insert on lead_milestones;
drop trigger lead_milestones_refresh_lead_facts_on_delete on lead_milestones;
create trigger lead_milestones_refresh_lead_facts_on_insert after insert on lead_milestones
    referencing new table as changed_rows
    for each statement execute function lead_facts_after_milestone_insert_or_delete();
create trigger lead_milestones_refresh_lead_facts_on_delete after delete on lead_milestones
    referencing old table as changed_rows
    for each statement execute function lead_facts_after_milestone_insert_or_delete();

create table lead_month_rollup (
    tenant_id bigint not null,
    cohort_month date not null,
    project_id bigint,
    lead_source_id bigint not null,
    campaign_id bigint,
    owner_user_id bigint,
    leads bigint not null,
    contacted bigint not null,
    qualified bigint not null,
    reengaged bigint not null,
    site_visited bigint not null,
    revisited bigint not null,
    booked bigint not null,
    cancelled bigint not null,
    net_booked bigint not null,
    net_booking_value numeric(16, 2) not null,
    -- Sum over the booked leads of the days from generation to first booking: divided by
    -- booked, the average; kept as a sum so that rows add up.
    days_to_first_booking_sum bigint not null,
    constraint index_lead_month_rollup_on_grain unique nulls not distinct
        (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id)
);

-- How long leads took between two steps, as a histogram: per cohort month and dimension, per
-- step and whole number of days, how many leads. Quartiles over any filter set come out of it
-- exactly (days are whole numbers), without reading a row per lead.
create table lead_step_days_rollup (
    tenant_id bigint not null,
    cohort_month date not null,
    project_id bigint,
    lead_source_id bigint not null,
    campaign_id bigint,
    owner_user_id bigint,
    lag_step text not null,
    days integer not null,
    leads bigint not null,
    constraint check_lead_step_days_rollup_lag_step check (lag_step in ('generated_to_visit', 'visit_to_booking')),
    constraint index_lead_step_days_rollup_on_grain unique nulls not distinct
        (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days)
);

-- The days each lead took for each step it has made (the definition the rollup counts).
create function lead_step_days(facts lead_facts) returns table (lag_step text, days integer)
language sql immutable
as $$
    select 'generated_to_visit', leadline_date(facts.first_site_visit_at) - leadline_date(facts.generated_at)
    where facts.first_site_visit_at is not null
    union all
    select 'visit_to_booking', facts.first_booking_date - leadline_date(facts.first_site_visit_at)
    where facts.first_site_visit_at is not null and facts.first_booking_date is not null
$$;

-- Adds changed lead facts to the rollups: each new version counts +1, each old one -1. Unchanged
-- leads cancel out and touch no row, so a refresh that changed nothing takes no lock. Rows are
-- upserted in key order, so two writers never lock in opposite orders. Static SQL in PL/pgSQL,
-- so its plan is made once per session, not once per statement.
create function lead_month_rollup_add(new_rows lead_facts[], old_rows lead_facts[]) returns void
language plpgsql
as $$
begin
    with

    changes as (
        select 1 as sign, * from unnest(new_rows)
        union all
        select -1 as sign, * from unnest(old_rows)
    ),

    deltas as (
        select
            tenant_id,
            cohort_month,
            project_id,
            lead_source_id,
            campaign_id,
            owner_user_id,
            sum(sign) as leads,
            sum(sign) filter (where has_contacted) as contacted,
            sum(sign) filter (where has_qualified) as qualified,
            sum(sign) filter (where has_reengaged) as reengaged,
            sum(sign) filter (where has_site_visit) as site_visited,
            sum(sign) filter (where has_revisit) as revisited,
            sum(sign) filter (where has_booking) as booked,
            sum(sign) filter (where has_cancelled_booking) as cancelled,
            sum(sign) filter (where has_live_booking) as net_booked,
            sum(sign * live_booking_value) as net_booking_value,
            sum(sign * (first_booking_date - leadline_date(generated_at))) as days_to_first_booking_sum
        from changes
        where is_live
        group by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    ),

    nonzero_deltas as (
        select
            tenant_id,
            cohort_month,
            project_id,
            lead_source_id,
            campaign_id,
            owner_user_id,
            leads,
            coalesce(contacted, 0) as contacted,
            coalesce(qualified, 0) as qualified,
            coalesce(reengaged, 0) as reengaged,
            coalesce(site_visited, 0) as site_visited,
            coalesce(revisited, 0) as revisited,
            coalesce(booked, 0) as booked,
            coalesce(cancelled, 0) as cancelled,
            coalesce(net_booked, 0) as net_booked,
            net_booking_value,
            coalesce(days_to_first_booking_sum, 0) as days_to_first_booking_sum
        from deltas
        where leads <> 0
            or contacted <> 0 or qualified <> 0 or reengaged <> 0 or site_visited <> 0
            or revisited <> 0 or booked <> 0 or cancelled <> 0 or net_booked <> 0
            or net_booking_value <> 0 or days_to_first_booking_sum <> 0
    )

    insert into lead_month_rollup as rollup
    select * from nonzero_deltas
    order by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    on conflict (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id)
    do update set
        leads = rollup.leads + excluded.leads,
        contacted = rollup.contacted + excluded.contacted,
        qualified = rollup.qualified + excluded.qualified,
        reengaged = rollup.reengaged + excluded.reengaged,
        site_visited = rollup.site_visited + excluded.site_visited,
        revisited = rollup.revisited + excluded.revisited,
        booked = rollup.booked + excluded.booked,
        cancelled = rollup.cancelled + excluded.cancelled,
        net_booked = rollup.net_booked + excluded.net_booked,
        net_booking_value = rollup.net_booking_value + excluded.net_booking_value,
        days_to_first_booking_sum = rollup.days_to_first_booking_sum + excluded.days_to_first_booking_sum;

    with

    changes as (
        select 1 as sign, changed as facts from unnest(new_rows) as changed where changed.is_live
        union all
        select -1 as sign, changed as facts from unnest(old_rows) as changed where changed.is_live
    ),

    step_deltas as (
        select
            (changes.facts).tenant_id,
            (changes.facts).cohort_month,
            (changes.facts).project_id,
            (changes.facts).lead_source_id,
            (changes.facts).campaign_id,
            (changes.facts).owner_user_id,
            steps.lag_step,
            steps.days,
            sum(changes.sign) as leads
        from changes
        cross join lateral lead_step_days(changes.facts) as steps
        group by 1, 2, 3, 4, 5, 6, 7, 8
        having sum(changes.sign) <> 0
    )

    insert into lead_step_days_rollup as rollup
    select * from step_deltas
    order by 1, 2, 3, 4, 5, 6, 7, 8
    on conflict (tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days)
    do update set leads = rollup.leads + excluded.leads;
end;
$$;

-- Transition tables are visible only inside the trigger function, so it hands their rows over.
create function lead_month_rollup_after_insert() returns trigger
language plpgsql
as $$
begin
    perform lead_month_rollup_add(array(select row(changed.*)::lead_facts from new_facts as changed), '{}');
    return null;
end;
$$;

create function lead_month_rollup_after_update() returns trigger
language plpgsql
as $$
begin
    perform lead_month_rollup_add(
        array(select row(changed.*)::lead_facts from new_facts as changed),
        array(select row(changed.*)::lead_facts from old_facts as changed)
    );
    return null;
end;
$$;

create trigger lead_facts_roll_up_on_insert after insert on lead_facts
    referencing new table as new_facts
    for each statement execute function lead_month_rollup_after_insert();
create trigger lead_facts_roll_up_on_update after update on lead_facts
    referencing old table as old_facts new table as new_facts
    for each statement execute function lead_month_rollup_after_update();

-- Existing facts, once (as the migration's owner, who sees every tenant).
insert into lead_step_days_rollup
select
    lead_facts.tenant_id,
    lead_facts.cohort_month,
    lead_facts.project_id,
    lead_facts.lead_source_id,
    lead_facts.campaign_id,
    lead_facts.owner_user_id,
    steps.lag_step,
    steps.days,
    count(*)
from lead_facts
cross join lateral lead_step_days(lead_facts) as steps
where lead_facts.is_live
group by 1, 2, 3, 4, 5, 6, 7, 8;

insert into lead_month_rollup
select
    tenant_id,
    cohort_month,
    project_id,
    lead_source_id,
    campaign_id,
    owner_user_id,
    count(*),
    count(*) filter (where has_contacted),
    count(*) filter (where has_qualified),
    count(*) filter (where has_reengaged),
    count(*) filter (where has_site_visit),
    count(*) filter (where has_revisit),
    count(*) filter (where has_booking),
    count(*) filter (where has_cancelled_booking),
    count(*) filter (where has_live_booking),
    sum(live_booking_value),
    coalesce(sum(first_booking_date - leadline_date(generated_at)), 0)
from lead_facts
where is_live
group by tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id;

create table booking_accounts (
    tenant_id bigint not null,
    booking_id bigint not null,
    entries bigint not null,
    total_debits numeric(16, 2) not null,
    total_credits numeric(16, 2) not null,
    -- By effective type, net of reversals (see v_account_statement's type_amount).
    received_amount numeric(16, 2) not null,
    refunded_amount numeric(16, 2) not null,
    cancellation_charges numeric(16, 2) not null,
    -- Receipts and credit notes, net of their reversals: what settles demands.
    payments numeric(16, 2) not null,
    last_receipt_date date,
    constraint pk_booking_accounts primary key (tenant_id, booking_id),
    constraint fk_booking_accounts_booking_id foreign key (tenant_id, booking_id)
        references bookings (tenant_id, booking_id)
);

-- Isolation for the three kept tables, as for every tenant table (0002): forced row-level
-- security by tenant; the two kept per lead also by the rep's owner scope, as lead_facts is
-- (a rep sees, and their writes change, only the rows of their own leads). No DELETE: a group
-- whose leads all moved away keeps a row of zeros, which the views skip.
do $$
declare
    table_name text;
begin
    foreach table_name in array array['lead_month_rollup', 'lead_step_days_rollup', 'booking_accounts'] loop
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
        execute format('grant select, insert, update on %I to leadline_app', table_name);
    end loop;
    foreach table_name in array array['lead_month_rollup', 'lead_step_days_rollup'] loop
        execute format(
            $policy$
            create policy owner_scope on %I as restrictive
                using (
                    nullif(current_setting('app.owner_user_id', true), '') is null
                    or owner_user_id = nullif(current_setting('app.owner_user_id', true), '')::bigint
                )
            $policy$,
            table_name
        );
    end loop;
end;
$$;

-- The definition, per booking through the ledger's (tenant_id, booking_id) index, for the same
-- reason as compute_lead_facts(): inside an import the statistics lag behind the table.
create function compute_booking_accounts(account_tenant_id bigint, account_booking_ids bigint[])
returns setof booking_accounts
language sql stable
as $$
    select
        account_tenant_id,
        chosen.booking_id,
        totals.entries,
        totals.total_debits,
        totals.total_credits,
        totals.received_amount,
        totals.refunded_amount,
        totals.cancellation_charges,
        totals.payments,
        totals.last_receipt_date
    from unnest(account_booking_ids) as chosen(booking_id)
    cross join lateral (
        select
            count(*) as entries,
            coalesce(sum(entries.amount) filter (where entries.side = 'debit'), 0) as total_debits,
            coalesce(sum(entries.amount) filter (where entries.side = 'credit'), 0) as total_credits,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'receipt'), 0)
                as received_amount,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'refund'), 0)
                as refunded_amount,
            coalesce(sum(entries.type_amount) filter (where entries.effective_entry_type = 'cancellation_charge'), 0)
                as cancellation_charges,
            coalesce(sum(entries.type_amount) filter (
                where entries.effective_entry_type in ('receipt', 'credit_note')
            ), 0) as payments,
            max(entries.entry_date) filter (where entries.entry_type = 'receipt' and not entries.is_reversed)
                as last_receipt_date
        from (
            select
                account_ledger.side,
                account_ledger.amount,
                account_ledger.entry_type,
                account_ledger.entry_date,
                coalesce(reversed_entries.entry_type, account_ledger.entry_type) as effective_entry_type,
                case
                    when account_ledger.entry_type = 'reversal' then -account_ledger.amount
                    else account_ledger.amount
                end as type_amount,
                exists (
                    select 1 from account_ledger as reversals
                    where reversals.tenant_id = account_tenant_id
                        and reversals.reverses_entry_id = account_ledger.ledger_entry_id
                ) as is_reversed
            from account_ledger
            left join account_ledger as reversed_entries
                on reversed_entries.tenant_id = account_ledger.tenant_id
                and reversed_entries.ledger_entry_id = account_ledger.reverses_entry_id
            where account_ledger.tenant_id = account_tenant_id and account_ledger.booking_id = chosen.booking_id
        ) as entries
    ) as totals
$$;

create function refresh_booking_accounts(account_tenant_id bigint, account_booking_ids bigint[]) returns void
language plpgsql
as $$
begin
    insert into booking_accounts
    select * from compute_booking_accounts(account_tenant_id, account_booking_ids)
    on conflict (tenant_id, booking_id) do update set
        entries = excluded.entries,
        total_debits = excluded.total_debits,
        total_credits = excluded.total_credits,
        received_amount = excluded.received_amount,
        refunded_amount = excluded.refunded_amount,
        cancellation_charges = excluded.cancellation_charges,
        payments = excluded.payments,
        last_receipt_date = excluded.last_receipt_date;
end;
$$;

-- As for lead facts: lock the bookings first so that concurrent entries on one account queue,
-- and the refresh (a new statement) sees what an earlier writer committed.
create function booking_accounts_after_insert() returns trigger
language plpgsql
as $$
declare
    touched record;
begin
    for touched in
        select tenant_id, array_agg(distinct booking_id order by booking_id) as booking_ids
        from new_entries
        group by tenant_id
    loop
        perform 1
        from bookings
        where bookings.tenant_id = touched.tenant_id and bookings.booking_id = any(touched.booking_ids)
        order by bookings.booking_id
        for no key update;
        perform refresh_booking_accounts(touched.tenant_id, touched.booking_ids);
    end loop;
    return null;
end;
$$;

create trigger account_ledger_refresh_booking_accounts after insert on account_ledger
    referencing new table as new_entries
    for each statement execute function booking_accounts_after_insert();

select refresh_booking_accounts(tenant_id, array_agg(distinct booking_id)) from account_ledger group by tenant_id;
