-- The whole minutes of working time between two moments: the working hours of the tenant
-- (leadline_working_hours(), India time) that fall between them, added up over the days and then
-- floored once (not each day's piece). 0 when to_at is not after from_at; NULL when either is.
create or replace function leadline_working_minutes(from_at timestamptz, to_at timestamptz, hours_tenant_id bigint)
returns bigint
language sql stable strict
as $$
    with

    schedule as (
        select * from leadline_working_hours(hours_tenant_id)
    ),

    covered_days as (
        select covered.day::date as work_date
        from generate_series(leadline_date(from_at)::timestamp, leadline_date(to_at)::timestamp, interval '1 day')
            as covered(day)
    ),

    open_periods as (
        select
            greatest((covered_days.work_date + schedule.opens_at) at time zone 'Asia/Kolkata', from_at) as starts_at,
            least((covered_days.work_date + schedule.closes_at) at time zone 'Asia/Kolkata', to_at) as ends_at
        from covered_days
        inner join schedule on schedule.iso_weekday = extract(isodow from covered_days.work_date)
    ),

    final as (
        select coalesce(div(extract(epoch from sum(ends_at - starts_at)), 60), 0)::bigint as working_minutes
        from open_periods
        where ends_at > starts_at
    )

    select working_minutes from final
$$;
