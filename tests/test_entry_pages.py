"""The data-entry pages driven like a person would, through AppTest, against the hand-built world;
then the timeline, the ledger and the reports show what was entered."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db, reports
from data.filters import today_in_india
from tests.test_pages import signed_in
from tests.world import World, add_people, build_world


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("entry-pages")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-entry-pages"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def on_page(username: str, page: str) -> AppTest:
    app = signed_in(username)
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def find_lead(app: AppTest, prefix: str, text: str) -> None:
    app.text_input(key=f"{prefix}-search").input(text).run()


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def count(world: World, sql: str, **params) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_a_rep_logs_a_site_visit_and_sees_it_on_the_timeline(world: World) -> None:
    app = on_page("ravi", "log_visit")
    find_lead(app, "visit", "Dinesh")
    app.radio(key="visit-outcome").set_value("positive")
    app.text_input(key="visit-reason").input("Liked the corner unit")
    app.text_input(key="visit-location").input("18.5204, 73.8567")
    app.date_input(key="visit-follow-up").set_value(today_in_india() + dt.timedelta(days=2))
    press(app, "Save visit")
    assert app.success[0].value.startswith("Saved: site visit on ")
    assert (
        count(
            world,
            "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'site_visit'",
            id=world.ids["l4"],
        )
        == 1
    )

    app.switch_page("pages/timeline.py").run()
    find_lead(app, "lead", "Dinesh")
    assert app.dataframe[0].value["Milestone"].tolist()[-1] == "site_visit"

    app.switch_page("pages/follow_ups.py").run()
    assert "Dinesh Rao" in " ".join(block.value for block in app.markdown)


def test_a_refused_visit_keeps_what_was_typed_and_writes_nothing(world: World) -> None:
    before = count(world, "select count(*) from lead_milestones")
    app = on_page("ravi", "log_visit")
    find_lead(app, "visit", "Bala")
    app.text_input(key="visit-reason").input("Wants a higher floor")
    app.text_input(key="visit-location").input("somewhere near the gate")
    press(app, "Save visit")
    messages = [error.value for error in app.error]
    assert "Choose how the visit went: positive, neutral or negative." in messages
    assert any("two numbers" in message for message in messages)
    assert app.text_input(key="visit-reason").value == "Wants a higher floor"
    assert count(world, "select count(*) from lead_milestones") == before


def test_a_known_phone_offers_a_re_enquiry_instead_of_a_duplicate(world: World) -> None:
    leads_before = count(world, "select count(*) from leads")
    app = on_page("sara", "new_lead")
    app.selectbox(key="lead-source").set_value("Walk-in").run()
    app.text_input(key="lead-name").input("Asha P")
    app.text_input(key="lead-phone").input("098000 00001")
    press(app, "Save lead")
    assert "is already a lead:** Asha Patil" in app.warning[0].value
    press(app, "Log a re-enquiry")
    assert app.success[0].value == "Saved: re-enquiry on Asha Patil."
    assert count(world, "select count(*) from leads") == leads_before
    assert (
        count(
            world,
            "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'reengaged' "
            "and metadata ->> 'source' = 'Walk-in'",
            id=world.ids["l1"],
        )
        == 1
    )


def test_a_new_lead_with_dependent_source_pickers_is_saved(world: World) -> None:
    app = on_page("ravi", "new_lead")
    app.selectbox(key="lead-source").set_value("Online Portal").run()
    assert app.selectbox(key="lead-subsource-Online Portal").value == world.ids["s1"]  # the only subsource, chosen
    assert set(app.selectbox(key=f"lead-campaign-{world.ids['s1']}").options) == {"Portal Jan", "Brand"}
    app.selectbox(key=f"lead-campaign-{world.ids['s1']}").set_value(world.ids["c1"]).run()
    app.text_input(key="lead-name").input("Gauri Shah")
    app.text_input(key="lead-phone").input("+91 99887 76655")
    press(app, "Save lead")
    assert app.success[0].value == "Saved: new lead Gauri Shah."
    assert app.text_input(key="lead-name").value == ""  # a fresh form for the next lead
    assert (
        count(world, "select count(*) from leads where phone = '+919988776655' and campaign_id = :c", c=world.ids["c1"])
        == 1
    )


def test_a_manager_books_and_cancels_a_unit_through_the_forms(world: World) -> None:
    app = on_page("mona", "book_unit")
    find_lead(app, "book", "Chitra")
    app.selectbox(key="book-project").set_value("Beta Park").run()
    app.selectbox(key="book-unit").set_value(world.ids["u7"])
    app.text_input(key="book-value").input("2,00,00,000")
    app.text_input(key="book-amount").input("20,00,000")
    app.date_input(key="book-date").set_value(today_in_india() - dt.timedelta(days=1))
    app.selectbox(key="book-plan").set_value("clp-20-80")
    app.selectbox(key="book-mode").set_value("rtgs")
    app.text_input(key="book-reference").input("UTR-9912")
    press(app, "Book unit")
    assert app.success[0].value.startswith("Saved: Chitra Das booked Beta Park T2 V2")
    assert not any(option.startswith("T2 · V2 ·") for option in app.selectbox(key="book-unit").options)

    booking_id = count(world, "select max(booking_id) from bookings where unit_id = :id", id=world.ids["u7"])
    app.switch_page("pages/ledger_entry.py").run()
    find_lead(app, "entry", "Chitra")
    app.selectbox(key="entry-booking").set_value(booking_id).run()
    statement = app.dataframe[0].value
    assert statement["Balance"].tolist()[-1] == "₹1,80,00,000.00"  # 2 Cr of demands less the 20 L paid

    app.switch_page("pages/cancel_booking.py").run()
    find_lead(app, "cancel", "Chitra")
    app.selectbox(key="cancel-booking").set_value(booking_id).run()
    app.text_input(key="cancel-reason").input("Changed city")
    app.text_input(key="cancel-charge").input("2,00,000")
    app.text_input(key="cancel-refund").input("18,00,000")
    press(app, "Cancel booking")
    assert app.error[0].value == "Tick the box to confirm the cancellation."
    app.checkbox(key="cancel-confirm").check()
    press(app, "Cancel booking")
    assert app.success[0].value.startswith("Saved: booking of Beta Park T2 V2 cancelled")
    assert (
        count(world, "select count(*) from units where unit_id = :id and status = 'available'", id=world.ids["u7"]) == 1
    )
    assert count(world, "select balance from v_customer_ledger_summary where booking_id = :id", id=booking_id) == 0

    app.switch_page("pages/timeline.py").run()
    find_lead(app, "lead", "Chitra")
    assert app.dataframe[0].value["Milestone"].tolist()[-2:] == ["booking", "cancellation"]
    app.switch_page("pages/bookings.py").run()
    assert not app.exception


def test_accounts_record_a_receipt_and_reverse_it(world: World) -> None:
    app = on_page("mona", "ledger_entry")
    find_lead(app, "entry", "Bala")
    app.selectbox(key="entry-type").set_value("receipt")
    app.text_input(key="entry-amount").input("1,00,000")
    app.selectbox(key="entry-mode").set_value("cheque")
    press(app, "Save entry")
    assert [error.value for error in app.error] == ["Give the cheque or transaction number."]
    app.text_input(key="entry-reference").input("CHQ-000123")
    press(app, "Save entry")
    assert app.success[0].value == "Saved: receipt of ₹1,00,000."
    statement = app.dataframe[0].value
    assert statement["Credit"].tolist()[-1] == "₹1,00,000.00"
    receipt_id = int(statement["Entry"].tolist()[-1].removeprefix("#"))

    reverse = app.selectbox(key="reversal-entry")
    reverse.set_value(receipt_id)
    app.text_input(key="reversal-reason").input("Cheque returned unpaid")
    press(app, "Reverse entry")
    assert app.success[0].value == f"Saved: entry #{receipt_id} reversed."
    # Reversed once, never again: it is no longer offered.
    assert not any(option.startswith(f"#{receipt_id} ") for option in app.selectbox(key="reversal-entry").options)
