"""The Integrations page through AppTest: an admin creates a key (shown once, kept only as its
hash), lists and revokes it; key names stay text; a webhook's address and mapping, Meta's
settings (secrets never shown back); the intake health table equals deliveries counted by hand,
and a rejected delivery is processed again; no other role gets the page."""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import re
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db
from data.domain.filters import today_in_india
from data.domain.permissions import SYSTEM
from data.domain.validation import ValidationError
from data.imports import mappings
from data.intake.leads import receive_lead
from data.writes import catalog
from data.writes.api_keys import DEFAULT_RATE_LIMIT, create_api_key, key_holder
from tests.support.screens import opened, serving_world
from tests.support.world import World
from tests.test_page_walk import problems_on, shown_on
from tests.test_pages import signed_in
from ui.format import date
from ui.text import md

PAGE = "pages/admin_integrations.py"
KEY = re.compile(r"ll_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
MARKUP_NAME = "Feed ** [x](y) <b>bold</b>"
HOSTILE_PAYLOAD_NAME = "**b** [x](http://127.0.0.1:9/x) <img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with serving_world("integrations") as built:
        yield built


def on_page(username: str = "boss") -> AppTest:
    return opened(PAGE, username)


def form_field(app: AppTest, name: str) -> str:
    """The key of the create-key form's widget in its current generation."""
    generation = app.session_state["api-key-generation"] if "api-key-generation" in app.session_state else 0  # noqa: SIM401
    return f"api-key-{generation}-{name}"


def meta_field(app: AppTest, name: str) -> str:
    """The key of the Meta form's widget in its current generation."""
    generation = app.session_state["meta-generation"] if "meta-generation" in app.session_state else 0  # noqa: SIM401
    return f"meta-{generation}-{name}"


def mapping_id(world: World, name: str) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text("select import_mapping_id from import_mappings where name = :n"), {"n": name}
        ).scalar_one()


def create_key(app: AppTest, name: str, role: str = "intake", rate: int | None = None) -> AppTest:
    app.text_input(key=form_field(app, "name")).input(name)
    app.selectbox(key=form_field(app, "role")).set_value(role)
    if rate is not None:
        app.number_input(key=form_field(app, "rate-limit")).set_value(rate)
    next(button for button in app.button if button.label == "Create key").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label.startswith(label)).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def shown_keys(app: AppTest) -> list[str]:
    return [block.value for block in app.code if KEY.fullmatch(block.value.strip())]


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def stored_key(world: World, prefix: str):
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text("select * from api_keys where key_prefix = :p"), {"p": prefix}).one()


def test_a_new_key_is_shown_once_kept_as_its_hash_listed_and_revoked(world: World) -> None:
    app = on_page()
    assert app.number_input(key=form_field(app, "rate-limit")).value == DEFAULT_RATE_LIMIT
    create_key(app, "99acres feed", rate=600)
    (key,) = shown_keys(app)
    assert "This is the only time it is shown" in app.success[0].value
    row = stored_key(world, key[:11])
    assert row.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert (row.name, row.role, row.rate_limit_per_minute) == ("99acres feed", "intake", 600)
    assert key not in " ".join(str(value) for value in row)
    assert key_holder(key) is not None
    # Listed at once, by prefix and role in words, never its hash.
    listed = table_with(app, "Key starts")
    mine = listed[listed["Key starts"] == key[:11]].iloc[0]
    assert mine["Name"] == "99acres feed" and mine["Acts as"].startswith("Intake")
    assert mine["Created by"] == "Bina Admin" and mine["Revoked"] == ""
    assert not listed.isin([row.key_hash]).any().any()
    # Nothing kept it: another run shows it no more, and it is nowhere in the session.
    assert key not in repr({name: app.session_state[name] for name in app.session_state})
    app.run()
    assert not shown_keys(app)
    assert app.text_input(key=form_field(app, "name")).value == ""  # the next form is empty

    # Revoking asks first, then the key is refused at once.
    app.selectbox(key="revoke-key-id").set_value(row.api_key_id).run()
    press(app, "Revoke")
    assert key_holder(key) is not None
    press(app, "Yes, revoke")
    assert key_holder(key) is None
    assert "Revoked" in app.success[0].value
    listed = table_with(app, "Key starts")
    assert listed.loc[listed["Key starts"] == key[:11], "Revoked by"].iloc[0] == "Bina Admin"
    assert not [box for box in app.selectbox if box.key == "revoke-key-id"]  # it was the only live key
    assert "No live key to revoke." in [caption.value for caption in app.caption]


def test_a_refused_key_keeps_what_was_typed_and_says_why(world: World) -> None:
    app = on_page()
    create_key(app, "   ")
    assert not shown_keys(app)
    assert any("name" in error.value for error in app.error)
    create_key(app, "Duplicate feed")
    app.run()
    create_key(app, "Duplicate feed")
    assert not shown_keys(app)
    assert md("A live key already has that name.") in [error.value for error in app.error]
    assert app.text_input(key=form_field(app, "name")).value == "Duplicate feed"


def test_a_key_name_with_markup_shows_as_typed(world: World) -> None:
    app = create_key(on_page(), MARKUP_NAME)
    assert md(MARKUP_NAME) in app.success[0].value
    assert not problems_on(app), problems_on(app)
    listed = table_with(app, "Key starts")
    assert MARKUP_NAME in listed["Name"].tolist()
    key_id = stored_key(world, shown_keys(app)[0][:11]).api_key_id
    app.selectbox(key="revoke-key-id").set_value(key_id).run()
    press(app, "Revoke")
    assert md(MARKUP_NAME) in app.warning[0].value
    confirm = next(button for button in app.button if button.key == "revoke-key-confirm")
    assert md(MARKUP_NAME) in confirm.label
    press(app, "Keep it")
    assert not [button for button in app.button if button.key == "revoke-key-confirm"]


def test_the_health_table_counts_deliveries_as_counted_by_hand(world: World) -> None:
    feed = create_api_key(world.alpha, SYSTEM, name="Health feed", role="intake")

    def deliver(**fields) -> None:
        base = {"source": "Online Portal", "subsource": "99acres", "name": "Asha Rao", "phone": "+91 98450 20001"}
        with contextlib.suppress(ValidationError):  # a rejection is logged, then raised
            receive_lead(world.alpha, feed.user_id, base | fields, channel="api", api_key_id=feed.api_key_id)

    deliver(external_ref="H-1")  # created
    deliver(external_ref="H-2", name="Vikram Shah", phone="+91 98450 20002")  # created
    deliver(external_ref="H-1")  # replayed: the same platform lead id again
    deliver(external_ref="H-3", name="Asha R.")  # reengaged: the phone of H-1
    deliver(external_ref="H-4", name=HOSTILE_PAYLOAD_NAME, phone="12")  # rejected: the phone
    deliver(source="Facebook", subsource="Lead Ads", external_ref="F-1", phone="+91 98450 20003")  # rejected

    app = on_page()
    daily = table_with(app, "Received")
    shown = {
        (row["Source"], row["Subsource"], row["Channel"]): (
            row["Day"],
            row["Received"],
            row["New lead"],
            row["Re-enquiry"],
            row["Repeat delivery"],
            row["Rejected"],
        )
        for _, row in daily.iterrows()
    }
    today = date(today_in_india())
    assert shown == {
        ("Online Portal", "99acres", "API"): (today, "5", "2", "1", "1", "1"),
        ("Facebook", "Lead Ads", "API"): (today, "1", "0", "0", "0", "1"),
    }
    assert [metric.value for metric in app.metric] == ["6", "2", "1", "1", "2"]

    reasons = table_with(app, "Reason")
    assert set(zip(reasons["Source"], reasons["Field"], strict=True)) == {
        ("Online Portal", "phone"),
        ("Facebook", "source"),
    }
    # The payloads of the rejected deliveries, newest first, as text: markup in them stays text.
    payloads = [block.value for block in app.code if block.language == "json"]
    assert '"Facebook"' in payloads[0] and HOSTILE_PAYLOAD_NAME in payloads[1]
    assert not problems_on(app), problems_on(app)

    # One source at a time.
    app.selectbox(key="intake-source").set_value("Facebook").run()
    assert table_with(app, "Received")["Source"].tolist() == ["Facebook"]
    assert len([block for block in app.code if block.language == "json"]) == 1
    # A period without deliveries.
    long_ago = today_in_india() - dt.timedelta(days=400)
    app.date_input(key="intake-period").set_value((long_ago, long_ago + dt.timedelta(days=6))).run()
    assert "Nothing was received in these days." in [info.value for info in app.info]


def test_a_webhook_gets_its_address_and_a_saved_mapping(world: World) -> None:
    mappings.save_mapping(world.alpha, world.ids["boss"], "leads", "Portal export", {"name": "Full Name"})
    app = on_page()
    app.selectbox(key="webhook-source").set_value(world.ids["s1"]).run()
    addresses = [block.value for block in app.code if "/api/v1/intake/" in block.value]
    assert addresses[0].endswith("/api/v1/intake/Online%20Portal/99acres")
    assert addresses[1].endswith("/api/v1/intake/meta")
    box = next(box for box in app.selectbox if box.label == "Read its bodies with")
    assert box.value is None  # nothing set up: Leadline's own field names
    box.set_value(mapping_id(world, "Portal export"))
    press(app, "Save webhook mapping")
    assert "Portal export" in app.success[0].value
    listed = table_with(app, "Field mapping")
    assert listed[listed["Channel"] == "Webhook"]["Field mapping"].tolist() == ["Portal export"]
    with db.tenant_transaction(world.alpha) as conn:
        saved = conn.execute(
            sa.text("select source, subsource, import_mapping_id from intake_settings where channel = 'webhook'")
        ).one()
    assert tuple(saved) == ("Online Portal", "99acres", mapping_id(world, "Portal export"))
    # The form opens on what is set up.
    assert next(box for box in app.selectbox if box.label == "Read its bodies with").value == saved.import_mapping_id


def test_meta_settings_are_saved_and_their_secrets_never_shown(world: World) -> None:
    feed = create_api_key(world.alpha, SYSTEM, name="Meta feed", role="intake")
    app = on_page()
    secrets = {"verify-token": "verify-me-4417", "app-secret": "app-secret-99213", "access-token": "EAAG-token-5521"}
    app.text_input(key=meta_field(app, "page-id")).input("1234567890")
    for field, value in secrets.items():
        app.text_input(key=meta_field(app, field)).input(value)
    app.selectbox(key=meta_field(app, "source")).set_value(world.ids["s2"])
    app.selectbox(key=meta_field(app, "account")).set_value(feed.user_id)
    press(app, "Save Meta setting")
    assert "1234567890" in app.success[0].value
    listed = table_with(app, "Meta page")
    row = listed[listed["Channel"] == "Meta Lead Ads"].iloc[0]
    assert (row["Meta page"], row["Source"], row["App secret set"], row["Access token set"]) == (
        "1234567890",
        "Walk-in",
        "Yes",
        "Yes",
    )
    assert row["Leads added as"] == "API key: Meta feed"
    assert app.text_input(key=meta_field(app, "app-secret")).value == ""  # never shown back
    shown = " ".join(str(item.text) for item in shown_on(app))
    assert not [secret for secret in secrets.values() if secret in shown]
    with db.tenant_transaction(world.alpha) as conn:
        stored = conn.execute(sa.text("select * from intake_settings where channel = 'meta'")).one()
    assert (stored.meta_verify_token, stored.meta_app_secret, stored.meta_access_token) == tuple(secrets.values())


def test_a_rejected_delivery_is_processed_again_once_its_source_exists(world: World) -> None:
    feed = create_api_key(world.alpha, SYSTEM, name="Late feed", role="intake")
    fields = {"source": "Newspaper", "subsource": "Times", "name": "Leela Nair", "phone": "+91 98450 30001"}
    with pytest.raises(ValidationError):
        receive_lead(world.alpha, feed.user_id, fields, channel="api", api_key_id=feed.api_key_id)
    catalog.add_source(world.alpha, "Newspaper", "Times", world.ids["boss"])
    app = on_page()
    app.selectbox(key="intake-source").set_value("Newspaper").run()
    (event_id,) = [
        int(button.key.removeprefix("reprocess-")) for button in app.button if button.key.startswith("reprocess-")
    ]
    press(app, "Process again")
    assert app.success[0].value == f"Processed #{event_id} again: New lead."
    assert not [button for button in app.button if (button.key or "").startswith("reprocess-")]
    assert "Processed again" in " ".join(caption.value for caption in app.caption)
    daily = table_with(app, "Received")
    assert (daily["Received"].tolist(), daily["New lead"].tolist(), daily["Rejected"].tolist()) == (["2"], ["1"], ["1"])


@pytest.mark.parametrize("username", ["mona", "lena", "ravi"])
def test_no_one_but_an_admin_gets_the_page(world: World, username: str) -> None:
    app = signed_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)
