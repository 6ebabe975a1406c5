"""What a browser test of one screen shares: the app served on the session's database for one
tenant of the hand-built world (real users and passwords, not demo mode), and waiting for a run
to end."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from bench import streamlit_server


@contextlib.contextmanager
def serving(database: sa.URL, tenant_slug: str, state: Path) -> Iterator[str]:
    """``streamlit run dashboard.py`` on the database, serving the tenant, state kept in ``state``; its URL."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database.render_as_string(hide_password=False),
        LEADLINE_TENANT=tenant_slug,
        LEADLINE_STATE_DIR=str(state),
    )
    try:
        with streamlit_server.serve(env, state / "streamlit.log") as url:
            yield url
    except streamlit_server.ServerFailed as failure:
        pytest.fail(str(failure))


def settle(tab) -> None:
    """Wait until the app has finished its run."""
    tab.wait_for_timeout(300)
    tab.get_by_test_id("stStatusWidget").wait_for(state="hidden", timeout=60_000)


PHONE = {"width": 390, "height": 844}


def on_a_phone(browser, app_url: str, path: str, username: str, password: str, heading: str):
    """A new 390-px phone context signed in as ``username`` on the screen at ``path``, its run
    over; (context, tab)."""
    from tests.test_browser import sign_in

    context = browser.new_context(viewport=PHONE)
    tab = context.new_page()
    tab.goto(f"{app_url}/{path}")
    sign_in(tab, username, password)
    tab.get_by_role("heading", name=heading).first.wait_for(timeout=60_000)
    settle(tab)
    return context, tab
