"""Opening another screen with given filters (a stand-in for the lead's ui/links.py, same signature;
replaced by main's at the merge).

The filter widgets are bound to the address, but on a rerun a widget's remembered value wins over
the address. So before switching, the filter widgets' remembered values are forgotten, and the
new page's widgets take the address's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st

from data.domain.saved_views import QUERY_KEYS


def open_page(path: str, query: Mapping[str, str], forget: Iterable[str] = ()) -> None:
    """Switch to the page at ``path`` (a page file, "pages/leads.py") showing the filters in ``query``."""
    for key in (*QUERY_KEYS, *forget):
        st.session_state.pop(key, None)
    st.switch_page(path, query_params=dict(query))
