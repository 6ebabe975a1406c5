"""User text shown as text: the one place that escapes what people typed before Streamlit or
plotly draws it.

Streamlit renders Markdown (and its own directives: ``:red[…]``, ``:material/…:``, ``$…$``
maths, bare-URL autolinks) in titles, headers, captions, alerts, ``st.markdown`` and widget
labels; plotly renders a subset of HTML (``<a href>``, ``<b>``, ``<br>``) in every label,
annotation and hover text. A lead's name, a note, a source, a campaign or a user's display name
goes through ``md`` before any of the first and through ``html`` before any of the second.
Tables (``st.dataframe``) and option lists of select boxes and radios show plain text already.
"""

from __future__ import annotations

import html as _html
import math
import re
import string

# CommonMark lets a backslash escape any ASCII punctuation, and Streamlit's directives all start
# with punctuation (':', '$', '[', '!', '<'), so escaping every one makes any text literal.
_PUNCTUATION = re.compile("([" + re.escape(string.punctuation) + "])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
# GFM links bare URLs and e-mail addresses after escapes are undone (Streamlit's remark-gfm finds
# them in the parsed text), so no backslash can stop it. An invisible WORD JOINER inside "http://",
# "www." and after "@" breaks every pattern it looks for, and shows nothing.
WORD_JOINER = "\u2060"
_AUTOLINK_STARTS = re.compile(r"(?i)(https?|www)(?=:|\.)|(@)")
ELLIPSIS = "…"


def _as_text(value: object) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return str(value)


def md(value: object) -> str:
    """The text escaped for any place Streamlit renders Markdown: shows exactly as typed."""
    unlinked = _AUTOLINK_STARTS.sub(lambda match: match.group(0) + WORD_JOINER, _as_text(value))
    return _PUNCTUATION.sub(r"\\\1", unlinked)


def md_line(value: object, limit: int | None = None) -> str:
    """Like ``md`` for a one-line place (a heading, a card title, a button): line breaks become
    spaces, and text longer than ``limit`` characters ends with an ellipsis."""
    return md(shorten(value, limit))


def shorten(value: object, limit: int | None = None) -> str:
    """The text on one line, cut to ``limit`` characters with an ellipsis (no escaping)."""
    text = _LINE_BREAKS.sub(" ", _as_text(value)).strip()
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + ELLIPSIS
    return text


def html(value: object) -> str:
    """The text escaped for plotly's labels and hover text (and any HTML): shows exactly as typed."""
    return _html.escape(_as_text(value), quote=True)
