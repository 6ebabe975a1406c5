"""What one import run keeps while it works: the transaction, the result so far, and the names it
has already looked up (projects, towers, sources, campaigns, people), creating the projects,
towers and sources a file names when they are missing, as the import rules say."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

NOT_GIVEN = "Not given"


@dataclass
class Problem:
    """One reason one line of the file was not imported."""

    line: int
    column: str
    reason: str
    cells: dict[str, str]


@dataclass
class ImportResult:
    """What an import did: rows read, created, already there unchanged, and the problems."""

    kind: str
    rows_read: int = 0
    created: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)
    created_names: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    is_dry_run: bool = False

    @property
    def rejected_lines(self) -> list[int]:
        """The file's lines that had a problem, each once, in order."""
        return sorted({problem.line for problem in self.problems})

    @property
    def exit_status(self) -> int:
        """0: every row imported (or already there); 1: some rows were rejected."""
        return 1 if self.problems else 0

    def summary(self) -> str:
        """One line saying what the import did (or, on a dry run, would do)."""
        verb = "would create" if self.is_dry_run else "created"
        text = (
            f"{self.kind}: {self.rows_read} rows read, {verb} {self.created}, {self.unchanged} already there, "
            f"{len(self.rejected_lines)} rejected"
        )
        if self.created_names:
            text += f"; {verb} " + ", ".join(self.created_names)
        if self.ignored_columns:
            text += "; ignored columns: " + ", ".join(self.ignored_columns)
        return text


@dataclass
class ParsedRow:
    """A line of the file: its number, its cells by canonical column, and their parsed values."""

    line: int
    cells: dict[str, str]
    values: dict[str, Any]


class Context:
    """One import's transaction, result and name lookups."""

    def __init__(self, conn: sa.Connection, tenant_id: int, user_id: int | None, result: ImportResult) -> None:
        self.conn = conn
        self.tenant_id = tenant_id
        self.user_id = user_id
        self.result = result
        self._projects: dict[str, int] = {}
        self._towers: dict[tuple[int, str], int] = {}
        self._sources: dict[tuple[str, str], int] = {}
        self._users: dict[str, int | None] = {}
        self._campaigns: dict[str, Any] = {}

    def reject(self, row: ParsedRow, column: str, reason: str) -> None:
        """Record a problem with one column of a row; that row is not written."""
        self.result.problems.append(Problem(row.line, column, reason, row.cells))

    def scalar(self, sql: str, **params: Any) -> Any:
        """The first value a query returns in the import's transaction, or None."""
        return self.conn.execute(sa.text(sql), params).scalar()

    def _find_or_create(self, cache: dict, key: Any, find: str, create: str, what: str, **params: Any) -> int:
        """The id the ``find`` query returns, else the one ``create`` inserts (listed as created); cached."""
        if key not in cache:
            found = self.scalar(find, **params)
            if found is None:
                self.result.created_names.append(what)
                found = self.conn.execute(
                    sa.text(create), {"tenant_id": self.tenant_id, "user_id": self.user_id, **params}
                ).scalar_one()
            cache[key] = found
        return cache[key]

    def project(self, name: str) -> int:
        """The project of that name (case ignored), created if new."""
        return self._find_or_create(
            self._projects,
            name.casefold(),
            "select project_id from projects where lower(name) = lower(:name) and deleted_at is null",
            "insert into projects (tenant_id, name, city, created_by) values (:tenant_id, :name, :city, :user_id) "
            "returning project_id",
            f"project {name}",
            name=name,
            city=NOT_GIVEN,
        )

    def tower(self, project_id: int, name: str) -> int:
        """The project's tower of that name (case ignored), created if new."""
        return self._find_or_create(
            self._towers,
            (project_id, name.casefold()),
            "select tower_id from towers where project_id = :project_id and lower(name) = lower(:name) "
            "and deleted_at is null",
            "insert into towers (tenant_id, project_id, name, created_by) "
            "values (:tenant_id, :project_id, :name, :user_id) returning tower_id",
            f"tower {name}",
            project_id=project_id,
            name=name,
        )

    def lead_source(self, source: str, subsource: str) -> int:
        """The source/subsource pair (case ignored), created if new."""
        return self._find_or_create(
            self._sources,
            (source.casefold(), subsource.casefold()),
            "select lead_source_id from lead_sources where lower(source) = lower(:source) "
            "and lower(subsource) = lower(:subsource) and deleted_at is null",
            "insert into lead_sources (tenant_id, source, subsource, created_by) "
            "values (:tenant_id, :source, :subsource, :user_id) returning lead_source_id",
            f"source {source} / {subsource}",
            source=source,
            subsource=subsource,
        )

    def user(self, username: str) -> int | None:
        """The user of that username (case ignored), or None when there is none."""
        key = username.casefold()
        if key not in self._users:
            self._users[key] = self.scalar(
                "select user_id from app_users where lower(username) = lower(:username) and deleted_at is null",
                username=username,
            )
        return self._users[key]

    def campaign(self, name: str):
        """The campaign's id and lead source, or None."""
        key = name.casefold()
        if key not in self._campaigns:
            self._campaigns[key] = self.conn.execute(
                sa.text(
                    "select campaign_id, lead_source_id from campaigns where lower(name) = lower(:name) "
                    "and deleted_at is null"
                ),
                {"name": name},
            ).one_or_none()
        return self._campaigns[key]

    def copy_rows(self, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
        """Load rows into a staging table with COPY (the fast path for large files)."""
        self.conn.execute(sa.text(f"truncate {table}"))  # table names are the importers' constants
        cursor = self.conn.connection.driver_connection.cursor()
        with cursor, cursor.copy(f"copy {table} ({', '.join(columns)}) from stdin") as copy:
            for row in rows:
                copy.write_row(row)
        # Temporary tables are never analysed automatically; without statistics the planner joins
        # them to leads by scanning every lead for every staged row (measured: minutes per batch).
        self.conn.execute(sa.text(f"analyze {table}"))
