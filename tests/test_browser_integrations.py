"""The Integrations screen as an admin uses it on a phone, in real Chromium, checked in the
database: two keys made in a row, a double tap on Create, a name that is markup, the key shown
once and gone after a reload, the page within 390 px."""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from tests.support.browser_app import serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import browser, fits_the_width, sign_in  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
KEY = re.compile(r"ll_[0-9a-f]{8}_[A-Za-z0-9_-]{43}")
MARKUP = "Feed ** [x](y) <b>bold</b>"


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-integrations")
    add_people(built)
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-integrations", tmp_path_factory.mktemp("integrations-state")) as url:
        yield url


def keys_named(world: World, name: str) -> list[tuple[str, str]]:
    with db.tenant_transaction(world.alpha) as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text("select key_prefix, key_hash from api_keys where name = :name and revoked_at is null"),
                {"name": name},
            )
        ]


def create(tab, name: str, previous: str | None = None) -> str:
    """Fill the create-key form and press Create; the key the page shows once (a new one: the
    previous key stays on the page until the run that shows the next)."""
    tab.get_by_label("Name").first.fill(name)
    tab.get_by_role("button", name="Create key").click()
    shown = tab.get_by_test_id("stCode").filter(has_text=re.compile(r"ll_[0-9a-f]{8}_"))
    deadline = time.monotonic() + 30
    while True:
        keys = KEY.findall(shown.first.inner_text()) if shown.count() else []
        if keys and keys[0] != previous:
            break
        assert time.monotonic() < deadline, "no new key was shown"
        tab.wait_for_timeout(200)
    settle(tab)
    (key,) = KEY.findall(shown.first.inner_text())
    return key


def test_an_admin_makes_keys_on_a_phone(browser, app_url: str, world: World) -> None:  # noqa: F811
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(f"{app_url}/admin_integrations")
    sign_in(tab, "boss", PASSWORD)
    tab.get_by_role("heading", name="Integrations").first.wait_for(timeout=60_000)
    settle(tab)

    first = create(tab, MARKUP)
    # The name shows as typed, not as bold text or a link.
    tab.get_by_text("Created the key Feed ** [x](y) <b>bold</b>").first.wait_for(timeout=10_000)
    assert keys_named(world, MARKUP) == [(first[:11], hashlib.sha256(first.encode()).hexdigest())]
    assert fits_the_width(tab)

    # A second key straight after: the form is empty again, and the first key is no longer shown.
    assert tab.get_by_label("Name").first.input_value() == ""
    second = create(tab, "Second feed", previous=first)
    assert second != first and first not in tab.content()
    assert len(keys_named(world, "Second feed")) == 1

    # A double tap on Create makes one key (the second tap may land on the emptied form, or be
    # refused by the name now taken: either way nothing more is written).
    tab.get_by_label("Name").first.fill("Tapped twice")
    tab.get_by_role("button", name="Create key").dblclick()
    deadline = time.monotonic() + 30
    while not keys_named(world, "Tapped twice") and time.monotonic() < deadline:
        tab.wait_for_timeout(200)
    settle(tab)
    tab.wait_for_timeout(1000)
    settle(tab)
    assert len(keys_named(world, "Tapped twice")) == 1

    # After a reload no key is on the page, only the list (a data grid, drawn on a canvas).
    tab.reload()
    tab.get_by_role("heading", name="Integrations").first.wait_for(timeout=60_000)
    settle(tab)
    tab.get_by_test_id("stDataFrame").first.wait_for(timeout=10_000)
    assert KEY.search(tab.content()) is None
    assert fits_the_width(tab)
    context.close()
