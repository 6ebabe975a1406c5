-- Campaign spend sent twice is recorded once: the API's Idempotency-Key (issue 14) is kept with
-- the row, as every other write keeps its form's key.
alter table campaign_spend
    add column idempotency_key text,
    add constraint index_campaign_spend_on_tenant_id_and_idempotency_key unique (tenant_id, idempotency_key);
