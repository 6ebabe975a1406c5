"""Each role gets exactly its pages, and a rep sees only their own leads, through AppTest."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from collections.abc import Iterator

import pytest

from data import reports
from data.db import REPO_ROOT
from data.writes import lead_admin
from tests.support.world import World, add_people, build_world
from tests.test_pages import JAN_FEB, set_period, signed_in

REP_ENTRY = {"follow_ups", "stale_leads", "new_lead", "log_visit", "log_call", "log_milestone"}
DATA_ENTRY = REP_ENTRY | {"book_unit", "cancel_booking", "ledger_entry", "import_data"}
EXPECTED_PAGES = {
    "ravi": {"leads", "timeline", "funnel"} | REP_ENTRY,
    "mona": {
        "overview",
        "funnel",
        "speed_to_lead",
        "scorecard",
        "sources",
        "campaigns",
        "bookings",
        "leads",
        "timeline",
        "ledger",
        "admin_campaigns",
    }
    | DATA_ENTRY,
    "lena": {
        "overview",
        "funnel",
        "speed_to_lead",
        "scorecard",
        "sources",
        "campaigns",
        "bookings",
        "ledger",
        "timeline",
        "snapshots",
    },
    "boss": {
        "overview",
        "funnel",
        "speed_to_lead",
        "scorecard",
        "sources",
        "campaigns",
        "bookings",
        "leads",
        "timeline",
        "ledger",
        "snapshots",
        "admin_users",
        "admin_audit",
        "admin_sources",
        "admin_campaigns",
        "admin_inventory",
        "admin_integrations",
        "admin_routing",
    }
    | DATA_ENTRY,
}
# Everyone's own profile (e-mail address and digests).
EXPECTED_PAGES = {username: pages | {"profile"} for username, pages in EXPECTED_PAGES.items()}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("roles")
    add_people(built)
    # Sara gets l3 so that Ravi (rep) owns l1, l2 and l4 only.
    lead_admin.reassign_leads(built.alpha, [built.ids["l3"]], built.ids["sara"], changed_by=built.ids["boss"])
    os.environ["LEADLINE_TENANT"] = "alpha-roles"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def reachable_pages(app) -> set[str]:
    """Every page file in pages/ that the signed-in session may switch to."""
    reachable = set()
    for path in sorted((REPO_ROOT / "pages").glob("*.py")):
        try:
            app.switch_page(f"pages/{path.name}")
        except ValueError as refused:
            assert "Could not find a navigation page" in str(refused)
        else:
            reachable.add(path.stem)
    return reachable


@pytest.mark.parametrize("username", sorted(EXPECTED_PAGES))
def test_each_role_sees_exactly_its_pages(world: World, username: str) -> None:
    app = signed_in(username)
    assert reachable_pages(app) == EXPECTED_PAGES[username]


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("ravi", "admin_users"),
        ("ravi", "overview"),
        ("ravi", "book_unit"),
        ("ravi", "ledger_entry"),
        ("lena", "leads"),
        ("lena", "log_visit"),
        ("mona", "admin_audit"),
    ],
)
def test_a_page_outside_the_role_cannot_be_reached(world: World, username: str, page: str) -> None:
    app = signed_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(f"pages/{page}.py")


def test_a_reps_lead_list_and_funnel_hold_only_their_leads(world: World) -> None:
    app = signed_in("ravi")
    assert app.title[0].value == "My follow-ups"  # a rep's first page
    app.switch_page("pages/leads.py").run()
    assert app.title[0].value == "My leads"
    set_period(app, JAN_FEB)
    names = set(app.dataframe[0].value["Name"])
    assert names == {"Asha Patil", "Bala Iyer", "Dinesh Rao"}  # not Chitra (Sara's), not the retired lead
    assert "owner" not in [box.key for box in app.selectbox]  # the owner filter is pinned, not offered
    app.switch_page("pages/funnel.py").run()
    set_period(app, JAN_FEB)
    assert app.dataframe[0].value["Leads"].tolist()[0] == "3"


def test_a_manager_sees_every_lead(world: World) -> None:
    app = signed_in("mona")
    app.switch_page("pages/leads.py").run()
    set_period(app, JAN_FEB)
    assert len(app.dataframe[0].value) == 4


def test_the_lead_list_pages_on_the_server(world: World, monkeypatch) -> None:
    # The module, not the function of the same name that data.reports exports.
    lead_list = importlib.import_module("data.reports.lead_pages")
    monkeypatch.setattr(lead_list, "PAGE_SIZE", 3)
    app = signed_in("mona")
    app.switch_page("pages/leads.py").run()
    # A period no other test reads (Dec-Feb holds the same four leads as Jan-Feb), so no
    # page cached with the real page size is served.
    set_period(app, (dt.date(2025, 12, 1), JAN_FEB[1]))
    first = list(app.dataframe[0].value["Name"])
    assert len(first) == 3 and "Leads generated in the period, newest first: 1–3 of 4." in app.caption.values
    assert app.number_input(key="leads-page").label == "Page (of 2)"
    app.number_input(key="leads-page").set_value(2).run()
    second = list(app.dataframe[0].value["Name"])
    assert len(second) == 1 and "Leads generated in the period, newest first: 4–4 of 4." in app.caption.values
    assert not set(first) & set(second)


def test_sign_in_refuses_a_wrong_password(world: World) -> None:
    app = signed_in("ravi", password="not-the-password")
    assert app.error[0].value == "Wrong username or password."
    assert not app.title or app.title[0].value == "Leadline"
