-- As for lead facts: lock the bookings first so that concurrent entries on one account queue,
-- and the refresh (a new statement) sees what an earlier writer committed.
-- First defined in migration 0007; this is its current definition.
create or replace function booking_accounts_after_insert() returns trigger
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
