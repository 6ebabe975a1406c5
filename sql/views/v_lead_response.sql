-- One row per live lead (retired leads left out, lost ones in): how fast it was first answered
-- and whether that met its source's SLA. Grain: tenant, lead.
-- first_response_at, the response times and the SLA are kept in lead_response by triggers in the
-- writing transaction (migration 0014; compute_lead_response() is the definition). Only
-- sla_status of an unanswered lead depends on the moment of the read: it is breached once now()
-- reaches the kept sla_breach_at, when its working minutes since generation exceed the SLA.
create view v_lead_response with (security_invoker = true) as

with

live_responses as (
    select * from lead_response where is_live
),

final as (
    select
        tenant_id,
        lead_id,
        owner_user_id,
        lead_source_id,
        project_id,
        campaign_id,
        cohort_month,
        generated_at,
        first_response_at,
        response_minutes,
        response_working_minutes,
        sla_minutes,
        case
            when first_response_at is not null and response_working_minutes <= sla_minutes then 'met'
            when first_response_at is not null then 'breached'
            when now() >= sla_breach_at then 'breached'
            else 'open'
        end as sla_status
    from live_responses
)

select * from final;
