"""docs/api.md works as written: every ``sh`` block of it, run in order by bash (one shell, so a
variable one block sets is there for the next), against the app served in demo mode on a fresh
database, as ``python3 leadline.py run`` serves it on a fresh machine. Only the address and the
database differ: ``LEADLINE`` names the served app, as the document's first block says."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator

import pytest

from bench import streamlit_server
from data.db import REPO_ROOT
from tests.conftest import new_database

DOCUMENT = REPO_ROOT / "docs" / "api.md"


def shell_blocks(text: str) -> list[str]:
    """The ``sh`` code blocks of a Markdown text, in order."""
    return re.findall(r"```sh\n(.*?)```", text, flags=re.DOTALL)


@pytest.fixture(scope="module")
def demo_app(server_url, tmp_path_factory) -> Iterator[tuple[str, dict[str, str]]]:
    """The app in demo mode on a database of its own; its address and environment."""
    state = tmp_path_factory.mktemp("docs-state")
    with new_database(server_url) as url:
        env = dict(os.environ)
        env.update(
            DATABASE_URL=url.render_as_string(hide_password=False), LEADLINE_DEMO="1", LEADLINE_STATE_DIR=str(state)
        )
        env.pop("LEADLINE_TENANT", None)
        try:
            with streamlit_server.serve(env, state / "streamlit.log") as address:
                yield address, env
        except streamlit_server.ServerFailed as failure:
            pytest.fail(str(failure))


def test_every_example_of_the_api_document_runs_as_written(demo_app) -> None:
    address, env = demo_app
    blocks = shell_blocks(DOCUMENT.read_text())
    assert len(blocks) >= 10
    script = "set -euo pipefail\n" + "\n".join(blocks)
    done = subprocess.run(
        ["bash", "-c", script],
        cwd=REPO_ROOT,
        env={**env, "LEADLINE": address, "PATH": f"{REPO_ROOT / '.venv' / 'bin'}:{env['PATH']}"},
        capture_output=True,
        text=True,
        timeout=600,
    )
    # The examples call curl with --fail-with-body: an answer of 400 or more ends the script.
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
