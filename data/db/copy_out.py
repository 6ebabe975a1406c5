"""Large results out of PostgreSQL through ``COPY … TO STDOUT``: into pandas, or straight to a file.

``pd.read_sql`` builds a Python object per cell and ``DataFrame.to_csv`` formats each one again;
for a million rows that is seconds of each. Here PostgreSQL writes the CSV itself: to read it,
pyarrow parses the stream in C; to export it, the stream goes to the file chunk by chunk and the
result is never held in memory (measured in docs/performance.md).

COPY takes no bound parameters, so the statement's values are rendered into it by the driver's
own literal quoting (psycopg's client-side binding, the same escaping it would use on the wire),
never by string formatting. Moments are written in India time, as every screen shows them.

Exports keep the CSV-injection defence of ``data.exports.csv_files``: a text cell that starts with a
formula character gets a leading apostrophe (unless it cannot be a formula: a number or a phone
written as text), done in SQL on the text columns only with that module's patterns.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import BinaryIO

import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.csv as pa_csv
import sqlalchemy as sa
from psycopg import sql as pg_sql

from data import db
from data.db import Scope
from data.exports.csv_files import FORMULA_START, NOT_A_FORMULA

# PostgreSQL type oids of the text types, whose cells may need defusing.
_TEXT_OIDS = {25, 1042, 1043}
# Types pyarrow is told rather than left to guess (a text column of digits stays text).
_ARROW_TYPES = {
    16: pa.bool_(),
    20: pa.int64(),
    21: pa.int64(),
    23: pa.int64(),
    700: pa.float64(),
    701: pa.float64(),
    1700: pa.float64(),
    1082: pa.date32(),
    1184: pa.timestamp("us", tz="Asia/Kolkata"),
    1114: pa.timestamp("us"),
}


Query = str | sa.Executable


def _literal_query(conn: sa.Connection, query: Query, params: dict) -> str:
    """The query (text with ``:name`` parameters, or a SQLAlchemy statement) with its values
    rendered as literals by the driver."""
    statement = sa.text(query) if isinstance(query, str) else query
    compiled = statement.compile(dialect=conn.dialect)
    values = {name: params.get(name, value) for name, value in compiled.params.items()}
    raw = conn.connection.driver_connection
    return psycopg.ClientCursor(raw).mogrify(str(compiled), values)


def _columns(raw: psycopg.Connection, query: str) -> list[tuple[str, int]]:
    with raw.cursor() as cursor:
        cursor.execute(pg_sql.SQL("select * from ({}) as result limit 0").format(pg_sql.SQL(query)))
        return [(column.name, column.type_code) for column in cursor.description]


def _copy(raw: psycopg.Connection, select: pg_sql.Composable, write: Callable[[bytes], object]) -> int:
    """Hand COPY's CSV (with a header) to ``write`` chunk by chunk; return the rows copied."""
    statement = pg_sql.SQL("copy ({}) to stdout with (format csv, header true)").format(select)
    with raw.cursor() as cursor:
        with cursor.copy(statement) as copy:
            for chunk in copy:
                write(chunk)
        return cursor.rowcount


def _india_time(conn: sa.Connection) -> None:
    conn.execute(sa.text("set local timezone = 'Asia/Kolkata'"))


def read_frame(scope: Scope | int, query: Query, params: dict | None = None) -> pd.DataFrame:
    """Run one read as the app role and return it as a DataFrame, parsed by pyarrow from COPY.

    Numbers come back as int64/float64, dates as dates, moments in India time, text as text.
    """
    with db.tenant_transaction(scope) as conn:
        _india_time(conn)
        literal = _literal_query(conn, query, params or {})
        raw = conn.connection.driver_connection
        columns = _columns(raw, literal)
        buffer = io.BytesIO()
        _copy(raw, pg_sql.SQL(literal), buffer.write)
    buffer.seek(0)
    convert = pa_csv.ConvertOptions(
        column_types={name: _ARROW_TYPES[oid] for name, oid in columns if oid in _ARROW_TYPES},
        true_values=["t"],
        false_values=["f"],
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    table = pa_csv.read_csv(buffer, convert_options=convert)
    return table.to_pandas()


def _defused_select(literal: str, columns: list[tuple[str, int]]) -> pg_sql.Composable:
    """SELECT over the query that prefixes an apostrophe to text cells a spreadsheet would run."""
    expressions = []
    for name, oid in columns:
        column = pg_sql.SQL("result.{}").format(pg_sql.Identifier(name))
        if oid in _TEXT_OIDS:
            expressions.append(
                pg_sql.SQL(
                    "case when {column} ~ {formula} and {column} !~ {not_formula} then '''' || {column} "
                    "else {column} end as {name}"
                ).format(
                    column=column,
                    formula=pg_sql.Literal(FORMULA_START),
                    not_formula=pg_sql.Literal(NOT_A_FORMULA),
                    name=pg_sql.Identifier(name),
                )
            )
        else:
            expressions.append(column)
    return pg_sql.SQL("select {} from ({}) as result").format(pg_sql.SQL(", ").join(expressions), pg_sql.SQL(literal))


def write_csv(conn: sa.Connection, query: Query, params: dict, out: BinaryIO) -> int:
    """Stream the query's rows as UTF-8 CSV (with a BOM, for Excel) into ``out``; return the row count.

    Runs in the caller's transaction (tenant already set), so several files can share one
    snapshot of the data. Only a chunk of the result is in memory at a time.
    """
    _india_time(conn)
    literal = _literal_query(conn, query, params)
    raw = conn.connection.driver_connection
    select = _defused_select(literal, _columns(raw, literal))
    out.write("\ufeff".encode())
    return _copy(raw, select, out.write)
