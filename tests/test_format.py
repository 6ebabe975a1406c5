"""Indian formats, as plain functions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ui import format as fmt


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12345678"), "₹1,23,45,678"),
        (Decimal("123456789.49"), "₹12,34,56,789"),
        (0, "₹0"),
        (-2500000, "-₹25,00,000"),
        (None, "—"),
    ],
)
def test_inr_groups_lakhs_and_crores(amount, expected) -> None:
    assert fmt.inr(amount) == expected


def test_inr_with_paise() -> None:
    assert fmt.inr(Decimal("1234567.5"), paise=True) == "₹12,34,567.50"


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("12345678"), "₹1.23 Cr"),
        (4560000, "₹45.6 L"),
        (100000, "₹1 L"),
        (99999, "₹99,999"),
        (-25000000, "-₹2.5 Cr"),
        (25_000_000_000, "₹2,500 Cr"),  # a thousand crore stays in crores, never "₹2.5KCr"
        (9_999_999, "₹1 Cr"),  # rounds to a hundred lakhs: a crore
        (float("nan"), "—"),
    ],
)
def test_inr_compact_uses_lakhs_and_crores(amount, expected) -> None:
    assert fmt.inr_compact(amount) == expected


def test_counts_percentages_and_dates() -> None:
    assert fmt.count(1234567) == "12,34,567"
    assert fmt.percent(0.0345) == "3.5%"
    assert fmt.percent(None) == "—"
    assert fmt.date(dt.date(2026, 11, 5)) == "5 Nov 2026"
    assert fmt.month(dt.date(2026, 11, 1)) == "Nov 2026"
