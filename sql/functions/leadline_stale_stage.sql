-- The stale-lead stage a live milestone shows a lead has reached. A scheduled visit shows the lead
-- qualified (the visit itself is not done yet); a revisit is a site visit; a booking or a
-- cancellation (a lead whose booking was cancelled is open again) is as far as negotiation.
-- Any other milestone (lead generated, re-engaged) reaches no stage: "new".
create or replace function leadline_stale_stage(milestone_type text) returns text
language sql immutable parallel safe
return case
    when milestone_type in ('negotiation', 'booking', 'cancellation') then 'negotiation'
    when milestone_type in ('site_visit', 'revisit') then 'site_visit'
    when milestone_type in ('qualified', 'site_visit_scheduled') then 'qualified'
    when milestone_type = 'contacted' then 'contacted'
    else 'new'
end;
