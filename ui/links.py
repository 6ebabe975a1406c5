"""Opening another screen with given filters: a drill-down, a saved view.

The filter widgets are bound to the address, and Streamlit keeps the two together: a bound
parameter cannot be set by ``st.switch_page(query_params=…)``, and on a rerun a widget's
remembered value wins over the address. So a screen is opened as a link would open it: the
filter widgets are let go of (their bindings to the address and their remembered values) and
the page is switched to with the filters in its address. The new page's widgets take their
values from the address, as on a fresh visit, and bind again: the address is the link to what
is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st
from streamlit.runtime.state import get_session_state

from ui.filter_bar import FILTER_KEYS


def _let_go_of_filters() -> None:
    """Forget the filter widgets' values and unbind them from the address (Streamlit has no
    public call for the second; its widgets bind again when the next page draws them)."""
    with get_session_state().query_params() as address:
        for key in FILTER_KEYS:
            binding = address.get_binding_for_param(key)
            if binding is not None:
                address.unbind_widget(binding.widget_id)
    for key in FILTER_KEYS:
        st.session_state.pop(key, None)


def open_page(path: str, query: Mapping[str, str], forget: Iterable[str] = ()) -> None:
    """Open the page at ``path`` (a page file, "pages/leads.py") with ``query`` as its address's
    query (filters by name, as a link holds them; a filter left out is "All" or its default).

    ``forget`` names other widgets to reset, such as the table cell or chart point that was
    clicked, so that coming back to the page does not open the same list again.
    """
    for key in forget:
        st.session_state.pop(key, None)
    _let_go_of_filters()
    st.switch_page(path, query_params=dict(query))
