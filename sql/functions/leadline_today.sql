-- Today in India time.
-- First defined in migration 0001; this is its current definition.
create or replace function leadline_today() returns date
language sql stable parallel safe
return (now() at time zone 'Asia/Kolkata')::date;
