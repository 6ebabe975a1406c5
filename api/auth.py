"""Who is calling: the API key in ``Authorization: Bearer <key>``, checked on every request.

The key is looked up afresh each time (no cache), so a revoked key is refused on its very next
call; the key's rate limit is applied here, and its last-used time is written at most once a
minute. Reads check the key's role against the permission table here (the pages do the same
through the menu); writes are checked again by the data layer itself.
"""

from __future__ import annotations

import threading
import time
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api import limits
from data.db import Scope
from data.domain.permissions import Action, allowed, refusal
from data.writes.api_keys import LAST_USED_RESOLUTION, KeyHolder, key_holder, note_key_used

bearer = HTTPBearer(auto_error=False, description="An API key from Integrations: `Authorization: Bearer ll_…`")

_last_noted: dict[int, float] = {}
_last_noted_lock = threading.Lock()


def _note_used(holder: KeyHolder) -> None:
    moment = time.monotonic()
    with _last_noted_lock:
        if moment - _last_noted.get(holder.api_key_id, -1e9) < LAST_USED_RESOLUTION.total_seconds():
            return
        _last_noted[holder.api_key_id] = moment
    note_key_used(holder)


def caller(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> KeyHolder:
    """The key's holder; 401 without a valid live key, 429 over its rate limit."""
    holder = key_holder(credentials.credentials if credentials else None)
    if holder is None:
        raise HTTPException(
            401, "Give a valid API key: Authorization: Bearer <key>.", headers={"WWW-Authenticate": "Bearer"}
        )
    limits.take_turn(holder)
    _note_used(holder)
    return holder


# The key's holder, for an endpoint's signature (writes: the data layer checks the role).
Holder = Annotated[KeyHolder, Depends(caller)]


def reader(action: Action):
    """A dependency giving the holder's read scope, refusing (403) a role that may not read this."""

    def scope(holder: Holder) -> Scope:
        if not allowed(holder.role, action):
            raise refusal(action)
        return Scope(tenant_id=holder.tenant_id)

    return scope


# The read scope of a key whose role may open the screen the read belongs to.
TimelineScope = Annotated[Scope, Depends(reader(Action.SCREEN_TIMELINE))]
FunnelScope = Annotated[Scope, Depends(reader(Action.SCREEN_FUNNEL))]
AnalysisScope = Annotated[Scope, Depends(reader(Action.SCREEN_ANALYSIS))]
LedgerScope = Annotated[Scope, Depends(reader(Action.SCREEN_CUSTOMER_LEDGER))]
TeamScope = Annotated[Scope, Depends(reader(Action.SCREEN_TEAM))]
