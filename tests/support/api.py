"""The API as a client meets it: the app served by ``streamlit run dashboard.py`` (the ``st.App``
with the API under /api) on the test session's database, called over HTTP with ``requests``.

``api_url`` starts one server for the whole session (only when a test asks for it);
``api_world`` is the hand-built world of tests/support/world.py under the suffix "api", with a
key of every role for alpha and a manager key for beta (``keys``); ``client(api_url, key)`` is
a session that sends the key.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import requests

from bench import streamlit_server
from data import reports
from data.domain.permissions import SYSTEM
from data.writes import api_keys
from tests.support.world import World, add_people, build_world


class Client(requests.Session):
    """A requests session on the API's base address that sends one key (or none)."""

    def __init__(self, base: str, key: str | None) -> None:
        super().__init__()
        self.base = base.rstrip("/")
        if key is not None:
            self.headers["Authorization"] = f"Bearer {key}"

    def request(self, method, url, *args, **kwargs):
        kwargs.setdefault("timeout", 60)
        return super().request(method, self.base + url, *args, **kwargs)


def client(api_url: str, key: str | None) -> Client:
    """A client of the API at ``api_url`` (the app's address) with ``key``."""
    return Client(api_url + "/api", key)


@dataclass(frozen=True)
class Keys:
    """The keys made for the API tests: alpha's intake, reader and manager keys, beta's manager key."""

    intake: str
    reader: str
    manager: str
    beta_manager: str


@pytest.fixture(scope="session")
def api_world(database) -> World:
    """Alpha and beta as tests/support/world.py builds them, for the API tests."""
    built = build_world("api")
    add_people(built)
    reports.clear_report_caches()
    return built


@pytest.fixture(scope="session")
def keys(api_world: World) -> Keys:
    """A key of every role for alpha, and a manager key for beta."""

    def make(tenant_id: int, name: str, role: str) -> str:
        return api_keys.create_api_key(tenant_id, SYSTEM, name=name, role=role).key

    return Keys(
        intake=make(api_world.alpha, "Tests intake", "intake"),
        reader=make(api_world.alpha, "Tests reader", "reader"),
        manager=make(api_world.alpha, "Tests manager", "manager"),
        beta_manager=make(api_world.beta, "Tests beta manager", "manager"),
    )


@pytest.fixture(scope="session")
def api_url(database, tmp_path_factory) -> Iterator[str]:
    """The app (dashboard and API) served on the session's database, as the README runs it."""
    state = tmp_path_factory.mktemp("api-state")
    env = dict(os.environ)
    env.update(DATABASE_URL=database.render_as_string(hide_password=False), LEADLINE_STATE_DIR=str(state))
    try:
        with streamlit_server.serve(env, state / "streamlit.log") as url:
            yield url
    except streamlit_server.ServerFailed as failure:
        pytest.fail(str(failure))
