"""Sign-in for the router: streamlit-authenticator keeps the cookie and the session state;
Leadline checks passwords in the data layer, where failures are counted and accounts locked.

A session is trusted only while ``auth.session_user`` accepts it, checked on every run: a
cookie issued before the user signed out, was deactivated or changed password is refused.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import streamlit as st
import streamlit_authenticator as stauth
from streamlit_authenticator.utilities.exceptions import LoginError

from data import demo
from data.db import setup
from data.domain.vocabulary import label
from data.writes import auth
from data.writes.auth import User
from ui.text import md_line

COOKIE_NAME = "leadline_session"
COOKIE_DAYS = 7.0


def authenticator(tenant_id: int) -> stauth.Authenticate:
    """The run's one Authenticate, over the tenant's active users; stops if no cookie key is set."""
    key = setup.cookie_key()
    if key is None:
        st.error(
            "LEADLINE_COOKIE_KEY is not set (or is shorter than 32 characters). Set it in the environment or "
            'in .streamlit/secrets.toml, e.g. `python -c "import secrets; print(secrets.token_urlsafe(48))"`.'
        )
        st.stop()
    # login_sleep_time=0: the cookie is read from the request (st.context.cookies), not waited for.
    return stauth.Authenticate(auth.credentials(tenant_id), COOKIE_NAME, key, COOKIE_DAYS, login_sleep_time=0)


def remember_requested_page() -> None:
    """Keep the page the browser asked for, and its filters (the query string), to open them once
    the person has signed in: a shared link opened before signing in shows what it was sent for."""
    if "requested_path" in st.session_state:
        return
    url = st.context.url or ""
    path = urlparse(url).path.strip("/").rsplit("/", 1)[-1]
    st.session_state["requested_path"] = path
    st.session_state["requested_query"] = st.query_params.to_dict()


def _session_start(authenticator: stauth.Authenticate) -> dt.datetime:
    if "signed_in_at" in st.session_state:
        return st.session_state["signed_in_at"]
    token = authenticator.cookie_controller.get_cookie()
    if not token:
        return dt.datetime.min.replace(tzinfo=dt.UTC)
    issued = token["exp_date"] - COOKIE_DAYS * 86400
    started = dt.datetime.fromtimestamp(issued, dt.UTC)
    st.session_state["signed_in_at"] = started
    return started


def _end_session(authenticator: stauth.Authenticate, notice: str | None) -> None:
    if st.session_state.get("authentication_status"):
        authenticator.logout(location="unrendered")
    for key in ("signed_in_at", "user"):
        st.session_state.pop(key, None)
    if notice:
        st.session_state["sign_in_notice"] = notice


def signed_in_user(authenticator: stauth.Authenticate, tenant_id: int) -> User | None:
    """The user of a valid session (from this browser session or its cookie), else None."""
    remember_requested_page()
    try:
        authenticator.login(location="unrendered")
    except LoginError:  # a cookie for a user who is no longer active
        _end_session(authenticator, "Your session has ended. Please sign in again.")
        return None
    username = st.session_state.get("username")
    if not (st.session_state.get("authentication_status") and username):
        return None
    user = auth.session_user(tenant_id, username, _session_start(authenticator))
    if user is None:
        _end_session(authenticator, "Your session has ended. Please sign in again.")
    return user


def sign_in_form(authenticator: stauth.Authenticate, tenant_id: int) -> User | None:
    """The sign-in form; returns the user once signed in, in the same run.

    The cookie is only marked as pending here: it is written by the authenticator's
    component, which must reach the browser in a run that is not cut short by a rerun (the
    router may still switch to the page first asked for). ``write_pending_cookie`` does it.
    """
    form_area = st.empty()
    with form_area.container():
        st.title("Leadline")
        if notice := st.session_state.pop("sign_in_notice", None):
            st.info(notice)
        with st.form("sign-in"):
            username = st.text_input("Username", key="sign-in-username", autocomplete="username")
            password = st.text_input(
                "Password", type="password", key="sign-in-password", autocomplete="current-password"
            )
            submitted = st.form_submit_button("Sign in", type="primary")
        message = st.empty()
        if setup.is_demo_mode():
            st.caption(
                f"Demo: sign in as **rep**, **manager**, **leadership** or **admin** with the password "
                f"`{demo.DEMO_PASSWORD}`."
            )
    if not submitted:
        return None
    result = auth.attempt_sign_in(tenant_id, username, password)
    if result.user is None:
        message.error(result.message)
        return None
    st.session_state["logout"] = False
    authenticator.authentication_controller.login(token={"username": result.user.username})
    st.session_state["cookie_pending"] = True
    st.session_state["signed_in_at"] = dt.datetime.now(dt.UTC)
    form_area.empty()
    return result.user


def write_pending_cookie(authenticator: stauth.Authenticate) -> None:
    """Write the session cookie a sign-in asked for (call once the run will not rerun)."""
    if st.session_state.pop("cookie_pending", False):
        authenticator.cookie_controller.set_cookie()


def signed_out(authenticator: stauth.Authenticate, user: User) -> bool:
    """A sidebar Sign out button; when pressed, every session of the user ends (cookie too)."""
    st.sidebar.caption(f"Signed in as **{md_line(user.display_name, 60)}** ({label('role', user.role)})")
    if not st.sidebar.button("Sign out", key="sign-out", icon=":material/logout:"):
        return False
    auth.sign_out(user.tenant_id, user.user_id)
    _end_session(authenticator, "You have signed out.")
    st.session_state.pop("requested_path", None)
    st.session_state.pop("requested_query", None)
    return True
