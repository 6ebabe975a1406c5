-- Integrations under rep scope (see 0009): a rep's transactions (app.owner_user_id set) see none
-- of the API keys and intake settings, which only the admins' Integrations screen reads, and of
-- the intake log only the deliveries that became (or re-enquired) their own leads: the log keeps
-- every delivered lead's name and phone, whoever owns the lead.
select leadline_apply_owner_policy('intake_events', 'leads', 'lead_id');

create policy owner_scope on api_keys as restrictive
    using (nullif(current_setting('app.owner_user_id', true), '') is null);
create policy owner_scope on intake_settings as restrictive
    using (nullif(current_setting('app.owner_user_id', true), '') is null);
