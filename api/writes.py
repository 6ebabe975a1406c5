"""What the write endpoints share: the write's idempotency key, the 201/200 answer of a new row
or a replay, and a refusal about the row the path names turned into 404."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import Protocol, TypeVar

from fastapi import Response

from api.auth import Holder
from api.errors import NotFound
from api.params import scoped_key
from data.domain.validation import ValidationError


class Written(Protocol):
    """What a data-layer write returns (``Saved``, the ledger's ``Written``): whether it wrote."""

    is_new: bool


W = TypeVar("W", bound=Written)

# The same Idempotency-Key again answers 200 with the first answer and says so in a header.
REPLAYED = {
    "description": "The same Idempotency-Key again: the first answer, nothing written twice",
    "headers": {"Leadline-Replayed": {"description": "true on a replay", "schema": {"type": "string"}}},
}


def request_key(holder: Holder, idempotency_key: str | None) -> str:
    """The write's idempotency key: the client's, kept apart from other keys', or a fresh one
    (so a request without the header is never taken for a replay)."""
    return scoped_key(holder.api_key_id, idempotency_key) or uuid.uuid4().hex


def write_once(write: Callable[..., W], holder: Holder, idempotency_key: str | None, response: Response, **fields) -> W:
    """Call a data-layer write as the key's account under the request's idempotency key; answer
    201 for a row it wrote, 200 and ``Leadline-Replayed`` for an earlier request's."""
    written = write(holder.tenant_id, holder.user_id, idempotency_key=request_key(holder, idempotency_key), **fields)
    response.status_code = 201 if written.is_new else 200
    if not written.is_new:
        response.headers["Leadline-Replayed"] = "true"
    return written


@contextlib.contextmanager
def not_found(field: str, what: str, exists: Callable[[], bool] = lambda: False) -> Iterator[None]:
    """A data-layer refusal of the row the path names (``field``) as 404, unless ``exists`` says
    the row is there and the refusal is about its state (e.g. already cancelled)."""
    try:
        yield
    except ValidationError as error:
        if field in error.errors and not exists():
            raise NotFound(what) from error
        raise
