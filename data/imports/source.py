"""Reading an import file row by row, whatever it is: CSV (UTF-8, with or without a BOM) or
XLSX. Nothing is held but the current row, so memory does not grow with the file.

A file that cannot be read as a table at all raises ``FileProblem`` (the import then exits
with status 2 and imports nothing).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class FileProblem(ValueError):
    """The file as a whole is unusable; the message says exactly what is wrong."""


def header_name(text: object) -> str:
    """A column heading as a canonical name: 'Unit Number ' and 'unit-number' are 'unit_number'."""
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lstrip("\ufeff").lower())


@dataclass(frozen=True)
class Table:
    """A readable file: its column headings as found, and its rows as (line number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def open_table(path: Path) -> Table:
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return _csv_table(path)
    if suffix == ".xlsx":
        return _xlsx_table(path)
    if suffix == ".xls":
        raise FileProblem("This is an old .xls workbook; save it as .xlsx or as CSV UTF-8 and import that.")
    raise FileProblem(f"'{path.name}' is neither a CSV nor an XLSX file.")


def _csv_table(path: Path) -> Table:
    handle = path.open(encoding="utf-8-sig", newline="")
    reader = csv.reader(handle)
    try:
        headers = next(reader)
    except UnicodeDecodeError as error:
        handle.close()
        raise FileProblem("The file is not UTF-8 text; save it as 'CSV UTF-8' and import that.") from error
    except StopIteration as error:
        handle.close()
        raise FileProblem("The file is empty.") from error
    except csv.Error as error:
        handle.close()
        raise FileProblem(f"The file is not a CSV table: {error}.") from error

    def rows() -> Iterator[tuple[int, list[str]]]:
        with handle:
            try:
                for cells in reader:
                    if any(cell.strip() for cell in cells):
                        yield reader.line_num, cells
            except UnicodeDecodeError as error:
                raise FileProblem(
                    f"The file is not UTF-8 text after line {reader.line_num}; save it as 'CSV UTF-8'."
                ) from error
            except csv.Error as error:
                raise FileProblem(f"Line {reader.line_num} cannot be read as CSV: {error}.") from error

    return Table(headers=headers, rows=rows())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _xlsx_table(path: Path) -> Table:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        raise FileProblem(f"'{path.name}' cannot be opened as an XLSX workbook ({error}).") from error
    sheet = workbook.worksheets[0]
    all_rows = sheet.iter_rows(values_only=True)
    try:
        headers = [_cell_text(value) for value in next(all_rows)]
    except StopIteration as error:
        workbook.close()
        raise FileProblem("The workbook's first sheet is empty.") from error

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for line, values in enumerate(all_rows, start=2):
                cells = [_cell_text(value) for value in values]
                if any(cell.strip() for cell in cells):
                    yield line, cells
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows())
