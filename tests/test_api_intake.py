"""Webhooks for lead sources over HTTP: a portal's flat JSON or form body read by its saved
mapping (or by Leadline's names), the ?key= form, bodies that cannot be leads kept and processed
again once the mapping is fixed; Meta Lead Ads' handshake, signed deliveries with and without
their answers (fetched from a local fake Graph API), wrong signatures storing nothing, and
repeat deliveries; and the lead on its rep's follow-ups at once."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.server
import json
import secrets
import threading
import time
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
import sqlalchemy as sa

from data import db, reports
from data.db import Scope
from data.domain.permissions import SYSTEM
from data.domain.validation import ValidationError
from data.imports import mappings
from data.intake.reprocess import reprocess_intake_event
from data.writes import api_keys, catalog, intake_settings
from tests.support.api import client
from tests.support.world import World


def _phone() -> str:
    return f"+91 9{secrets.randbelow(10**9):09d}"


def _e164(phone: str) -> str:
    return phone.replace(" ", "")


def _count(tenant_id: int, sql: str, **params) -> int:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def lead_id(answer: requests.Response) -> int:
    return answer.json()["lead_id"]


def _row(tenant_id: int, sql: str, **params):
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).one()


@dataclass
class FakeGraph:
    """Meta's Graph API as far as a lead goes: GET /<version>/<leadgen_id>?access_token=…"""

    token: str
    leads: dict[str, dict] = field(default_factory=dict)
    asked: list[str] = field(default_factory=list)
    url: str = ""


@dataclass(frozen=True)
class Setup:
    """What the module sets up once on alpha: sources, the Meta page and its secrets."""

    tag: str
    source: str
    page_id: str
    verify_token: str
    app_secret: str
    meta_source: str
    meta_subsource: str
    graph: FakeGraph


@pytest.fixture(scope="module")
def graph() -> Iterator[FakeGraph]:
    fake = FakeGraph(token=secrets.token_urlsafe(24))

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            leadgen_id = parts.path.rsplit("/", 1)[-1]
            token = urllib.parse.parse_qs(parts.query).get("access_token", [""])[0]
            fake.asked.append(leadgen_id)
            found = fake.leads.get(leadgen_id) if token == fake.token else None
            body = json.dumps(found or {"error": {"message": "Unsupported get request."}}).encode()
            self.send_response(200 if found else 400)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v21.0"
    yield fake
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def setup(api_world: World, graph: FakeGraph) -> Setup:
    tag = secrets.token_hex(3)
    admin = api_world.ids["boss"]
    source = f"Portal {tag}"
    for subsource in ("Direct", "Mapped", "Reprocess", "Nested"):
        catalog.add_source(api_world.alpha, source, subsource, admin)
    meta_source, meta_subsource = f"Facebook Lead Ads {tag}", "Spring form"
    catalog.add_source(api_world.alpha, meta_source, meta_subsource, admin)
    intake_key = api_keys.create_api_key(api_world.alpha, SYSTEM, name=f"Meta {tag}", role="intake")
    made = Setup(
        tag=tag,
        source=source,
        page_id=str(10**14 + secrets.randbelow(10**14)),
        verify_token=secrets.token_urlsafe(16),
        app_secret=secrets.token_hex(16),
        meta_source=meta_source,
        meta_subsource=meta_subsource,
        graph=graph,
    )
    intake_settings.save_meta_settings(
        api_world.alpha,
        admin,
        page_id=made.page_id,
        verify_token=made.verify_token,
        app_secret=made.app_secret,
        graph_url=graph.url,
        access_token=graph.token,
        source=meta_source.upper(),  # matched as the source was set up, without regard to case
        subsource=meta_subsource,
        user_id=intake_key.user_id,
    )
    return made


def _mapping(world: World, name: str, columns: dict[str, str]) -> int:
    mappings.save_mapping(world.alpha, world.ids["mona"], "leads", name, columns)
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text("select import_mapping_id from import_mappings where kind = 'leads' and name = :name"),
            {"name": name},
        ).scalar_one()


PORTAL_COLUMNS = {"name": "Full Name", "phone": "Mobile", "lead_ref": "Enquiry ID", "project": "Project Name"}


# The generic webhook ----------------------------------------------------------------------------


def test_a_json_body_by_leadlines_own_names_makes_a_lead(api_url, api_world, keys, setup) -> None:
    body = {"name": "Kiran Shah", "phone": _phone(), "email": "kiran@example.com", "budget": 8500000}
    answer = client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Direct", json=body)
    assert answer.status_code == 201, answer.text
    lead = _row(api_world.alpha, "select name, budget from leads where lead_id = :id", id=answer.json()["lead_id"])
    assert (lead.name, int(lead.budget)) == ("Kiran Shah", 8500000)
    event = _row(
        api_world.alpha, "select channel, source, payload from intake_events where lead_id = :id", id=lead_id(answer)
    )
    assert (event.channel, event.source, event.payload) == ("webhook", setup.source, body)


def test_a_form_encoded_body_makes_a_lead_and_a_number_phone_is_text(api_url, api_world, keys, setup) -> None:
    phone = _phone()
    form = {"Name": "Farah Khan", "Phone": phone, "unit-type": "2BHK", "Notes": "Call after 6"}
    answer = client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Direct", data=form)
    assert answer.status_code == 201, answer.text
    lead = _row(
        api_world.alpha, "select name, phone, unit_type_preference from leads where lead_id = :id", id=lead_id(answer)
    )
    assert tuple(lead) == ("Farah Khan", _e164(phone), "2BHK")
    as_number = {"name": "Nina Paul", "phone": int(_e164(_phone())[3:])}
    assert client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Direct", json=as_number).status_code == 201


def test_a_saved_mapping_reads_the_senders_names_and_its_lead_id_replays(api_url, api_world, keys, setup) -> None:
    mapping_id = _mapping(api_world, f"Portal {setup.tag}", PORTAL_COLUMNS)
    intake_settings.save_webhook_mapping(
        api_world.alpha, api_world.ids["boss"], source=setup.source, subsource="mapped", import_mapping_id=mapping_id
    )
    enquiry = f"ENQ-{secrets.token_hex(4)}"
    body = {"Full Name": "Ravi Menon", "Mobile": _phone(), "Enquiry ID": enquiry, "Project Name": "alpha towers"}
    api = client(api_url, keys.intake)
    first = api.post(f"/v1/intake/{setup.source}/Mapped", json={**body, "Campaign Code": "not mapped: kept, unused"})
    assert first.status_code == 201, first.text
    lead = _row(api_world.alpha, "select name, project_id from leads where lead_id = :id", id=lead_id(first))
    assert (lead.name, lead.project_id) == ("Ravi Menon", api_world.ids["p1"])
    again = api.post(f"/v1/intake/{setup.source}/Mapped", json={**body, "Mobile": _phone()})
    assert (again.status_code, again.json(), again.headers["Leadline-Replayed"]) == (201, first.json(), "true")
    settings = reports.intake_settings_list(api_world.alpha)
    row = settings[settings["subsource"] == "Mapped"].iloc[0]
    assert (row["channel"], row["mapping_name"]) == ("webhook", f"Portal {setup.tag}")


def test_an_unmapped_body_is_refused_kept_and_processed_again_once_mapped(api_url, api_world, keys, setup) -> None:
    phone = _phone()
    body = {"Full Name": "Leela Das", "Mobile": phone, "Enquiry ID": f"ENQ-{secrets.token_hex(4)}"}
    answer = client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Reprocess", json=body)
    assert answer.status_code == 422
    assert set(answer.json()["errors"]) == {"Full Name", "Mobile", "Enquiry ID"}
    assert "no saved mapping" in answer.json()["errors"]["Mobile"]
    kept = _row(
        api_world.alpha,
        "select intake_event_id, payload, errors from intake_events where outcome = 'rejected' "
        "and subsource = 'Reprocess' and payload ->> 'Mobile' = :phone",
        phone=phone,
    )
    assert kept.payload == body
    admin, rep = api_world.ids["boss"], api_world.ids["rep"]
    with pytest.raises(ValidationError) as refused:
        reprocess_intake_event(api_world.alpha, rep, kept.intake_event_id)
    assert set(refused.value.errors) == {"user"}

    mapping_id = _mapping(api_world, f"Portal reprocess {setup.tag}", PORTAL_COLUMNS)
    intake_settings.save_webhook_mapping(
        api_world.alpha, admin, source=setup.source, subsource="Reprocess", import_mapping_id=mapping_id
    )
    done = reprocess_intake_event(api_world.alpha, admin, kept.intake_event_id)
    assert done.outcome == "created" and done.lead_id is not None
    lead = _row(api_world.alpha, "select name, phone, created_by from leads where lead_id = :id", id=done.lead_id)
    assert tuple(lead) == ("Leela Das", _e164(phone), admin)
    old = _row(
        api_world.alpha,
        "select reprocessed_at, reprocessed_as_event_id from intake_events where intake_event_id = :id",
        id=kept.intake_event_id,
    )
    assert old.reprocessed_at is not None and old.reprocessed_as_event_id == done.intake_event_id
    audited = (
        "select count(*) from audit_log where action = 'intake.reprocessed' and row_key ->> 'intake_event_id' = :id"
    )
    assert _count(api_world.alpha, audited, id=str(kept.intake_event_id)) == 1

    for event_id in (kept.intake_event_id, done.intake_event_id):  # processed already; not rejected
        with pytest.raises(ValidationError) as refused:
            reprocess_intake_event(api_world.alpha, admin, event_id)
        assert set(refused.value.errors) == {"intake_event_id"}
    assert _count(api_world.alpha, audited, id=str(kept.intake_event_id)) == 1


def test_a_rejected_value_is_kept_and_a_second_attempt_rejected_again_is_a_new_event(api_url, api_world, keys, setup):
    phone_less = {"name": "No Phone", "external_ref": f"NP-{secrets.token_hex(4)}"}
    answer = client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Direct", json=phone_less)
    assert answer.status_code == 422 and "phone" in answer.json()["errors"]
    event_id = _row(
        api_world.alpha,
        "select intake_event_id from intake_events where outcome = 'rejected' and external_ref = :ref",
        ref=phone_less["external_ref"],
    ).intake_event_id
    again = reprocess_intake_event(api_world.alpha, api_world.ids["boss"], event_id)
    assert again.outcome == "rejected" and "phone" in again.errors and again.intake_event_id != event_id


def test_the_key_may_come_in_the_address(api_url, api_world, keys, setup) -> None:
    anonymous = client(api_url, None)
    body = {"name": "Query Key", "phone": _phone()}
    answer = anonymous.post(f"/v1/intake/{setup.source}/Direct", params={"key": keys.intake}, json=body)
    assert answer.status_code == 201, answer.text
    wrong = anonymous.post(f"/v1/intake/{setup.source}/Direct", params={"key": keys.intake[:-2] + "xx"}, json=body)
    assert wrong.status_code == 401 and "?key=" in wrong.json()["errors"]["request"]
    assert anonymous.post(f"/v1/intake/{setup.source}/Direct", json=body).status_code == 401


@pytest.mark.parametrize(
    ("content", "content_type", "reason"),
    [
        (b'{"name": "Nested", "contact": {"phone": "+91 98450 12345"}}', "application/json", "flat object"),
        (b'[{"name": "In a list"}]', "application/json", "not a list"),
        (b"\xff\xfe not utf-8 \x00", "application/json", "JSON object"),
        (b'{"name": NaN}', "application/json", "JSON object"),
        (b"phone=1&phone=2&name=Twice", "application/x-www-form-urlencoded", "once"),
        (b"name=%FF%FE", "application/x-www-form-urlencoded", "UTF-8"),
        (b'{"name": "\\ud800 lone", "phone": "+91 98450 1\\u0000"}', "application/json", None),
    ],
)
def test_a_body_that_is_not_a_flat_object_is_refused_and_kept(
    api_url, api_world, keys, setup, content, content_type, reason
) -> None:
    sql = "select count(*) from intake_events where outcome = 'rejected' and subsource = 'Nested'"
    before = _count(api_world.alpha, sql)
    answer = client(api_url, keys.intake).post(
        f"/v1/intake/{setup.source}/Nested", data=content, headers={"Content-Type": content_type}
    )
    assert answer.status_code == 422, answer.text
    if reason is not None:
        assert reason in answer.json()["errors"]["body"]
    assert _count(api_world.alpha, sql) == before + 1
    kept = _row(
        api_world.alpha,
        "select payload, errors from intake_events where outcome = 'rejected' and subsource = 'Nested' "
        "order by intake_event_id desc limit 1",
    )
    assert kept.errors == answer.json()["errors"]
    if reason is not None:
        assert set(kept.payload) == {"received"}


def test_a_body_that_is_not_a_flat_object_is_rejected_again_whatever_the_mapping(api_url, api_world, keys, setup):
    content = b'{"name": "Still Nested", "contact": {"phone": "+91 98450 12345"}}'
    answer = client(api_url, keys.intake).post(
        f"/v1/intake/{setup.source}/Nested", data=content, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    event_id = _row(
        api_world.alpha,
        "select max(intake_event_id) as id from intake_events where outcome = 'rejected' and subsource = 'Nested'",
    ).id
    again = reprocess_intake_event(api_world.alpha, api_world.ids["boss"], event_id)
    assert (again.outcome, again.errors) == ("rejected", answer.json()["errors"])


def test_a_key_that_may_not_add_leads_is_refused_and_nothing_is_kept(api_url, api_world, keys, setup) -> None:
    before = _count(api_world.alpha, "select count(*) from intake_events")
    for body in (b'{"name": "x", "phone": "+91 98450 12345"}', b"[1, 2]"):
        answer = client(api_url, keys.reader).post(
            f"/v1/intake/{setup.source}/Direct", data=body, headers={"Content-Type": "application/json"}
        )
        assert answer.status_code == 403, answer.text
    assert _count(api_world.alpha, "select count(*) from intake_events") == before


def test_a_webhook_lead_is_on_its_reps_follow_ups_on_the_next_read(api_url, api_world, keys, setup) -> None:
    rep = api_world.ids["rep"]
    scope = Scope(api_world.alpha, owner_user_id=rep)
    before = set(reports.follow_ups(scope, rep).leads["lead_id"])  # cached, and listening for writes
    body = {"name": "Follow Me", "phone": _phone(), "owner": "Ravi"}
    answer = client(api_url, keys.intake).post(f"/v1/intake/{setup.source}/Direct", json=body)
    assert answer.status_code == 201, answer.text
    # The write is the server's, another process: its notification reaches this process's cache
    # within moments (the cache's own test allows the same).
    deadline = time.monotonic() + 20
    found = reports.follow_ups(scope, rep).leads
    while lead_id(answer) not in set(found["lead_id"]) and time.monotonic() < deadline:
        time.sleep(0.2)
        found = reports.follow_ups(scope, rep).leads
    assert lead_id(answer) not in before
    row = found[found["lead_id"] == lead_id(answer)].iloc[0]
    assert (row["name"], row["owner_user_id"], row["bucket"]) == ("Follow Me", rep, "today")


# Settings ---------------------------------------------------------------------------------------


def test_settings_are_an_admins_checked_and_keep_their_secrets(api_world, setup) -> None:
    admin = api_world.ids["boss"]
    meta_values = {
        "page_id": setup.page_id,
        "verify_token": setup.verify_token,
        "app_secret": None,  # kept as stored
        "graph_url": setup.graph.url,
        "access_token": None,
        "source": setup.meta_source,
        "subsource": setup.meta_subsource,
    }
    intake_key_user = _row(
        api_world.alpha, "select user_id from intake_settings where meta_page_id = :p", p=setup.page_id
    ).user_id
    for actor in (api_world.ids["mona"], api_world.ids["rep"]):  # SYSTEM is the command line
        with pytest.raises(ValidationError) as refused:
            intake_settings.save_meta_settings(api_world.alpha, actor, **meta_values, user_id=intake_key_user)
        assert set(refused.value.errors) == {"user"}
    with pytest.raises(ValidationError) as refused:
        intake_settings.save_meta_settings(
            api_world.alpha,
            admin,
            **{**meta_values, "graph_url": "ftp://graph.example.com", "source": "Nowhere", "page_id": "12 34"},
            user_id=api_world.ids["rep"],
        )
    assert set(refused.value.errors) == {"graph_url", "source", "page_id", "user_id"}
    with pytest.raises(ValidationError) as refused:
        intake_settings.save_webhook_mapping(
            api_world.alpha, admin, source=setup.source, subsource="Direct\x00", import_mapping_id=True
        )
    assert set(refused.value.errors) == {"subsource", "import_mapping_id"}

    intake_settings.save_meta_settings(api_world.alpha, admin, **meta_values, user_id=intake_key_user)
    stored = _row(
        api_world.alpha,
        "select meta_app_secret, meta_access_token from intake_settings where meta_page_id = :p",
        p=setup.page_id,
    )
    assert (stored.meta_app_secret, stored.meta_access_token) == (setup.app_secret, setup.graph.token)
    audit = _count(
        api_world.alpha,
        "select count(*) from audit_log where action = 'intake.setting_saved' "
        "and (after_values::text like :secret or after_values::text like :token or before_values::text like :secret)",
        secret=f"%{setup.app_secret}%",
        token=f"%{setup.graph.token}%",
    )
    assert audit == 0
    listed = reports.intake_settings_list(api_world.alpha)
    meta_row = listed[listed["meta_page_id"] == setup.page_id].iloc[0]
    assert bool(meta_row["has_app_secret"]) and bool(meta_row["has_access_token"])
    text = listed.to_csv()
    assert setup.app_secret not in text and setup.graph.token not in text and setup.verify_token not in text


# Meta Lead Ads ----------------------------------------------------------------------------------


def _delivery(setup: Setup, *values: dict) -> bytes:
    changes = [{"field": "leadgen", "value": {"page_id": setup.page_id, **value}} for value in values]
    return json.dumps({"object": "page", "entry": [{"id": setup.page_id, "time": 1, "changes": changes}]}).encode()


def _signed(raw: bytes, secret: str) -> dict[str, str]:
    digest = hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def _field_data(name: str, phone: str, **others: str) -> list[dict]:
    answers = {"full_name": name, "phone_number": phone, "email": "lead@example.com", **others}
    return [{"name": question, "values": [answer]} for question, answer in answers.items()]


def _leadgen_id() -> str:
    return str(10**15 + secrets.randbelow(10**15))


def test_metas_handshake_answers_the_challenge_for_a_known_verify_token(api_url, setup) -> None:
    api = client(api_url, None)
    params = {"hub.mode": "subscribe", "hub.verify_token": setup.verify_token, "hub.challenge": "1158201444"}
    answer = api.get("/v1/intake/meta", params=params)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    assert answer.headers["Content-Type"].startswith("text/plain")
    for wrong in ({"hub.verify_token": "not-the-token"}, {"hub.mode": "unsubscribe"}, {"hub.verify_token": "\x00"}):
        assert api.get("/v1/intake/meta", params={**params, **wrong}).status_code == 403
    assert api.get("/v1/intake/meta").status_code == 403


def test_a_signed_delivery_with_its_answers_makes_a_lead(api_url, api_world, setup) -> None:
    phone, leadgen_id = _phone(), _leadgen_id()
    raw = _delivery(
        setup,
        {
            "leadgen_id": leadgen_id,
            "created_time": int(time.time()) - 60,
            "field_data": _field_data("Meera Nair", phone, city="Pune", when_to_call="Evenings"),
        },
    )
    answer = client(api_url, None).post("/v1/intake/meta", data=raw, headers=_signed(raw, setup.app_secret))
    assert answer.status_code == 200, answer.text
    (lead,) = answer.json()["leads"]
    assert (lead["leadgen_id"], lead["outcome"]) == (leadgen_id, "created")
    stored = _row(
        api_world.alpha,
        "select leads.name, leads.phone, leads.email, lead_milestones.notes, lead_sources.source, "
        "lead_sources.subsource from leads inner join lead_sources using (tenant_id, lead_source_id) "
        "inner join lead_milestones using (tenant_id, lead_id) "
        "where leads.lead_id = :id and lead_milestones.milestone_type = 'lead_generated'",
        id=lead["lead_id"],
    )
    assert tuple(stored) == (
        "Meera Nair",
        _e164(phone),
        "lead@example.com",
        "city: Pune\nwhen_to_call: Evenings",
        setup.meta_source,
        setup.meta_subsource,
    )
    event = _row(
        api_world.alpha, "select channel, external_ref from intake_events where lead_id = :id", id=lead["lead_id"]
    )
    assert tuple(event) == ("meta", leadgen_id)
    assert leadgen_id not in setup.graph.asked


def test_a_delivery_without_answers_fetches_them_from_the_graph_api(api_url, api_world, setup) -> None:
    phone, leadgen_id = _phone(), _leadgen_id()
    enquired = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)
    setup.graph.leads[leadgen_id] = {
        "id": leadgen_id,
        "created_time": enquired.strftime("%Y-%m-%dT%H:%M:%S+0000"),  # as the Graph API writes it
        "field_data": _field_data("Arjun Rao", phone),
    }
    raw = _delivery(setup, {"leadgen_id": leadgen_id, "form_id": "555", "ad_id": "666"})
    answer = client(api_url, None).post("/v1/intake/meta", data=raw, headers=_signed(raw, setup.app_secret))
    assert answer.status_code == 200, answer.text
    (lead,) = answer.json()["leads"]
    assert lead["outcome"] == "created", lead
    assert setup.graph.asked.count(leadgen_id) == 1
    stored = _row(
        api_world.alpha, "select name, phone, generated_at from leads where lead_id = :id", id=lead["lead_id"]
    )
    assert (stored.name, stored.phone) == ("Arjun Rao", _e164(phone))
    assert stored.generated_at == enquired


def test_a_graph_api_failure_is_kept_answered_200_and_processed_again_later(api_url, api_world, setup) -> None:
    phone, leadgen_id = _phone(), _leadgen_id()  # not yet known to the fake Graph API: it answers 400
    raw = _delivery(setup, {"leadgen_id": leadgen_id})
    answer = client(api_url, None).post("/v1/intake/meta", data=raw, headers=_signed(raw, setup.app_secret))
    assert answer.status_code == 200, answer.text
    (lead,) = answer.json()["leads"]
    assert lead["outcome"] == "rejected" and "HTTP 400" in lead["errors"]["field_data"]
    assert setup.graph.token not in answer.text
    kept = _row(
        api_world.alpha,
        "select intake_event_id, errors::text as errors from intake_events where external_ref = :ref",
        ref=leadgen_id,
    )
    assert setup.graph.token not in kept.errors
    setup.graph.leads[leadgen_id] = {"id": leadgen_id, "field_data": _field_data("Late Answer", phone)}
    done = reprocess_intake_event(api_world.alpha, api_world.ids["boss"], kept.intake_event_id)
    assert done.outcome == "created", done
    assert _row(api_world.alpha, "select name from leads where lead_id = :id", id=done.lead_id).name == "Late Answer"


def test_a_wrong_or_missing_signature_is_401_and_stores_nothing(api_url, api_world, setup) -> None:
    raw = _delivery(setup, {"leadgen_id": _leadgen_id(), "field_data": _field_data("Forged", _phone())})
    counts = "select (select count(*) from intake_events) + (select count(*) from leads) * 1000000"
    before = _count(api_world.alpha, counts)
    api = client(api_url, None)
    for headers in (
        _signed(raw, "not-the-secret"),
        _signed(raw + b" ", setup.app_secret),
        {"Content-Type": "application/json"},
        {"X-Hub-Signature-256": "sha256=\u00e9", "Content-Type": "application/json"},
    ):
        answer = api.post("/v1/intake/meta", data=raw, headers=headers)
        assert answer.status_code == 401, answer.text
    unknown_page = json.dumps({"entry": [{"id": "1", "changes": []}]}).encode()
    assert api.post("/v1/intake/meta", data=unknown_page, headers=_signed(unknown_page, "x")).status_code == 401
    assert api.post("/v1/intake/meta", data=b"\xff[", headers=_signed(b"\xff[", "x")).status_code == 401
    assert _count(api_world.alpha, counts) == before


def test_a_page_whose_key_was_revoked_keeps_its_leads_to_process_again(api_url, api_world, setup) -> None:
    admin, page_id, secret = api_world.ids["boss"], str(10**14 + secrets.randbelow(10**14)), secrets.token_hex(16)
    catalog.add_source(api_world.alpha, setup.meta_source, "Autumn form", admin)
    key = api_keys.create_api_key(api_world.alpha, SYSTEM, name=f"Autumn {setup.tag}", role="intake")
    intake_settings.save_meta_settings(
        api_world.alpha,
        admin,
        page_id=page_id,
        verify_token=secrets.token_urlsafe(16),
        app_secret=secret,
        graph_url=None,
        access_token=None,
        source=setup.meta_source,
        subsource="Autumn form",
        user_id=key.user_id,
    )
    api_keys.revoke_api_key(api_world.alpha, SYSTEM, key.api_key_id)
    leadgen_id = _leadgen_id()
    value = {"page_id": page_id, "leadgen_id": leadgen_id, "field_data": _field_data("Kept Lead", _phone())}
    raw = json.dumps({"object": "page", "entry": [{"id": page_id, "changes": [{"field": "leadgen", "value": value}]}]})
    answer = client(api_url, None).post("/v1/intake/meta", data=raw.encode(), headers=_signed(raw.encode(), secret))
    assert answer.status_code == 200, answer.text
    (lead,) = answer.json()["leads"]
    assert lead["outcome"] == "rejected" and set(lead["errors"]) == {"user"}
    event_id = _row(
        api_world.alpha, "select intake_event_id from intake_events where external_ref = :ref", ref=leadgen_id
    ).intake_event_id
    done = reprocess_intake_event(api_world.alpha, admin, event_id)
    assert done.outcome == "created", done


def test_the_same_lead_delivered_twice_is_one_lead(api_url, api_world, setup) -> None:
    phone, leadgen_id = _phone(), _leadgen_id()
    value = {"leadgen_id": leadgen_id, "field_data": _field_data("Twice Sent", phone)}
    raw = _delivery(setup, value, value)  # also twice in one delivery
    api = client(api_url, None)
    first = api.post("/v1/intake/meta", data=raw, headers=_signed(raw, setup.app_secret)).json()["leads"]
    second = api.post("/v1/intake/meta", data=raw, headers=_signed(raw, setup.app_secret)).json()["leads"]
    assert [lead["outcome"] for lead in first + second] == ["created", "replayed", "replayed", "replayed"]
    assert len({lead["lead_id"] for lead in first + second}) == 1
    assert _count(api_world.alpha, "select count(*) from leads where phone = :p", p=_e164(phone)) == 1
