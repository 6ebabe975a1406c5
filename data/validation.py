"""Validation errors the data layer raises before it writes anything.

Every write validates its input first and raises ``ValidationError`` with one message per
field, so a form can show each message beside its field and the CLI and tests get the same
words. A refused write changes nothing.
"""

from __future__ import annotations


class ValidationError(ValueError):
    """Input that cannot be written; ``errors`` maps a field name to what is wrong with it."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors


def require(errors: dict[str, str]) -> None:
    """Raise when any field has an error."""
    if errors:
        raise ValidationError(errors)
