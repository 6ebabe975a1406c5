"""What a person sees: the README's run path served by Streamlit and opened in real Chromium.

The app runs as ``streamlit run dashboard.py`` with no DATABASE_URL and an empty state
folder, so it starts its own embedded PostgreSQL, migrates and seeds the demo, exactly as on
a fresh machine. Screenshots go to test-artifacts/screenshots/ (git-ignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from data.db import REPO_ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = REPO_ROOT / "test-artifacts" / "screenshots"
# The closed network here refuses Chromium's background calls home; don't make them.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, process: subprocess.Popen, log: Path, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"streamlit exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"streamlit did not answer within {seconds} s:\n{log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def app_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A fresh `streamlit run dashboard.py` on the embedded database, as the README runs it."""
    state = tmp_path_factory.mktemp("state")
    log = state / "streamlit.log"
    port = free_port()
    env = {key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "LEADLINE_TENANT")}
    env["LEADLINE_STATE_DIR"] = str(state)
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
    ]
    with log.open("w") as output:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, log)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium)"
        if os.environ.get("LEADLINE_REQUIRE_BROWSER"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def test_overview_shows_demo_figures_without_errors(app_url: str, browser) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(app_url)
    # The first visit migrates and seeds the demo, so allow it time.
    page.get_by_test_id("stMetric").first.wait_for(timeout=120_000)
    page.get_by_test_id("stPlotlyChart").first.wait_for(timeout=30_000)
    assert page.get_by_test_id("stException").count() == 0
    leads_tile = page.get_by_test_id("stMetric").filter(has_text="Leads").first
    leads = int(re.sub(r"\D", "", leads_tile.get_by_test_id("stMetricValue").inner_text()))
    assert leads > 1000  # twelve months of the demo's 3,000 leads over eighteen
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "overview.png"), full_page=True)
    page.close()
