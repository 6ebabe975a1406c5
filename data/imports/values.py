"""Reading one cell of an imported file: lenient where the meaning is certain, strict where it is not.

Each parser takes the cell's text and returns the value, or raises ``BadValue`` with the reason
the report will show. Blank cells are handled by the caller (required or not).
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from data.domain.filters import IST
from data.domain.rules import EARLIEST_DATE, is_before_earliest, parse_money
from data.writes.leads import normalise_email, normalise_phone


class BadValue(ValueError):
    """A cell whose meaning is not certain; the message says why."""


_RANGE = re.compile(r"\d\s*(?:-|–|to)\s*\d", re.IGNORECASE)
_AREA = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)\s*(sq\.?\s*f(?:ee)?t\.?|sqft|sft|square\s+feet)?$", re.IGNORECASE)
_METRES = re.compile(r"(sq\.?\s*m|sqm|square\s+met|m2|m²)", re.IGNORECASE)

DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%d %b %Y", "%d-%b-%Y", "%d %B %Y", "%d-%b-%y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M %p", "%I:%M:%S %p")


def amount(text: str) -> Decimal:
    """Rupees as every form reads them (``data.rules.parse_money``): '1,20,00,000', '₹ 85,00,000',
    'Rs. 5000/-', '2500000.50'. A range, an exponent, paise past two places or a negative is refused."""
    errors: dict[str, str] = {}
    value = parse_money(text, "amount", errors)
    if value is None:
        raise BadValue(f"'{text}': {errors['amount']}")
    return value


def area_sqft(text: str) -> Decimal:
    """Square feet: '1200', '1,200 sq ft', '1200sqft'. Square metres and ranges are refused: the file
    must say square feet (convert explicitly before importing)."""
    cleaned = text.strip()
    if _RANGE.search(cleaned):
        raise BadValue(f"'{text}' is a range, not one area")
    if _METRES.search(cleaned):
        raise BadValue(f"'{text}' is in square metres; give square feet (1 sq m = 10.7639 sq ft)")
    match = _AREA.match(cleaned)
    if not match:
        raise BadValue(f"'{text}' is not an area in square feet")
    errors: dict[str, str] = {}
    value = parse_money(match.group(1), "area", errors, allow_zero=False, what="an area in square feet")
    if value is None:
        raise BadValue(f"'{text}': {errors['area']}")
    return value


def integer(text: str) -> int:
    """A whole number ("1,200" and "7.0" too), or ``BadValue``."""
    cleaned = text.strip().replace(",", "")
    if re.fullmatch(r"-?\d+(?:\.0+)?", cleaned):
        return int(Decimal(cleaned))
    raise BadValue(f"'{text}' is not a whole number")


def decimal(text: str) -> Decimal:
    """A plain decimal number ('12.9716', '-73.85'); no exponents, NaN or infinities."""
    cleaned = text.strip()
    if not re.fullmatch(r"-?\d+(?:\.\d+)?", cleaned, re.ASCII):
        raise BadValue(f"'{text}' is not a number")
    try:
        return Decimal(cleaned)
    except InvalidOperation as error:
        raise BadValue(f"'{text}' is not a number") from error


_TOO_EARLY = f"is before {EARLIEST_DATE.day} Jan {EARLIEST_DATE.year}; Leadline keeps nothing that early"


def _not_too_early(text: str, value):
    if is_before_earliest(value):
        raise BadValue(f"'{text}' {_TOO_EARLY}")
    return value


def date(text: str) -> dt.date:
    """A day in one of the usual forms: 2026-01-31, 31/01/2026, 31-01-2026, 31 Jan 2026, 31-Jan-26."""
    cleaned = " ".join(text.strip().split())
    # Spreadsheets export dates with a midnight time; the time adds nothing to a date.
    cleaned = re.sub(r"[ T]00:00(:00)?$", "", cleaned)
    for form in DATE_FORMATS:
        try:
            day = dt.datetime.strptime(cleaned, form).date()
        except ValueError:
            continue
        return _not_too_early(text, day)
    raise BadValue(f"'{text}' is not a date (use 2026-01-31 or 31/01/2026)")


def moment(text: str) -> dt.datetime:
    """A date with an optional time, in India time unless an offset is given ('2026-01-31 14:05',
    '31/01/2026 2:05 PM', '2026-01-31T14:05:00+05:30'); a bare date is midnight."""
    cleaned = " ".join(text.strip().split())
    try:
        parsed = dt.datetime.fromisoformat(cleaned)
    except ValueError:
        pass
    else:
        return _not_too_early(text, parsed if parsed.tzinfo else parsed.replace(tzinfo=IST))
    for day_form in DATE_FORMATS:
        for time_form in ("", *TIME_FORMATS):
            form = f"{day_form} {time_form}".strip()
            try:
                parsed = dt.datetime.strptime(cleaned, form).replace(tzinfo=IST)
            except ValueError:
                continue
            return _not_too_early(text, parsed)
    raise BadValue(f"'{text}' is not a date and time (use 2026-01-31 14:05)")


def choice(text: str, allowed: tuple[str, ...], what: str) -> str:
    """One of the allowed values, whatever the case, spaces or hyphens ('2 BHK' is '2BHK',
    'No Answer' is 'no_answer')."""
    wanted = re.sub(r"[\s_-]+", "", text.strip().lower())
    for value in allowed:
        if re.sub(r"[\s_-]+", "", value.lower()) == wanted:
            return value
    raise BadValue(f"'{text}' is not a known {what} ({', '.join(allowed)})")


def phone(text: str) -> str:
    """An Indian mobile number in +91 form, or ``BadValue``."""
    normalised = normalise_phone(text)
    if normalised is None:
        raise BadValue(f"'{text}' is not a valid mobile number")
    return normalised


def email(text: str) -> str | None:
    """An email address in normal form, or ``BadValue``."""
    try:
        return normalise_email(text)
    except ValueError as error:
        raise BadValue(f"'{text}' is not a valid email address") from error


def text_value(text: str) -> str:
    """Text with its runs of white space made one space, ends trimmed."""
    return " ".join(text.split())
