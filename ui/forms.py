"""Form helpers: show a refused write's messages, one per field, where the person can act on them."""

from __future__ import annotations

import streamlit as st

from data.validation import ValidationError


def show_errors(error: ValidationError, labels: dict[str, str] | None = None) -> None:
    """One error line per field, named as the form names it."""
    labels = labels or {}
    for field, message in error.errors.items():
        st.error(f"**{labels.get(field, field.replace('_', ' ').capitalize())}**: {message}")


def succeeded(message: str) -> None:
    """Rerun so every list on the page shows the write, and say what was saved on that run."""
    st.session_state["flash"] = message
    st.rerun()


def show_flash() -> None:
    """Show what the last write saved (call right under the page title)."""
    if message := st.session_state.pop("flash", None):
        st.success(message)
