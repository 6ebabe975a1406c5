"""What a page needs to know about the current run: the database, the tenant and the user."""

from __future__ import annotations

import streamlit as st

from data import db
from data.db import setup
from data.writes.auth import User
from ui import sign_in


@st.cache_resource(show_spinner="Preparing the database…")
def prepared_database() -> bool:
    """Migrate (and seed the demo on the embedded database) once per process."""
    setup.prepare_database()
    return True


def resolve_tenant() -> int:
    """Remember the deployment's tenant for this session and return its id; stop if unknown."""
    if "tenant_id" not in st.session_state:
        slug = setup.default_tenant_slug()
        tenant_id = db.tenant_id_for(slug)
        if tenant_id is None:
            st.error(f"There is no tenant '{slug}'. Run `python -m data create-admin` or set LEADLINE_TENANT.")
            st.stop()
        st.session_state["tenant_id"] = tenant_id
        st.session_state["tenant_slug"] = slug
    return st.session_state["tenant_id"]


def current_tenant_id() -> int:
    """The tenant the signed-in user works in."""
    return current_user().tenant_id


def current_tenant_slug() -> str:
    """The slug of the tenant this session works in."""
    return st.session_state["tenant_slug"]


def current_user() -> User:
    """The signed-in user (set by the router before any page runs)."""
    if "user" not in st.session_state:
        _hand_over_to_router()
    return st.session_state["user"]


def _hand_over_to_router() -> None:
    """A page is running without the router, so nobody has signed in.

    Streamlit does this on a fresh server: until dashboard.py has called ``st.navigation`` once,
    it treats ``pages/`` as an old-style page folder and runs a page named in the URL by itself
    (seen after every restart, when open tabs reconnect). Remember the page and run the router,
    which signs the person in and then opens it.
    """
    sign_in.remember_requested_page()
    st.switch_page("dashboard.py")


def current_scope() -> db.Scope:
    """What the signed-in user may see: a rep only their own leads."""
    return current_user().scope
