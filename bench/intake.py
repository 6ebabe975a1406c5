"""The benchmark's intake rows: leads posted to the HTTP API at a steady rate, and the dashboard
timed in a real browser while they arrive (issue 14).

The app is served as the README runs it (one process: the dashboard at /, the API at /api).
Requests are sent open-loop: request *i* is due at ``i / rate`` seconds after the start, whether
or not earlier ones have been answered, so a slow server shows up as latency and as a lower
achieved rate rather than as politely fewer requests. Latency is measured from the moment a
request was due to its answer (a queue in the client counts against the server). The page is
timed from a click on the sidebar to the end of its run, once before the load and three times
during it.
"""

from __future__ import annotations

import concurrent.futures
import os
import secrets
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import requests

from bench import browser as bench_browser
from bench import streamlit_server
from data import db, reports
from data.db import Scope
from data.domain.permissions import SYSTEM
from data.writes import api_keys

# Enough senders that a request is never waiting for a free one at the target rate, given answers
# within a few hundred milliseconds.
SENDERS = 64


@dataclass
class IntakeRun:
    """What one sustained intake run measured."""

    rate: float
    seconds: float
    latencies: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    elapsed: float = 0.0

    @property
    def achieved_rate(self) -> float:
        """Answered requests per second over the whole run."""
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0


# Intake phones run on from a random start among 97xxxxxxxx, so one run's leads are all new
# (the generated tenant's phones are 900xxxxxxx).
_PHONE_BASE = secrets.randbelow(10**8)


def _lead(number: int, source: str, subsource: str) -> dict:
    return {
        "name": f"Bench Intake {number}",
        "phone": f"+91 97{(_PHONE_BASE + number) % 10**8:08d}",
        "source": source,
        "subsource": subsource,
        "external_ref": f"bench-{secrets.token_hex(6)}",
    }


def sustain(api: str, key: str, source: tuple[str, str], rate: float, seconds: float) -> IntakeRun:
    """Post ``rate`` leads a second for ``seconds`` seconds; every latency and status."""
    run = IntakeRun(rate, seconds)
    local = threading.local()
    lock = threading.Lock()
    started = time.perf_counter()

    def send(number: int) -> None:
        due = started + number / rate
        time.sleep(max(0.0, due - time.perf_counter()))
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.headers["Authorization"] = f"Bearer {key}"
        try:
            status = local.session.post(f"{api}/v1/leads", json=_lead(number, *source), timeout=60).status_code
        except requests.RequestException as error:
            status = type(error).__name__
        with lock:
            run.latencies.append(time.perf_counter() - due)
            run.statuses[status] += 1

    with concurrent.futures.ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(send, range(int(rate * seconds))))
    run.elapsed = time.perf_counter() - started
    return run


def measure_intake(measure: Callable, tenant_id: int, tenant_slug: str, seconds: float, rate: float = 100) -> IntakeRun:
    """Serve the app, sustain the intake and time the Funnel page before and during it.

    ``measure(name, call)`` records one timed call (the benchmark's rows); the intake's own
    figures come back in the ``IntakeRun``."""
    key = api_keys.create_api_key(tenant_id, SYSTEM, name=f"bench intake {secrets.token_hex(3)}", role="intake").key
    sources = reports.list_sources(Scope(tenant_id))
    source = (str(sources["source"].iloc[0]), str(sources["subsource"].iloc[0]))
    env = {**os.environ, "LEADLINE_TENANT": tenant_slug}
    if db.is_embedded():
        env["LEADLINE_STATE_DIR"] = str(db.STATE_DIR)
    with tempfile.TemporaryDirectory() as folder, streamlit_server.serve(env, Path(folder) / "streamlit.log") as url:
        pages = bench_browser.PageClock(url, tenant_id) if streamlit_server.CHROMIUM.exists() else None
        if pages is not None:
            measure("page interactive in the browser · Funnel, no intake", lambda: pages.open("Funnel"))
        outcome: dict[str, IntakeRun] = {}
        sender = threading.Thread(
            target=lambda: outcome.setdefault("run", sustain(f"{url}/api", key, source, rate, seconds))
        )
        sender.start()
        if pages is not None:
            for _ in range(3):
                time.sleep(seconds / 4)
                if sender.is_alive():
                    measure(f"page interactive in the browser · Funnel, during {rate:.0f} leads/s", _toggle(pages))
            pages.close()
        sender.join()
    return outcome["run"]


def _toggle(pages) -> Callable[[], None]:
    # A page already open is not re-run by its own link: go via the Overview, timing the Funnel.
    def call() -> None:
        pages.open("Overview")
        pages.open("Funnel")

    return call


def rows(run: IntakeRun) -> list[str]:
    """The intake's lines for docs/performance.md."""
    latencies = sorted(run.latencies)
    p95 = latencies[min(len(latencies) - 1, round(0.95 * (len(latencies) - 1)))] if latencies else float("nan")
    created = run.statuses.get(201, 0)
    others = ", ".join(f"{status}: {count}" for status, count in sorted(run.statuses.items(), key=str) if status != 201)
    met = run.achieved_rate >= 0.98 * run.rate and created == len(latencies)
    return [
        "## Sustained intake through the HTTP API",
        "",
        f"`POST /api/v1/leads` at {run.rate:.0f} leads/s for {run.seconds:.0f} s, open-loop from {SENDERS} "
        "client threads on this machine, against the app served as the README runs it (dashboard and API in "
        "one process); latency from the moment each request was due to its answer.",
        "",
        "| requests | created (201) | other answers | achieved leads/s | median ms | p95 ms | target | met |",
        "|---|---|---|---|---|---|---|---|",
        f"| {len(latencies):,} | {created:,} | {others or 'none'} | {run.achieved_rate:.1f} "
        f"| {statistics.median(latencies) * 1000 if latencies else float('nan'):.0f} | {p95 * 1000:.0f} "
        f"| {run.rate:.0f} leads/s sustained, every lead created | {'yes' if met else '**no**'} |",
        "",
        "The Funnel page's time with no intake and during it is in the table above "
        "(rows 'page interactive in the browser · Funnel, …').",
    ]
