"""Importing history from CSV or XLSX files: units, campaigns, campaign spend, leads, milestones,
engagements, bookings and the ledger (in that order), with a row-level report of what was not
imported and why.

One import is one transaction: a file that cannot be read at all (exit status 2) imports
nothing; otherwise every good row is imported and every bad one is reported with its line,
column and reason (exit status 1 when there are any). Rows are read one at a time and applied
in batches, so memory does not grow with the file. Re-importing a file finds its rows by their
natural keys and creates nothing; a changed row for an existing key is a conflict, reported,
never an overwrite. Formats: docs/import.md.
"""

from __future__ import annotations

import csv
import io
import itertools
from pathlib import Path

import pandas as pd
import psycopg
import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import SYSTEM, Action, Actor, authorise, recorded_as
from data.domain.rules import control_character, mark_control_characters
from data.exports.csv_files import neutralise
from data.imports import values
from data.imports.context import Context, ImportResult, ParsedRow, Problem
from data.imports.kinds import KINDS
from data.imports.refusals import ConnectionLost, FileProblem, FileUnusable, ImportBusy, ImportRefused
from data.imports.source import MAX_CELL_CHARS, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, header_name, open_table
from data.imports.spec import Kind
from data.writes import audit

BATCH_SIZE = 2000

__all__ = [
    "KINDS",
    "MAX_CELL_CHARS",
    "MAX_COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "ConnectionLost",
    "FileProblem",
    "FileUnusable",
    "ImportBusy",
    "ImportRefused",
    "ImportResult",
    "Problem",
    "file_headers",
    "header_name",
    "import_file",
    "preview",
    "report_csv",
    "resolve_columns",
]


class _DryRun(Exception):
    """Raised at the end of a dry run so that its transaction rolls back."""


# What the import's connection is called in pg_stat_activity, so an operator sees what holds it.
APPLICATION_NAME = "leadline import"


def _is_lost_connection(error: BaseException) -> bool:
    """True for an error that means the connection to the server is gone (terminated, closed,
    unreachable), not that a statement failed."""
    if isinstance(error, sa.exc.DBAPIError):
        if error.connection_invalidated:
            return True
        error = error.orig
    if isinstance(error, psycopg.OperationalError):
        # No SQLSTATE: the socket went; 08: connection exceptions; 57P: the server shut the session down.
        sqlstate = getattr(error, "sqlstate", None)
        return sqlstate is None or sqlstate.startswith(("08", "57P"))
    return False


def _start(conn: sa.Connection, tenant_id: int, kind: Kind) -> None:
    """Name the connection and take the tenant's lock for this kind, or refuse at once when
    another import of the kind holds it (both would insert the same keys: one would wait, then fail)."""
    conn.execute(
        sa.text("select set_config('application_name', :name, true)"), {"name": f"{APPLICATION_NAME} {kind.name}"}
    )
    locked = conn.execute(
        sa.text("select pg_try_advisory_xact_lock(hashtextextended(:key, 0))"),
        {"key": f"leadline import: tenant {int(tenant_id)}, {kind.name}"},
    ).scalar_one()
    if not locked:
        raise ImportBusy(kind.name)


def resolve_columns(kind: Kind, headers: list[str], mapping: dict[str, str] | None = None):
    """(canonical column → position in the file, the file's columns nobody asked for).

    ``mapping`` maps canonical names to the file's own headings; without it a heading matches the
    canonical column of the same name (any case, spaces or hyphens for underscores).
    """
    found = {header_name(header): position for position, header in enumerate(headers)}
    positions: dict[str, int] = {}
    for name in kind.names:
        wanted = header_name((mapping or {}).get(name) or name)
        if wanted in found:
            positions[name] = found[wanted]
    missing = [name for name in kind.required if name not in positions]
    if missing:
        raise FileProblem(
            f"Missing required column{'s' if len(missing) > 1 else ''}: {', '.join(missing)}. "
            f"The file has: {', '.join(str(header) for header in headers)}."
        )
    used = set(positions.values())
    ignored = [str(header) for position, header in enumerate(headers) if position not in used and str(header).strip()]
    return positions, ignored


def _cell_problem(raw: str, text: str, column) -> str | None:
    """What makes a cell unreadable whatever its column: a control character (line breaks and
    tabs inside a cell are spacing, tidied like any other), or more text than the field takes."""
    if character := control_character(raw.replace("\r", " "), multiline=True):
        return f"holds an invisible control character ({character}); remove it and import the row again"
    if len(text) > column.max_length:
        return f"longer than {column.max_length:,} characters (this has {len(text):,})"
    return None


def parse_row(kind: Kind, line: int, cells: list[str], positions: dict[str, int]) -> tuple[ParsedRow, list]:
    """The row's cells and values by canonical column, and its problems as (column, reason) pairs."""
    raw = {name: cells[position] if position < len(cells) else "" for name, position in positions.items()}
    texts = {name: cell.strip() for name, cell in raw.items()}
    parsed: dict = {}
    problems: list[tuple[str, str]] = []
    for column in kind.columns:
        text = texts.get(column.name, "")
        if problem := _cell_problem(raw.get(column.name, ""), text, column):
            parsed[column.name] = None
            problems.append((column.name, problem))
            continue
        if not text:
            parsed[column.name] = None
            if column.required:
                problems.append((column.name, "required, but blank"))
            continue
        try:
            parsed[column.name] = column.parse(text) if column.parse else values.text_value(text)
        except values.BadValue as bad:
            problems.append((column.name, str(bad)))
    if not problems:
        problems = kind.check(parsed)
    return ParsedRow(line, texts, parsed), problems


def file_headers(path: Path) -> list[str]:
    """The file's column headings as written (raises ``FileProblem`` for an unusable file)."""
    return [str(header) for header in open_table(Path(path)).headers]


def preview(kind_name: str, path: Path, mapping: dict[str, str] | None = None, limit: int = 20) -> pd.DataFrame:
    """The first rows as the import will read them: line, the canonical columns' cells, and what is
    wrong with each row's values (checks that need the database come with a dry run)."""
    kind = KINDS[kind_name]
    table = open_table(Path(path))
    positions, _ = resolve_columns(kind, table.headers, mapping)
    shown = []
    for line, cells in itertools.islice(table.rows, limit):
        row, problems = parse_row(kind, line, cells, positions)
        reasons = "; ".join(f"{column}: {reason}" for column, reason in problems)
        shown.append({"line": line, **{name: row.cells.get(name, "") for name in kind.names}, "problems": reasons})
    return pd.DataFrame(shown, columns=["line", *kind.names, "problems"])


def import_file(
    tenant_id: int,
    user_id: Actor,
    kind_name: str,
    path: Path,
    *,
    mapping: dict[str, str] | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """Import one file of one kind into the tenant in one transaction.

    Raises an ``ImportRefused`` when nothing was imported: ``FileProblem`` (the file is unusable),
    ``ImportBusy`` (another import of the kind is running for the tenant) or ``ConnectionLost``.
    """
    kind = KINDS.get(kind_name)
    if kind is None:
        raise FileProblem(f"Unknown kind '{kind_name}'; use one of: {', '.join(KINDS)}.")
    table = open_table(Path(path), check_all=True)  # a CSV unusable at its last line is refused before any work
    positions, ignored = resolve_columns(kind, table.headers, mapping)
    result = ImportResult(kind=kind.name, ignored_columns=ignored, is_dry_run=dry_run)
    committing = False
    try:
        with db.tenant_transaction(tenant_id) as conn:
            _start(conn, tenant_id, kind)
            if user_id is not SYSTEM:  # SYSTEM: the command line, run by whoever runs the server
                authorise(conn, user_id, Action.IMPORT_RUN)
            context = Context(conn, tenant_id, recorded_as(user_id), result)
            batch: list[ParsedRow] = []
            for line, cells in table.rows:
                result.rows_read += 1
                row, problems = parse_row(kind, line, cells, positions)
                for column, reason in problems:
                    context.reject(row, column, reason)
                if not problems:
                    batch.append(row)
                if len(batch) >= BATCH_SIZE:
                    kind.apply(context, batch)
                    batch = []
            if batch:
                kind.apply(context, batch)
            audit.record(
                conn,
                tenant_id=tenant_id,
                user_id=recorded_as(user_id),
                action=f"import.{kind.name}",
                after={
                    "file": Path(path).name,
                    "rows_read": result.rows_read,
                    "created": result.created,
                    "unchanged": result.unchanged,
                    "rejected_lines": len(result.rejected_lines),
                    "created_names": result.created_names,
                },
            )
            if dry_run:
                raise _DryRun
            committing = True
    except _DryRun:
        pass
    except (sa.exc.DBAPIError, psycopg.OperationalError) as error:
        if _is_lost_connection(error):
            raise ConnectionLost(while_committing=committing) from error
        raise
    if not dry_run:
        reports.data_changed(tenant_id)
    return result


def report_csv(result: ImportResult) -> str:
    """The rejected rows: line, column, reason, then the row's own cells (formula-like text defused,
    since the report is opened in a spreadsheet)."""
    columns = KINDS[result.kind].names
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["line", "column", "reason", *columns])
    for problem in sorted(result.problems, key=lambda problem: problem.line):
        cells = (neutralise(mark_control_characters(problem.cells.get(column, ""))) for column in columns)
        writer.writerow([problem.line, problem.column, neutralise(problem.reason), *cells])
    return out.getvalue()
