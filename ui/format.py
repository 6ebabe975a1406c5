"""Indian number, money and date formats, built on Babel's en_IN locale.

en_IN already groups lakhs and crores (1,23,45,678); these helpers fix the conventions Leadline
uses everywhere, on tiles, tables and chart axes alike: whole rupees in tiles, paise in statements,
large amounts in lakhs and crores with the space Indian finance teams write before the unit
("₹1.23 Cr", "₹2,500 Cr"), dates as "25 Nov 2026".
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from babel.numbers import format_currency, format_decimal

from data.domain.filters import IST

LOCALE = "en_IN"
LAKH = 100_000
MISSING = "—"  # what a missing figure shows as
CRORE = 100 * LAKH

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
    """Rupees in lakhs and crores: ₹1.23 Cr, ₹45.6 L, ₹2,500 Cr; amounts under a lakh in full."""
    if _missing(amount):
        return MISSING
    if abs(amount) < LAKH:
        return inr(amount)
    sign = "-" if amount < 0 else ""
    lakhs = round(abs(float(amount)) / LAKH, 2)
    # Babel's compact form writes a thousand crore as "1KCr"; Indian usage stays in crores
    # ("₹2,500 Cr"). An amount that rounds to a hundred lakhs is a crore.
    if lakhs < 100:
        return f"{sign}₹{format_decimal(lakhs, format='#,##,##0.##', locale=LOCALE)} L"
    crores = round(abs(float(amount)) / CRORE, 2)
    return f"{sign}₹{format_decimal(crores, format='#,##,##0.##', locale=LOCALE)} Cr"


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
