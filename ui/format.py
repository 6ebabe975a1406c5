"""Indian number, money and date formats, built on Babel's en_IN locale.

en_IN already groups lakhs and crores (1,23,45,678) and compacts amounts (1.23Cr, 45.6L);
these helpers only add the space Indian finance teams write before Cr and L, and fix the
conventions Leadline uses everywhere: whole rupees in tiles, paise in statements, dates as
"25 Nov 2026".
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from babel.numbers import format_compact_currency, format_currency, format_decimal

from data.domain.filters import IST

LOCALE = "en_IN"
LAKH = 100_000
MISSING = "—"  # what a missing figure shows as

Number = int | float | Decimal


def _missing(value: object) -> bool:
    """None, NaN, and pandas' NaT and NA (which compare unequal to themselves, or refuse to compare)."""
    try:
        return value is None or bool(value != value)
    except TypeError:
        return True


def inr(amount: Number | None, paise: bool = False) -> str:
    """Rupees with Indian grouping: ₹1,23,45,678 (or ₹1,23,45,678.50 with paise)."""
    if _missing(amount):
        return MISSING
    if paise:
        return format_currency(amount, "INR", locale=LOCALE)
    return format_currency(amount, "INR", format="¤#,##,##0", currency_digits=False, locale=LOCALE)


def inr_compact(amount: Number | None) -> str:
    """Rupees in lakhs and crores: ₹1.23 Cr, ₹45.6 L; amounts under a lakh in full."""
    if _missing(amount):
        return MISSING
    if abs(amount) < LAKH:
        return inr(amount)
    text = format_compact_currency(amount, "INR", fraction_digits=2, locale=LOCALE)
    return re.sub(r"(\d)(Cr|L)$", r"\1 \2", text)


def count(value: Number | None) -> str:
    """A whole number with Indian grouping: 1,23,456."""
    if _missing(value):
        return MISSING
    return format_decimal(value, format="#,##,##0", locale=LOCALE)


def percent(ratio: Number | None, digits: int = 1) -> str:
    """A ratio as a percentage: 0.0345 -> 3.5%."""
    if _missing(ratio):
        return MISSING
    return f"{float(ratio) * 100:.{digits}f}%"


def date(value: dt.date | dt.datetime | None) -> str:
    """A date as 25 Nov 2026 (a moment is taken in India time)."""
    if _missing(value):
        return MISSING
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.astimezone(IST)
    return f"{value.day} {value:%b %Y}"


def moment(value: dt.datetime | None) -> str:
    """A moment in India time: 25 Nov 2026, 14:05."""
    if _missing(value):
        return MISSING
    if value.tzinfo is not None:
        value = value.astimezone(IST)
    return f"{value.day} {value:%b %Y, %H:%M}"


def month(value: dt.date | None) -> str:
    """A month as Nov 2026."""
    if _missing(value):
        return MISSING
    return f"{value:%b %Y}"
