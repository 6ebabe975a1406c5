"""Getting the database ready for the app: migrate, and on the embedded database seed the demo."""

from __future__ import annotations

import os

from data import db, demo, migrate

DEFAULT_TENANT = demo.DEMO_SLUG


def prepare_database() -> None:
    """Apply migrations; on the embedded database, seed the demo tenant on first run."""
    migrate.migrate()
    if db.is_embedded():
        demo.seed_demo()


def default_tenant_slug() -> str:
    """The tenant the app shows before sign-in exists: LEADLINE_TENANT, else the demo tenant."""
    return os.environ.get("LEADLINE_TENANT", DEFAULT_TENANT)
