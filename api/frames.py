"""Rows as JSON: report frames and rows turned into plain values a client can read.

A ``Decimal`` (a row read straight from a numeric column) is a string ("1250000.00"), so no paisa
is lost on the way; report frames hold amounts as the reports compute them (floats with at most
two decimals) and pass as numbers. Moments are ISO 8601 with their offset, dates ISO; missing
values are null.
"""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from data.domain.rules import PAISE


def plain(value: Any) -> Any:
    """One value as JSON takes it."""
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, Decimal):
        return None if not value.is_finite() else str(value)
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict | list | str | int | float | bool):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """A frame's rows as objects of plain values, in order."""
    columns = [str(column) for column in frame.columns]
    return [dict(zip(columns, (plain(value) for value in row), strict=True)) for row in frame.itertuples(index=False)]


def row(mapping: Any) -> dict[str, Any]:
    """One database row (or mapping) as an object of plain values."""
    return {str(key): plain(value) for key, value in dict(mapping).items()}


def _exact(amount: float | Decimal) -> Decimal:
    # A float read from numeric(14, 2) has at most 14 digits, and repr gives back exactly those.
    exact = Decimal(repr(amount) if isinstance(amount, float) else amount).quantize(PAISE)
    return exact if exact else Decimal("0.00")  # never -0.00


def exact_money(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    """The frame with its money columns as Decimals again: report reads hand numeric columns over as
    floats (pandas' read_sql), and the API answers money as exact text ("8500000.00"); a CSV keeps
    them numbers, so a negative balance is not taken for a formula."""
    return frame.assign(**{column: frame[column].map(_exact, na_action="ignore") for column in columns})
