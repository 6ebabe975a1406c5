"""Why an import did nothing at all: the file is unusable, another import of the same kind is
running for the tenant, or the database connection was lost. Each carries the exit status the
command line ends with and the one line a person reads (docs/import.md lists them); the command
line and the Import screen both show ``message()``.
"""

from __future__ import annotations

from data.domain.rules import mark_control_characters
from data.domain.vocabulary import label

# A reason quotes the file (its headings, a library's error); a line on a terminal or a screen
# stays readable however long or strange that is.
MESSAGE_MAX = 600


def one_line(text: str) -> str:
    """The text on one line, control characters shown as U+FFFD, cut to ``MESSAGE_MAX`` characters."""
    text = " ".join(mark_control_characters(str(text)).split())
    return text if len(text) <= MESSAGE_MAX else text[: MESSAGE_MAX - 1] + "…"


class ImportRefused(Exception):
    """An import that imported nothing; ``message()`` says why in one line."""

    exit_status = 2

    def __init__(self, reason: str) -> None:
        super().__init__(one_line(reason))

    def message(self) -> str:
        """The one line a person reads."""
        return str(self)


class FileProblem(ImportRefused, ValueError):
    """The file as a whole is unusable (exit status 2); the reason says exactly what is wrong."""

    exit_status = 2

    def message(self) -> str:
        """'file unusable, nothing imported: <reason>'."""
        return f"file unusable, nothing imported: {self}"


# The name the issue uses; FileProblem is the name the screens already catch.
FileUnusable = FileProblem


class ImportBusy(ImportRefused):
    """Another import of the same kind is running for the tenant (exit status 4)."""

    exit_status = 4

    def __init__(self, kind: str) -> None:
        what = label("import_kind", kind).lower()
        super().__init__(f"An import of {what} is already running for this tenant; try again when it finishes.")


class ConnectionLost(ImportRefused):
    """The database connection was lost during the import (exit status 3)."""

    exit_status = 3

    def __init__(self, *, while_committing: bool = False) -> None:
        if while_committing:
            # The server may have committed before the connection went: say so rather than guess.
            super().__init__(
                "database connection lost while saving the import; look at the data (or import the file again: "
                "rows already there are not imported twice)"
            )
        else:
            super().__init__("database connection lost; nothing was imported")
