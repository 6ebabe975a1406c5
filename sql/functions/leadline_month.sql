-- The first day of the month of a moment in India time.
-- The zone is a constant, so it is immutable and can back indexes and stored columns.
-- First defined in migration 0001; this is its current definition.
create or replace function leadline_month(moment timestamptz) returns date
language sql immutable parallel safe
return date_trunc('month', moment at time zone 'Asia/Kolkata')::date;
