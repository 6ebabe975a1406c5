"""The write endpoints and their lists over HTTP: milestones, engagements, bookings, cancellations,
ledger entries and reversals, statements, campaigns and spend. For each: the happy path, the
forms' own messages (422), roles (403), other tenants' and unknown ids (404), replays under an
Idempotency-Key, harmless double submits, user text stored as sent, and no 500 for odd input.

The writes run in a world of their own (tests/support/world.py under the suffix "api-writes",
with its own keys), so the figures other API tests check by hand in the shared API world stay
as they built them.
"""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import secrets
from dataclasses import dataclass

import pytest
import sqlalchemy as sa

from data import db
from data.domain.filters import today_in_india
from data.domain.permissions import SYSTEM
from data.writes import api_keys, catalog
from data.writes.bookings import UNIT_TAKEN
from tests.support.api import Client, client
from tests.support.world import World, add_people, build_world

MARKUP = "**bold** [x](y) <b>bold</b>"
PLAN = "down-payment"  # 10 % booking, 85 % in 45 days, 5 % on registration: three demands


@dataclass(frozen=True)
class Apis:
    """Clients of the writes' world: alpha's intake, reader and manager keys, beta's manager key."""

    intake: Client
    reader: Client
    manager: Client
    beta: Client


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("api-writes")
    add_people(built)
    return built


@pytest.fixture(scope="module")
def apis(api_url: str, world: World) -> Apis:
    def make(tenant_id: int, role: str) -> Client:
        return client(api_url, api_keys.create_api_key(tenant_id, SYSTEM, name=f"Writes {role}", role=role).key)

    return Apis(
        intake=make(world.alpha, "intake"),
        reader=make(world.alpha, "reader"),
        manager=make(world.alpha, "manager"),
        beta=make(world.beta, "manager"),
    )


def _count(tenant_id: int, sql: str, **params) -> int:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def _value(tenant_id: int, sql: str, **params):
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def _lead(apis: Apis, **extra) -> int:
    body = {
        "name": "Kiran Shah",
        "phone": f"+91 9{secrets.randbelow(10**9):09d}",
        "source": "Online Portal",
        "subsource": "99acres",
        **extra,
    }
    answer = apis.intake.post("/v1/leads", json=body)
    assert answer.status_code == 201, answer.text
    return answer.json()["lead_id"]


def _unit(world: World, price: str = "8500000") -> int:
    return catalog.add_unit(
        world.alpha,
        world.ids["boss"],
        tower_id=world.ids["t1"],
        floor=3,
        unit_number=f"W-{secrets.token_hex(3)}",
        unit_type="2BHK",
        carpet_area_sqft=900,
        list_price=price,
    )


def _booking(lead_id: int, unit_id: int, **extra) -> dict:
    return {
        "lead_id": lead_id,
        "unit_id": unit_id,
        "agreement_value": "85,00,000",
        "booking_amount": 850000,
        "plan_code": PLAN,
        "payment_mode": "neft",
        "reference": f"UTR{secrets.token_hex(4)}",
        **extra,
    }


def _book(apis: Apis, world: World, **extra) -> dict:
    answer = apis.manager.post("/v1/bookings", json=_booking(_lead(apis), _unit(world), **extra))
    assert answer.status_code == 201, answer.text
    return answer.json()


def _key() -> dict:
    return {"Idempotency-Key": secrets.token_hex(8)}


# Milestones and engagements ----------------------------------------------------------------


def test_a_milestone_is_logged_and_listed_with_its_notes_as_sent(apis, world) -> None:
    lead_id = _lead(apis)
    notes = MARKUP + "\n" + "n" * 1900
    answer = apis.intake.post(f"/v1/leads/{lead_id}/milestones", json={"milestone_type": "qualified", "notes": notes})
    assert answer.status_code == 201, answer.text
    milestone_id = answer.json()["milestone_id"]
    assert answer.json() == {"milestone_id": milestone_id, "lead_id": lead_id}
    stored = _value(world.alpha, "select notes from lead_milestones where milestone_id = :id", id=milestone_id)
    assert stored == notes
    listed = apis.reader.get(f"/v1/leads/{lead_id}/milestones")
    assert listed.status_code == 200, listed.text
    rows = {row["milestone_id"]: row for row in listed.json()["rows"]}
    assert rows[milestone_id]["milestone_type"] == "qualified"
    assert rows[milestone_id]["notes"] == notes
    assert listed.json()["total_rows"] == 2  # lead_generated, qualified


def test_an_engagement_is_logged_and_the_first_completed_one_marks_the_lead_contacted(apis, world) -> None:
    lead_id = _lead(apis)
    body = {"engagement_type": "call", "channel": "phone", "direction": "outbound", "status": "completed"}
    answer = apis.intake.post(f"/v1/leads/{lead_id}/engagements", json={**body, "duration_seconds": 240})
    assert answer.status_code == 201, answer.text
    engagement_id = answer.json()["engagement_id"]
    listed = apis.reader.get(f"/v1/leads/{lead_id}/engagements").json()["rows"]
    assert [(row["engagement_id"], row["duration_seconds"]) for row in listed] == [(engagement_id, 240)]
    milestones = apis.reader.get(f"/v1/leads/{lead_id}/milestones").json()["rows"]
    assert [row["milestone_type"] for row in milestones] == ["lead_generated", "contacted"]


def test_activity_refused_with_the_forms_messages_writes_nothing(apis, world) -> None:
    lead_id = _lead(apis)
    count = "select count(*) from lead_milestones where lead_id = :id"
    before = _count(world.alpha, count, id=lead_id)
    milestones = f"/v1/leads/{lead_id}/milestones"
    errors = apis.manager.post(milestones, json={"milestone_type": "won", "outcome": "great"}).json()["errors"]
    assert errors == {"milestone_type": "Choose a milestone.", "outcome": "Choose positive, neutral or negative."}
    errors = apis.manager.post(milestones, json={"milestone_type": "booking"}).json()["errors"]
    assert errors == {"milestone_type": "Bookings and cancellations are recorded with the booking forms."}
    errors = apis.manager.post(milestones, json={"milestone_type": "revisit"}).json()["errors"]
    assert errors == {"milestone_type": "A revisit needs an earlier site visit; log a site visit first."}
    answer = apis.manager.post(milestones, json={"milestone_type": "qualified", "notes": "n" * 3000})
    assert answer.json()["errors"] == {"notes": "Keep the notes to 2,000 characters (this has 3,000)."}
    answer = apis.manager.post(milestones, json={"milestone_type": "qualified", "notes": "a\x00b"})
    assert answer.json()["errors"] == {
        "notes": "The notes holds an invisible control character (U+0000); type it again."
    }
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).isoformat()
    answer = apis.manager.post(milestones, json={"milestone_type": "qualified", "occurred_at": tomorrow})
    assert answer.json()["errors"] == {"occurred_at": "This cannot be more than a day in the future."}
    engagement = {"engagement_type": "fax", "direction": "sideways", "status": "completed", "duration_seconds": -1}
    errors = apis.manager.post(f"/v1/leads/{lead_id}/engagements", json=engagement).json()["errors"]
    assert errors == {
        "engagement_type": "Choose call, email, SMS, WhatsApp or meeting.",
        "direction": "Choose outbound (we reached out) or inbound (they did).",
        "duration_seconds": "Give the duration in seconds, between 0 and a day.",
    }
    assert _count(world.alpha, count, id=lead_id) == before


def test_a_probable_duplicate_is_asked_about_and_saved_once_confirmed(apis, world) -> None:
    lead_id = _lead(apis)
    url = f"/v1/leads/{lead_id}/engagements"
    body = {"engagement_type": "whatsapp", "direction": "inbound", "status": "completed"}
    assert apis.intake.post(url, json=body).status_code == 201
    again = apis.intake.post(url, json=body)  # a double submit without a key: asked, not written
    assert again.status_code == 422
    assert again.json()["errors"]["duplicate"].startswith("This looks like the WhatsApp saved for ")
    assert _count(world.alpha, "select count(*) from lead_engagements where lead_id = :id", id=lead_id) == 1
    confirmed = apis.intake.post(url, json={**body, "confirm_duplicate": True})
    assert confirmed.status_code == 201, confirmed.text
    assert _count(world.alpha, "select count(*) from lead_engagements where lead_id = :id", id=lead_id) == 2


def test_the_same_idempotency_key_replays_a_milestone_and_writes_it_once(apis, world) -> None:
    lead_id = _lead(apis)
    url, body, key = f"/v1/leads/{lead_id}/milestones", {"milestone_type": "negotiation"}, _key()
    first = apis.intake.post(url, json=body, headers=key)
    second = apis.intake.post(url, json=body, headers=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json()
    assert second.headers["Leadline-Replayed"] == "true" and "Leadline-Replayed" not in first.headers
    sql = "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'negotiation'"
    assert _count(world.alpha, sql, id=lead_id) == 1
    # Another key's Idempotency-Key of the same text is its own: no replay across keys.
    other = apis.manager.post(url, json={**body, "confirm_duplicate": True}, headers=key)
    assert other.status_code == 201 and other.json() != first.json()


def test_activity_is_held_to_the_keys_role_and_tenant(apis, world) -> None:
    lead_id = _lead(apis)
    body = {"milestone_type": "qualified"}
    refused = apis.reader.post(f"/v1/leads/{lead_id}/milestones", json=body)
    assert (refused.status_code, refused.json()) == (403, {"errors": {"user": "Your role cannot log milestones."}})
    assert apis.intake.get(f"/v1/leads/{lead_id}/milestones").status_code == 403
    for url in (f"/v1/leads/{lead_id}/milestones", f"/v1/leads/{lead_id}/engagements"):
        assert apis.beta.get(url).status_code == 404
        assert apis.reader.get(url.replace(str(lead_id), str(2**62))).status_code == 404
    assert apis.beta.post(f"/v1/leads/{lead_id}/milestones", json=body).json() == {
        "errors": {"path": "There is no such lead."}
    }
    call = {"engagement_type": "call", "direction": "outbound", "status": "no_answer"}
    assert apis.beta.post(f"/v1/leads/{lead_id}/engagements", json=call).status_code == 404
    assert apis.manager.post(f"/v1/leads/{2**62}/engagements", json=call).status_code == 404
    assert _count(world.alpha, "select count(*) from lead_milestones where lead_id = :id", id=lead_id) == 1


# Bookings ----------------------------------------------------------------------------------


def test_a_unit_is_booked_with_its_plan_and_listed_with_money_as_text(apis, world) -> None:
    lead_id = _lead(apis, campaign="Portal Jan", owner="mona")
    unit_id = _unit(world)
    offered = apis.reader.get("/v1/units", params={"project": "alpha towers", "limit": 1000}).json()["rows"]
    assert unit_id in {row["unit_id"] for row in offered}
    assert {row["project_name"] for row in offered} == {"Alpha Towers"}
    answer = apis.manager.post("/v1/bookings", json=_booking(lead_id, unit_id))
    assert answer.status_code == 201, answer.text
    booking_id = answer.json()["booking_id"]
    assert answer.json() == {"booking_id": booking_id, "lead_id": lead_id}
    sql = "select count(*) from account_ledger where booking_id = :id and entry_type = :type"
    assert _count(world.alpha, sql, id=booking_id, type="demand") == 3
    assert _count(world.alpha, sql, id=booking_id, type="receipt") == 1
    assert _value(world.alpha, "select status from units where unit_id = :id", id=unit_id) == "booked"
    today = today_in_india().isoformat()
    filters = {"project": "ALPHA TOWERS", "campaign": "portal jan", "owner": "Mona", "status": "confirmed"}
    listed = apis.reader.get("/v1/bookings", params={**filters, "booked_from": today, "booked_to": today})
    assert listed.status_code == 200, listed.text
    (row,) = [row for row in listed.json()["rows"] if row["booking_id"] == booking_id]
    assert (row["agreement_value"], row["booking_amount"]) == ("8500000.00", "850000.00")
    assert (row["project_name"], row["source"], row["owner_username"]) == ("Alpha Towers", "Online Portal", "mona")
    offered = apis.reader.get("/v1/units", params={"limit": 1000}).json()["rows"]
    assert unit_id not in {row["unit_id"] for row in offered}  # booked: no longer offered
    ravis = apis.reader.get("/v1/bookings", params={**filters, "owner": "ravi"}).json()["rows"]
    assert {row["booking_id"] for row in ravis} == {world.ids["b2"]}  # the world's booking by Ravi's lead


def test_the_bookings_list_pages_filters_and_refuses_odd_filters(apis, world) -> None:
    everything = apis.reader.get("/v1/bookings").json()
    first = apis.reader.get("/v1/bookings", params={"limit": 1}).json()
    assert len(first["rows"]) == 1 and first["total_rows"] == everything["total_rows"] >= 3
    second = apis.reader.get("/v1/bookings", params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [first["rows"][0], second["rows"][0]] == everything["rows"][:2]
    cancelled = apis.reader.get("/v1/bookings", params={"status": "cancelled", "project": "alpha towers"}).json()
    assert world.ids["b1"] in {row["booking_id"] for row in cancelled["rows"]}
    assert {row["status"] for row in cancelled["rows"]} == {"cancelled"}
    assert "Beta Buyer" not in {row["customer_name"] for row in everything["rows"]}
    csv = apis.reader.get("/v1/bookings", headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and csv.content.decode("utf-8-sig").startswith(
        "booking_id,lead_id,"
    )
    refused = apis.reader.get(
        "/v1/bookings", params={"status": "sold", "booked_from": "2026-02-01", "booked_to": "2026-01-01"}
    )
    assert refused.json()["errors"] == {
        "status": "Choose one of pending, confirmed, on_hold, completed, cancelled.",
        "booked_to": "The end date is before the start date.",
    }
    assert apis.reader.get("/v1/bookings", params={"project": "a\x00b"}).status_code == 422
    assert apis.intake.get("/v1/bookings").status_code == 403


def test_a_booking_refused_with_the_forms_messages_writes_nothing(apis, world) -> None:
    lead_id, unit_id = _lead(apis), _unit(world)
    count = "select count(*) from bookings where lead_id = :id"
    body = _booking(
        lead_id, unit_id, agreement_value="50-60 lakh", booking_amount="0", plan_code="none", payment_mode="cheque"
    )
    errors = apis.manager.post("/v1/bookings", json={**body, "reference": None}).json()["errors"]
    assert errors == {
        "agreement_value": "Give one amount, not a range.",
        "booking_amount": "Enter an amount in rupees above zero.",
        "plan_code": "Choose a payment plan.",
        "reference": "Give the cheque or transaction number.",
    }
    too_much = _booking(lead_id, unit_id, booking_amount="90,00,000")
    assert apis.manager.post("/v1/bookings", json=too_much).json()["errors"] == {
        "booking_amount": "The booking amount cannot exceed the agreement value."
    }
    taken = apis.manager.post("/v1/bookings", json=_booking(lead_id, world.ids["u2"]))
    assert taken.json()["errors"] == {"unit_id": UNIT_TAKEN}
    beta_unit = apis.manager.post("/v1/bookings", json=_booking(lead_id, world.ids["beta_unit"]))
    assert beta_unit.json()["errors"] == {"unit_id": "Choose a unit."}
    beta_lead = apis.manager.post("/v1/bookings", json=_booking(world.ids["beta_lead"], unit_id))
    assert beta_lead.json()["errors"] == {"lead_id": "Choose one of your leads."}
    assert apis.beta.post("/v1/bookings", json=_booking(lead_id, unit_id)).status_code == 422
    assert _count(world.alpha, count, id=lead_id) == 0


def test_a_price_far_from_the_list_price_needs_a_reason_stored_as_sent(apis, world) -> None:
    lead_id, unit_id = _lead(apis), _unit(world, price="10000000")
    body = _booking(lead_id, unit_id, agreement_value="50,00,000", booking_amount="5,00,000")
    asked = apis.manager.post("/v1/bookings", json=body)
    assert asked.status_code == 422
    assert asked.json()["errors"] == {
        "agreement_value": "₹50,00,000 is 50 % below the list price ₹1,00,00,000. "
        "Give the reason to book at this price."
    }
    booked = apis.manager.post("/v1/bookings", json={**body, "price_deviation_reason": MARKUP})
    assert booked.status_code == 201, booked.text
    sql = "select price_deviation_reason from bookings where booking_id = :id"
    assert _value(world.alpha, sql, id=booked.json()["booking_id"]) == MARKUP


def test_booking_is_for_managers_only(apis, world) -> None:
    lead_id, unit_id = _lead(apis), _unit(world)
    for api in (apis.intake, apis.reader):
        refused = api.post("/v1/bookings", json=_booking(lead_id, unit_id))
        assert (refused.status_code, refused.json()) == (403, {"errors": {"user": "Your role cannot book units."}})
    assert _count(world.alpha, "select count(*) from bookings where lead_id = :id", id=lead_id) == 0


def test_the_same_idempotency_key_replays_a_booking_and_a_double_submit_books_once(apis, world) -> None:
    lead_id, unit_id = _lead(apis), _unit(world)
    body, key = _booking(lead_id, unit_id), _key()
    first = apis.manager.post("/v1/bookings", json=body, headers=key)
    second = apis.manager.post("/v1/bookings", json=body, headers=key)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json() == first.json() and second.headers["Leadline-Replayed"] == "true"
    again = apis.manager.post("/v1/bookings", json=body)  # the same form sent again without a key
    assert again.json()["errors"] == {"unit_id": UNIT_TAKEN}
    assert _count(world.alpha, "select count(*) from bookings where lead_id = :id", id=lead_id) == 1
    receipts = "select count(*) from account_ledger where booking_id = :id and entry_type = 'receipt'"
    assert _count(world.alpha, receipts, id=first.json()["booking_id"]) == 1


def _copies(api: Client, count: int, url: str, body: dict, headers: dict) -> list:
    """The same request sent ``count`` times at once, each on its own connection."""

    def send(_) -> object:
        fresh = Client(api.base, None)
        fresh.headers.update(api.headers)
        return fresh.post(url, json=body, headers=headers)

    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def test_concurrent_copies_of_a_keyed_booking_and_receipt_write_once(apis, world) -> None:
    lead_id, unit_id = _lead(apis), _unit(world)
    answers = _copies(apis.manager, 10, "/v1/bookings", _booking(lead_id, unit_id), _key())
    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201], [a.text for a in answers]
    assert len({answer.json()["booking_id"] for answer in answers}) == 1
    assert _count(world.alpha, "select count(*) from bookings where lead_id = :id", id=lead_id) == 1
    booking_id = answers[0].json()["booking_id"]
    receipt = {"booking_id": booking_id, "entry_type": "receipt", "amount": "1,000", "payment_mode": "cash"}
    answers = _copies(apis.manager, 10, "/v1/ledger-entries", receipt, _key())
    assert sorted(answer.status_code for answer in answers) == [200] * 9 + [201], [a.text for a in answers]
    sql = "select count(*) from account_ledger where booking_id = :id and entry_type = 'receipt'"
    assert _count(world.alpha, sql, id=booking_id) == 2  # the booking amount's, and this one


# Cancellations -----------------------------------------------------------------------------


def test_a_booking_is_cancelled_once_and_the_replay_answers_the_same(apis, world) -> None:
    booked = _book(apis, world)
    url, key = f"/v1/bookings/{booked['booking_id']}/cancellation", _key()
    body = {"reason": MARKUP, "cancellation_charge": "50,000", "refund_amount": 800000, "refund_mode": "cash"}
    first = apis.manager.post(url, json=body, headers=key)
    assert first.status_code == 201, first.text
    assert first.json() == {**booked, "status": "cancelled"}
    second = apis.manager.post(url, json=body, headers=key)
    assert (second.status_code, second.json(), second.headers["Leadline-Replayed"]) == (200, first.json(), "true")
    again = apis.manager.post(url, json=body)  # a double submit without a key
    assert (again.status_code, again.json()["errors"]) == (422, {"booking_id": "This booking is already cancelled."})
    sql = "select cancellation_reason from bookings where booking_id = :id and status = 'cancelled'"
    assert _value(world.alpha, sql, id=booked["booking_id"]) == MARKUP
    refunds = "select count(*) from account_ledger where booking_id = :id and entry_type = 'refund'"
    assert _count(world.alpha, refunds, id=booked["booking_id"]) == 1


def test_a_cancellation_refused_with_the_forms_messages_changes_nothing(apis, world) -> None:
    booked = _book(apis, world)
    url = f"/v1/bookings/{booked['booking_id']}/cancellation"
    errors = apis.manager.post(url, json={"reason": " ", "refund_amount": "9,00,000"}).json()["errors"]
    assert errors == {"reason": "Say why the booking is cancelled."}
    errors = apis.manager.post(url, json={"reason": "Loan", "refund_amount": "9,00,000"}).json()["errors"]
    assert errors == {
        "refund_amount": "The refund cannot exceed what the customer paid (₹8,50,000.00) less the charge "
        "(₹0.00): at most ₹8,50,000.00."
    }
    future = (today_in_india() + dt.timedelta(days=5)).isoformat()
    errors = apis.manager.post(url, json={"reason": "Loan", "cancellation_date": future}).json()["errors"]
    assert errors == {"cancellation_date": "The date cannot be in the future."}
    assert apis.reader.post(url, json={"reason": "Loan"}).json() == {
        "errors": {"user": "Your role cannot cancel bookings."}
    }
    assert apis.intake.post(url, json={"reason": "Loan"}).status_code == 403
    assert apis.beta.post(url, json={"reason": "Loan"}).status_code == 404
    assert apis.manager.post(f"/v1/bookings/{2**62}/cancellation", json={"reason": "Loan"}).status_code == 404
    sql = "select status from bookings where booking_id = :id"
    assert _value(world.alpha, sql, id=booked["booking_id"]) == "confirmed"


# Ledger entries and statements -------------------------------------------------------------


def test_a_receipt_is_added_once_under_its_key_and_shows_on_the_statement(apis, world) -> None:
    booked = _book(apis, world)
    body = {
        "booking_id": booked["booking_id"],
        "entry_type": "receipt",
        "amount": 250000.5,
        "payment_mode": "cheque",
        "reference": "004512",
        "notes": MARKUP,
    }
    key = _key()
    first = apis.manager.post("/v1/ledger-entries", json=body, headers=key)
    assert first.status_code == 201, first.text
    second = apis.manager.post("/v1/ledger-entries", json=body, headers=key)
    assert (second.status_code, second.json(), second.headers["Leadline-Replayed"]) == (200, first.json(), "true")
    other = apis.manager.post("/v1/ledger-entries", json={**body, "amount": "1"}, headers=key)
    assert other.json()["errors"] == {
        "idempotency_key": "This form was already submitted with other values; reload it."
    }
    again = apis.manager.post("/v1/ledger-entries", json=body)  # the same cheque entered twice, no key
    assert again.json()["errors"]["reference"].startswith(f"Receipt #{first.json()['ledger_entry_id']} of ")
    sql = "select count(*) from account_ledger where booking_id = :id and reference = '004512'"
    assert _count(world.alpha, sql, id=booked["booking_id"]) == 1
    rows = apis.reader.get(f"/v1/bookings/{booked['booking_id']}/statement").json()["rows"]
    (row,) = [row for row in rows if row["ledger_entry_id"] == first.json()["ledger_entry_id"]]
    assert (row["credit_amount"], row["notes"], row["description"]) == ("250000.50", MARKUP, "Receipt")


def test_an_entry_is_reversed_once(apis, world) -> None:
    booked = _book(apis, world)
    demand = {
        "booking_id": booked["booking_id"],
        "entry_type": "demand",
        "amount": "1,00,000",
        "due_date": "2027-01-15",
    }
    entry_id = apis.manager.post("/v1/ledger-entries", json=demand).json()["ledger_entry_id"]
    reversal = {"reverses_entry_id": entry_id, "reason": "Raised in error"}
    answer = apis.manager.post("/v1/ledger-entries", json=reversal)
    assert answer.status_code == 201, answer.text
    again = apis.manager.post("/v1/ledger-entries", json=reversal)
    assert again.json()["errors"] == {"reverses_entry_id": "This entry has already been reversed."}
    of_reversal = {"reverses_entry_id": answer.json()["ledger_entry_id"], "reason": "Oops"}
    assert apis.manager.post("/v1/ledger-entries", json=of_reversal).json()["errors"] == {
        "reverses_entry_id": "A reversal cannot be reversed."
    }
    rows = apis.reader.get(f"/v1/bookings/{booked['booking_id']}/statement").json()["rows"]
    (row,) = [row for row in rows if row["ledger_entry_id"] == entry_id]
    assert row["is_reversed"] is True
    sql = "select count(*) from account_ledger where reverses_entry_id = :id"
    assert _count(world.alpha, sql, id=entry_id) == 1


def test_ledger_entries_refused_with_the_forms_messages_write_nothing(apis, world) -> None:
    b2 = world.ids["b2"]
    count = "select count(*) from account_ledger where booking_id = :id"
    before = _count(world.alpha, count, id=b2)
    demand = {"booking_id": b2, "entry_type": "demand", "amount": "-5"}
    assert apis.manager.post("/v1/ledger-entries", json=demand).json()["errors"] == {
        "amount": "Enter an amount in rupees above zero.",
        "due_date": "A demand needs a due date.",
    }
    odd = {"booking_id": b2, "entry_type": "refund", "amount": "1.234", "reason": "why"}
    assert apis.manager.post("/v1/ledger-entries", json=odd).json()["errors"] == {
        "reason": "Only a reversal has a reason; give an entry's particulars as notes."
    }
    odd.pop("reason")
    assert apis.manager.post("/v1/ledger-entries", json=odd).json()["errors"] == {
        "entry_type": "Choose a demand, receipt, credit note or debit note.",
        "amount": "Give at most two decimal places.",
    }
    mixed = {"reverses_entry_id": world.ids["b2_receipt"], "reason": "x", "amount": "5"}
    assert apis.manager.post("/v1/ledger-entries", json=mixed).json()["errors"] == {
        "amount": "A reversal takes only reverses_entry_id, reason and entry_date."
    }
    unreasoned = {"reverses_entry_id": world.ids["b2_receipt"]}
    assert apis.manager.post("/v1/ledger-entries", json=unreasoned).json()["errors"] == {
        "reason": "Say why the entry is reversed."
    }
    closed = {"booking_id": world.ids["b1"], "entry_type": "debit_note", "amount": "5"}
    assert apis.manager.post("/v1/ledger-entries", json=closed).json()["errors"] == {
        "booking_id": "This booking was cancelled on 10 Feb 2026; its account is closed."
    }
    note = {"booking_id": b2, "entry_type": "credit_note", "amount": "5"}
    assert apis.beta.post("/v1/ledger-entries", json=note).json()["errors"] == {
        "booking_id": "There is no such booking."
    }
    beta_reversal = {"reverses_entry_id": world.ids["b2_receipt"], "reason": "x"}
    assert apis.beta.post("/v1/ledger-entries", json=beta_reversal).json()["errors"] == {
        "reverses_entry_id": "There is no such entry."
    }
    for api in (apis.reader, apis.intake):
        refused = api.post("/v1/ledger-entries", json=note)
        assert (refused.status_code, refused.json()) == (
            403,
            {"errors": {"user": "Your role cannot add ledger entries."}},
        )
    assert apis.reader.post("/v1/ledger-entries", json=beta_reversal).status_code == 403
    assert _count(world.alpha, count, id=b2) == before


def test_a_statement_pages_as_json_and_csv_and_is_held_to_its_tenant(apis, world) -> None:
    b1 = world.ids["b1"]
    url = f"/v1/bookings/{b1}/statement"
    whole = apis.reader.get(url).json()
    assert whole["total_rows"] == 8 and whole["next_cursor"] is None
    assert [row["debit_amount"] for row in whole["rows"][:2]] == ["500000.00", "750000.00"]
    assert whole["rows"][-1]["running_balance"] == "0.00"
    first = apis.reader.get(url, params={"limit": 5}).json()
    rest = apis.reader.get(url, params={"limit": 5, "cursor": first["next_cursor"]}).json()
    assert first["rows"] + rest["rows"] == whole["rows"] and rest["next_cursor"] is None
    csv = apis.reader.get(url, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv") and len(csv.text.strip().splitlines()) == 9
    assert apis.beta.get(url).status_code == 404
    assert apis.reader.get(f"/v1/bookings/{2**62}/statement").status_code == 404
    assert apis.intake.get(url).status_code == 403
    assert apis.reader.get(url, params={"cursor": "nonsense"}).status_code == 422


# Campaigns and spend -----------------------------------------------------------------------


def test_a_campaign_is_added_once_and_listed_before_it_starts(apis, world) -> None:
    name = f"Launch {MARKUP} {secrets.token_hex(3)}"
    start = (today_in_india() + dt.timedelta(days=20)).isoformat()
    body = {
        "name": name,
        "campaign_type": "Paid social",
        "channel": "Facebook",
        "source": "online portal",
        "subsource": "99ACRES",
        "project": "beta park",
        "budget": "5,00,000",
        "start_date": start,
    }
    answer = apis.manager.post("/v1/campaigns", json=body)
    assert answer.status_code == 201, answer.text
    campaign_id = answer.json()["campaign_id"]
    again = apis.manager.post("/v1/campaigns", json=body)  # a double submit: the name is taken
    assert again.json()["errors"] == {"name": "A campaign with that name exists."}
    assert _count(world.alpha, "select count(*) from campaigns where name = :name", name=name) == 1
    listed = apis.reader.get("/v1/campaigns", params={"project": "Beta Park", "status": "active"}).json()["rows"]
    (row,) = [row for row in listed if row["campaign_id"] == campaign_id]
    assert (row["campaign_name"], row["budget"], row["spend"], row["start_date"]) == (name, "500000.00", "0.00", start)
    assert apis.reader.get("/v1/campaigns", params={"source": "Walk-in"}).json()["rows"] == []
    assert apis.reader.get("/v1/campaigns", params={"status": "running"}).status_code == 422


def test_a_campaign_refused_with_the_forms_messages_is_not_added(apis, world) -> None:
    body = {
        "name": "  ",
        "campaign_type": "Paid social",
        "channel": "Facebook",
        "source": "Online Portal",
        "subsource": "99acres",
        "budget": "lots",
        "start_date": "2026-05-01",
        "end_date": "2026-04-01",
        "status": "live",
    }
    assert apis.manager.post("/v1/campaigns", json=body).json()["errors"] == {
        "name": "Give the campaign's name.",
        "budget": "Enter an amount in rupees.",
        "end_date": "The end date is before the start date.",
        "status": "Choose one of active, paused, completed, inactive.",
    }
    unknown = {**body, "source": "Billboards", "project": "Nowhere"}
    assert apis.manager.post("/v1/campaigns", json=unknown).json()["errors"] == {
        "source": "There is no lead source Billboards / 99acres; an admin adds it under Lead sources.",
        "project": "There is no project Nowhere.",
    }
    good = {**body, "name": f"Refused {secrets.token_hex(3)}", "budget": "0", "end_date": None, "status": "active"}
    for api in (apis.reader, apis.intake):
        refused = api.post("/v1/campaigns", json=good)
        assert (refused.status_code, refused.json()) == (
            403,
            {"errors": {"user": "Your role cannot set up campaigns."}},
        )
    assert apis.intake.get("/v1/campaigns").status_code == 403
    assert _count(world.alpha, "select count(*) from campaigns where name = :name", name=good["name"]) == 0


def test_spend_is_recorded_on_the_tenants_own_campaigns_only(apis, world) -> None:
    campaign_id = world.ids["c2"]
    url = f"/v1/campaigns/{campaign_id}/spend"
    count = "select count(*) from campaign_spend where campaign_id = :id"
    before = _count(world.alpha, count, id=campaign_id)
    answer = apis.manager.post(url, json={"amount": "12,500.50"})
    assert answer.status_code == 201, answer.text
    assert answer.json() == {"campaign_spend_id": answer.json()["campaign_spend_id"], "campaign_id": campaign_id}
    sql = "select amount::text from campaign_spend where campaign_spend_id = :id"
    assert _value(world.alpha, sql, id=answer.json()["campaign_spend_id"]) == "12500.50"
    future = (today_in_india() + dt.timedelta(days=5)).isoformat()
    assert apis.manager.post(url, json={"amount": 0, "spend_date": future}).json()["errors"] == {
        "amount": "Enter an amount in rupees above zero.",
        "spend_date": "Spend cannot be in the future.",
    }
    assert apis.reader.post(url, json={"amount": 5}).json() == {
        "errors": {"user": "Your role cannot record campaign spend."}
    }
    assert apis.beta.post(url, json={"amount": 5}).status_code == 404
    assert apis.manager.post(f"/v1/campaigns/{2**62}/spend", json={"amount": 5}).status_code == 404
    assert _count(world.alpha, count, id=campaign_id) == before + 1
    # A retry with the same Idempotency-Key records the spend once and answers the same.
    keyed = [apis.manager.post(url, json={"amount": "999"}, headers={"Idempotency-Key": "spend-1"}) for _ in range(2)]
    assert [answer.status_code for answer in keyed] == [201, 201]
    assert keyed[0].json() == keyed[1].json()
    assert _count(world.alpha, count, id=campaign_id) == before + 2


# Odd input ---------------------------------------------------------------------------------


def test_odd_input_is_refused_never_a_server_error(apis, world) -> None:
    lead_id, b2 = _lead(apis), world.ids["b2"]
    far_moments = ("0001-01-01T00:00:00+05:30", "9999-12-31T23:00:00-05:00", "9999-12-31T23:59:59+14:00")
    odd = [
        ("post", f"/v1/leads/{lead_id}/milestones", None),
        ("post", f"/v1/leads/{lead_id}/milestones", {}),
        ("post", f"/v1/leads/{lead_id}/milestones", {"milestone_type": 5}),
        ("post", f"/v1/leads/{lead_id}/milestones", {"milestone_type": "qualified\x00"}),
        *(
            ("post", f"/v1/leads/{lead_id}/milestones", {"milestone_type": "site_visit_scheduled", "occurred_at": m})
            for m in far_moments
        ),
        *(
            (
                "post",
                f"/v1/leads/{lead_id}/engagements",
                {
                    "engagement_type": "call",
                    "direction": "outbound",
                    "status": "scheduled",
                    "occurred_at": m,
                    "response_minutes": 43200,
                    "next_follow_up_at": m,
                },
            )
            for m in far_moments
        ),
        ("post", f"/v1/leads/{2**63}/milestones", {"milestone_type": "qualified"}),
        ("post", "/v1/bookings", _booking(2**70, -(2**70))),
        ("post", "/v1/bookings", _booking(lead_id, 1, agreement_value=1e308, booking_amount=float("1e-7"))),
        ("post", "/v1/bookings", _booking(lead_id, 1, reference="a\x00b", price_deviation_reason="\x00")),
        ("post", "/v1/bookings", _booking(lead_id, 1, booking_date="0001-01-01")),
        ("post", "/v1/bookings", _booking(lead_id, 1, booking_date="9999-12-31", agreement_value=10**40)),
        ("post", f"/v1/bookings/{b2}/cancellation", {"reason": "x\x00", "cancellation_date": "9999-12-31"}),
        ("post", f"/v1/bookings/{b2}/cancellation", {"reason": "x", "refund_amount": "1e5", "refund_mode": "\x00"}),
        ("post", "/v1/ledger-entries", {"booking_id": 2**64, "entry_type": "demand", "amount": "5"}),
        (
            "post",
            "/v1/ledger-entries",
            {"booking_id": b2, "entry_type": "demand", "amount": 5, "due_date": "0001-01-01"},
        ),
        ("post", "/v1/ledger-entries", {"booking_id": b2, "entry_type": "x\x00", "notes": "\x00", "reference": "\x00"}),
        ("post", "/v1/ledger-entries", {"reverses_entry_id": 2**63, "reason": "x"}),
        ("post", "/v1/ledger-entries", {"reverses_entry_id": 1, "reason": "x", "entry_date": "0001-01-01"}),
        ("post", "/v1/campaigns", {"name": "\x00", "campaign_type": "x", "channel": "y", "source": "\x00"}),
        (
            "post",
            "/v1/campaigns",
            {"name": "N", "campaign_type": "x", "channel": "y", "source": "s" * 5000, "subsource": "z", "budget": 1},
        ),
        (
            "post",
            "/v1/campaigns",
            {
                "name": "N",
                "campaign_type": "x",
                "channel": "y",
                "source": "Walk-in",
                "subsource": "Site office",
                "budget": 1,
                "start_date": "0001-01-01",
                "end_date": "9999-12-31",
            },
        ),
        ("post", f"/v1/campaigns/{world.ids['c2']}/spend", {"amount": "5", "spend_date": "0001-01-01"}),
        ("post", f"/v1/campaigns/{world.ids['c2']}/spend", {"amount": True}),
        ("get", "/v1/bookings?booked_from=0001-01-01&booked_to=9999-12-31&owner=%00&limit=0", None),
        ("get", f"/v1/bookings/{b2}/statement?limit=100000", None),
        ("get", "/v1/campaigns?project=" + "p" * 3000, None),
    ]
    for method, url, body in odd:
        answer = getattr(apis.manager, method)(url, json=body)
        assert answer.status_code in (201, 404, 422), (url, body, answer.status_code, answer.text)
        assert "errors" in answer.json() or answer.status_code == 201, answer.text
