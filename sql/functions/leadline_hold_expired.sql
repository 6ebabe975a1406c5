-- Whether a unit's hold is over, so the unit counts as available: it is blocked, its hold has
-- an expiry, and that moment has come (<=: a hold that expires at 10:00 is over at 10:00). A
-- block without an expiry stays blocked. "Now" is the transaction's start (now()), so every
-- read and write in one transaction agrees. The one home of the rule: v_unit_inventory, the
-- booking form's available units (data/reports/units.py) and the booking write
-- (data/writes/bookings.py) all call it; tests/test_hold_expiry.py holds them together.
create or replace function leadline_hold_expired(status text, hold_expires_at timestamptz) returns boolean
language sql stable parallel safe
return status = 'blocked' and hold_expires_at is not null and hold_expires_at <= now();
