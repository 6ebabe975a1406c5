"""The sales-floor set-up and Speed to lead as people use them, in real Chromium at 390 px,
checked in the database: an admin adds two routing rules in a row (a double tap saving one), two
reps' leave, two sources' SLAs and the working hours; a manager opens a lead waiting past its SLA
from the breach list, logs the call, and comes back to a list without it."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from data import db, reports
from data.domain.filters import IST
from tests.support.browser_app import on_a_phone, serving, settle
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import browser, fits_the_width  # noqa: F401 - the browser fixture
from tests.test_speed_to_lead import lead

pytestmark = pytest.mark.browser

MARKUP = "Portal ** [x](y) <b>rule</b>"
WAITING = "Waiting ** [x](y) <b>long</b>"


@pytest.fixture(scope="module")
def world(database) -> World:
    built = build_world("browser-floor")
    add_people(built)
    with db.tenant_transaction(built.alpha) as conn:
        source = conn.execute(sa.text("select min(lead_source_id) from lead_sources")).scalar_one()
        # Three days unanswered, owned by Ravi: past any SLA whatever the working hours.
        built.ids["waiting"] = lead(
            conn,
            built.alpha,
            source,
            dt.datetime.now(IST) - dt.timedelta(days=3),
            name=WAITING,
            owner_user_id=built.ids["rep"],
        )
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    with serving(database, "alpha-browser-floor", tmp_path_factory.mktemp("floor-state")) as url:
        yield url


def rows(world: World, sql: str) -> list[tuple]:
    with db.tenant_transaction(world.alpha) as conn:
        return [tuple(row) for row in conn.execute(sa.text(sql))]


def keyed(tab, key: str):
    """The input of the widget with this key (Streamlit marks its container with st-key-<key>)."""
    return tab.locator(f".st-key-{key} input").first


def set_number(tab, key: str, value: int) -> None:
    field = keyed(tab, key)
    field.fill(str(value))
    field.press("Tab")


def choose(tab, key: str, option: str) -> None:
    """Pick an option of the select box with this key (again, if a rerun closed the list first)."""
    for _ in range(3):
        settle(tab)
        tab.locator(f".st-key-{key}").get_by_role("combobox").click()
        choice = tab.get_by_role("option", name=option, exact=True)
        try:
            choice.wait_for(timeout=5_000)
        except PlaywrightTimeout:
            tab.keyboard.press("Escape")
            continue
        choice.click()
        settle(tab)
        return
    pytest.fail(f"the select box {key} never offered {option}")


def until(check, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "the database never showed the write"
        time.sleep(0.2)


def test_an_admin_adds_two_rules_in_a_row_on_a_phone(browser, app_url: str, world: World) -> None:  # noqa: F811
    ravi, sara = world.ids["rep"], world.ids["sara"]
    context, tab = on_a_phone(browser, app_url, "admin_routing", "boss", PASSWORD, "Lead routing")
    keyed(tab, "rule-name-new-0").fill(MARKUP)
    set_number(tab, f"pool-new-0-{ravi}", 1)
    set_number(tab, f"pool-new-0-{sara}", 2)
    tab.get_by_role("button", name="Save rule").click()
    tab.get_by_text("Saved the rule Portal ** [x](y) <b>rule</b>").first.wait_for(timeout=30_000)
    settle(tab)
    assert rows(world, "select name from routing_rules") == [(MARKUP,)]
    assert fits_the_width(tab)

    # The saved rule is open now: a double tap on Save saves that rule again, no second rule.
    assert keyed(tab, "rule-name-new-0").count() == 0
    tab.get_by_role("button", name="Save rule").dblclick()
    settle(tab)
    tab.wait_for_timeout(1000)
    settle(tab)
    assert rows(world, "select name from routing_rules") == [(MARKUP,)]

    # A new rule straight after starts from an empty form.
    choose(tab, "rule-id", "New rule")
    name = keyed(tab, "rule-name-new-1")
    assert name.input_value() == ""
    assert keyed(tab, f"pool-new-1-{sara}").input_value() == "0"
    name.fill("Walk-ins")
    set_number(tab, f"pool-new-1-{sara}", 1)
    tab.get_by_role("button", name="Save rule").click()
    tab.get_by_text("Saved the rule Walk-ins").first.wait_for(timeout=30_000)
    settle(tab)
    assert rows(
        world,
        "select routing_rules.name, routing_pool_members.user_id, routing_pool_members.weight "
        "from routing_rules inner join routing_pool_members using (tenant_id, routing_rule_id) "
        "order by routing_rules.position, routing_pool_members.user_id",
    ) == [(MARKUP, ravi, 1), (MARKUP, sara, 2), ("Walk-ins", sara, 1)]

    # Two reps' leave, one after the other: the form empties after each.
    for who in ("Sara Rep", "Ravi Kumar"):
        choose(tab, "leave-rep", who)
        tab.get_by_role("button", name="Add leave").click()
        tab.get_by_text(f"{who} is away").first.wait_for(timeout=30_000)
        settle(tab)
    until(lambda: len(rows(world, "select user_id from rep_leave where cancelled_at is null")) == 2)
    assert sorted(rows(world, "select user_id from rep_leave where cancelled_at is null")) == sorted([(sara,), (ravi,)])
    assert fits_the_width(tab)
    context.close()


def test_an_admin_sets_two_slas_and_the_hours_on_a_phone(browser, app_url: str, world: World) -> None:  # noqa: F811
    context, tab = on_a_phone(browser, app_url, "admin_sources", "boss", PASSWORD, "Lead sources")
    sources = rows(world, "select lead_source_id, source || ' / ' || subsource from lead_sources order by 1")
    for (source_id, label), minutes in zip(sources[:2], (25, 40), strict=True):
        choose(tab, "sla-source-id", label)
        set_number(tab, f"sla-minutes-{source_id}", minutes)
        tab.get_by_role("button", name="Save SLA").click()
        tab.get_by_text(f"first response within {minutes} working minutes").first.wait_for(timeout=30_000)
        settle(tab)
    assert rows(world, "select sla_minutes from lead_sources order by lead_source_id")[:2] == [(25,), (40,)]

    # Sunday closed; a double tap on Save saves the same hours once more, nothing else.
    tab.locator(".st-key-hours-open-7 label").click()
    tab.get_by_role("button", name="Save working hours").dblclick()
    tab.get_by_text("Working hours saved.").first.wait_for(timeout=30_000)
    settle(tab)
    until(lambda: len(rows(world, "select iso_weekday from working_hours")) == 6)
    assert rows(world, "select iso_weekday from working_hours order by 1") == [(day,) for day in range(1, 7)]
    assert fits_the_width(tab)
    context.close()


def test_a_manager_calls_a_lead_from_the_breach_list_and_comes_back(browser, app_url: str, world: World) -> None:  # noqa: F811
    waiting = world.ids["waiting"]
    context, tab = on_a_phone(browser, app_url, "speed_to_lead", "mona", PASSWORD, "Speed to lead")
    breach = tab.locator(f".st-key-breach-{waiting}")
    breach.wait_for(timeout=30_000)
    # The name as typed, not bold or a link.
    assert WAITING in breach.inner_text()
    assert breach.get_by_role("link", name="x", exact=True).count() == 0 and breach.locator("b").count() == 0
    breach.get_by_role("link", name=re.compile("Log call")).click()
    tab.get_by_role("heading", name="Log call or message").first.wait_for(timeout=60_000)
    settle(tab)
    assert f"lead={waiting}" in tab.url
    save = tab.get_by_role("button", name=re.compile(r"^Save .*Waiting"))
    save.wait_for(timeout=30_000)
    save.click()
    until(lambda: rows(world, f"select count(*) from lead_engagements where lead_id = {waiting}") == [(1,)])
    settle(tab)
    assert fits_the_width(tab)

    # Back to the list: the lead answered is no longer waiting. Saving dropped ?lead= from the
    # address (so the emptied form does not choose the lead again), which is a step of its own
    # in the history: the first step back shows the call form of that lead, the second the list.
    visited = []
    while "speed_to_lead" not in tab.url:
        assert len(visited) < 2, visited
        tab.go_back()
        tab.wait_for_timeout(1000)
        settle(tab)
        visited.append(tab.url)
    assert all("speed_to_lead" in url or f"log_call?lead={waiting}" in url for url in visited), visited
    tab.get_by_role("heading", name="Speed to lead").first.wait_for(timeout=60_000)
    settle(tab)
    tab.get_by_text(re.compile(r"Waiting past their SLA now")).first.wait_for(timeout=30_000)
    assert tab.locator(f".st-key-breach-{waiting}").count() == 0
    context.close()
