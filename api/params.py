"""Parameters several endpoints share: ids in paths, the Idempotency-Key header, moments."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Header, Path
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from data.domain.filters import IST
from data.domain.rules import EARLIEST_DATE_MESSAGE

# The largest id a bigint column holds: a larger number is no row's id (and would not bind).
MAX_ID = 9_223_372_036_854_775_807

RowId = Annotated[int, Path(ge=1, le=MAX_ID, description="The row's id")]
IdempotencyKey = Annotated[
    str | None,
    Header(
        min_length=1,
        max_length=200,
        description="Any text unique to this request; sending it again replays the first answer.",
    ),
]


def scoped_key(api_key_id: int, idempotency_key: str | None) -> str | None:
    """A client's Idempotency-Key, kept apart from other keys' and from the forms' own keys."""
    return None if idempotency_key is None else f"api:{api_key_id}:{idempotency_key}"


# Python cannot take a moment this close to year 1 or 9999 to India time or a month on (a call's
# response time); the data layer would fail on it rather than refuse it.
_MARGIN = dt.timedelta(days=32)


def _convertible(moment: dt.datetime) -> dt.datetime:
    aware = moment if moment.tzinfo else moment.replace(tzinfo=IST)
    try:
        aware.astimezone(IST) - _MARGIN
        aware.astimezone(IST) + _MARGIN
    except OverflowError:
        message = EARLIEST_DATE_MESSAGE if moment.year < 2000 else "Give a date before the year 9999."
        raise PydanticCustomError("moment_out_of_range", message) from None
    return moment


Moment = Annotated[dt.datetime, AfterValidator(_convertible)]
MOMENT = "ISO 8601; without an offset it is India time"
