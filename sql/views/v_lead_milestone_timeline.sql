-- Every live milestone of every live lead, numbered in time order.
-- Grain: tenant, milestone. sequence_no counts 1.. per lead by occurred_at (ties by id).
-- days_since_previous and days_since_generated are whole calendar days in India time.
create view v_lead_milestone_timeline with (security_invoker = true) as

with

live_leads as (
    select * from leads where deleted_at is null
),

live_milestones as (
    select * from lead_milestones where deleted_at is null
),

ordered_milestones as (
    select
        live_milestones.*,
        row_number() over lead_history as sequence_no,
        lag(live_milestones.occurred_at) over lead_history as previous_occurred_at
    from live_milestones
    window lead_history as (
        partition by live_milestones.tenant_id, live_milestones.lead_id
        order by live_milestones.occurred_at, live_milestones.milestone_id
    )
),

final as (
    select
        ordered_milestones.tenant_id,
        ordered_milestones.lead_id,
        live_leads.name as lead_name,
        live_leads.phone,
        live_leads.owner_user_id,
        ordered_milestones.milestone_id,
        ordered_milestones.milestone_type,
        ordered_milestones.occurred_at,
        ordered_milestones.outcome,
        ordered_milestones.sequence_no,
        leadline_date(ordered_milestones.occurred_at)
            - leadline_date(ordered_milestones.previous_occurred_at) as days_since_previous,
        leadline_date(ordered_milestones.occurred_at)
            - leadline_date(live_leads.generated_at) as days_since_generated,
        ordered_milestones.recorded_by,
        app_users.display_name as recorded_by_name,
        ordered_milestones.notes,
        ordered_milestones.latitude,
        ordered_milestones.longitude,
        ordered_milestones.next_follow_up_at,
        ordered_milestones.metadata
    from ordered_milestones
    inner join live_leads
        on live_leads.tenant_id = ordered_milestones.tenant_id
        and live_leads.lead_id = ordered_milestones.lead_id
    left join app_users
        on app_users.tenant_id = ordered_milestones.tenant_id
        and app_users.user_id = ordered_milestones.recorded_by
)

select * from final;
