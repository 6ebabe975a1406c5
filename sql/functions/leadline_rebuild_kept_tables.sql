-- Rebuilds the kept tables of one tenant (or of every tenant, when tenant_id is null) from the
-- base tables, whatever they hold now: lead_facts from compute_lead_facts() for every lead,
-- then lead_month_rollup and lead_step_days_rollup counted afresh from lead_facts, and
-- booking_accounts from compute_booking_accounts() for every booking with ledger entries, and
-- lead_response from compute_lead_response() for every lead.
-- Idempotent: a second run changes nothing. It repairs a kept row that is wrong (after a bug,
-- a manual edit, or a backfill that could not see the rows), and drops rows of zeros and rows
-- that no base row accounts for; python -m data rebuild-kept-tables runs it.
--
-- The owner runs it (migrations' role; the app role may not): row-level security is forced, so
-- it sets app.tenant_id for each tenant in turn (and clears a rep's app.owner_user_id), then
-- puts back what the caller had. It first locks the five tables against writes (reads go on):
-- every write that changes a kept row waits until the rebuild commits, so none is counted
-- twice or lost; the locks are taken in the order writers take them.
create or replace function leadline_rebuild_kept_tables(tenant_id bigint default null) returns void
language plpgsql
as $$
#variable_conflict use_column
declare
    chosen_tenant_id bigint;
    caller_tenant_id text := current_setting('app.tenant_id', true);
    caller_owner_user_id text := current_setting('app.owner_user_id', true);
begin
    lock table lead_facts, lead_month_rollup, lead_step_days_rollup, booking_accounts, lead_response
        in share row exclusive mode;

    foreach chosen_tenant_id in array array(
        select tenants.tenant_id
        from tenants
        where leadline_rebuild_kept_tables.tenant_id is null
            or tenants.tenant_id = leadline_rebuild_kept_tables.tenant_id
        order by tenants.tenant_id
    ) loop
        perform set_config('app.tenant_id', chosen_tenant_id::text, true);
        perform set_config('app.owner_user_id', '', true);

        -- Every lead, retired ones included (their rows stay, with is_live false).
        perform refresh_lead_facts(
            chosen_tenant_id,
            array(select leads.lead_id from leads where leads.tenant_id = chosen_tenant_id order by leads.lead_id)
        );

        -- The rollups, counted from the facts just made (the refresh above also moved them by
        -- its changes, from whatever they held; that is replaced here).
        delete from lead_month_rollup where lead_month_rollup.tenant_id = chosen_tenant_id;
        insert into lead_month_rollup (
            tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id,
            leads, contacted, qualified, reengaged, site_visited, revisited, booked, cancelled, net_booked,
            net_booking_value, days_to_first_booking_sum
        )
        select
            lead_facts.tenant_id,
            lead_facts.cohort_month,
            lead_facts.project_id,
            lead_facts.lead_source_id,
            lead_facts.campaign_id,
            lead_facts.owner_user_id,
            count(*),
            count(*) filter (where lead_facts.has_contacted),
            count(*) filter (where lead_facts.has_qualified),
            count(*) filter (where lead_facts.has_reengaged),
            count(*) filter (where lead_facts.has_site_visit),
            count(*) filter (where lead_facts.has_revisit),
            count(*) filter (where lead_facts.has_booking),
            count(*) filter (where lead_facts.has_cancelled_booking),
            count(*) filter (where lead_facts.has_live_booking),
            sum(lead_facts.live_booking_value),
            coalesce(sum(lead_facts.first_booking_date - leadline_date(lead_facts.generated_at)), 0)
        from lead_facts
        where lead_facts.tenant_id = chosen_tenant_id and lead_facts.is_live
        group by 1, 2, 3, 4, 5, 6
        order by 1, 2, 3, 4, 5, 6;

        delete from lead_step_days_rollup where lead_step_days_rollup.tenant_id = chosen_tenant_id;
        insert into lead_step_days_rollup (
            tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days, leads
        )
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
        where lead_facts.tenant_id = chosen_tenant_id and lead_facts.is_live
        group by 1, 2, 3, 4, 5, 6, 7, 8
        order by 1, 2, 3, 4, 5, 6, 7, 8;

        -- A booking without ledger entries has no account row, as when kept by the trigger.
        delete from booking_accounts where booking_accounts.tenant_id = chosen_tenant_id;
        perform refresh_booking_accounts(
            chosen_tenant_id,
            array(
                select distinct account_ledger.booking_id
                from account_ledger
                where account_ledger.tenant_id = chosen_tenant_id
                order by account_ledger.booking_id
            )
        );

        -- Every lead, retired ones included (is_live false), as lead_facts.
        perform refresh_lead_response(
            chosen_tenant_id,
            array(select leads.lead_id from leads where leads.tenant_id = chosen_tenant_id order by leads.lead_id)
        );
    end loop;

    perform set_config('app.tenant_id', coalesce(caller_tenant_id, ''), true);
    perform set_config('app.owner_user_id', coalesce(caller_owner_user_id, ''), true);
end;
$$;

revoke all on function leadline_rebuild_kept_tables(bigint) from public;
