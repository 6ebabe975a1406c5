"""Getting the database ready for the app: migrate, and on the embedded database seed the demo."""

from __future__ import annotations

import os
import secrets

from data import db, demo
from data.db import migrate

MIN_COOKIE_KEY_LENGTH = 32

DEFAULT_TENANT = demo.DEMO_SLUG


def prepare_database() -> None:
    """Apply migrations; on the embedded database, seed the demo tenant on first run."""
    migrate.migrate()
    if is_demo_mode():
        demo.seed_demo()
        demo.ensure_demo_passwords()


def is_demo_mode() -> bool:
    """Demo mode: the embedded database (or LEADLINE_DEMO=1), with documented demo users."""
    return db.is_embedded() or os.environ.get("LEADLINE_DEMO") == "1"


def default_tenant_slug() -> str:
    """The tenant this deployment serves: LEADLINE_TENANT (environment or secrets), else the demo."""
    return db.setting("LEADLINE_TENANT") or DEFAULT_TENANT


def cookie_key() -> str | None:
    """The key that signs sign-in cookies: LEADLINE_COOKIE_KEY (32+ characters).

    In demo mode a random one is kept in .leadline/cookie-key; elsewhere None when it is not
    configured, or too short, and the app refuses to start.
    """
    configured = db.setting("LEADLINE_COOKIE_KEY")
    if configured:
        return configured if len(configured) >= MIN_COOKIE_KEY_LENGTH else None
    if not is_demo_mode():
        return None
    key_file = db.STATE_DIR / "cookie-key"
    if not key_file.exists():
        db.STATE_DIR.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
