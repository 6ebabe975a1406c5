"""The API application: FastAPI with its documentation served from a package (no CDN; this
works with no internet), every refusal in one shape, and the limits in front.

``mounted()`` is what ``dashboard.py`` mounts at ``/api`` in the ``st.App``; tests and the
benchmark call the API over HTTP on the served app, never this object directly.
"""

from __future__ import annotations

import contextlib
import re

import anyio
from fastapi import FastAPI
from fastapi_offline import FastAPIOffline
from starlette.routing import Mount

from api import errors, limits
from api.routes import activity, bookings, campaigns, intake, leads, ledger, reports
from data.db import setup

DESCRIPTION = """\
Leadline's HTTP API: leads arriving from portals, ad platforms and websites, their milestones
and engagements, bookings and the customer ledger, campaigns, and the reports the dashboard
shows. Every call needs an API key (`Authorization: Bearer ll_…`) made by an admin under
Integrations; the key acts for one tenant as its role (`intake`, `reader` or `manager`).

Refusals are answered `{"errors": {field: message}}`: 422 with the same messages the forms show,
403 when the key's role may not do it, 404 for an unknown id, 413 for a body over 256 kB, 429 over
the key's rate limit (see `Retry-After`). Amounts are rupees: a body may give them as a string
("85,00,000" or "8500000.00") or a number, and they are stored exactly (numeric); report rows give
them as the dashboard computes them, numbers with at most two decimals.
"""

ROUTERS = (
    leads.router,
    activity.router,
    bookings.router,
    ledger.router,
    campaigns.router,
    reports.router,
    intake.router,
)


def create_api() -> FastAPI:
    """The FastAPI application with every endpoint."""
    app = FastAPIOffline(
        title="Leadline API",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    errors.install(app)
    for router in ROUTERS:
        app.include_router(router)
    return app


def mounted(prefix: str = "/api") -> Mount:
    """The API mounted at ``prefix``: the application behind its limits.

    Starlette's Mount matches its path with ``.*``, which stops at a line break, so a path with
    an encoded one (``/api/v1/intake/a%0Ab/c``) would fall through to a plain-text 404 outside the
    API; here the whole rest of the path, whatever it holds, goes to the API, which answers in
    its own shape."""
    mount = Mount(prefix, app=limits.Limits(create_api()))
    mount.path_regex = re.compile(mount.path_regex.pattern, re.DOTALL)
    return mount


@contextlib.asynccontextmanager
async def lifespan(_app):
    """At start-up, before the first request: migrate (and seed the demo when in demo mode), so
    the API answers on a fresh machine even before anyone opens the dashboard."""
    await anyio.to_thread.run_sync(setup.prepare_database)
    yield
