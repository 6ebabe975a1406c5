-- Data entry: every form carries an idempotency key (one per rendered form), so a double
-- click, a browser resubmit or a retry after a dropped connection finds the row the first
-- submission wrote instead of writing a second one. NULL for rows not entered through a
-- form (imports, the demo), which the unique constraints let repeat.

alter table leads
    add column idempotency_key text,
    add constraint index_leads_on_tenant_id_and_idempotency_key unique (tenant_id, idempotency_key);

alter table lead_milestones
    add column idempotency_key text,
    add constraint index_lead_milestones_on_tenant_id_and_idempotency_key unique (tenant_id, idempotency_key);

alter table lead_engagements
    add column idempotency_key text,
    add constraint index_lead_engagements_on_tenant_id_and_idempotency_key unique (tenant_id, idempotency_key);

alter table bookings
    add column idempotency_key text,
    -- A cancellation is an update of the booking, so its key lives beside the booking's.
    add column cancellation_idempotency_key text,
    add constraint index_bookings_on_tenant_id_and_idempotency_key unique (tenant_id, idempotency_key),
    add constraint index_bookings_on_tenant_id_and_cancellation_idempotency_key
        unique (tenant_id, cancellation_idempotency_key);

-- Follow-ups: a rep's list reads the latest activity of each lead that asked for one.
create index index_lead_milestones_on_tenant_id_and_next_follow_up_at
    on lead_milestones (tenant_id, next_follow_up_at) where next_follow_up_at is not null;
create index index_lead_engagements_on_tenant_id_and_next_follow_up_at
    on lead_engagements (tenant_id, next_follow_up_at) where next_follow_up_at is not null;
