"""Telling an unchanged row from a conflicting one when a file names a key that already exists."""

from __future__ import annotations

from typing import Any

from data.imports.context import Context, ParsedRow


def differences(existing: Any, wanted: dict[str, Any]) -> list[str]:
    """'column: in Leadline X, in the file Y' for each column whose value differs."""
    found = existing._mapping
    return [
        f"{column}: in Leadline {found[column]!s}, in the file {value!s}"
        for column, value in wanted.items()
        if found[column] != value
    ]


def settle_existing(context: Context, row: ParsedRow, what: str, existing: Any, wanted: dict[str, Any]) -> None:
    """Count the row as already there, or reject it as a conflict naming every difference."""
    changed = differences(existing, wanted)
    if changed:
        context.reject(row, what, f"conflict with the existing {what} ({'; '.join(changed)}); nothing was changed")
    else:
        context.result.unchanged += 1
