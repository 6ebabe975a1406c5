"""The Stale leads screen as a manager uses it on a phone, in real Chromium, checked in the
database: a markup name shown as typed, the page within 390 px, the call-form link opening the
form on that lead and the back button returning, then thresholds set twice in a row and a double
tap on Save that changes them once."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST
from tests.support.browser_app import on_a_phone, serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world, insert
from tests.test_browser import SCREENSHOTS, browser, fits_the_width  # noqa: F401 - the browser fixture

pytestmark = pytest.mark.browser

MARKUP = "Idle ** [x](y) <b>bold</b>"


@pytest.fixture(scope="module")
def world(database) -> World:
    """Alpha's world with a lead of Ravi's, named in markup, untouched for ten days."""
    built = build_world("browser-stale")
    add_people(built)
    with db.tenant_transaction(built.alpha) as conn:
        built.ids["idle"] = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=built.alpha,
            name=MARKUP,
            phone="+919700011122",
            lead_source_id=built.ids["s1"],
            owner_user_id=built.ids["rep"],
            generated_at=dt.datetime.now(IST) - dt.timedelta(days=10),
        )
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-stale", tmp_path_factory.mktemp("stale-state")) as url:
        yield url


def thresholds(world: World) -> tuple[list[tuple], int]:
    """The tenant's own thresholds, and how many times they were set (audit rows)."""
    with db.tenant_transaction(world.alpha) as conn:
        rows = conn.execute(sa.text("select stage, stale_after_days from stale_lead_thresholds order by stage")).all()
        audits = conn.execute(
            sa.text("select count(*) from audit_log where action = 'stale_thresholds.set'")
        ).scalar_one()
    return [tuple(row) for row in rows], audits


def set_days(tab, world: World, stage: str, days: int, *, double: bool = False) -> None:
    """Type a stage's days and press Save (twice at once with ``double``); wait for the write."""
    _, audits = thresholds(world)
    field = tab.get_by_label(stage, exact=True)
    field.fill(str(days))
    field.press("Tab")
    button = tab.get_by_role("button", name="Save thresholds")
    button.dblclick() if double else button.click()
    # The previous save's message may still be on the page: wait for the database instead.
    deadline = time.monotonic() + 30
    while thresholds(world)[1] == audits and time.monotonic() < deadline:
        tab.wait_for_timeout(200)
    settle(tab)
    tab.get_by_text("Stale-lead thresholds saved.").first.wait_for(timeout=30_000)
    tab.wait_for_timeout(1000)
    settle(tab)


def test_a_manager_works_the_stale_list_on_a_phone(browser, app_url: str, world: World) -> None:  # noqa: F811
    context, tab = on_a_phone(browser, app_url, "stale_leads", "mona", PASSWORD, "Stale leads")

    # The markup name reads as typed, in the card of its lead.
    card = tab.locator(f".st-key-stale-{world.ids['idle']}")
    card.get_by_text(MARKUP).first.wait_for(timeout=30_000)
    card.get_by_text("New · idle 10 days (stale after 3 days)").first.wait_for(timeout=30_000)
    assert fits_the_width(tab)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "stale-leads-phone.png"), full_page=True)

    # Its call-form link opens the call form on that lead; the back button returns to the list.
    card.get_by_role("link", name="Log call").click()
    tab.get_by_role("heading", name="Log call or message").first.wait_for(timeout=60_000)
    settle(tab)
    assert f"lead={world.ids['idle']}" in tab.url
    save = tab.get_by_role("button", name=re.compile(r"^Save for "))
    save.first.wait_for(timeout=30_000)
    assert MARKUP in save.first.inner_text()
    tab.go_back()
    tab.get_by_role("heading", name="Stale leads").first.wait_for(timeout=60_000)
    settle(tab)
    tab.locator(f".st-key-stale-{world.ids['idle']}").get_by_text(MARKUP).first.wait_for(timeout=30_000)

    # Two thresholds set one after the other, then a double tap: one change each.
    _, audits = thresholds(world)
    set_days(tab, world, "New", 20)
    assert thresholds(world) == ([("new", 20)], audits + 1)
    set_days(tab, world, "Qualified", 9)
    assert thresholds(world) == ([("new", 20), ("qualified", 9)], audits + 2)
    set_days(tab, world, "Contacted", 6, double=True)
    assert thresholds(world) == ([("contacted", 6), ("new", 20), ("qualified", 9)], audits + 3)
    # Ten days idle is within twenty: the lead has left the list.
    tab.locator(f".st-key-stale-{world.ids['idle']}").first.wait_for(state="detached", timeout=30_000)
    assert fits_the_width(tab)
    context.close()
