-- The days each lead took for each step it has made (the definition the rollup counts).
-- First defined in migration 0007; this is its current definition.
create or replace function lead_step_days(facts lead_facts) returns table (lag_step text, days integer)
language sql immutable
as $$
    select 'generated_to_visit', leadline_date(facts.first_site_visit_at) - leadline_date(facts.generated_at)
    where facts.first_site_visit_at is not null
    union all
    select 'visit_to_booking', facts.first_booking_date - leadline_date(facts.first_site_visit_at)
    where facts.first_site_visit_at is not null and facts.first_booking_date is not null
$$;
