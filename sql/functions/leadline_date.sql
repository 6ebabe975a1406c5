-- The calendar date of a moment in India time.
-- The zone is a constant, so it is immutable and can back indexes and stored columns.
-- First defined in migration 0001; this is its current definition.
create or replace function leadline_date(moment timestamptz) returns date
language sql immutable parallel safe
return (moment at time zone 'Asia/Kolkata')::date;
