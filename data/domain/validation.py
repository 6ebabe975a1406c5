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


class ProbableDuplicate(ValidationError):
    """The same lead already has the same kind of activity within minutes of this one; saved only
    when the caller confirms. ``errors["duplicate"]`` is the question to ask."""

    def __init__(self, errors: dict[str, str], *, existing_id: int, existing_at, what: str) -> None:
        super().__init__(errors)
        self.existing_id = existing_id
        self.existing_at = existing_at
        self.what = what


class NeedsConfirmation(ValidationError):
    """Input that may be right but is unusual enough to need a reason before it is saved."""
