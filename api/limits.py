"""What keeps the API from hurting the dashboard beside it, and a client from hurting the API.

- Bodies over ``BODY_LIMIT`` bytes are refused with 413 before they are read whole.
- Each key has a rate limit (``api_keys.rate_limit_per_minute``): a token bucket holding ten
  seconds' worth, refilled continuously; an empty bucket answers 429 with ``Retry-After``.
- At most ``CONCURRENT_REQUESTS`` API requests run at once, fewer than the app role's connection
  pool holds, so the dashboard's reads always find a connection; a request that waits longer than
  ``QUEUE_WAIT`` for a turn is answered 503 with ``Retry-After``.
- Every statement a request runs is limited to ``STATEMENT_TIMEOUT_MS`` (503 when it is exceeded).

The buckets live in this process, as the API does (one server; see dashboard.py).
"""

from __future__ import annotations

import asyncio
import json
import math
import threading
import time
from dataclasses import dataclass

from fastapi import HTTPException

from data import db
from data.writes.api_keys import KeyHolder

BODY_LIMIT = 256 * 1024
CONCURRENT_REQUESTS = 6
QUEUE_WAIT = 10.0
STATEMENT_TIMEOUT_MS = 10_000
BURST_SECONDS = 10


@dataclass
class _Bucket:
    tokens: float
    updated: float


_buckets: dict[int, _Bucket] = {}
_buckets_lock = threading.Lock()


def take_turn(holder: KeyHolder) -> None:
    """Spend one of the key's tokens, or refuse with 429 and when to come back."""
    rate = holder.rate_limit_per_minute / 60
    capacity = max(1.0, rate * BURST_SECONDS)
    moment = time.monotonic()
    with _buckets_lock:
        bucket = _buckets.setdefault(holder.api_key_id, _Bucket(capacity, moment))
        bucket.tokens = min(capacity, bucket.tokens + (moment - bucket.updated) * rate)
        bucket.updated = moment
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return
        wait = math.ceil((1 - bucket.tokens) / rate)
    raise HTTPException(
        429,
        f"This key may make {holder.rate_limit_per_minute:,} requests a minute; try again in {wait} s.",
        headers={"Retry-After": str(wait)},
    )


def forget_buckets() -> None:
    """Start every key's bucket full again (between tests)."""
    with _buckets_lock:
        _buckets.clear()


async def _answer(send, status: int, message: str, headers: dict[str, str] | None = None) -> None:
    body = json.dumps({"errors": {"request": message}}).encode()
    raw_headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    raw_headers += [(name.lower().encode(), value.encode()) for name, value in (headers or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": raw_headers})
    await send({"type": "http.response.body", "body": body})


class Limits:
    """ASGI middleware for the API: body cap, concurrency cap and statement timeout."""

    def __init__(self, app) -> None:
        self.app = app
        self.turns: asyncio.Semaphore | None = None

    async def __call__(self, scope, receive, send) -> None:
        """Refuse an oversized body, wait for a turn, then run the request under the time limit."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        too_large = f"Send at most {BODY_LIMIT // 1024} kB."
        if declared is not None and declared.isdigit() and int(declared) > BODY_LIMIT:
            await _answer(send, 413, too_large)
            return
        if self.turns is None:
            self.turns = asyncio.Semaphore(CONCURRENT_REQUESTS)
        try:
            await asyncio.wait_for(self.turns.acquire(), QUEUE_WAIT)
        except TimeoutError:
            await _answer(send, 503, "The API is busy; try again.", {"Retry-After": "5"})
            return
        token = db.statement_timeout_ms.set(STATEMENT_TIMEOUT_MS)
        try:
            body = await _read_body(receive)
            if body is None:
                await _answer(send, 413, too_large)
                return
            await self.app(scope, _replay(body, receive), send)
        finally:
            db.statement_timeout_ms.reset(token)
            self.turns.release()


async def _read_body(receive) -> bytes | None:
    """The whole body (whatever its Content-Length said), or None once it passes the cap."""
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks)
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > BODY_LIMIT:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _replay(body: bytes, receive):
    """A receive that gives the body read already, then waits on the client as before."""
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
