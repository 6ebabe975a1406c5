"""CSV that is safe to open in Excel: text that a spreadsheet would run as a formula is defused.

A cell starting with =, +, -, @, a tab or a carriage return is read by Excel and LibreOffice
as a formula (CSV injection, OWASP). Such text cells get a leading apostrophe, which the
spreadsheet shows as plain text. Numbers are left as numbers, so a negative balance stays
-2500 and sums still work; only text cells are touched, whatever their dtype (pandas 3
stores text as ``str``/``string``, older versions as ``object``).
"""

from __future__ import annotations

import pandas as pd

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Prefix a text value that a spreadsheet would treat as a formula; leave the rest."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def _is_text_column(column: pd.Series) -> bool:
    return pd.api.types.is_string_dtype(column) or pd.api.types.is_object_dtype(column)


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell neutralised and number columns untouched."""
    safe = frame.copy()
    for name in safe.columns:
        if _is_text_column(safe[name]):
            safe[name] = safe[name].map(neutralise, na_action="ignore")
    return safe


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV (with a BOM, so Excel reads ₹ and Indian names right)."""
    return safe_frame(frame).to_csv(index=False).encode("utf-8-sig")
