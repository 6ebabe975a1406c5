"""Lists and reports in pages: ``limit`` rows from an opaque ``cursor``, with ``as_of`` and the
next page's cursor; the same rows as CSV when the client asks for ``Accept: text/csv``.

A cursor carries the offset of the next row. Reports are read whole (from the report cache), so
the pages of one report taken within the cache's life come from the same read; ``as_of`` says
when that read was made, and a page with a different ``as_of`` than the first came from a newer
one.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
from typing import Annotated, Any

import pandas as pd
from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field

from api.frames import records
from data.domain.validation import ValidationError
from data.exports.csv_files import to_csv_bytes
from data.reports.cache import last_read_as_of

MAX_LIMIT = 1000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page")]
Cursor = Annotated[
    str | None, Query(max_length=200, description="The next_cursor of the previous page; omit for the first")
]


class Page(BaseModel):
    """One page of rows."""

    rows: list[dict[str, Any]]
    as_of: str = Field(description="When the rows were read from the database (ISO 8601, UTC)")
    next_cursor: str | None = Field(description="Pass as cursor for the next page; null on the last")
    total_rows: int


CSV_RESPONSE = {200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "The rows"}}


def _offset(cursor: str | None) -> int:
    if cursor is None:
        return 0
    try:
        offset = json.loads(base64.urlsafe_b64decode(cursor.encode() + b"==").decode())["offset"]
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        offset = None
    if not isinstance(offset, int) or offset < 0:
        raise ValidationError({"cursor": "This is not a cursor this API gave; start again without one."})
    return offset


def _cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"offset": offset}).encode()).decode().rstrip("=")


def as_of() -> str:
    """When the latest report read of this request read the database (now, if it read nothing cached)."""
    moment = last_read_as_of() or dt.datetime.now(dt.UTC)
    return moment.isoformat()


def wants_csv(request: Request) -> bool:
    """Whether the client asked for CSV rather than JSON."""
    return "text/csv" in request.headers.get("accept", "")


def cursor_offset(cursor: str | None) -> int:
    """Where the page a cursor asks for starts: 0 without one; 422 for a cursor this API did not give."""
    return _offset(cursor)


def page(request: Request, frame: pd.DataFrame, limit: int, cursor: str | None, filename: str) -> Page | Response:
    """One page of ``frame`` as JSON, or as CSV (formulas defused) when the client accepts text/csv."""
    offset = _offset(cursor)
    return page_at(request, frame.iloc[offset : offset + limit], offset, limit, len(frame), filename)


def page_at(
    request: Request, rows: pd.DataFrame, offset: int, limit: int, total_rows: int, filename: str
) -> Page | Response:
    """``rows``, the page at ``offset`` of ``total_rows``, answered as ``page`` answers; for a report the
    data layer reads in pages of its own (the customer ledger), so the API need not read it whole."""
    following = offset + limit if offset + limit < total_rows else None
    stamp = as_of()
    if wants_csv(request):
        headers = {"Content-Disposition": f'attachment; filename="{filename}.csv"', "Leadline-As-Of": stamp}
        if following is not None:
            headers["Leadline-Next-Cursor"] = _cursor(following)
        return Response(to_csv_bytes(rows), media_type="text/csv; charset=utf-8", headers=headers)
    return Page(
        rows=records(rows),
        as_of=stamp,
        next_cursor=None if following is None else _cursor(following),
        total_rows=total_rows,
    )
