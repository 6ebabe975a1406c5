"""What the page tests of one admin screen share: the app serving a tenant of the hand-built
world, and a user signed in on the screen (AppTest)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

from streamlit.testing.v1 import AppTest

from data import reports
from tests.support.world import World, add_people, build_world
from tests.test_pages import signed_in


@contextlib.contextmanager
def serving_world(suffix: str) -> Iterator[World]:
    """The world of ``suffix`` with its people, its alpha tenant the one the app serves meanwhile."""
    built = build_world(suffix)
    add_people(built)
    os.environ["LEADLINE_TENANT"] = f"alpha-{suffix}"
    reports.clear_report_caches()
    try:
        yield built
    finally:
        os.environ.pop("LEADLINE_TENANT", None)


def opened(page: str, username: str = "boss") -> AppTest:
    """The user signed in, on the page, with no exception raised."""
    app = signed_in(username)
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app
