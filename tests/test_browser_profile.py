"""My profile as a rep uses it on a phone, in real Chromium, checked in the database: the digest
unticked and ticked again in two saves in a row, a double tap on Save, the preview showing a lead
whose name is markup as typed, the page within 390 px."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST, today_in_india
from data.domain.vocabulary import label
from tests.support.browser_app import serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import browser, fits_the_width, sign_in  # noqa: F401 - the browser fixture
from tests.test_digests import MARKUP_NAME, new_lead

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
REP_DAILY = label("digest_kind", "rep_daily")


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-profile")
    add_people(built)
    due = dt.datetime.combine(today_in_india(), dt.time(0, 5), tzinfo=IST)
    new_lead(built, MARKUP_NAME, "rep", due - dt.timedelta(days=1), due)
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-profile", tmp_path_factory.mktemp("profile-state")) as url:
        yield url


def stored(world: World) -> tuple[str | None, list[tuple[str, bool]], int]:
    """Ravi's address, his digest choices, and how many times he saved them (the audit log)."""
    with db.tenant_transaction(world.alpha) as conn:
        values = {"user_id": world.ids["rep"]}
        email = conn.execute(sa.text("select email from app_users where user_id = :user_id"), values).scalar()
        kinds = conn.execute(
            sa.text("select digest_kind, is_enabled from digest_choices where user_id = :user_id"), values
        ).all()
        saves = conn.execute(
            sa.text("select count(*) from audit_log where user_id = :user_id and action = 'profile.digests_saved'"),
            values,
        ).scalar_one()
    return email, [tuple(row) for row in kinds], saves


def tick(tab) -> None:
    """Tap the digest's checkbox (its label, as a thumb would)."""
    tab.get_by_test_id("stCheckbox").get_by_text(REP_DAILY).click()


def save(tab, expected: str) -> None:
    """Press Save and wait for the confirmation."""
    tab.get_by_role("button", name="Save").click()
    tab.get_by_test_id("stAlertContentSuccess").filter(has_text=expected).first.wait_for(timeout=30_000)
    settle(tab)


def test_a_rep_chooses_their_digest_on_a_phone(browser, app_url: str, world: World) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(f"{app_url}/profile")
    sign_in(tab, "ravi", PASSWORD)
    tab.get_by_role("heading", name="My profile").first.wait_for(timeout=60_000)
    settle(tab)

    # The preview shows the lead's name as typed: not bold, not a link.
    preview = tab.get_by_test_id("stCode").first
    preview.wait_for(timeout=30_000)
    assert MARKUP_NAME in preview.inner_text()
    assert fits_the_width(tab)

    # Never chose: a rep's morning digest is ticked. Untick it and save, then tick it and save.
    box = tab.get_by_role("checkbox", name=REP_DAILY)
    assert box.is_checked()
    tab.get_by_label("E-mail address").fill("ravi@alpha.example.com")
    tick(tab)
    save(tab, "no digests")
    assert stored(world) == ("ravi@alpha.example.com", [("rep_daily", False)], 1)
    assert not tab.get_by_role("checkbox", name=REP_DAILY).is_checked()
    tick(tab)
    save(tab, "1 of 1")
    assert stored(world) == ("ravi@alpha.example.com", [("rep_daily", True)], 2)

    # A double tap on Save saves the same choice again, at most twice: no other row changes.
    tab.get_by_role("button", name="Save").dblclick()
    settle(tab)
    tab.wait_for_timeout(1000)
    settle(tab)
    email, kinds, saves = stored(world)
    assert (email, kinds) == ("ravi@alpha.example.com", [("rep_daily", True)]) and saves in (3, 4)
    assert tab.get_by_role("checkbox", name=REP_DAILY).is_checked()
    assert tab.get_by_test_id("stException").count() == 0
    assert fits_the_width(tab)
    context.close()
