"""CSV that a spreadsheet user can open as it is: safe, readable, and kept as text where it is text.

One home for how a cell is written, whoever writes the CSV (a table's download, the API's CSV,
the snapshot's files streamed from PostgreSQL, which use the same patterns in SQL):

- Formula injection (OWASP "CSV injection"): a text cell starting with =, +, -, @, a tab or a
  carriage return may be run by Excel or LibreOffice as a formula, so it gets a leading
  apostrophe. The apostrophe is for those cells only, and not for text that cannot be a formula
  although it starts with a sign: a number or percentage written as text ("-12.5%") and a phone
  written as "+91 98450 12345". A plus followed only by digits and spaces holds no operator,
  reference or function to run. LibreOffice Calc keeps it as text (checked with 7.4 headless in
  tests/test_export.py, which also shows it runs "=1+2" and not "'=1+2"). Excel was not at hand:
  by its rules a leading plus starts a formula only when the rest parses as one, and digits
  separated by spaces do not, so it should keep the cell as typed; at worst it could show an
  error value, never run anything. Without the spaces, "+919845012345" is read as the number
  919845012345 (LibreOffice did) and loses its plus; with them it stays the phone a user dials.
- Phones: an Indian mobile in E.164 (how Leadline stores it) is written "+91 98450 12345"; other
  countries' numbers keep their E.164 form and, starting with "+" and holding no space, get the
  apostrophe as before.
- Booleans are Yes/No; moments are India time to the second ("2026-11-25 09:30:00", a form both
  spreadsheets read as a date and time); numbers stay numbers, so a negative balance stays -2500
  and sums still work.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from data.domain.filters import IST

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
# The same rules as patterns, shared with the SQL that writes the snapshot (PostgreSQL's regular
# expressions read these the same way).
FORMULA_START = r"^[=+\-@\t\r]"
NOT_A_FORMULA = r"^(-?[0-9]+(\.[0-9]+)?%?|\+[0-9]+( [0-9]+)+)$"
INDIAN_MOBILE = r"^\+91([0-9]{5})([0-9]{5})$"
INDIAN_MOBILE_SPACED = r"+91 \1 \2"
MOMENT_FORMAT = "%Y-%m-%d %H:%M:%S"

_NOT_A_FORMULA = re.compile(NOT_A_FORMULA)
_INDIAN_MOBILE = re.compile(INDIAN_MOBILE)


def phone_text(value: object) -> object:
    """An Indian mobile in E.164 spaced as people write it ("+91 98450 12345"); anything else as it is."""
    if isinstance(value, str):
        return _INDIAN_MOBILE.sub(INDIAN_MOBILE_SPACED, value)
    return value


def neutralise(value: object) -> object:
    """Prefix an apostrophe to a text value that a spreadsheet would treat as a formula; leave the rest."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) and not _NOT_A_FORMULA.match(value):
        return "'" + value
    return value


def _is_text_column(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column)


def _moment(value: dt.datetime) -> str:
    return value.astimezone(IST).strftime(MOMENT_FORMAT)


def _cell(value: object) -> object:
    """One cell of a text or mixed column as the CSV writes it."""
    if isinstance(value, bool | np.bool_):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return _moment(value)
    return neutralise(phone_text(value))


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame as the CSV writes it: text cells neutralised (phones spaced first),
    booleans as Yes/No, moments in India time to the second, numbers untouched."""
    safe = frame.copy()
    for name in safe.columns:
        column = safe[name]
        if pd.api.types.is_bool_dtype(column) or isinstance(column.dtype, pd.DatetimeTZDtype):
            safe[name] = column.astype("object").map(_cell, na_action="ignore")
        elif _is_text_column(column):
            safe[name] = column.map(_cell, na_action="ignore")
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a BOM, so Excel reads ₹ and Indian names right)."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
