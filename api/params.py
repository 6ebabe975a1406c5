"""Parameters several endpoints share: ids in paths, the Idempotency-Key header."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header, Path

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
