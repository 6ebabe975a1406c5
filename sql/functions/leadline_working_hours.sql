-- A tenant's working hours: one opening period per ISO day of the week (1 = Monday … 7 = Sunday),
-- in India time, from working_hours; a day without a row is closed. A tenant that has set no
-- hours at all works 09:00–20:00 every day: this is the one home of that default.
create or replace function leadline_working_hours(hours_tenant_id bigint)
returns table (iso_weekday integer, opens_at time, closes_at time)
language sql stable
as $$
    select working_hours.iso_weekday::integer, working_hours.opens_at, working_hours.closes_at
    from working_hours
    where working_hours.tenant_id = hours_tenant_id
    union all
    select every_day.iso_weekday, time '09:00', time '20:00'
    from generate_series(1, 7) as every_day(iso_weekday)
    where not exists (select 1 from working_hours where working_hours.tenant_id = hours_tenant_id)
$$;
