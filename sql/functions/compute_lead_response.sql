-- The definition of lead_response (and so of v_lead_response), for the given leads.
-- first_response_at: the earliest, at or after generated_at, of a completed outbound call, SMS,
-- WhatsApp, email or meeting and a contacted milestone, retired ones left out; NULL when none.
-- response_minutes: whole calendar minutes from generation to it (the total floored);
-- response_working_minutes: the whole minutes of working time between them
-- (leadline_working_minutes()); sla_breach_at: when the working time since generation passes
-- sla_minutes + 1 whole minutes, i.e. when an unanswered lead's working minutes exceed the SLA.
-- Each lead is looked up on its own through the indexes, as in compute_lead_facts().
-- The result is spelt out, not the table's type, so that migration 0014 can create the table
-- after this function.
create or replace function compute_lead_response(response_tenant_id bigint, lead_ids bigint[])
returns table (
    tenant_id bigint,
    lead_id bigint,
    owner_user_id bigint,
    lead_source_id bigint,
    project_id bigint,
    campaign_id bigint,
    cohort_month date,
    generated_at timestamptz,
    first_response_at timestamptz,
    response_minutes bigint,
    response_working_minutes bigint,
    sla_minutes integer,
    sla_breach_at timestamptz,
    is_live boolean
)
language sql stable
as $$
    select
        chosen_lead.tenant_id,
        chosen_lead.lead_id,
        chosen_lead.owner_user_id,
        chosen_lead.lead_source_id,
        chosen_lead.project_id,
        chosen_lead.campaign_id,
        leadline_month(chosen_lead.generated_at),
        chosen_lead.generated_at,
        responded.first_response_at,
        div(extract(epoch from responded.first_response_at - chosen_lead.generated_at), 60)::bigint,
        leadline_working_minutes(chosen_lead.generated_at, responded.first_response_at, response_tenant_id),
        chosen_source.sla_minutes,
        leadline_working_deadline(chosen_lead.generated_at, chosen_source.sla_minutes + 1, response_tenant_id),
        chosen_lead.deleted_at is null
    from unnest(lead_ids) as chosen(lead_id)
    cross join lateral (
        select * from leads where leads.tenant_id = response_tenant_id and leads.lead_id = chosen.lead_id limit 1
    ) as chosen_lead
    cross join lateral (
        select lead_sources.sla_minutes
        from lead_sources
        where lead_sources.tenant_id = response_tenant_id
            and lead_sources.lead_source_id = chosen_lead.lead_source_id
        limit 1
    ) as chosen_source
    cross join lateral (
        select least(
            (
                select min(lead_engagements.occurred_at)
                from lead_engagements
                where lead_engagements.tenant_id = response_tenant_id
                    and lead_engagements.lead_id = chosen.lead_id
                    and lead_engagements.deleted_at is null
                    and lead_engagements.direction = 'outbound'
                    and lead_engagements.status = 'completed'
                    and lead_engagements.engagement_type in ('call', 'sms', 'whatsapp', 'email', 'meeting')
                    and lead_engagements.occurred_at >= chosen_lead.generated_at
            ),
            (
                select min(lead_milestones.occurred_at)
                from lead_milestones
                where lead_milestones.tenant_id = response_tenant_id
                    and lead_milestones.lead_id = chosen.lead_id
                    and lead_milestones.deleted_at is null
                    and lead_milestones.milestone_type = 'contacted'
                    and lead_milestones.occurred_at >= chosen_lead.generated_at
            )
        ) as first_response_at
    ) as responded
$$;
