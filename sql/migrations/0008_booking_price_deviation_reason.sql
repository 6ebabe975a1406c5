-- A booking far from its unit's list price (data.rules.PRICE_DEVIATION_LIMIT) is made only with
-- a reason, kept with the booking so that whoever reads the account later sees why. NULL for
-- bookings at a usual price, for imported ones and for those made before this column existed.
-- Its own column rather than a general notes field: it says what it holds, and a report can ask
-- for "bookings made off list price" without parsing text.

alter table bookings
    add column price_deviation_reason text,
    add constraint check_bookings_price_deviation_reason_not_blank check (
        price_deviation_reason is null or btrim(price_deviation_reason) <> ''
    );
