-- Units by state, per project, tower and unit type.
-- Grain: tenant, project, tower, unit_type. A block whose hold has expired counts as
-- available (the unit is free to sell); a block with no expiry stays blocked. When a hold has
-- expired is leadline_hold_expired()'s rule (sql/functions), shared with the booking form.
-- available_value is the list price of the available units.
create view v_unit_inventory with (security_invoker = true) as

with

live_units as (
    select * from units where deleted_at is null
),

unit_states as (
    select
        tenant_id,
        project_id,
        tower_id,
        unit_type,
        list_price,
        case
            when leadline_hold_expired(status, hold_expires_at) then 'available'
            else status
        end as effective_status
    from live_units
),

state_counts as (
    select
        tenant_id,
        project_id,
        tower_id,
        unit_type,
        count(*) as total_units,
        count(*) filter (where effective_status = 'available') as available,
        count(*) filter (where effective_status = 'blocked') as blocked,
        count(*) filter (where effective_status = 'booked') as booked,
        count(*) filter (where effective_status = 'sold') as sold,
        coalesce(sum(list_price) filter (where effective_status = 'available'), 0)::numeric(16, 2)
            as available_value
    from unit_states
    group by tenant_id, project_id, tower_id, unit_type
),

final as (
    select
        state_counts.tenant_id,
        state_counts.project_id,
        projects.name as project_name,
        state_counts.tower_id,
        towers.name as tower_name,
        state_counts.unit_type,
        state_counts.total_units,
        state_counts.available,
        state_counts.blocked,
        state_counts.booked,
        state_counts.sold,
        state_counts.available_value
    from state_counts
    inner join projects
        on projects.tenant_id = state_counts.tenant_id
        and projects.project_id = state_counts.project_id
    inner join towers
        on towers.tenant_id = state_counts.tenant_id
        and towers.tower_id = state_counts.tower_id
)

select * from final;
