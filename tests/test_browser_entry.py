"""Data entry as a rep does it on a phone, in real Chromium, checked in the database.

The app is served by ``streamlit run dashboard.py`` against the test session's database (not the
demo), on the hand-built world plus ten more leads of the rep and one whose name and notes are
markup, so that every record the browser makes can be found and counted here.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from data.domain.filters import IST
from data.writes import activity
from data.writes import leads as lead_writes
from tests.support.browser_app import serving
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import SCREENSHOTS, browser, fits_the_width, sign_in  # noqa: F401 - the browser fixture
from ui.text import WORD_JOINER

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
MARKUP = "**b** [x](http://127.0.0.1:9/x) ![i](http://127.0.0.1:9/i.png) <img src=x onerror=alert(1)>"
HOSTILE_HOST = "127.0.0.1:9"
TEN = [f"Phone Lead {number:02d}" for number in range(1, 11)]


@pytest.fixture(scope="module")
def world(database) -> World:
    """Alpha's world, ten more leads of the rep Ravi, and one lead whose name and notes are markup."""
    built = build_world("browser-entry")
    add_people(built)
    rep = built.ids["rep"]
    generated = dt.datetime.now(IST) - dt.timedelta(days=2)
    for number, name in enumerate([*TEN, MARKUP], start=1):
        saved = lead_writes.create_lead(
            built.alpha,
            rep,
            name=name,
            phone=f"+91 97000 000{number:02d}",
            lead_source_id=built.ids["s1"],
            generated_at=generated,
            notes=MARKUP,
            idempotency_key=f"browser-entry-lead-{number}",
        )
        built.ids[name] = saved.lead_id
    activity.log_engagement(
        built.alpha,
        rep,
        lead_id=built.ids[MARKUP],
        engagement_type="call",
        direction="outbound",
        status="completed",
        occurred_at=dt.datetime.now(IST) - dt.timedelta(hours=1),
        notes=MARKUP,
        next_follow_up_at=dt.datetime.now(IST) + dt.timedelta(hours=2),
        idempotency_key="browser-entry-markup-call",
    )
    built.ids["Asha Patil"], built.ids["Dinesh Rao"] = built.ids["l1"], built.ids["l4"]
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="module")
def app_url(world: World, database, tmp_path_factory) -> Iterator[str]:
    """The app on the session's database, serving alpha (not demo mode: real users and passwords)."""
    with serving(database, "alpha-browser-entry", tmp_path_factory.mktemp("entry-state")) as url:
        yield url


def settle(tab) -> None:
    """Wait until the app has finished its run."""
    tab.wait_for_timeout(300)
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


@pytest.fixture()
def phone(browser, app_url: str):  # noqa: F811 - the fixture imported above
    """Ravi, signed in on a 390-px phone; every request the page makes is kept."""
    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.requests = []
    tab.on("request", lambda request: tab.requests.append(request.url))
    tab.goto(app_url)
    sign_in(tab, "ravi", PASSWORD)  # waits for the session cookie, so a new address stays signed in
    settle(tab)
    yield tab
    context.close()


def engagements(world: World, lead_key: str) -> list[str]:
    """The notes of a lead's calls, oldest first."""
    with db.tenant_transaction(world.alpha) as conn:
        return list(
            conn.execute(
                sa.text("select coalesce(notes, '') from lead_engagements where lead_id = :id order by engagement_id"),
                {"id": world.ids[lead_key]},
            ).scalars()
        )


def open_call_form(tab, app_url: str, lead_id: int | None = None) -> None:
    tab.goto(f"{app_url}/log_call" + (f"?lead={lead_id}" if lead_id else ""))
    tab.get_by_role("heading", name="Log call or message").first.wait_for(timeout=60_000)
    settle(tab)


def search_and_choose(tab, text: str) -> None:
    """Type in the search box, then pick the answer from the list, as a thumb does."""
    search = tab.get_by_label("Find a lead by name or phone")
    search.fill(text)
    search.press("Enter")
    # The answers come as a new list, keyed by the search text's digest (ui.lead_picker): wait for
    # it, not for the list an earlier search or link left on the page.
    digest = hashlib.sha1(text.strip().casefold().encode()).hexdigest()[:10]
    picker = tab.locator(f"[class*='-lead-pick-{digest}-']")
    picker.wait_for(timeout=30_000)
    settle(tab)
    picker.get_by_role("combobox").click()
    tab.get_by_role("option").filter(has_text=text).first.click()
    settle(tab)
    tab.get_by_role("button", name=f"Save for {text}").wait_for(timeout=30_000)


def save(tab, name: str, *, double: bool = False) -> None:
    button = tab.get_by_role("button", name=f"Save for {name}")
    button.dblclick() if double else button.click()
    tab.get_by_text("Saved: ").first.wait_for(timeout=30_000)
    settle(tab)
    # The "Saved" toast floats over the top of a phone's screen for a few seconds; a thumb waits
    # for it (or swipes it away) before tapping the search box under it.
    tab.get_by_test_id("stToast").first.wait_for(state="detached", timeout=20_000)


def assert_empty_form(tab) -> None:
    # Streamlit removes the previous run's elements when the new run ends: wait for that.
    tab.locator("[class*='-lead-pick-']").wait_for(state="detached", timeout=10_000)
    assert tab.get_by_label("Find a lead by name or phone").input_value() == ""
    assert tab.get_by_label("Notes").input_value() == ""
    assert tab.get_by_role("button", name="Save", exact=True).is_visible()


def test_ten_calls_for_ten_leads_in_a_row_on_a_phone(phone, app_url: str, world: World) -> None:
    before = {name: len(engagements(world, name)) for name in TEN}
    for number, name in enumerate(TEN):
        note = f"Call {number + 1} on the phone"
        if number % 2 == 0:  # from a follow-up link, which chooses the lead
            open_call_form(phone, app_url, world.ids[name])
        else:  # straight after the last save: a new search on the emptied form
            search_and_choose(phone, name)
        phone.get_by_label("Notes").fill(note)
        # Visible once the run the link or the choice started is over (a loaded machine takes a while).
        phone.get_by_role("button", name=f"Save for {name}").wait_for(state="visible", timeout=30_000)
        assert fits_the_width(phone), f"the call form scrolls sideways at 390 px ({name})"
        save(phone, name, double=number in (3, 6))  # an impatient thumb, twice
        assert_empty_form(phone)
        if number == 9:
            # The emptied form, submitted again, saves nothing.
            phone.get_by_role("button", name="Save", exact=True).click()
            phone.get_by_text("Choose the lead first").first.wait_for(timeout=30_000)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    phone.screenshot(path=str(SCREENSHOTS / "log-call-phone-after-ten.png"), full_page=True)
    for number, name in enumerate(TEN):
        assert engagements(world, name)[before[name] :] == [f"Call {number + 1} on the phone"], name


def test_a_new_search_after_a_link_writes_on_the_lead_chosen_last(phone, app_url: str, world: World) -> None:
    # Leads the other tests leave alone: a second call within minutes would ask "save another?".
    first, second = "Asha Patil", "Dinesh Rao"
    before = {name: len(engagements(world, name)) for name in (first, second)}
    open_call_form(phone, app_url, world.ids[first])
    phone.get_by_label("Notes").fill("Link then search")
    search_and_choose(phone, second)
    assert "lead=" not in phone.url or f"lead={world.ids[second]}" in phone.url
    save(phone, second)
    assert len(engagements(world, first)) == before[first]
    assert engagements(world, second)[before[second] :] == ["Link then search"]

    # The back button returns to an earlier address: the form writes only on the lead it shows
    # (here a second call within minutes, so it first asks, and saves once confirmed).
    phone.go_back()
    settle(phone)
    shown = phone.get_by_role("button", name=re.compile(r"^Save for ")).first.inner_text().removeprefix("Save for ")
    phone.get_by_label("Notes").fill("After going back")
    phone.get_by_role("button", name=f"Save for {shown}").click()
    confirm = phone.get_by_text("Yes, this is another one: save it")
    phone.get_by_text("Saved: ").or_(confirm).first.wait_for(timeout=30_000)
    if confirm.count():
        assert engagements(world, shown)[-1] != "After going back"  # asked first, saved nothing yet
        confirm.click()
        phone.get_by_role("button", name=f"Save for {shown}").click()
        phone.get_by_text("Saved: ").first.wait_for(timeout=30_000)
    wrote_on = [name for name in (first, second) if "After going back" in engagements(world, name)]
    assert wrote_on == [shown]


def test_markup_in_a_name_and_notes_stays_text(phone, app_url: str, world: World) -> None:
    lead_id = world.ids[MARKUP]
    for path, heading in (
        (f"timeline?lead={lead_id}", "Lead timeline"),
        ("follow_ups", "My follow-ups"),
        ("leads", "My leads"),
        (f"log_visit?lead={lead_id}", "Log site visit"),
    ):
        phone.goto(f"{app_url}/{path}")
        phone.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
        settle(phone)
        main = phone.get_by_test_id("stMain")
        assert main.locator(f"a[href*='{HOSTILE_HOST}']").count() == 0, path
        assert main.locator(f"img[src*='{HOSTILE_HOST}'], img[src='x']").count() == 0, path
        assert phone.get_by_test_id("stException").count() == 0, path
        if path != "leads":  # the lead list is a data grid drawn on a canvas
            shown = main.inner_text().replace(WORD_JOINER, "")  # ui.text's invisible joiners in addresses
            assert "**b** [x](http://127.0.0.1:9/x)" in shown, f"{path}: the text is not shown as typed"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENSHOTS / f"markup-{path.split('?')[0]}.png"), full_page=True)
    assert not [url for url in phone.requests if HOSTILE_HOST in url]
