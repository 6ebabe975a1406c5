"""How an import kind is described: its canonical columns (name, parser, required), the checks
across columns of one row, and the function that applies a batch of parsed rows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from data.domain.rules import SHORT_TEXT_MAX
from data.imports.context import Context, ParsedRow


@dataclass(frozen=True)
class Column:
    """A canonical column; ``parse`` turns its text into a value (None: text, spaces tidied);
    ``max_length`` is the longest cell it takes, in characters (the forms' limit for that field)."""

    name: str
    parse: Callable[[str], Any] | None = None
    required: bool = False
    max_length: int = SHORT_TEXT_MAX


@dataclass(frozen=True)
class Kind:
    """One kind of file: columns, per-row checks (returning (column, reason) pairs) and the batch
    applier, which writes what it can and rejects the rest through the context."""

    name: str
    columns: tuple[Column, ...]
    check: Callable[[dict[str, Any]], list[tuple[str, str]]]
    apply: Callable[[Context, list[ParsedRow]], None]
    description: str = ""

    @property
    def required(self) -> list[str]:
        """The columns a file of this kind must have."""
        return [column.name for column in self.columns if column.required]

    @property
    def names(self) -> list[str]:
        """Every column's name, in order."""
        return [column.name for column in self.columns]


def no_checks(_values: dict[str, Any]) -> list[tuple[str, str]]:
    """The row check of a kind whose columns' parsing checks everything: no problems."""
    return []
