"""Reading an import file row by row, whatever it is: CSV (UTF-8, with or without a BOM) or
XLSX. Nothing is held but the current row, so memory does not grow with the file.

A file that cannot be read as a table at all, or that is larger than Leadline imports (rows,
columns, characters in a cell, bytes), raises ``FileProblem`` (the import then exits with
status 2 and imports nothing). The limits are checked before any row is imported: a CSV is read
through once by ``open_table(..., check_all=True)`` before the import's transaction starts; an
XLSX is refused on its size and the dimension its sheet declares, and checked again row by row
as it is read (inside the transaction, which a refusal rolls back), since a declaration can lie.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from data.domain.rules import control_character
from data.imports.refusals import FileProblem

# The largest file Leadline imports, in rows (the header apart), columns, characters in one cell
# and bytes. 500,000 rows is above the largest file measured in docs/import.md (400,000
# milestones, 22 s); 100 columns is several times the widest kind; no field takes more than
# 2,000 characters, so a 10,000-character cell is not data.
MAX_ROWS = 500_000
MAX_COLUMNS = 100
MAX_CELL_CHARS = 10_000
MAX_FILE_BYTES = 200 * 1024 * 1024
# An XLSX is a ZIP: what it unpacks to is capped too (a small file can unpack to gigabytes).
MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024

__all__ = [
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "FileProblem",
    "Table",
    "header_name",
    "open_table",
]


def header_name(text: object) -> str:
    """A column heading as a canonical name: 'Unit Number ' and 'unit-number' are 'unit_number'."""
    return re.sub(r"[\s\-]+", "_", str(text or "").strip().lstrip("\ufeff").lower())


@dataclass(frozen=True)
class Table:
    """A readable file: its column headings as found, and its rows as (line number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[str]]]


def open_table(path: Path, *, check_all: bool = False) -> Table:
    """The file's headings and rows; with ``check_all`` a CSV is first read through once, so that
    anything that makes it unusable is found before a row is imported."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise FileProblem("This is an old .xls workbook; save it as .xlsx or as CSV UTF-8 and import that.")
    if suffix not in (".csv", ".txt", ".xlsx"):
        raise FileProblem(f"'{path.name}' is neither a CSV nor an XLSX file.")
    try:
        size = path.stat().st_size
    except OSError as error:
        raise FileProblem(f"'{path.name}' cannot be read ({error.strerror or error}).") from error
    if size == 0:
        raise FileProblem("The file is empty.")
    if size > MAX_FILE_BYTES:
        raise FileProblem(
            f"The file is {size / 1024 / 1024:,.0f} MB; Leadline imports files of up to "
            f"{MAX_FILE_BYTES // 1024 // 1024} MB. Split it and import the parts."
        )
    if suffix == ".xlsx":
        return _xlsx_table(path)
    if check_all:
        for _ in _csv_table(path).rows:
            pass
    return _csv_table(path)


def _check_headers(headers: list[str]) -> None:
    if len(headers) > MAX_COLUMNS:
        raise FileProblem(f"The header has {len(headers):,} columns; Leadline imports at most {MAX_COLUMNS}.")
    for position, header in enumerate(headers, start=1):
        if character := control_character(header, multiline=True):
            raise FileProblem(
                f"The heading of column {position} holds an invisible control character ({character}); "
                "remove it and import the file again."
            )
    _check_cells(1, headers)


def _check_cells(line: int, cells: list[str]) -> None:
    if len(cells) > MAX_COLUMNS:
        raise FileProblem(f"Line {line} has {len(cells):,} cells; Leadline imports at most {MAX_COLUMNS} columns.")
    for position, cell in enumerate(cells, start=1):
        if len(cell) > MAX_CELL_CHARS:
            raise FileProblem(
                f"Line {line}, column {position} holds {len(cell):,} characters; a cell may hold at most "
                f"{MAX_CELL_CHARS:,}."
            )


def _too_many_rows() -> FileProblem:
    return FileProblem(f"The file has more than {MAX_ROWS:,} rows; split it and import the parts.")


def _csv_table(path: Path) -> Table:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as error:
        raise FileProblem(f"'{path.name}' cannot be read ({error.strerror or error}).") from error
    reader = csv.reader(handle)
    try:
        headers = next(reader)
        _check_headers(headers)
    except UnicodeDecodeError as error:
        handle.close()
        raise FileProblem("The file is not UTF-8 text; save it as 'CSV UTF-8' and import that.") from error
    except StopIteration as error:
        handle.close()
        raise FileProblem("The file is empty.") from error
    except csv.Error as error:
        handle.close()
        raise FileProblem(f"The file is not a CSV table: {error}.") from error
    except FileProblem:
        handle.close()
        raise

    def rows() -> Iterator[tuple[int, list[str]]]:
        records = 0
        with handle:
            try:
                for cells in reader:
                    records += 1
                    if records > MAX_ROWS:
                        raise _too_many_rows()
                    _check_cells(reader.line_num, cells)
                    if any(cell.strip() for cell in cells):
                        yield reader.line_num, cells
            except UnicodeDecodeError as error:
                raise FileProblem(
                    f"The file is not UTF-8 text after line {reader.line_num}; save it as 'CSV UTF-8'."
                ) from error
            except csv.Error as error:
                raise FileProblem(f"Line {reader.line_num} cannot be read as CSV: {error}.") from error
            except OSError as error:
                raise FileProblem(f"The file cannot be read after line {reader.line_num} ({error}).") from error

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


def _check_zip(path: Path) -> None:
    """Refuse what is not a ZIP, or unpacks to more than ``MAX_UNZIPPED_BYTES``, before openpyxl
    reads any of it (it loads the shared strings whole)."""
    try:
        with zipfile.ZipFile(path) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as error:
        raise FileProblem(f"'{path.name}' is not an XLSX workbook (it is not a complete ZIP archive).") from error
    if unzipped > MAX_UNZIPPED_BYTES:
        raise FileProblem(
            f"'{path.name}' unpacks to {unzipped / 1024 / 1024:,.0f} MB; Leadline reads workbooks of up to "
            f"{MAX_UNZIPPED_BYTES // 1024 // 1024:,} MB unpacked. Save the sheet as CSV UTF-8 and import that."
        )


def _xlsx_table(path: Path) -> Table:
    import openpyxl

    _check_zip(path)
    try:
        # openpyxl warns (on stderr) about styles and extensions it ignores; they say nothing about the data.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises several unrelated types for a bad file
        raise FileProblem(f"'{path.name}' cannot be opened as an XLSX workbook ({error}).") from error
    if not workbook.worksheets:
        workbook.close()
        raise FileProblem("The workbook has no sheet; Leadline reads the first sheet.")
    sheet = workbook.worksheets[0]
    try:
        _check_dimension(sheet)
        # Read the rows that are there, whatever the declaration says: openpyxl otherwise pads a
        # sheet to its declared size with empty rows (a million of them, each 16,384 cells wide)
        # and stops silently at a declared size smaller than the data.
        sheet.reset_dimensions()
        all_rows = sheet.iter_rows(values_only=True)
        headers = [_cell_text(value) for value in next(all_rows)]
        _check_headers(headers)
    except StopIteration as error:
        workbook.close()
        raise FileProblem("The workbook's first sheet is empty.") from error
    except FileProblem:
        workbook.close()
        raise
    except Exception as error:  # a malformed sheet: openpyxl's parser raises whatever it met
        workbook.close()
        raise FileProblem(f"The first sheet's header cannot be read ({error}).") from error

    def rows() -> Iterator[tuple[int, list[str]]]:
        line = 1
        try:
            for line, values in enumerate(all_rows, start=2):
                if line > MAX_ROWS + 1:
                    raise _too_many_rows()
                cells = [_cell_text(value) for value in values]
                _check_cells(line, cells)
                if any(cell.strip() for cell in cells):
                    yield line, cells
        except FileProblem:
            raise
        except Exception as error:  # a malformed cell or a damaged ZIP member, met while reading
            raise FileProblem(f"Line {line + 1} of the first sheet cannot be read ({error}).") from error
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows())


def _check_dimension(sheet) -> None:
    """Refuse a sheet that declares more rows or columns than Leadline imports (its
    ``<dimension ref="A1:XFD1048576">``), read without reading the rows."""
    rows, columns = sheet.max_row or 0, sheet.max_column or 0
    if rows > MAX_ROWS + 1 or columns > MAX_COLUMNS:
        raise FileProblem(
            f"The first sheet declares {rows:,} rows and {columns:,} columns; Leadline imports at most "
            f"{MAX_ROWS:,} rows and {MAX_COLUMNS} columns. Delete the empty rows and columns after the data "
            "(or copy the data into a new workbook), save, and import again."
        )
