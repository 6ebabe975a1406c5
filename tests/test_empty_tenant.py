"""A tenant with no data yet: every page shows an empty state or an empty table, never a traceback."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from data import reports
from data.db import REPO_ROOT, tenants
from data.writes import auth
from tests.test_pages import signed_in

PASSWORD = "empty-tenant-password"
PAGES = sorted(path.stem for path in (REPO_ROOT / "pages").glob("*.py"))


@pytest.fixture(scope="module", autouse=True)
def empty_tenant() -> Iterator[None]:
    tenant_id = tenants.create_tenant("empty-co", "Empty Co")
    auth.create_user(tenant_id, "founder", "First Admin", "admin", PASSWORD)
    os.environ["LEADLINE_TENANT"] = "empty-co"
    reports.clear_report_caches()
    yield
    os.environ.pop("LEADLINE_TENANT", None)


@pytest.mark.parametrize("page", PAGES)
def test_every_page_of_an_empty_tenant_renders(page: str) -> None:
    app = signed_in("founder", PASSWORD)
    app.switch_page(f"pages/{page}.py").run()
    assert not app.exception, [error.value for error in app.exception]


def test_analysis_pages_explain_that_there_is_nothing_yet() -> None:
    app = signed_in("founder", PASSWORD)
    for page in ("overview", "funnel", "sources", "campaigns", "ledger", "leads"):
        app.switch_page(f"pages/{page}.py").run()
        assert app.info, f"{page} shows no empty-state message"
        assert not app.get("plotly_chart"), f"{page} draws an empty chart"
