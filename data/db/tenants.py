"""Tenants: created by the owner role, since the app role may only see the tenant it works in."""

from __future__ import annotations

import sqlalchemy as sa

from data import db


def create_tenant(slug: str, name: str) -> int:
    """Create the tenant if it does not exist; return its id either way."""
    with db.owner_engine().begin() as conn:
        conn.execute(
            sa.text("insert into tenants (slug, name) values (:slug, :name) on conflict (slug) do nothing"),
            {"slug": slug, "name": name},
        )
        return conn.execute(sa.text("select tenant_id from tenants where slug = :slug"), {"slug": slug}).scalar_one()


def every_tenant() -> list[tuple[int, str]]:
    """Every tenant's (id, slug), by id (the owner's read: the app role sees no tenants)."""
    with db.owner_engine().connect() as conn:
        return [tuple(row) for row in conn.execute(sa.text("select tenant_id, slug from tenants order by tenant_id"))]
