"""What makes every screen work on a 390-px phone: long text wraps, and choosing a page closes the
sidebar. Called once per run from ``dashboard.py``, after sign-in.

Streamlit already closes its sidebar after a page is chosen, but only when the browser says it
is a phone (``navigator.userAgent``). A narrow window that does not say so (a phone asking for
the desktop site, a tablet in split view, a desktop window, a test browser) kept the 300-px
sidebar over the page it had just opened. Neither ``st.set_page_config`` nor ``st.navigation``
has a setting for this, so a few lines of script do the same on any narrow viewport.
"""

from __future__ import annotations

import streamlit as st

# Streamlit lays its sidebar over the page, rather than beside it, up to this width (its theme's
# "md" breakpoint); that is when an open sidebar hides what was just chosen.
NARROW_MAX_PX = 768
BEHAVIOUR_KEY = "phone-behaviour"

# Names, notes, sources and campaigns can be one long word (an e-mail address, a URL, a pasted
# reference): let them break anywhere instead of widening the page past a phone's screen. On a
# narrow screen the page starts just under the header's 60 px (Streamlit leaves 96 px, an
# eighth of a phone's height, blank above every title). The container holding the script below
# is hidden, so it leaves no gap in the sidebar.
_STYLE = f"""<style>
[data-testid="stMain"] :is(h1, h2, h3, h4, h5, h6, p, li, [data-testid="stMarkdownContainer"],
    [data-testid="stCaptionContainer"]) {{
    overflow-wrap: anywhere;
}}
@media (max-width: {NARROW_MAX_PX}px) {{
    [data-testid="stMainBlockContainer"] {{
        padding-top: 4rem;
    }}
}}
[data-testid="stLayoutWrapper"]:has(> .st-key-{BEHAVIOUR_KEY}),
.st-key-{BEHAVIOUR_KEY} {{
    display: none;
}}
</style>"""

# After a click on a page link, and once Streamlit has handled it (setTimeout), collapse the
# sidebar if it is still open on a narrow screen. The collapse button only exists while the
# sidebar is open, so a sidebar Streamlit already closed is left alone. Registered once per
# browser tab: the element is drawn again on every run.
_SCRIPT = f"""<script>
(() => {{
  if (window.leadlineClosesSidebarOnNavigation) return;
  window.leadlineClosesSidebarOnNavigation = true;
  const narrow = window.matchMedia("(max-width: {NARROW_MAX_PX}px)");
  document.addEventListener("click", (event) => {{
    if (!narrow.matches || !(event.target instanceof Element)) return;
    if (!event.target.closest('[data-testid="stSidebarNav"] a')) return;
    setTimeout(() => {{
      const sidebar = document.querySelector('[data-testid="stSidebar"]');
      const collapse = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
      if (sidebar && collapse && sidebar.getAttribute("data-collapsed") === "false") collapse.click();
    }}, 0);
  }});
}})();
</script>"""


def fit_phones() -> None:
    """Wrap long text in the main area, and close the sidebar after a page is chosen on a narrow screen."""
    st.html(_STYLE)
    # Fixed markup of our own, no user text: the one place Leadline runs script in the page.
    st.sidebar.container(key=BEHAVIOUR_KEY).html(_SCRIPT, unsafe_allow_javascript=True)
