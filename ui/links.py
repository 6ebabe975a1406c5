"""Opening another screen with given filters (a stand-in for the lead's ui/links.py, same signature;
replaced by main's at the merge).

The filter widgets are bound to the address, but on a rerun a widget's remembered value wins over
the address. So before switching, the filter widgets' remembered values are forgotten, and the
new page's widgets take the address's. The widgets' bindings to the address are dropped too:
``st.switch_page`` refuses to set (or clear) a query parameter bound to a widget, and a binding
outlives the run that made it; the next page's widgets bind again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from data.domain.saved_views import QUERY_KEYS


def _unbind(keys: Iterable[str]) -> None:
    """Drop the address bindings of these widget keys (Streamlit has no public call for it)."""
    ctx = get_script_run_ctx()
    if ctx is None:
        return
    with ctx.session_state.query_params() as params:
        for key in keys:
            binding = params.get_binding_for_param(key)
            if binding is not None:
                params.unbind_widget(binding.widget_id)


def open_page(path: str, query: Mapping[str, str], forget: Iterable[str] = ()) -> None:
    """Switch to the page at ``path`` (a page file, "pages/leads.py") showing the filters in ``query``."""
    keys = (*QUERY_KEYS, *forget)
    for key in keys:
        st.session_state.pop(key, None)
    _unbind(keys)
    st.switch_page(path, query_params=dict(query))
