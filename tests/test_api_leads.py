"""The lead intake endpoint over HTTP: created, re-enquiry, replays, refusals, isolation, revocation."""

from __future__ import annotations

import concurrent.futures
import datetime as dt
import secrets
import time

import pandas as pd
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST
from data.domain.permissions import SYSTEM
from data.writes import api_keys
from tests.support.api import client


def _phone() -> str:
    return f"+91 9{secrets.randbelow(10**9):09d}"


def _lead(**extra):
    return {"name": "Asha Rao", "phone": _phone(), "source": "Online Portal", "subsource": "99acres", **extra}


def _count(tenant_id: int, sql: str, **params) -> int:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_a_new_lead_is_created_and_read_back(api_url, api_world, keys) -> None:
    body = _lead(project="alpha towers", unit_type="2BHK", budget="85,00,000", notes="Wants **corner** <b>")
    answer = client(api_url, keys.intake).post("/v1/leads", json=body)
    assert answer.status_code == 201, answer.text
    lead_id = answer.json()["lead_id"]
    assert answer.json() == {"lead_id": lead_id, "status": "created"}
    read = client(api_url, keys.reader).get(f"/v1/leads/{lead_id}")
    assert read.status_code == 200, read.text
    assert read.json()["lead"]["name"] == "Asha Rao"
    assert read.json()["lead"]["project_name"] == "Alpha Towers"
    assert read.json()["next_follow_up_at"] is not None  # on the follow-up list at once
    assert _count(api_world.alpha, "select count(*) from intake_events where lead_id = :id", id=lead_id) == 1


def test_a_known_phone_is_a_reenquiry(api_url, api_world, keys) -> None:
    body = _lead()
    api = client(api_url, keys.intake)
    first = api.post("/v1/leads", json=body).json()
    again = api.post("/v1/leads", json={**body, "subsource": "Site office", "source": "Walk-in"})
    assert again.status_code == 200, again.text
    assert again.json() == {"lead_id": first["lead_id"], "status": "reengaged"}
    sql = "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'reengaged'"
    assert _count(api_world.alpha, sql, id=first["lead_id"]) == 1


def test_an_earlier_enquiry_delivered_later_is_still_a_reenquiry(api_url, api_world, keys) -> None:
    api = client(api_url, keys.intake)
    now = dt.datetime.now(IST)
    first = api.post("/v1/leads", json=_lead(generated_at=(now - dt.timedelta(hours=1)).isoformat())).json()
    phone = client(api_url, keys.reader).get(f"/v1/leads/{first['lead_id']}").json()["lead"]["phone"]
    late = api.post("/v1/leads", json=_lead(phone=phone, generated_at=(now - dt.timedelta(hours=2)).isoformat()))
    assert (late.status_code, late.json()) == (200, {"lead_id": first["lead_id"], "status": "reengaged"})


def test_the_same_external_ref_or_key_replays_the_first_answer(api_url, api_world, keys) -> None:
    api = client(api_url, keys.intake)
    body = _lead(external_ref=f"99A-{secrets.token_hex(4)}")
    first = api.post("/v1/leads", json=body)
    second = api.post("/v1/leads", json={**body, "phone": _phone()})
    assert (second.status_code, second.json()) == (201, first.json())
    assert second.headers["Leadline-Replayed"] == "true"
    keyed = _lead()
    one = api.post("/v1/leads", json=keyed, headers={"Idempotency-Key": "k-1"})
    two = api.post("/v1/leads", json=keyed, headers={"Idempotency-Key": "k-1"})
    assert (two.status_code, two.json()) == (one.status_code, one.json())


def test_bad_input_is_422_with_the_forms_messages_and_writes_nothing(api_url, api_world, keys) -> None:
    api = client(api_url, keys.intake)
    before = _count(api_world.alpha, "select count(*) from leads")
    answer = api.post("/v1/leads", json=_lead(phone="12", budget="50-60 lakh", source="Nowhere", extra="x"))
    assert answer.status_code == 422
    errors = answer.json()["errors"]
    assert "extra" in errors
    answer = api.post("/v1/leads", json=_lead(phone="12", budget="50-60 lakh", source="Nowhere"))
    errors = answer.json()["errors"]
    assert errors["phone"] == "Enter a valid mobile number, e.g. 98765 43210 or +91 98765 43210."
    assert set(errors) >= {"phone", "budget"}
    assert _count(api_world.alpha, "select count(*) from leads") == before
    assert api.post("/v1/leads", data="not json", headers={"Content-Type": "application/json"}).status_code == 422
    # A moment at the calendar's edge is refused like any other date before 2000, not a crash.
    edge = api.post("/v1/leads", json=_lead(generated_at="0001-01-01T00:00:00+05:30"))
    assert edge.status_code == 422 and "generated_at" in edge.json()["errors"], edge.text
    edge = api.post("/v1/leads", json=_lead(generated_at="0001-01-01T00:00:00-05:00"))
    assert edge.status_code == 422 and "generated_at" in edge.json()["errors"], edge.text


def test_keys_are_held_to_their_tenant_and_role(api_url, api_world, keys) -> None:
    lead_id = client(api_url, keys.intake).post("/v1/leads", json=_lead()).json()["lead_id"]
    assert client(api_url, keys.beta_manager).get(f"/v1/leads/{lead_id}").status_code == 404
    assert client(api_url, keys.intake).get(f"/v1/leads/{lead_id}").status_code == 403
    assert client(api_url, keys.reader).post("/v1/leads", json=_lead()).status_code == 403
    assert client(api_url, None).post("/v1/leads", json=_lead()).status_code == 401
    assert client(api_url, keys.manager[:-2] + "xx").get(f"/v1/leads/{lead_id}").status_code == 401


def test_a_keys_first_call_shows_on_the_key_list_at_once(api_url, api_world) -> None:
    made = api_keys.create_api_key(api_world.alpha, SYSTEM, name="Fresh reader", role="reader")

    def last_used():
        keys = reports.api_key_list(api_world.alpha)
        return keys.loc[keys["key_prefix"] == made.key_prefix, "last_used_at"].iloc[0]

    assert pd.isna(last_used())  # read, and so cached, before the key's first call
    assert client(api_url, made.key).get(f"/v1/leads/{api_world.ids['l1']}").status_code == 200
    deadline = time.monotonic() + 5  # the server's write reaches this process's cache by NOTIFY
    while pd.isna(last_used()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not pd.isna(last_used())


def test_a_revoked_key_is_refused_on_its_next_call(api_url, api_world) -> None:
    made = api_keys.create_api_key(api_world.alpha, SYSTEM, name="Short-lived", role="intake")
    api = client(api_url, made.key)
    assert api.post("/v1/leads", json=_lead()).status_code == 201
    api_keys.revoke_api_key(api_world.alpha, SYSTEM, made.api_key_id)
    assert api.post("/v1/leads", json=_lead()).status_code == 401


def test_twenty_concurrent_copies_of_one_delivery_give_one_lead(api_url, api_world, keys) -> None:
    body = _lead(external_ref=f"FB-{secrets.token_hex(4)}")
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda _: client(api_url, keys.intake).post("/v1/leads", json=body), range(20)))
    assert {answer.status_code for answer in answers} == {201}, [answer.text for answer in answers]
    assert len({answer.json()["lead_id"] for answer in answers}) == 1
    assert _count(api_world.alpha, "select count(*) from leads where phone = :phone", phone=_e164(body["phone"])) == 1


def test_twenty_concurrent_enquiries_of_one_phone_give_one_lead_and_reenquiries(api_url, api_world, keys) -> None:
    phone = _phone()
    bodies = [_lead(phone=phone, external_ref=f"WEB-{secrets.token_hex(4)}") for _ in range(20)]
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda body: client(api_url, keys.intake).post("/v1/leads", json=body), bodies))
    assert sorted(answer.status_code for answer in answers) == [200] * 19 + [201], [a.text for a in answers]
    assert len({answer.json()["lead_id"] for answer in answers}) == 1
    lead_id = answers[0].json()["lead_id"]
    sql = "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'reengaged'"
    assert _count(api_world.alpha, sql, id=lead_id) == 19


def _e164(phone: str) -> str:
    return phone.replace(" ", "")
