"""The report reads' cache: registered by the decorator that caches, forgotten per tenant on a
write, here and in other processes, and never shared as a mutable object."""

from __future__ import annotations

import ast
import datetime as dt
import inspect
import os
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from data import db, reports
from data.db import REPO_ROOT, Scope
from data.domain.filters import IST, ReportFilters, today_in_india
from data.reports import cache
from data.writes import activity, lead_admin, ledger
from tests.support.world import World, add_people, build_world

# Reads that stay uncached, and why.
UNCACHED = {
    "audit_entries": "the audit log is read by admins looking for what just happened",
    "audit_entries_in_words": "the audit log is read by admins looking for what just happened",
    "list_units": "setup lists: admins change and read them at once",
    "list_towers": "setup lists: admins change and read them at once",
    "list_sources": "setup lists: admins change and read them at once",
    "list_users": "setup lists: admins change and read them at once",
    "list_working_hours": "setup lists: admins change and read them at once",
    "account_figures": "the cancellation form shows the very figures the cancellation is checked against",
    "lead_mappings": "saving an import mapping does not call data_changed; admins save and choose it at once",
    "routing_rules": "setup lists: admins change and read them at once",
    "routing_pool_members": "setup lists: admins change and read them at once",
    "current_leave": "setup lists: admins change and read them at once",
    "stale_thresholds": "setup lists: managers change and read them at once",
}
# The only caches the code may keep besides cached_read: engines and the embedded server
# (functools.cache in data/db/__init__.py), and the database's one-time preparation per process.
CACHE_DECORATORS = ("cache_data", "cache_resource", "cache", "lru_cache")
OTHER_CACHES = {("data/db/__init__.py", "functools.cache"), ("ui/session.py", "st.cache_resource")}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("cache")
    add_people(built)
    reports.clear_report_caches()
    yield built


def test_every_read_the_reports_export_is_cached_and_registered_or_said_to_be_fresh() -> None:
    reads = {
        name
        for name in reports.__all__
        if inspect.isfunction(getattr(reports, name))
        and getattr(reports, name).__module__.startswith("data.reports.")
        and name not in ("clear_report_caches", "data_changed")
    }
    registered = {read.__name__ for read in reports.CACHED_READS.values()}
    assert reads - registered == set(UNCACHED), "a read is neither cached (cached_read) nor listed in UNCACHED"
    assert all(hasattr(read, "uncached") for read in reports.CACHED_READS.values())


def test_no_other_cache_is_kept_anywhere() -> None:
    found = set()
    for folder in ("data", "ui", "pages"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.Attribute) and node.attr in CACHE_DECORATORS:
                    base = node.value.id if isinstance(node.value, ast.Name) else "?"
                    found.add((str(path.relative_to(REPO_ROOT)), f"{base}.{node.attr}"))
    assert found <= OTHER_CACHES, found - OTHER_CACHES


def test_the_data_layer_imports_no_streamlit() -> None:
    for path in sorted((REPO_ROOT / "data").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            assert not [name for name in names if name.split(".")[0].startswith("streamlit")], path


def test_the_cli_help_prints_only_its_usage() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "data", "--help"], cwd=REPO_ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0
    assert done.stdout.startswith("usage: python -m data")
    assert done.stderr == ""


def _leads(world: World, tenant_id: int) -> int:
    return int(reports.funnel(tenant_id, ReportFilters.last_months(120, today_in_india())).stages["leads"].iloc[0])


def _add_lead_behind_the_caches_back(tenant_id: int, name: str) -> None:
    """A lead inserted straight into the database, so no write tells the cache."""
    with db.tenant_transaction(tenant_id) as conn:
        source = conn.execute(sa.text("select min(lead_source_id) from lead_sources")).scalar_one()
        conn.execute(
            sa.text(
                "insert into leads (tenant_id, name, phone, lead_source_id, generated_at) "
                "values (:tenant, :name, '+9197' || lpad((random() * 1e8)::bigint::text, 8, '0'), :source, now())"
            ),
            {"tenant": tenant_id, "name": name, "source": source},
        )


def test_a_write_forgets_only_its_own_tenants_reads(world: World) -> None:
    alpha, beta = _leads(world, world.alpha), _leads(world, world.beta)
    _add_lead_behind_the_caches_back(world.alpha, "Hidden Alpha")
    _add_lead_behind_the_caches_back(world.beta, "Hidden Beta")
    assert (_leads(world, world.alpha), _leads(world, world.beta)) == (alpha, beta)  # both cached
    reports.data_changed(world.alpha)
    assert (_leads(world, world.alpha), _leads(world, world.beta)) == (alpha + 1, beta)  # beta still cached
    reports.data_changed(world.beta)
    assert _leads(world, world.beta) == beta + 1


def test_a_caller_changing_what_it_got_changes_nothing_for_the_next(world: World) -> None:
    first = reports.filter_options(world.alpha).projects
    first["name"] = "changed by a caller"
    assert "changed by a caller" not in reports.filter_options(world.alpha).projects["name"].tolist()


def test_a_visit_a_reassignment_and_a_receipt_show_on_the_very_next_read(world: World) -> None:
    rep = Scope(world.alpha, owner_user_id=world.ids["rep"])
    before = reports.lead_timeline(rep, world.ids["l4"]).milestones
    activity.log_milestone(
        rep,
        world.ids["rep"],
        lead_id=world.ids["l4"],
        milestone_type="negotiation",
        occurred_at=dt.datetime.now(IST) - dt.timedelta(minutes=1),
        idempotency_key="cache-visit-1",
    )
    assert len(reports.lead_timeline(rep, world.ids["l4"]).milestones) == len(before) + 1

    mine = reports.lead_list(rep, ReportFilters.last_months(120, today_in_india()))
    lead_admin.reassign_leads(world.alpha, [world.ids["l4"]], world.ids["sara"], changed_by=world.ids["mona"])
    again = reports.lead_list(rep, ReportFilters.last_months(120, today_in_india()))
    assert again.total_leads == mine.total_leads - 1

    booking_id = world.ids["b2"]  # a live booking (b1 is cancelled: its account is closed)
    statement = reports.account_statement(world.alpha, booking_id)
    ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=booking_id,
        entry_type="debit_note",
        amount="1,000",
        entry_date=today_in_india(),
        notes="cache test",
        idempotency_key="cache-debit-note-1",
    )
    assert len(reports.account_statement(world.alpha, booking_id)) == len(statement) + 1


def test_a_write_in_another_process_reaches_this_processs_cache(world: World, database) -> None:
    before = _leads(world, world.alpha)
    script = (
        "import datetime as dt, sys\n"
        "from data.writes import leads\n"
        "leads.create_lead(int(sys.argv[1]), int(sys.argv[2]), name='From another process', "
        "phone='+91 96000 00077', lead_source_id=int(sys.argv[3]), idempotency_key='cache-other-process')\n"
    )
    env = {**os.environ, "DATABASE_URL": database.render_as_string(hide_password=False)}
    args = [str(world.alpha), str(world.ids["mona"]), str(world.ids["s1"])]
    subprocess.run([sys.executable, "-c", script, *args], cwd=REPO_ROOT, env=env, check=True, timeout=120)
    # The notification arrives within moments; the TTL would take five minutes.
    deadline = time.monotonic() + 20
    while _leads(world, world.alpha) == before and time.monotonic() < deadline:
        time.sleep(0.2)
    assert _leads(world, world.alpha) == before + 1
    assert cache.TTL_SECONDS >= 60  # so the assertion above was the notification, not the TTL
