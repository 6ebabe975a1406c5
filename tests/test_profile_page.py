"""My profile through AppTest: a rep saves their address and digest choice twice in a row (checked in
the database), a wrong address is refused with nothing saved, each role is offered only its
digests, and the preview shows a lead's markup name as typed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db
from data.domain.filters import IST, today_in_india
from data.domain.vocabulary import DIGEST_KINDS_BY_ROLE, label
from tests.support.screens import opened, serving_world
from tests.support.world import World
from tests.test_digests import MARKUP_NAME, new_lead

PAGE = "pages/profile.py"


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with serving_world("profile-page") as built:
        due = dt.datetime.combine(today_in_india(), dt.time(0, 5), tzinfo=IST)
        built.ids["ravi_due"] = new_lead(built, MARKUP_NAME, "rep", due - dt.timedelta(days=1), due)
        yield built


def profile(world: World, username: str) -> tuple[str | None, dict[str, bool]]:
    """The person's address and stored choices."""
    with db.tenant_transaction(world.alpha) as conn:
        user_id = conn.execute(
            sa.text("select user_id from app_users where username = :username"), {"username": username}
        ).scalar_one()
        email = conn.execute(sa.text("select email from app_users where user_id = :id"), {"id": user_id}).scalar()
        rows = conn.execute(
            sa.text("select digest_kind, is_enabled from digest_choices where user_id = :id"), {"id": user_id}
        )
        return email, dict(rows.all())


def save(app: AppTest) -> AppTest:
    next(button for button in app.button if button.label == "Save").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_a_rep_saves_their_choice_twice_in_a_row(world: World) -> None:
    app = opened(PAGE, "ravi")
    box = app.checkbox(key="profile-digest-rep_daily")
    assert [checkbox.key for checkbox in app.checkbox] == ["profile-digest-rep_daily"]
    assert box.value is True  # never chose: a rep's default
    app.text_input(key="profile-email").input("ravi@alpha.example.com")
    box.uncheck()
    save(app)
    assert profile(world, "ravi") == ("ravi@alpha.example.com", {"rep_daily": False})
    assert app.success and "no digests" in app.success[0].value
    app.checkbox(key="profile-digest-rep_daily").check()
    save(app)
    assert profile(world, "ravi") == ("ravi@alpha.example.com", {"rep_daily": True})
    assert app.checkbox(key="profile-digest-rep_daily").value is True
    assert "1 of 1" in app.success[0].value


def test_a_wrong_address_is_refused_and_nothing_saved(world: World) -> None:
    before = profile(world, "mona")
    app = opened(PAGE, "mona")
    app.text_input(key="profile-email").input("not an address")
    save(app)
    assert app.error and "E-mail address" in app.error[0].value
    assert profile(world, "mona") == before


@pytest.mark.parametrize("username, role", [("lena", "leadership"), ("boss", "admin"), ("mona", "manager")])
def test_each_role_is_offered_only_its_digests(world: World, username: str, role: str) -> None:
    app = opened(PAGE, username)
    offered = [checkbox.label for checkbox in app.checkbox]
    assert offered == [label("digest_kind", kind) for kind in DIGEST_KINDS_BY_ROLE[role]]


def test_the_preview_shows_a_markup_name_as_typed(world: World) -> None:
    app = opened(PAGE, "ravi")
    (preview,) = app.code
    assert MARKUP_NAME in preview.value and "Covers: your leads only" in preview.value
    # The other previews render too, as the selected digest changes.
    app = opened(PAGE, "boss")
    for kind in DIGEST_KINDS_BY_ROLE["admin"]:
        app.selectbox(key="profile-preview").set_value(kind).run()
        assert not app.exception, [e.value for e in app.exception]
        assert label("digest_kind", kind) in app.code[0].value
