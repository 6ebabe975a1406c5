"""What a saved view may hold: the closed list of pages a view may be saved for (with the permission
that opens each), the filter keys it may keep, and the limits on its name and values.

A saved view is a page's address and its filters, as the filter bar keeps them in the URL
(``?source=Walk-in&from=Feb+2026``). Only the analysis pages with a filter bar are listed; each
names the permission ``ui.navigation``'s entry for the same page names (a test holds the two
equal). The database's check constraints (migration 0017) are the other copy of these lists and
limits, held equal by tests/test_saved_views.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from data.domain.permissions import Action
from data.domain.rules import SHORT_TEXT_MAX, check_text

# page (its URL path, also its file's name under pages/) → the permission that opens it
PAGES: dict[str, Action] = {
    "overview": Action.SCREEN_ANALYSIS,
    "funnel": Action.SCREEN_FUNNEL,
    "scorecard": Action.SCREEN_ANALYSIS,
    "sources": Action.SCREEN_ANALYSIS,
    "speed_to_lead": Action.SCREEN_ANALYSIS,
    "campaigns": Action.SCREEN_ANALYSIS,
    "bookings": Action.SCREEN_ANALYSIS,
    "ledger": Action.SCREEN_CUSTOMER_LEDGER,
    "leads": Action.SCREEN_LEADS,
}
# The filters a view keeps: the filter bar's URL keys, with the lead list's stage and the customer
# ledger's ageing bucket (ui.filter_bar.FILTER_KEYS, held equal by tests/test_saved_views.py).
QUERY_KEYS = ("from", "to", "project", "source", "subsource", "campaign", "owner", "stage", "overdue")

NAME_MAX = 60  # a view's name is a line in the sidebar
QUERY_VALUE_MAX = SHORT_TEXT_MAX
# Besides letters and digits, what a name may hold: no Markdown, HTML or Streamlit directive
# characters (``*``, ``[``, ``]``, ``<``, ``:``, ``$``, ``` ` ```…), so a name reads the same everywhere.
NAME_PUNCTUATION = " -_.,&'()/+#"
NAME_RULE = "Use letters, digits, spaces and - _ . , & ' ( ) / + # only, starting with a letter or digit."


def page_of(path: str) -> str:
    """A page's key from its file path (``pages/funnel.py``) or URL path (``funnel``)."""
    return path.rsplit("/", 1)[-1].removesuffix(".py")


def check_name(value: object, errors: dict[str, str]) -> str | None:
    """The view's name stripped, or the "name" field's message."""
    name = check_text(value, "name", errors, max_length=NAME_MAX, required=True)
    if name is None:
        return None
    if not name[0].isalnum() or not all(character.isalnum() or character in NAME_PUNCTUATION for character in name):
        errors["name"] = NAME_RULE
        return None
    return name


def check_page(page: object, errors: dict[str, str]) -> str | None:
    """The page, or the "page" field's message when no view may be saved for it."""
    if page not in PAGES:
        errors["page"] = "Views can be saved only on the analysis pages with filters."
        return None
    return str(page)


def check_query(query: Mapping[str, object] | None, errors: dict[str, str]) -> dict[str, str]:
    """The filters a view keeps (its known keys, blank values left out), or the "query" field's
    message for an unknown key or a value that is not short, one-line text."""
    kept: dict[str, str] = {}
    for key, value in (query or {}).items():
        if key not in QUERY_KEYS:
            errors["query"] = f"A view keeps only these filters: {', '.join(QUERY_KEYS)}."
            return {}
        problems: dict[str, str] = {}
        text = check_text(value, "query", problems, max_length=QUERY_VALUE_MAX, label=f"{key} filter")
        if problems:
            errors.update(problems)
            return {}
        if text is not None:
            kept[key] = text
    return kept
