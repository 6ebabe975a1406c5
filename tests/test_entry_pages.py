"""The data-entry pages driven like a person would, through AppTest, against the hand-built world;
then the timeline, the ledger and the reports show what was entered.

A form's widgets are keyed by the form's generation (``ui.forms.EntryForm``): ``field`` finds a
widget of the form as it is now, and ``choose_lead`` searches and picks a lead the way a person
does (typing, then choosing from the list; a search never picks by itself).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db, reports
from data.domain.filters import today_in_india
from tests.support.world import World, add_people, build_world
from tests.test_pages import signed_in
from ui.text import md


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("entry-pages")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-entry-pages"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def on_page(username: str, page: str, **query) -> AppTest:
    app = signed_in(username)
    for name, value in query.items():
        app.query_params[name] = value
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def generation(app: AppTest, form: str) -> int:
    key = f"{form}-generation"
    return app.session_state[key] if key in app.session_state else 0  # noqa: SIM401 - no .get on AppTest's state


def field(app: AppTest, form: str, name: str) -> str:
    """The key of a form's widget in the form's current generation."""
    return f"{form}-{generation(app, form)}-{name}"


def lead_box(app: AppTest):
    """The picker's list of leads (its key changes with each search)."""
    return next(box for box in app.selectbox if box.label == "Lead")


def choose_lead(app: AppTest, form: str, text: str, *, picker: str | None = None) -> None:
    """Type a search, then choose the first answer whose label starts with the text."""
    picker = picker or field(app, form, "lead")
    app.text_input(key=f"{picker}-search").input(text).run()
    box = lead_box(app)
    assert box.value is None, "a search must not choose a lead by itself"
    box.select_index(next(i for i, label in enumerate(box.options) if label.startswith(text))).run()


def find_lead(app: AppTest, prefix: str, text: str) -> None:
    """The timeline's search, which shows its first answer."""
    app.text_input(key=f"{prefix}-search").input(text).run()


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label.startswith(label)).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def count(world: World, sql: str, **params) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_a_rep_logs_a_site_visit_and_sees_it_on_the_timeline(world: World) -> None:
    app = on_page("ravi", "log_visit")
    choose_lead(app, "visit", "Dinesh")
    # The form names the lead it will write on, right above Save.
    assert any(block.value == "**Dinesh Rao**" for block in app.markdown)
    app.radio(key=field(app, "visit", "outcome")).set_value("positive")
    app.text_input(key=field(app, "visit", "reason")).input("Liked the corner unit")
    app.text_input(key=field(app, "visit", "location")).input("18.5204, 73.8567")
    app.date_input(key=field(app, "visit", "follow-up")).set_value(today_in_india() + dt.timedelta(days=2))
    press(app, "Save visit for Dinesh Rao")
    assert app.success[0].value.startswith("Saved: site visit for **Dinesh Rao** on ")
    assert (
        count(
            world,
            "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'site_visit'",
            id=world.ids["l4"],
        )
        == 1
    )
    # Saved means done: the next form is empty, with no lead chosen and a new key.
    assert app.text_input(key=field(app, "visit", "reason")).value == ""
    assert app.radio(key=field(app, "visit", "outcome")).value is None
    assert app.text_input(key=field(app, "visit", "lead-search")).value == ""
    assert not any(box.label == "Lead" for box in app.selectbox)

    app.switch_page("pages/timeline.py").run()
    find_lead(app, "lead", "Dinesh")
    assert app.dataframe[0].value["Milestone"].tolist()[-1] in ("site_visit", "Site visit")

    app.switch_page("pages/follow_ups.py").run()
    assert "Dinesh Rao" in " ".join(block.value for block in app.markdown)


def test_a_refused_visit_keeps_what_was_typed_and_writes_nothing(world: World) -> None:
    before = count(world, "select count(*) from lead_milestones")
    app = on_page("ravi", "log_visit")
    choose_lead(app, "visit", "Bala")
    app.text_input(key=field(app, "visit", "reason")).input("Wants a higher floor")
    app.text_input(key=field(app, "visit", "location")).input("somewhere near the gate")
    press(app, "Save visit")
    messages = [error.value for error in app.error]
    assert md("Choose how the visit went: positive, neutral or negative.") in messages
    assert any("two numbers" in message for message in messages)
    assert app.text_input(key=field(app, "visit", "reason")).value == "Wants a higher floor"
    assert count(world, "select count(*) from lead_milestones") == before


def test_a_link_chooses_its_lead_until_a_new_search(world: World) -> None:
    def calls(key: str) -> int:
        return count(world, "select count(*) from lead_engagements where lead_id = :id", id=world.ids[key])

    before = {key: calls(key) for key in ("l2", "l3")}
    app = on_page("ravi", "log_call", lead=str(world.ids["l2"]))
    assert lead_box(app).value == world.ids["l2"]
    assert any(button.label == "Save for Bala Iyer" for button in app.button)
    # A new search drops the link's lead: nothing is chosen until the person picks an answer,
    # and Save writes nothing meanwhile.
    app.text_input(key=field(app, "call", "lead-search")).input("Chitra").run()
    assert lead_box(app).value is None
    assert "lead" not in app.query_params
    press(app, "Save")
    assert md("Choose the lead first: search by name or phone above.") in [error.value for error in app.error]
    assert {key: calls(key) for key in before} == before
    lead_box(app).select_index(0).run()
    press(app, "Save for Chitra Das")
    assert {key: calls(key) - before[key] for key in before} == {"l2": 0, "l3": 1}


def test_two_calls_in_a_row_land_on_their_own_leads(world: World) -> None:
    def calls(key: str) -> int:
        return count(world, "select count(*) from lead_engagements where lead_id = :id", id=world.ids[key])

    before = {key: calls(key) for key in ("l1", "l4")}
    app = on_page("ravi", "log_call", lead=str(world.ids["l1"]))
    app.text_area(key=field(app, "call", "notes")).input("First call")
    press(app, "Save for Asha Patil")
    assert app.success[0].value.startswith("Saved: call with **Asha Patil**")
    assert app.text_area(key=field(app, "call", "notes")).value == ""
    # The emptied form, submitted again, saves nothing: it has no lead.
    press(app, "Save")
    assert md("Choose the lead first: search by name or phone above.") in [error.value for error in app.error]
    choose_lead(app, "call", "Dinesh")
    app.radio(key=field(app, "call", "status")).set_value("no_answer")
    press(app, "Save for Dinesh Rao")
    assert {key: calls(key) - before[key] for key in before} == {"l1": 1, "l4": 1}


def test_a_probable_duplicate_visit_is_saved_only_when_confirmed(world: World) -> None:
    def scheduled() -> int:
        return count(
            world,
            "select count(*) from lead_milestones where lead_id = :id and milestone_type = 'site_visit_scheduled'",
            id=world.ids["l2"],
        )

    before = scheduled()
    app = on_page("ravi", "log_visit", lead=str(world.ids["l2"]))
    app.radio(key=field(app, "visit", "done")).set_value("Scheduled")
    press(app, "Save visit for Bala Iyer")
    assert scheduled() == before + 1

    app.query_params["lead"] = str(world.ids["l2"])
    app.run()
    app.radio(key=field(app, "visit", "done")).set_value("Scheduled")
    press(app, "Save visit for Bala Iyer")
    assert scheduled() == before + 1, "a second visit within minutes waits for a confirmation"
    assert "save another" in app.warning[0].value
    press(app, "Save visit for Bala Iyer")  # again, without ticking: still only asks
    assert scheduled() == before + 1
    # Inside a form a tick is sent with the submit, as in the browser.
    next(box for box in app.checkbox if box.label.startswith("Yes, this is another one")).check()
    press(app, "Save visit for Bala Iyer")
    assert scheduled() == before + 2


def test_a_known_phone_offers_a_re_enquiry_instead_of_a_duplicate(world: World) -> None:
    leads_before = count(world, "select count(*) from leads")
    app = on_page("sara", "new_lead")
    app.selectbox(key=field(app, "new-lead", "source")).set_value("Walk-in").run()
    app.text_input(key=field(app, "new-lead", "name")).input("Asha P")
    app.text_input(key=field(app, "new-lead", "phone")).input("098000 00001")
    press(app, "Save lead")
    assert f"is already a lead:** {md('Asha Patil')}" in app.warning[0].value
    press(app, "Log a re-enquiry")
    assert app.success[0].value == f"Saved: re-enquiry on **{md('Asha Patil')}**."
    assert app.text_input(key=field(app, "new-lead", "phone")).value == ""
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
    app.selectbox(key=field(app, "new-lead", "source")).set_value("Online Portal").run()
    # The only subsource is chosen for the person.
    assert app.selectbox(key=field(app, "new-lead", "subsource-Online Portal")).value == world.ids["s1"]
    campaign = field(app, "new-lead", f"campaign-{world.ids['s1']}")
    assert set(app.selectbox(key=campaign).options) == {"Portal Jan", "Brand"}
    app.selectbox(key=campaign).set_value(world.ids["c1"]).run()
    app.text_input(key=field(app, "new-lead", "name")).input("Gauri Shah")
    app.text_input(key=field(app, "new-lead", "phone")).input("+91 99887 76655")
    press(app, "Save lead")
    assert app.success[0].value == "Saved: new lead **Gauri Shah**."
    # A fresh form for the next lead: every field, the source pickers too.
    assert app.text_input(key=field(app, "new-lead", "name")).value == ""
    assert app.selectbox(key=field(app, "new-lead", "source")).value is None
    assert (
        count(world, "select count(*) from leads where phone = '+919988776655' and campaign_id = :c", c=world.ids["c1"])
        == 1
    )


def test_a_manager_books_and_cancels_a_unit_through_the_forms(world: World) -> None:
    app = on_page("mona", "book_unit")
    choose_lead(app, "book", "Chitra")
    app.selectbox(key=field(app, "book", "project")).set_value("Beta Park").run()
    app.selectbox(key=field(app, "book", "unit")).set_value(world.ids["u7"])
    app.text_input(key=field(app, "book", "value")).input("2,00,00,000")
    app.text_input(key=field(app, "book", "amount")).input("20,00,000")
    app.date_input(key=field(app, "book", "date")).set_value(today_in_india() - dt.timedelta(days=1))
    app.selectbox(key=field(app, "book", "plan")).set_value("clp-20-80")
    app.selectbox(key=field(app, "book", "mode")).set_value("rtgs")
    app.text_input(key=field(app, "book", "reference")).input("UTR-9912")
    press(app, "Book unit for Chitra Das")
    assert app.success[0].value.startswith("Saved: **Chitra Das** booked Beta Park T2 V2")

    booking_id = count(world, "select max(booking_id) from bookings where unit_id = :id", id=world.ids["u7"])
    app.switch_page("pages/ledger_entry.py").run()
    choose_lead(app, "entry", "Chitra", picker="ledger-0-0-lead")
    app.selectbox(key="entry-booking").set_value(booking_id).run()
    statement = app.dataframe[0].value
    assert statement["Balance"].tolist()[-1] == "₹1,80,00,000.00"  # 2 Cr of demands less the 20 L paid

    app.switch_page("pages/cancel_booking.py").run()
    choose_lead(app, "cancel", "Chitra")
    app.selectbox(key=field(app, "cancel", "booking")).set_value(booking_id).run()
    app.text_input(key=field(app, "cancel", "reason")).input("Changed city")
    app.text_input(key=field(app, "cancel", "charge")).input("2,00,000")
    app.text_input(key=field(app, "cancel", "refund")).input("18,00,000")
    press(app, "Cancel booking for Chitra Das")
    assert app.error[0].value == md("Tick the box to confirm the cancellation.")
    app.checkbox(key=field(app, "cancel", "confirm")).check()
    press(app, "Cancel booking for Chitra Das")
    assert app.success[0].value.startswith("Saved: booking of Beta Park T2 V2 for **Chitra Das** cancelled")
    assert (
        count(world, "select count(*) from units where unit_id = :id and status = 'available'", id=world.ids["u7"]) == 1
    )
    assert count(world, "select balance from v_customer_ledger_summary where booking_id = :id", id=booking_id) == 0

    app.switch_page("pages/timeline.py").run()
    find_lead(app, "lead", "Chitra")
    assert app.dataframe[0].value["Milestone"].tolist()[-2:] in (
        ["booking", "cancellation"],
        ["Booking", "Cancellation"],
    )
    app.switch_page("pages/bookings.py").run()
    assert not app.exception


def test_a_price_far_from_the_list_price_needs_a_reason(world: World) -> None:
    app = on_page("mona", "book_unit")
    choose_lead(app, "book", "Dinesh")
    app.selectbox(key=field(app, "book", "project")).set_value("Beta Park").run()
    app.selectbox(key=field(app, "book", "unit")).set_value(world.ids["u7"])
    app.text_input(key=field(app, "book", "value")).input("1,00,000")  # far below any list price
    app.text_input(key=field(app, "book", "amount")).input("10,000")
    app.selectbox(key=field(app, "book", "plan")).set_value("clp-20-80")
    app.selectbox(key=field(app, "book", "mode")).set_value("cash")
    press(app, "Book unit for Dinesh Rao")
    assert "list price" in app.warning[0].value
    assert count(world, "select count(*) from bookings where lead_id = :id", id=world.ids["l4"]) == 0
    app.text_input(key=field(app, "book", "reason-needed")).input("Staff discount approved by the director")
    press(app, "Book unit for Dinesh Rao")
    assert app.success, [error.value for error in app.error]
    assert count(world, "select count(*) from bookings where lead_id = :id", id=world.ids["l4"]) == 1


def test_accounts_record_a_receipt_and_reverse_it(world: World) -> None:
    app = on_page("mona", "ledger_entry")
    choose_lead(app, "entry", "Bala", picker="ledger-0-0-lead")
    app.selectbox(key=field(app, "entry", "type")).set_value("receipt")
    app.text_input(key=field(app, "entry", "amount")).input("1,00,000")
    app.selectbox(key=field(app, "entry", "mode")).set_value("cheque")
    press(app, "Save entry")
    assert [error.value for error in app.error] == [md("Give the cheque or transaction number.")]
    app.text_input(key=field(app, "entry", "reference")).input("CHQ-000123")
    press(app, "Save entry")
    assert app.success[0].value.startswith("Saved: receipt #")
    receipt_id = count(world, "select max(ledger_entry_id) from account_ledger where reference = 'CHQ-000123'")

    # The same cheque again is refused, naming the entry that has it.
    choose_lead(app, "entry", "Bala", picker="ledger-1-0-lead")
    app.selectbox(key=field(app, "entry", "type")).set_value("receipt")
    app.text_input(key=field(app, "entry", "amount")).input("1,00,000")
    app.selectbox(key=field(app, "entry", "mode")).set_value("cheque")
    app.text_input(key=field(app, "entry", "reference")).input("chq-000123")
    press(app, "Save entry")
    assert any(f"#{receipt_id}" in error.value for error in app.error)
    assert count(world, "select count(*) from account_ledger where upper(reference) = 'CHQ-000123'") == 1

    statement = app.dataframe[0].value
    # The last line closes the statement; the receipt is the entry before it.
    assert statement["Entry type"].tolist()[-1] == "Closing balance"
    assert statement["Credit"].tolist()[-2] == "₹1,00,000.00"
    reverse = app.selectbox(key=field(app, "reversal", "entry"))
    reverse.set_value(receipt_id)
    app.text_input(key=field(app, "reversal", "reason")).input("Cheque returned unpaid")
    press(app, "Reverse entry")
    assert app.success[0].value == f"Saved: entry #{receipt_id} reversed for **Bala Iyer**."
    # Reversed once, never again: it is no longer offered.
    choose_lead(app, "entry", "Bala", picker="ledger-1-1-lead")
    options = app.selectbox(key=field(app, "reversal", "entry")).options
    assert not any(option.startswith(f"#{receipt_id} ") for option in options)


@pytest.mark.parametrize(
    ("username", "page", "search_key"), [("ravi", "log_call", None), ("boss", "admin_audit", "audit-text")]
)
def test_a_control_character_in_a_search_gets_a_message_not_an_error(
    world: World, username: str, page: str, search_key: str | None
) -> None:
    app = on_page(username, page)
    app.text_input(key=search_key or field(app, "call", "lead-search")).input("Asha\x00 Patil").run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.error, "the search was refused without a word"


def test_a_note_over_the_limit_is_refused_under_its_field_and_kept(world: World) -> None:
    before = count(world, "select count(*) from lead_engagements")
    app = on_page("ravi", "log_call", lead=str(world.ids["l3"]))
    notes = app.text_area(key=field(app, "call", "notes"))
    assert "up to 2,000 characters" in notes.label  # the limit said beside the field
    notes.input("x" * 3_000)
    press(app, "Save for Chitra Das")
    assert md("Keep the notes to 2,000 characters (this has 3,000).") in [error.value for error in app.error]
    assert app.text_area(key=field(app, "call", "notes")).value == "x" * 3_000
    assert count(world, "select count(*) from lead_engagements") == before
