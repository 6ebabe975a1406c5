"""Where digests are sent from: the SMTP server's settings, from the environment or secrets.toml.

Each setting is read from its environment variable (``LEADLINE_SMTP_HOST``, ``_PORT``, ``_TLS``,
``_USER``, ``_PASSWORD``, ``_FROM``), else from the ``[smtp]`` section of
``.streamlit/secrets.toml`` (keys ``host``, ``port``, ``tls``, ``user``, ``password``, ``from``).
A host and a sender make a configuration; the rest have defaults (port 587 with STARTTLS, 465
with SSL, 25 without; no sign-in when no user is given).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass

from data.db import REPO_ROOT

TLS_MODES = ("none", "starttls", "ssl")
_DEFAULT_PORT = {"none": 25, "starttls": 587, "ssl": 465}
_KEYS = ("host", "port", "tls", "user", "password", "from")


class SmtpNotConfigured(Exception):
    """The SMTP settings are missing or wrong; the message says which and how to set them."""


@dataclass(frozen=True)
class SmtpSettings:
    """How to reach the SMTP server and whom the digests come from."""

    host: str
    port: int
    tls: str
    user: str | None
    password: str | None
    sender: str

    def __repr__(self) -> str:  # never print the password
        return f"SmtpSettings(host={self.host!r}, port={self.port}, tls={self.tls!r}, sender={self.sender!r})"


def _secrets_section() -> dict:
    secrets_file = REPO_ROOT / ".streamlit" / "secrets.toml"
    if not secrets_file.exists():
        return {}
    with secrets_file.open("rb") as handle:
        section = tomllib.load(handle).get("smtp", {})
    return section if isinstance(section, dict) else {}


def smtp_settings() -> SmtpSettings:
    """The SMTP settings; ``SmtpNotConfigured`` when the host or sender is missing or a value is wrong."""
    section = _secrets_section()
    given = {}
    for key in _KEYS:
        value = os.environ.get(f"LEADLINE_SMTP_{key.upper()}") or section.get(key)
        given[key] = None if value in (None, "") else str(value)
    missing = [key for key in ("host", "from") if not given[key]]
    if missing:
        names = ", ".join(f"LEADLINE_SMTP_{key.upper()}" for key in missing)
        raise SmtpNotConfigured(
            f"SMTP is not configured: set {names} (or {', '.join(missing)} under [smtp] in .streamlit/secrets.toml)."
        )
    tls = (given["tls"] or "starttls").lower()
    if tls not in TLS_MODES:
        raise SmtpNotConfigured(f"LEADLINE_SMTP_TLS is {tls!r}: give one of {', '.join(TLS_MODES)}.")
    try:
        port = int(given["port"]) if given["port"] else _DEFAULT_PORT[tls]
    except ValueError:
        raise SmtpNotConfigured(f"LEADLINE_SMTP_PORT is {given['port']!r}: give a port number.") from None
    return SmtpSettings(
        host=given["host"], port=port, tls=tls, user=given["user"], password=given["password"], sender=given["from"]
    )
