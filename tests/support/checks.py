"""Checks the data-entry tests share: a fresh form key, row counts, and "refused, and nothing changed"."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable

import pytest
import sqlalchemy as sa

from data import db
from data.domain.validation import ValidationError


def form_key() -> str:
    """A new idempotency key, as a freshly drawn form has."""
    return uuid.uuid4().hex


def row_counts(tenant_id: int, tables: Iterable[str]) -> dict[str, int]:
    """How many rows each table holds for the tenant."""
    with db.tenant_transaction(tenant_id) as conn:
        # The table names come from the tests' own constants, never from input.
        return {table: conn.execute(sa.text(f"select count(*) from {table}")).scalar_one() for table in tables}


def assert_refused(write: Callable[[], object], field: str, snapshot: Callable[[], object], contains: str = "") -> str:
    """The write is refused on ``field`` (its message containing ``contains``) and ``snapshot``
    reads the same after it as before. Returns the message."""
    before = snapshot()
    with pytest.raises(ValidationError) as refusal:
        write()
    assert field in refusal.value.errors, refusal.value.errors
    assert contains in refusal.value.errors[field]
    assert snapshot() == before
    return refusal.value.errors[field]
