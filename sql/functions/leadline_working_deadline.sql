-- The moment at which the working time since from_at (leadline_working_hours(), India time)
-- reaches working_minutes: leadline_working_minutes(from_at, t) >= working_minutes exactly when
-- t >= this moment. Kept per lead as lead_response.sla_breach_at, so that whether an unanswered
-- lead has breached its SLA at the moment of a read is one comparison with now().
create or replace function leadline_working_deadline(from_at timestamptz, working_minutes integer, hours_tenant_id bigint)
returns timestamptz
language sql stable strict
as $$
    with

    schedule as (
        select * from leadline_working_hours(hours_tenant_id)
    ),

    weekly as (
        select extract(epoch from sum(schedule.closes_at - schedule.opens_at)) / 60 as open_minutes_per_week
        from schedule
    ),

    -- Enough whole weeks to hold the working time, and one more for a first day already under way.
    covered_days as (
        select covered.day::date as work_date
        from weekly
        cross join generate_series(
            leadline_date(from_at)::timestamp,
            leadline_date(from_at)::timestamp
                + interval '7 days' * (ceil(working_minutes / weekly.open_minutes_per_week) + 1),
            interval '1 day'
        ) as covered(day)
    ),

    open_periods as (
        select
            greatest((covered_days.work_date + schedule.opens_at) at time zone 'Asia/Kolkata', from_at) as starts_at,
            (covered_days.work_date + schedule.closes_at) at time zone 'Asia/Kolkata' as ends_at
        from covered_days
        inner join schedule on schedule.iso_weekday = extract(isodow from covered_days.work_date)
    ),

    running as (
        select
            starts_at,
            ends_at,
            coalesce(
                sum(ends_at - starts_at) over (order by starts_at rows between unbounded preceding and 1 preceding),
                interval '0'
            ) as open_before
        from open_periods
        where ends_at > starts_at
    ),

    final as (
        select min(starts_at + (make_interval(mins => working_minutes) - open_before)) as deadline_at
        from running
        where open_before + (ends_at - starts_at) >= make_interval(mins => working_minutes)
    )

    select deadline_at from final
$$;
