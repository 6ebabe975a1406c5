"""The report reads' cache: one decorator that caches a read and registers it, per tenant.

Every caller of the data layer (the dashboard, the API, the CLI, workers) gets the same cache,
with no Streamlit in it. A read is keyed by the tenant's *generation* and its arguments; a
committed write calls ``data_changed(tenant_id)``, which starts a new generation for that
tenant only, so the very next read of every screen of that tenant reads the database again
while every other tenant keeps its cached reads.

Other processes learn of a write through PostgreSQL: ``data_changed`` also sends
``NOTIFY leadline_data_changed, '<tenant_id> <process>'``, and each other process that caches listens on that
channel (a daemon thread started with its first cached read) and starts the tenant's new
generation too. Should the listener be down, entries still expire after ``TTL_SECONDS``.

Entries are stored pickled and unpickled on every hit, so a caller that changes the DataFrame
it got back cannot change what the next caller gets.
"""

from __future__ import annotations

import collections
import contextvars
import datetime as dt
import functools
import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

import psycopg
import sqlalchemy as sa

from data import db
from data.db import Scope

TTL_SECONDS = 300
MAX_ENTRIES = 2_000
CHANNEL = "leadline_data_changed"

Read = TypeVar("Read", bound=Callable[..., Any])

# Every cached read, by name: what ``cached_read`` decorated (tests hold it complete).
CACHED_READS: dict[str, Callable[..., Any]] = {}

_lock = threading.Lock()
_entries: collections.OrderedDict[tuple, tuple[float, dt.datetime, bytes]] = collections.OrderedDict()
# When the data the latest cached read in this context returned was read from the database
# (the API states it as "as_of"; a cache hit is as old as its entry).
_as_of: contextvars.ContextVar[dt.datetime | None] = contextvars.ContextVar("leadline_report_as_of", default=None)
_generations: collections.defaultdict[int, int] = collections.defaultdict(int)
_listener: threading.Thread | None = None
# Each notification says which process sent it: our own come back to our listener, and the
# generation they announce has already started here.
_PROCESS = uuid.uuid4().hex
_log = logging.getLogger(__name__)


def tenant_of(scope: Scope | int) -> int:
    """The tenant a read's first argument names."""
    return scope.tenant_id if isinstance(scope, Scope) else int(scope)


def cached_read(read: Read) -> Read:
    """Cache ``read`` per tenant generation and arguments, and register it in ``CACHED_READS``.

    The read's first argument is its scope (a ``Scope`` or a tenant id); every argument must
    be picklable. ``read.uncached`` is the read itself, for callers that need the database.
    """

    @functools.wraps(read)
    def cached(scope: Scope | int, *args: Any, **kwargs: Any) -> Any:
        _listen()
        tenant_id = tenant_of(scope)
        with _lock:
            key = (read.__qualname__, read.__module__, tenant_id, _generations[tenant_id])
        key += (pickle.dumps((scope, args, sorted(kwargs.items()))),)
        if (hit := _get(key)) is not None:
            read_at, stored = hit
            _as_of.set(read_at)
            return pickle.loads(stored)
        read_at = dt.datetime.now(dt.UTC)
        value = read(scope, *args, **kwargs)
        _put(key, read_at, pickle.dumps(value))
        _as_of.set(read_at)
        return value

    cached.uncached = read  # type: ignore[attr-defined]
    CACHED_READS[f"{read.__module__}.{read.__qualname__}"] = cached
    return cached  # type: ignore[return-value]


def last_read_as_of() -> dt.datetime | None:
    """When the data of the latest cached read in this context was read from the database (UTC)."""
    return _as_of.get()


def forget(read: Callable[..., Any], tenant_id: int) -> None:
    """Forget one cached read's entries for one tenant (a screen's refresh): its next call reads
    the database, while the tenant's other reads and other tenants keep theirs."""
    name = (read.uncached.__qualname__, read.uncached.__module__)  # type: ignore[attr-defined]
    with _lock:
        for key in [key for key in _entries if key[:2] == name and key[2] == tenant_id]:
            del _entries[key]


def _get(key: tuple) -> tuple[dt.datetime, bytes] | None:
    with _lock:
        entry = _entries.get(key)
        if entry is None:
            return None
        stored_at, read_at, value = entry
        if time.monotonic() - stored_at > TTL_SECONDS:
            del _entries[key]
            return None
        _entries.move_to_end(key)
        return read_at, value


def _put(key: tuple, read_at: dt.datetime, value: bytes) -> None:
    with _lock:
        _entries[key] = (time.monotonic(), read_at, value)
        _entries.move_to_end(key)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def _new_generation(tenant_id: int) -> None:
    """Forget the tenant's cached reads: later reads use a key no entry has (old ones age out)."""
    with _lock:
        _generations[tenant_id] += 1
        for key in [key for key in _entries if key[2] == tenant_id]:
            del _entries[key]


def data_changed(tenant_id: int) -> None:
    """After a committed write: this tenant's next read of every report reads the database, here
    and (through NOTIFY) in every other process that caches."""
    _new_generation(tenant_id)
    try:
        with db.owner_engine().connect() as conn:
            conn.execute(
                sa.text("select pg_notify(:channel, :payload)"),
                {"channel": CHANNEL, "payload": f"{int(tenant_id)} {_PROCESS}"},
            )
            conn.commit()
    except sa.exc.SQLAlchemyError:  # the write is committed; other processes fall back on the TTL
        _log.warning("could not tell other processes that tenant %s changed", tenant_id, exc_info=True)


def clear_all() -> None:
    """Forget every cached read of every tenant (tests, and after a database is swapped)."""
    with _lock:
        _entries.clear()
        for tenant_id in list(_generations):
            _generations[tenant_id] += 1


def _listen() -> None:
    """Start this process's listener for other processes' writes, once."""
    global _listener
    if _listener is not None and _listener.is_alive():
        return
    with _lock:
        if _listener is not None and _listener.is_alive():
            return
        _listener = threading.Thread(target=_listen_forever, name="leadline-cache-listener", daemon=True)
        _listener.start()


def _listen_forever() -> None:
    """Bump a tenant's generation for every notification; reconnect after a lost connection."""
    while True:
        try:
            url = db.owner_url().set(drivername="postgresql")
            with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
                conn.execute(f"listen {CHANNEL}")
                for notification in conn.notifies():
                    tenant, _, sender = notification.payload.partition(" ")
                    if tenant.isdigit() and sender != _PROCESS:
                        _new_generation(int(tenant))
        except Exception:
            _log.debug("cache listener lost its connection; retrying", exc_info=True)
        time.sleep(5)
