"""The API's limits over HTTP: the body cap (declared or streamed), the per-key rate limit with
Retry-After, the docs served with no internet, and the statement time limit the API sets."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from api import limits
from data import db
from data.domain.permissions import SYSTEM
from data.writes import api_keys
from tests.support.api import client


def _leads(tenant_id: int) -> int:
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text("select count(*) from leads")).scalar_one()


def test_a_body_over_the_cap_is_refused_before_it_is_read(api_url, api_world, keys) -> None:
    api = client(api_url, keys.intake)
    before = _leads(api_world.alpha)
    big = {"name": "x", "phone": "+91 98450 00001", "source": "Online Portal", "subsource": "99acres"}
    big["notes"] = "n" * (limits.BODY_LIMIT + 10)
    answer = api.post("/v1/leads", json=big)
    assert answer.status_code == 413
    assert answer.json() == {"errors": {"request": "Send at most 256 kB."}}
    # The same body streamed in chunks, with no Content-Length to go by.
    payload = answer.request.body

    def chunks():
        for start in range(0, len(payload), 65_536):
            yield payload[start : start + 65_536]

    streamed = api.post("/v1/leads", data=chunks(), headers={"Content-Type": "application/json"})
    assert streamed.status_code == 413
    assert _leads(api_world.alpha) == before


def test_a_key_over_its_rate_limit_gets_429_with_retry_after(api_url, api_world) -> None:
    made = api_keys.create_api_key(api_world.alpha, SYSTEM, name="Slow portal", role="reader", rate_limit_per_minute=60)
    api = client(api_url, made.key)
    # Sixty a minute, ten seconds' burst: ten calls pass, the eleventh waits.
    answers = [api.get(f"/v1/leads/{api_world.ids['l1']}") for _ in range(11)]
    assert [answer.status_code for answer in answers[:10]] == [200] * 10
    assert answers[10].status_code == 429
    assert 1 <= int(answers[10].headers["Retry-After"]) <= 2
    assert "60 requests a minute" in answers[10].json()["errors"]["request"]


def test_the_rate_limit_is_checked_when_a_key_is_made() -> None:
    with pytest.raises(Exception, match="requests a minute"):
        api_keys.create_api_key(1, SYSTEM, name="x", role="reader", rate_limit_per_minute=0)


def test_the_interactive_docs_need_no_internet(api_url) -> None:
    page = client(api_url, None).get("/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert assets and all(asset.startswith("/api/") for asset in assets), assets
    for asset in assets:
        assert client(api_url, None).get(asset.removeprefix("/api")).status_code == 200, asset


def test_each_statement_of_a_request_is_held_to_the_time_limit(api_world) -> None:
    token = db.statement_timeout_ms.set(100)
    try:
        with (
            pytest.raises(sa.exc.OperationalError, match="statement timeout"),
            db.tenant_transaction(api_world.alpha) as conn,
        ):
            conn.execute(sa.text("select pg_sleep(1)"))
    finally:
        db.statement_timeout_ms.reset(token)
    with db.tenant_transaction(api_world.alpha) as conn:  # outside a request: the server's setting
        assert conn.execute(sa.text("select pg_sleep(0.2)")).one()
