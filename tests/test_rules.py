"""The input rules of data.domain.rules, on their own and wired into the writes, searches and imports:
one money parser that never raises, text without control characters and within its limit,
nothing dated before 2000, and search text taken literally."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from data import db, imports, reports
from data.db import Scope, tenants
from data.domain.filters import IST, today_in_india
from data.domain.permissions import SYSTEM
from data.domain.rules import (
    EARLIEST_DATE_MESSAGE,
    FUTURE_DATE_MESSAGE,
    FUTURE_TOLERANCE,
    MONEY_LIMIT,
    NAME_MAX,
    NOTES_MAX,
    PAYMENT_MODE_MESSAGE,
    REFERENCE_MAX,
    REFERENCE_MESSAGE,
    SHORT_TEXT_MAX,
    check_day,
    check_payment,
    check_search_text,
    check_text,
    is_in_future,
    parse_money,
    rupees,
)
from data.domain.validation import ValidationError
from data.writes import activity, bookings, ledger
from data.writes.common import now
from data.writes.leads import create_lead
from tests.support.checks import assert_refused, form_key, row_counts
from tests.support.world import World, add_people, build_world

# Money -------------------------------------------------------------------------------------

ANYTHING = st.one_of(
    st.text(),
    st.text(alphabet="0123456789,. -₹Rs/INRe+_"),
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(allow_nan=True, allow_infinity=True),
    st.integers(),
    st.booleans(),
    st.none(),
    st.just(Decimal("sNaN")),
    st.just(Decimal("-NaN")),
    st.just(Decimal("1E+999999")),
    st.just(Decimal("1E-999999")),
)


def assert_amount_or_message(value: object, allow_zero: bool = True) -> None:
    errors: dict[str, str] = {}
    amount = parse_money(value, "amount", errors, allow_zero=allow_zero)
    if amount is None:
        assert list(errors) == ["amount"] and errors["amount"].endswith(".")
    else:
        assert errors == {}
        assert isinstance(amount, Decimal) and amount.is_finite()
        assert (Decimal(0) if allow_zero else Decimal("0.01")) <= amount < MONEY_LIMIT
        assert amount == amount.quantize(Decimal("0.01")) and amount.as_tuple().exponent == -2


@settings(max_examples=400)
@given(ANYTHING, st.booleans())
def test_any_input_is_an_amount_in_range_or_the_fields_message_never_an_exception(value, allow_zero) -> None:
    assert_amount_or_message(value, allow_zero)


@given(st.decimals(min_value=0, max_value=MONEY_LIMIT - Decimal("0.01"), places=2))
def test_an_amount_written_as_a_message_writes_it_reads_back_the_same(amount: Decimal) -> None:
    for written in (rupees(amount), rupees(amount, paise=True), str(amount), f"Rs. {amount}/-"):
        assert parse_money(written, "amount", {}) == amount, written


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,20,00,000", "12000000.00"),
        ("₹ 85,00,000", "8500000.00"),
        ("₹85,00,000", "8500000.00"),
        ("Rs. 5000/-", "5000.00"),
        ("rs 5,000 /-", "5000.00"),
        ("INR 2500000.50", "2500000.50"),
        ("85 00 000", "8500000.00"),  # lakh grouping with spaces, as some people type it
        ("12,000,000", "12000000.00"),  # international grouping
        ("  2,50,000  ", "250000.00"),
        ("10.000", "10.00"),  # trailing zeros are not extra paise
        ("999999999999.99", "999999999999.99"),
        (2500, "2500.00"),
        (Decimal("3.5"), "3.50"),
        (2.5, "2.50"),
        ("0", "0.00"),
    ],
)
def test_the_usual_ways_of_writing_rupees_are_read(typed: object, expected: str) -> None:
    assert parse_money(typed, "amount", {}) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("", "Enter an amount in rupees."),
        ("   ", "Enter an amount in rupees."),
        ("NaN", "Enter an amount in rupees."),
        ("Infinity", "Enter an amount in rupees."),
        ("-inf", "Enter an amount in rupees."),
        (float("nan"), "Enter an amount in rupees."),
        (float("inf"), "Enter an amount in rupees."),
        (Decimal("NaN"), "Enter an amount in rupees."),
        (Decimal("-Infinity"), "Enter an amount in rupees."),
        ("1e5", "Enter an amount in rupees."),
        ("1E5", "Enter an amount in rupees."),
        ("10.005", "Give at most two decimal places."),
        (Decimal("0.001"), "Give at most two decimal places."),
        ("-5000", "The amount cannot be negative."),
        ("1000000000000", "That amount is too large."),
        ("10,00,00,00,00,000", "That amount is too large."),
        (True, "Enter an amount in rupees."),
        (None, "Enter an amount in rupees."),
        ("50-60 lakh", "Give one amount, not a range."),
        ("50 to 60", "Give one amount, not a range."),
        ("85 lakh", "Enter an amount in rupees."),
        ("1,0000", "Enter an amount in rupees."),  # irregular grouping is a typo
        ("12\x0034", "Enter an amount in rupees."),
        ("lots", "Enter an amount in rupees."),
        ("١٢٣", "Enter an amount in rupees."),  # digits of another script
    ],
)
def test_what_is_not_one_amount_is_refused_with_the_fields_message(typed: object, message: str) -> None:
    errors: dict[str, str] = {}
    assert parse_money(typed, "budget", errors) is None
    assert errors == {"budget": message}


def test_zero_is_refused_where_an_amount_must_be_above_zero() -> None:
    errors: dict[str, str] = {}
    assert parse_money("0", "amount", errors, allow_zero=False) is None
    assert errors == {"amount": "Enter an amount in rupees above zero."}


# Text --------------------------------------------------------------------------------------


@pytest.mark.parametrize("character", ["\x00", "\x01", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"])
@pytest.mark.parametrize("multiline", [False, True])
def test_control_characters_are_refused(character: str, multiline: bool) -> None:
    errors: dict[str, str] = {}
    assert check_text(f"Asha{character}Patil", "name", errors, max_length=NAME_MAX, multiline=multiline) is None
    assert f"U+{ord(character):04X}" in errors["name"]


def test_a_limit_is_the_longest_text_allowed_and_the_message_says_it() -> None:
    errors: dict[str, str] = {}
    assert check_text(" " + "a" * NAME_MAX + " ", "name", errors, max_length=NAME_MAX) == "a" * NAME_MAX
    assert errors == {}
    assert check_text("a" * (NAME_MAX + 15), "name", errors, max_length=NAME_MAX) is None
    assert errors == {"name": "Keep the name to 120 characters (this has 135)."}


def test_multiline_text_keeps_line_breaks_and_tabs_single_line_text_refuses_them() -> None:
    errors: dict[str, str] = {}
    notes = check_text("Came with parents\r\n\tLiked the view\n", "notes", errors, max_length=NOTES_MAX, multiline=True)
    assert notes == "Came with parents\n\tLiked the view" and errors == {}
    assert check_text("Asha\nPatil", "name", errors, max_length=NAME_MAX, label="lead's name") is None
    assert errors == {"name": "Keep the lead's name on one line."}
    assert check_text("Asha\tPatil", "city", errors, max_length=NAME_MAX) is None
    assert "U+0009" in errors["city"]


def test_blank_text_is_none_or_the_required_message() -> None:
    errors: dict[str, str] = {}
    assert check_text("   ", "notes", errors, max_length=NOTES_MAX) is None and errors == {}
    assert check_text(None, "notes", errors, max_length=NOTES_MAX) is None and errors == {}
    assert check_text(" ", "name", errors, max_length=NAME_MAX, required=True, label="lead's name") is None
    assert errors == {"name": "Give the lead's name."}


@given(st.text())
def test_any_text_is_clean_within_its_limit_or_the_fields_message(text: str) -> None:
    errors: dict[str, str] = {}
    cleaned = check_text(text, "name", errors, max_length=20)
    if errors:
        assert cleaned is None and list(errors) == ["name"]
    elif cleaned is not None:
        assert cleaned == cleaned.strip() and len(cleaned) <= 20
        assert not any(ord(char) < 32 or 127 <= ord(char) <= 159 for char in cleaned)


def test_search_text_refuses_control_characters_and_long_text() -> None:
    assert check_search_text("  50%  ") == "50%"
    assert check_search_text(None) == ""
    with pytest.raises(ValidationError) as refused:
        check_search_text("as\x00ha")
    assert list(refused.value.errors) == ["search"]
    with pytest.raises(ValidationError) as refused:
        check_search_text("a" * (SHORT_TEXT_MAX + 1))
    assert f"{SHORT_TEXT_MAX} characters" in refused.value.errors["search"]


# Dates and moments: nothing done is dated in the future -----------------------------------

TODAY = today_in_india()


# Each case is made from the clock when the test runs (not when it is collected: a run may take
# minutes, and a moment a minute past the tolerance would no longer be).
@pytest.mark.parametrize(
    ("value", "in_future"),
    [
        (lambda now, today: None, False),
        (lambda now, today: today - dt.timedelta(days=400), False),
        (lambda now, today: today, False),
        (lambda now, today: today + FUTURE_TOLERANCE, False),  # tomorrow: a receipt logged just after midnight
        (lambda now, today: today + FUTURE_TOLERANCE + dt.timedelta(days=1), True),
        (lambda now, today: now - dt.timedelta(hours=3), False),
        (lambda now, today: now + FUTURE_TOLERANCE - dt.timedelta(minutes=1), False),
        (lambda now, today: now + FUTURE_TOLERANCE + dt.timedelta(minutes=1), True),
        (lambda now, today: (now + dt.timedelta(days=2)).astimezone(dt.UTC), True),  # any zone, the same moment
        (lambda now, today: (now + dt.timedelta(days=2)).replace(tzinfo=None), True),  # naive: India time
    ],
)
def test_a_date_or_moment_is_in_the_future_beyond_a_day(value, in_future: bool) -> None:
    assert is_in_future(value(dt.datetime.now(IST), today_in_india())) is in_future


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (None, "Give the date."),
        (TODAY, None),
        (TODAY + dt.timedelta(days=2), FUTURE_DATE_MESSAGE),
        (dt.date(1999, 12, 31), EARLIEST_DATE_MESSAGE),
        (dt.date(2000, 1, 1), None),
    ],
)
def test_a_day_something_was_done_is_given_not_future_and_not_before_2000(day, message) -> None:
    errors: dict[str, str] = {}
    assert check_day(day, "entry_date", errors) == day
    assert errors == ({} if message is None else {"entry_date": message})


# Payments: mode and reference ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("mode", "reference", "mode_required", "expected", "errors"),
    [
        ("cash", None, True, None, {}),
        ("cash", " R-1 ", True, "R-1", {}),
        ("neft", "UTR123", True, "UTR123", {}),
        ("cheque", None, True, None, {"reference": REFERENCE_MESSAGE}),
        ("upi", "   ", True, None, {"reference": REFERENCE_MESSAGE}),
        (None, None, True, None, {"payment_mode": PAYMENT_MODE_MESSAGE}),
        ("bitcoin", "X", True, "X", {"payment_mode": PAYMENT_MODE_MESSAGE}),
        ("NEFT", "X", True, "X", {"payment_mode": PAYMENT_MODE_MESSAGE}),  # codes, not labels
        (None, None, False, None, {}),  # a refund's mode may be left out
        ("rtgs", None, False, None, {"reference": REFERENCE_MESSAGE}),  # given, it follows the rules
        ("rtgs", "x" * REFERENCE_MAX, True, "x" * REFERENCE_MAX, {}),
    ],
)
def test_a_payment_has_a_known_mode_and_a_reference_unless_cash(mode, reference, mode_required, expected, errors):
    found: dict[str, str] = {}
    assert check_payment(mode, reference, found, mode_required=mode_required) == expected
    assert found == errors


def test_a_payments_reference_keeps_to_its_limit_under_the_callers_field_names() -> None:
    errors: dict[str, str] = {}
    check_payment(
        "neft", "x" * (REFERENCE_MAX + 1), errors, mode_field="refund_mode", reference_field="refund_reference"
    )
    assert list(errors) == ["refund_reference"] and f"{REFERENCE_MAX} characters" in errors["refund_reference"]
    errors = {}
    check_payment("gold", "R1", errors, mode_field="refund_mode", reference_field="refund_reference")
    assert errors == {"refund_mode": PAYMENT_MODE_MESSAGE}


# India time ---------------------------------------------------------------------------------


def test_india_time_is_defined_once_in_python() -> None:
    from data.db import REPO_ROOT

    spelled = 'ZoneInfo("Asia/Kolkata")'
    found = [
        path.relative_to(REPO_ROOT).as_posix()
        for folder in ("data", "ui", "pages", "tests", "bench")
        for path in (REPO_ROOT / folder).rglob("*.py")
        if spelled in path.read_text() and path.name != "test_rules.py"
    ]
    found += [name for name in ("dashboard.py", "leadline.py") if spelled in (REPO_ROOT / name).read_text()]
    assert found == ["data/domain/filters.py"]


# Wired into the writes, searches and imports ------------------------------------------------

TABLES = ("leads", "lead_milestones", "customers", "bookings", "account_ledger", "audit_log")


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("rules")
    add_people(world)
    return world


def counts(world: World) -> dict[str, int]:
    return row_counts(world.alpha, TABLES)


def new_lead(world: World, name: str, phone: str, **changes):
    values = {
        "name": name,
        "phone": phone,
        "lead_source_id": world.ids["s1"],
        "generated_at": now() - dt.timedelta(days=3),
        "idempotency_key": form_key(),
        **changes,
    }
    return lambda: create_lead(world.alpha, world.ids["mona"], **values)


def test_a_nul_in_a_lead_name_is_a_message_and_no_row(world: World) -> None:
    message = assert_refused(new_lead(world, "Asha\x00Patil", "+91 98765 43011"), "name", lambda: counts(world))
    assert "U+0000" in message
    too_long = new_lead(world, "A" * (NAME_MAX + 1), "+91 98765 43012")
    assert_refused(too_long, "name", lambda: counts(world), contains="120 characters")
    assert_refused(
        new_lead(world, "Asha", "+91 98765 43013", notes="x\x07"), "notes", lambda: counts(world), contains="U+0007"
    )


def test_a_search_with_a_nul_is_a_message_not_a_database_error(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        reports.search_leads(world.alpha, "Asha\x00")
    assert list(refused.value.errors) == ["search"]
    with pytest.raises(ValidationError):
        reports.audit_entries(world.alpha, dt.date(2020, 1, 1), text="\x00")


def test_search_wildcards_are_taken_literally(world: World) -> None:
    for name, phone in (
        ("Mehta 50% Group", "+91 98765 43021"),
        ("Mehta 5000 Group", "+91 98765 43022"),
        ("Iyer_Two", "+91 98765 43023"),
        ("IyerXTwo", "+91 98765 43024"),
        ("Back\\slash Rao", "+91 98765 43025"),
    ):
        new_lead(world, name, phone)()
    assert reports.search_leads(world.alpha, "50%")["name"].tolist() == ["Mehta 50% Group"]
    assert reports.search_leads(world.alpha, "r_T")["name"].tolist() == ["Iyer_Two"]
    assert reports.search_leads(world.alpha, "k\\s")["name"].tolist() == ["Back\\slash Rao"]
    assert set(reports.search_leads(world.alpha, "%")["name"]) == {"Mehta 50% Group"}
    found = reports.audit_entries(world.alpha, dt.date(2020, 1, 1), text="50%")
    assert len(found) == 1 and "Mehta 50% Group" in found["after_values"].iloc[0]


BEFORE_2000 = dt.date(1999, 12, 31)


def test_a_visit_before_2000_is_refused(world: World) -> None:
    def write():
        return activity.log_site_visit(
            Scope(world.alpha, world.ids["rep"]),
            world.ids["rep"],
            lead_id=world.ids["l4"],
            is_done=True,
            occurred_at=dt.datetime(1999, 12, 31, 23, 59, tzinfo=IST),
            outcome="positive",
            outcome_reason="Liked it",
            idempotency_key=form_key(),
        )

    assert assert_refused(write, "occurred_at", lambda: counts(world)) == EARLIEST_DATE_MESSAGE


def test_a_ledger_entry_before_2000_is_refused(world: World) -> None:
    def write():
        return ledger.add_entry(
            world.alpha,
            world.ids["mona"],
            booking_id=world.ids["b3"],
            entry_type="receipt",
            amount="10,000",
            entry_date=BEFORE_2000,
            payment_mode="cash",
            idempotency_key=form_key(),
        )

    assert assert_refused(write, "entry_date", lambda: counts(world)) == EARLIEST_DATE_MESSAGE


def test_a_booking_before_2000_is_refused(world: World) -> None:
    lead_id = new_lead(world, "Early Buyer", "+91 98765 43031")().lead_id

    def write():
        return bookings.book_unit(
            world.alpha,
            world.ids["mona"],
            lead_id=lead_id,
            unit_id=world.ids["u7"],
            agreement_value="2,10,00,000",
            booking_amount="10,00,000",
            booking_date=BEFORE_2000,
            plan_code="down-payment",
            payment_mode="cash",
            reference=None,
            idempotency_key=form_key(),
        )

    assert assert_refused(write, "booking_date", lambda: counts(world)) == EARLIEST_DATE_MESSAGE


def test_an_import_row_with_a_control_character_is_rejected_and_the_rest_imported(tmp_path: Path) -> None:
    tenant_id = tenants.create_tenant("rules-import", "Rules Import")
    rows = [
        "project,tower,floor,unit_number,unit_type,carpet_area_sqft,list_price,status",
        "Lake View,T1,1,101,2BHK,850,6500000,available",  # 2: good
        "Lake View,T1,1,10\x072,2BHK,850,6500000,available",  # 3: a bell in the unit number
        "Lake\x00View,T1,1,103,2BHK,850,6500000,available",  # 4: a NUL in the project
        "Lake View,T1,1,104,2BHK,850,6500000\x1b,available",  # 5: an escape after the price
        "Lake View,T1,1,105,2BHK,850,65\u2028000,available",  # 6: a line separator
        "Lake View,T1,1,106,2BHK,850,6500000,available",  # 7: good
    ]
    path = tmp_path / "units.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = imports.import_file(tenant_id, SYSTEM, "units", path)
    assert result.rejected_lines == [3, 4, 5, 6]
    assert [(problem.line, problem.column) for problem in result.problems] == [
        (3, "unit_number"),
        (4, "project"),
        (5, "list_price"),
        (6, "list_price"),
    ]
    assert "U+0007" in result.problems[0].reason and "U+0000" in result.problems[1].reason
    assert (result.created, result.exit_status) == (2, 1)
    report = imports.report_csv(result)
    assert "\x00" not in report and "\x07" not in report
    with db.tenant_transaction(tenant_id) as conn:
        numbers = conn.execute(sa.text("select array_agg(unit_number order by unit_number) from units")).scalar()
    assert numbers == ["101", "106"]


def test_import_dates_before_2000_and_odd_amounts_are_rejected(tmp_path: Path) -> None:
    tenant_id = tenants.create_tenant("rules-import-dates", "Rules Import Dates")
    rows = [
        "name,source,subsource,type,channel,budget,start_date",
        'Good,Walk-in,Site office,Event,Stall,"2,50,000",2026-01-01',  # 2
        "Early,Walk-in,Site office,Event,Stall,1000,31/12/1999",  # 3: before 2000
        "Exponent,Walk-in,Site office,Event,Stall,1e5,2026-01-01",  # 4
        "Paise,Walk-in,Site office,Event,Stall,10.005,2026-01-01",  # 5
        "Negative,Walk-in,Site office,Event,Stall,-10,2026-01-01",  # 6
    ]
    path = tmp_path / "campaigns.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = imports.import_file(tenant_id, SYSTEM, "campaigns", path)
    assert [(problem.line, problem.column) for problem in result.problems] == [
        (3, "start_date"),
        (4, "budget"),
        (5, "budget"),
        (6, "budget"),
    ]
    assert "1 Jan 2000" in result.problems[0].reason
    assert result.created == 1
