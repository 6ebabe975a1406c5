"""The rules every text, amount and date that enters Leadline is held to, whoever sends it (a
form, an import, a search box, the CLI): one home, so the forms can say them beside the field
and the data layer can refuse what breaks them.

Each ``check_*``/``parse_*`` function records at most one message per field in the caller's
``errors`` dict (the words a person reads under the field) and never raises for bad input;
``check_search_text`` raises ``ValidationError`` itself, since a search has no other fields.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

from babel.numbers import format_currency

from data.domain.filters import IST, today_in_india
from data.domain.validation import ValidationError
from data.domain.vocabulary import CASH, PAYMENT_MODES

# Longest text per kind of field, in characters (what a form shows beside the field).
NAME_MAX = 120  # a lead's, customer's, project's, campaign's or user's name
NOTES_MAX = 2_000  # notes, reasons, particulars
REFERENCE_MAX = 60  # cheque, UTR or transaction numbers
SHORT_TEXT_MAX = 200  # anything else on one line (a source, a channel, a search)

# Nothing Leadline records happened before this day.
EARLIEST_DATE = dt.date(2000, 1, 1)
EARLIEST_DATE_MESSAGE = "Give a date from 1 Jan 2000 on."
# How far ahead something already done may be dated: a phone's clock, or a visit or receipt
# logged just after midnight.
FUTURE_TOLERANCE = dt.timedelta(days=1)
FUTURE_DATE_MESSAGE = "The date cannot be in the future."

# Money columns are numeric(14, 2): twelve digits of rupees, two of paise.
MONEY_LIMIT = Decimal("1e12")
PAISE = Decimal("0.01")

# Two activities of one kind on one lead this close together are probably one, saved twice.
DUPLICATE_WINDOW = dt.timedelta(minutes=10)
# An agreement value further than this from the unit's list price needs a reason.
PRICE_DEVIATION_LIMIT = Decimal("0.25")

# Characters no field may hold: C0 controls, DEL, C1 controls, and the Unicode line and
# paragraph separators (they break lines in CSVs, logs and JavaScript as \n would). A
# multiline field keeps \n and \t.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")


# Money -------------------------------------------------------------------------------------

# A number as people write rupees: plain digits, or grouped the Indian way (1,20,00,000) or the
# international way (12,000,000), with commas or single spaces (85 00 000); paise after a point.
# Grouping must be regular: "1,0000" is a typo, not ten thousand.
_GROUPED = r"\d{1,3}(?:SEP\d{3})+|\d{1,2}(?:SEP\d{2})*SEP\d{3}"
_NUMBER = re.compile(
    r"^(?:\d+|" + _GROUPED.replace("SEP", ",") + "|" + _GROUPED.replace("SEP", " ") + r")(?:\.\d+)?$", re.ASCII
)
_CURRENCY = re.compile(r"^(?:₹|rs\.?|inr)\s*", re.IGNORECASE)
_SUFFIX = re.compile(r"\s*/-$")
_RANGE = re.compile(r"\d\s*(?:-|–|—|to)\s*-?\d", re.IGNORECASE)
_ODD_SPACES = re.compile("[\u00a0\u2009\u202f]")  # no-break and thin spaces, as pasted from documents


def parse_money(
    value: object, field: str, errors: dict[str, str], *, allow_zero: bool = True, what: str = "an amount in rupees"
) -> Decimal | None:
    """A rupee amount (or another two-decimal quantity) as Decimal, or the field's message.

    Takes ints, Decimals, finite floats and text: '1,20,00,000', '₹ 85,00,000', 'Rs. 5000/-',
    'INR 2500000.50', '85 00 000'. Refuses blanks, booleans, NaN and infinities, exponents,
    more than two decimals, negatives, zero when ``allow_zero`` is False, ranges ('50-60 lakh'),
    amounts a numeric(14, 2) column cannot hold, and anything else.
    """
    try:
        amount, problem = _money_value(value, what)
        if problem is None:
            problem = _money_problem(amount, allow_zero, what)
    except (ArithmeticError, ValueError):  # a Decimal too odd to compare or round is not an amount
        problem = f"Enter {what}."
    if problem is not None:
        errors[field] = problem
        return None
    amount = amount.quantize(PAISE)
    return Decimal("0.00") if amount == 0 else amount  # never -0.00


def _money_value(value: object, what: str) -> tuple[Decimal | None, str | None]:
    """The value as a Decimal, or why it is not one."""
    refused = (None, f"Enter {what}.")
    if isinstance(value, bool) or value is None:
        return refused
    if isinstance(value, int):
        return Decimal(value), None
    if isinstance(value, float):
        # repr is the shortest text that reads back as the float: 0.1 is 0.1, not 0.1000000000000000055…
        return (Decimal(repr(value)), None) if math.isfinite(value) else refused
    if isinstance(value, Decimal):
        return (value, None) if value.is_finite() else refused
    if not isinstance(value, str):
        return refused
    text = _ODD_SPACES.sub(" ", value).strip()
    if not text or _CONTROL.search(text):
        return refused
    if _RANGE.search(text):
        return None, "Give one amount, not a range."
    text = _SUFFIX.sub("", _CURRENCY.sub("", text))
    negative = text.startswith("-")
    number = text[1:].strip() if negative else text
    if not _NUMBER.match(number):
        return refused
    amount = Decimal(number.replace(",", "").replace(" ", ""))
    return (-amount if negative else amount), None


def _money_problem(amount: Decimal, allow_zero: bool, what: str) -> str | None:
    """What is wrong with a finite amount, or None."""
    if amount < 0 or (amount == 0 and not allow_zero):
        return f"Enter {what} above zero." if not allow_zero else "The amount cannot be negative."
    if amount >= MONEY_LIMIT:
        return "That amount is too large."
    if amount != amount.quantize(PAISE):
        return "Give at most two decimal places."
    return None


def rupees(amount: Decimal | int, *, paise: bool = False) -> str:
    """An amount as a message shows it: ₹85,00,000, or ₹2,500.50 when there are paise (always
    with ``paise``, as statements show them: ₹85,00,000.00)."""
    amount = Decimal(amount)
    if not paise and amount == amount.to_integral_value():
        return format_currency(amount, "INR", format="¤#,##,##0", currency_digits=False, locale="en_IN")
    return format_currency(amount, "INR", locale="en_IN")


# Text --------------------------------------------------------------------------------------


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first character no field may hold (as U+XXXX), or None."""
    found = (_CONTROL_MULTILINE if multiline else _CONTROL).search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def mark_control_characters(text: str) -> str:
    """The text with each character no field may hold shown as U+FFFD, for reports that echo
    refused input back (a spreadsheet or terminal would otherwise act on it)."""
    return _CONTROL_MULTILINE.sub("\ufffd", text)


def check_text(
    value: object,
    field: str,
    errors: dict[str, str],
    *,
    max_length: int,
    required: bool = False,
    label: str | None = None,
    multiline: bool = False,
) -> str | None:
    """The text stripped, or None when blank and not required; records the field's message when
    it is missing, holds a control character, breaks a single line, or is longer than allowed."""
    label = label or field.replace("_", " ")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[field] = f"Give the {label} as text."
        return None
    text = value.replace("\r\n", "\n").strip() if multiline else value.strip()
    if not text:
        if required:
            errors[field] = f"Give the {label}."
        return None
    if not multiline and ("\n" in text or "\r" in text):
        errors[field] = f"Keep the {label} on one line."
        return None
    if character := control_character(text, multiline=multiline):
        errors[field] = f"The {label} holds an invisible control character ({character}); type it again."
        return None
    if len(text) > max_length:
        errors[field] = f"Keep the {label} to {max_length:,} characters (this has {len(text):,})."
        return None
    return text


def check_search_text(text: object) -> str:
    """Search-box text, stripped; raises ``ValidationError({"search": …})`` for a control
    character or text longer than ``SHORT_TEXT_MAX``."""
    errors: dict[str, str] = {}
    cleaned = check_text("" if text is None else str(text), "search", errors, max_length=SHORT_TEXT_MAX)
    if errors:
        raise ValidationError(errors)
    return cleaned or ""


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE/ILIKE with its wildcards escaped, so "50%" finds exactly "50%"
    (PostgreSQL's default escape character is the backslash)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


# Dates -------------------------------------------------------------------------------------


def is_before_earliest(value: dt.date | dt.datetime | None) -> bool:
    """Whether a date, or a moment's day in India, lies before ``EARLIEST_DATE``."""
    if value is None:
        return False
    if isinstance(value, dt.datetime):
        try:
            value = value.astimezone(IST).date() if value.tzinfo else value.date()
        except OverflowError:  # at the calendar's very edge (year 1 or 9999): its year says which
            return value.year < EARLIEST_DATE.year
    return value < EARLIEST_DATE


def check_date_floor(value: dt.date | dt.datetime | None, field: str, errors: dict[str, str]) -> None:
    """Record the field's message when the date is before 1 January 2000."""
    if is_before_earliest(value):
        errors[field] = EARLIEST_DATE_MESSAGE


def is_in_future(value: dt.date | dt.datetime | None) -> bool:
    """Whether something already done is dated too far ahead: a date after tomorrow in India, or a
    moment more than ``FUTURE_TOLERANCE`` from now (a naive moment is read as India time)."""
    if value is None:
        return False
    if isinstance(value, dt.datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=IST)
        try:
            return moment > dt.datetime.now(IST) + FUTURE_TOLERANCE
        except OverflowError:  # at the calendar's very edge (year 1 or 9999): its year says which
            return moment.year > EARLIEST_DATE.year
    return value > today_in_india() + FUTURE_TOLERANCE


def check_not_future(
    value: dt.date | dt.datetime | None, field: str, errors: dict[str, str], message: str = FUTURE_DATE_MESSAGE
) -> None:
    """Record the field's message when the date or moment is in the future (``is_in_future``)."""
    if is_in_future(value):
        errors[field] = message


def check_day(day: dt.date | None, field: str, errors: dict[str, str]) -> dt.date | None:
    """A required date of something done: given, not in the future, not before 2000."""
    if day is None:
        errors[field] = "Give the date."
    else:
        check_not_future(day, field, errors)
        if field not in errors:
            check_date_floor(day, field, errors)
    return day


def moment_words(moment: dt.datetime, today: dt.date | None = None) -> str:
    """A moment in India time as a message says it: "10:42" today, else "10:42 on 3 Dec"
    (with the year when it is not this year)."""
    local = moment.astimezone(IST)
    today = today or today_in_india()
    if local.date() == today:
        return f"{local:%H:%M}"
    year = f" {local.year}" if local.year != today.year else ""
    return f"{local:%H:%M} on {local.day} {local:%b}{year}"


def day_words(day: dt.date) -> str:
    """A date as a message says it: "3 Dec 2026"."""
    return f"{day.day} {day:%b %Y}"


# Payments ----------------------------------------------------------------------------------

PAYMENT_MODE_MESSAGE = "Choose cheque, NEFT, RTGS, UPI or cash."
REFERENCE_MESSAGE = "Give the cheque or transaction number."


def check_payment(
    payment_mode: str | None,
    reference: object,
    errors: dict[str, str],
    *,
    mode_field: str = "payment_mode",
    reference_field: str = "reference",
    mode_required: bool = True,
) -> str | None:
    """The reference of a payment (a receipt, a booking amount, a refund), cleaned; records the
    fields' messages when the mode is not one of ``PAYMENT_MODES`` (or missing, unless
    ``mode_required`` is False), when a mode other than cash has no reference, or when the
    reference breaks its text rules (``REFERENCE_MAX``)."""
    reference = check_text(reference, reference_field, errors, max_length=REFERENCE_MAX)
    if payment_mode is None and not mode_required:
        return reference
    if payment_mode not in PAYMENT_MODES:
        errors[mode_field] = PAYMENT_MODE_MESSAGE
    elif payment_mode != CASH and reference is None and reference_field not in errors:
        errors[reference_field] = REFERENCE_MESSAGE
    return reference
