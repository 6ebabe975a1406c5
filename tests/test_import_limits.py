"""Hostile input changes nothing and says why: an import's limits are checked before its rows
are, every file it cannot read is exit status 2 with one line and no traceback, a second import
of the same kind for the tenant is refused at once, a lost connection is exit status 3 with
nothing half-written; a form key another user already used is refused in words; a mapping's
name holding a control character is refused with a message.

The command line runs as a subprocess (as an operator runs it), against the session's database.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import os
import re
import subprocess
import sys
import time
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db, imports
from data.db import REPO_ROOT, Scope, tenants
from data.domain.permissions import SYSTEM
from data.domain.validation import ValidationError
from data.imports import mappings, source
from data.writes import activity, auth
from data.writes import leads as lead_writes
from data.writes.common import KEY_USED_BY_SOMEONE_ELSE, now
from tests.support.checks import form_key, row_counts

UNITS_HEADER = "project,tower,floor,unit_number,unit_type,carpet_area_sqft,list_price"
LEADS_HEADER = "lead_ref,name,phone,source,subsource,generated_at,status"
TABLES = ("projects", "towers", "units", "lead_sources", "leads", "lead_milestones", "audit_log")
LOCK_WAIT_DEADLINE = 60  # seconds; only a guard against a hung test, never a measured limit


def run_import(kind: str, path: Path, slug: str, *extra: str) -> subprocess.Popen:
    """Start ``python -m data import`` against the session's database."""
    return subprocess.Popen(
        [sys.executable, "-m", "data", "import", kind, str(path), "--tenant", slug, *extra],
        cwd=REPO_ROOT,
        env=dict(os.environ),  # DATABASE_URL points at the session's database
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen) -> tuple[int, str, str]:
    stdout, stderr = process.communicate(timeout=120)
    return process.returncode, stdout, stderr


def assert_one_line(stderr: str, starts: str) -> str:
    """stderr is exactly one line, starting with ``starts``, and no traceback."""
    assert "Traceback" not in stderr and "Error:" not in stderr, stderr
    lines = stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(starts), stderr
    return lines[0]


@pytest.fixture(scope="module")
def tenant() -> tuple[str, int]:
    slug = "import-limits"
    return slug, tenants.create_tenant(slug, "Import Limits")


# --- 1. Limits, checked before the rows ------------------------------------------------------


def small_workbook() -> bytes:
    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(UNITS_HEADER.split(","))
    sheet.append(["Limit Park", "L1", 1, "L-101", "2BHK", 900, 7200000])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def rewrite_member(workbook: bytes, member: str, change) -> bytes:
    """The workbook with one ZIP member's text changed by ``change``."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(workbook)) as original, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as new:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == member:
                data = change(data.decode("utf-8")).encode("utf-8")
            new.writestr(info.filename, data)
    return out.getvalue()


def million_empty_rows(xml: str) -> str:
    """The sheet declaring A1:XFD1048576, with a million empty rows after its data (as a sheet
    saved after a whole column was formatted is)."""
    xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:XFD1048576"/>', xml)
    empty = "".join(f'<row r="{number}"/>' for number in range(3, 1_048_577))
    return xml.replace("</sheetData>", empty + "</sheetData>")


def test_an_xlsx_declaring_a_million_rows_is_refused_at_once(tenant, tmp_path: Path) -> None:
    slug, tenant_id = tenant
    path = tmp_path / "units.xlsx"
    path.write_bytes(rewrite_member(small_workbook(), "xl/worksheets/sheet1.xml", million_empty_rows))
    assert path.stat().st_size > 1_000_000  # megabytes of nothing, as in the issue
    before = row_counts(tenant_id, TABLES)
    started = time.monotonic()
    status, _, stderr = finish(run_import("units", path, slug))
    elapsed = time.monotonic() - started
    assert status == 2
    line = assert_one_line(stderr, "file unusable, nothing imported: ")
    assert "declares 1,048,576 rows and 16,384 columns" in line
    assert elapsed < 5  # the cap: this file used to hold the import for minutes
    assert row_counts(tenant_id, TABLES) == before


def test_an_xlsx_whose_declared_size_is_smaller_than_its_data_imports_every_row(tmp_path: Path) -> None:
    tenant_id = tenants.create_tenant("import-limits-small-dimension", "Small Dimension")

    def add_row(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', '<dimension ref="A1:B1"/>', xml)
        row = (
            '<row r="3"><c r="A3" t="inlineStr"><is><t>Limit Park</t></is></c><c r="B3" t="inlineStr"><is><t>L1</t>'
            '</is></c><c r="C3"><v>2</v></c><c r="D3" t="inlineStr"><is><t>L-201</t></is></c><c r="E3" '
            't="inlineStr"><is><t>3BHK</t></is></c><c r="F3"><v>1200</v></c><c r="G3"><v>9500000</v></c></row>'
        )
        return xml.replace("</sheetData>", row + "</sheetData>")

    path = tmp_path / "units.xlsx"
    path.write_bytes(rewrite_member(small_workbook(), "xl/worksheets/sheet1.xml", add_row))
    result = imports.import_file(tenant_id, SYSTEM, "units", path)
    assert (result.rows_read, result.created, result.problems) == (2, 2, [])


def test_an_xlsx_that_lies_about_its_size_is_still_held_to_the_row_limit(tenant, tmp_path: Path) -> None:
    _, tenant_id = tenant

    def no_dimension_and_a_last_row(xml: str) -> str:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', "", xml)
        return xml.replace("</sheetData>", '<row r="1048576"><c r="A1048576"><v>1</v></c></row></sheetData>')

    path = tmp_path / "units.xlsx"
    path.write_bytes(rewrite_member(small_workbook(), "xl/worksheets/sheet1.xml", no_dimension_and_a_last_row))
    before = row_counts(tenant_id, TABLES)
    with pytest.raises(imports.FileProblem, match="more than 500,000 rows"):
        imports.import_file(tenant_id, SYSTEM, "units", path)
    assert row_counts(tenant_id, TABLES) == before


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tenant, tmp_path: Path, monkeypatch) -> None:
    _, tenant_id = tenant
    path = tmp_path / "units.csv"
    path.write_text(UNITS_HEADER + "\n" + "Limit Park,L1,1,L-1,2BHK,900,7200000\n" * 100, encoding="utf-8")
    # A 200 MB file would only slow the suite; the limit is the same comparison at any size.
    monkeypatch.setattr(source, "MAX_FILE_BYTES", 1024)
    with pytest.raises(imports.FileProblem, match="Leadline imports files of up to"):
        imports.import_file(tenant_id, SYSTEM, "units", path)


# --- 2. Every file it cannot read: status 2, one line --------------------------------------


def _malformed_cell(workbook: bytes) -> bytes:
    return rewrite_member(
        workbook, "xl/worksheets/sheet1.xml", lambda xml: re.sub(r'(<c r="C2"[^>]*>)<v>1</v>', r"\1<v>abc</v>", xml)
    )


def _no_sheet(workbook: bytes) -> bytes:
    return rewrite_member(workbook, "xl/workbook.xml", lambda xml: re.sub(r"<sheets>.*</sheets>", "<sheets/>", xml))


UNREADABLE = {
    "malformed XLSX cell": ("units.xlsx", lambda: _malformed_cell(small_workbook()), "cannot be read"),
    "XLSX with no sheet": ("units.xlsx", lambda: _no_sheet(small_workbook()), "sheet"),
    "not a ZIP": ("units.xlsx", lambda: b"project,tower\nA,B\n", "not a complete ZIP archive"),
    "truncated ZIP": ("units.xlsx", lambda: small_workbook()[:2000], "not a complete ZIP archive"),
    "Latin-1 after the first lines": (
        "units.csv",
        lambda: (
            UNITS_HEADER + "\n" + "Limit Park,L1,1,L-1,2BHK,900,7200000\n" * 5000 + "Café,L1,1,X,2BHK,9,9\n"
        ).encode("latin-1"),
        "not UTF-8 text after line",
    ),
    "UTF-16": ("units.csv", lambda: UNITS_HEADER.encode("utf-16"), "not UTF-8"),
    "NUL in the header": ("units.csv", lambda: b"project,tow\x00er,floor\nA,B,1\n", "control character (U+0000)"),
    "not CSV at all": ("units.csv", lambda: b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "not UTF-8"),
    "a 10,001-character cell": (
        "units.csv",
        lambda: (UNITS_HEADER + "\nLimit Park,L1,1,L-1,2BHK,900,7200000\n" + "x" * 10_001 + ",L1,1,L-2\n").encode(),
        "line 3, column 1 holds 10,001 characters",
    ),
    "101 columns": ("units.csv", lambda: ",".join(f"c{n}" for n in range(101)).encode(), "101 columns"),
    "500,001 rows": ("units.csv", lambda: b"project\n" + b"a\n" * 500_001, "more than 500,000 rows"),
}


@pytest.mark.parametrize("case", list(UNREADABLE))
def test_an_unreadable_file_is_status_2_in_one_line(tenant, tmp_path: Path, case: str) -> None:
    slug, tenant_id = tenant
    name, content, words = UNREADABLE[case]
    path = tmp_path / name
    path.write_bytes(content())
    before = row_counts(tenant_id, TABLES)
    status, stdout, stderr = finish(run_import("units", path, slug))
    assert status == 2, (stdout, stderr)
    line = assert_one_line(stderr, "file unusable, nothing imported: ")
    assert words.lower() in line.lower()
    assert row_counts(tenant_id, TABLES) == before


# --- 3 and 4. One import per tenant and kind; a lost connection --------------------------------


PHONES = itertools.count(1)  # every lead of every file has its own phone (one lead per phone)


def leads_file(tmp_path: Path, prefix: str, rows: int = 5) -> Path:
    path = tmp_path / f"{prefix}.csv"
    lines = [LEADS_HEADER] + [
        f"{prefix}-{number},Buyer {number},+91 97{next(PHONES):08d},Walk-in,Site office,2026-01-0{1 + number % 9},open"
        for number in range(rows)
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _wait_for_blocked_import(process: subprocess.Popen | None = None) -> int:
    """The backend pid of the import, once it waits for the lock the test holds on ``leads``."""
    deadline = time.monotonic() + LOCK_WAIT_DEADLINE
    with db.owner_engine().connect() as conn:
        while time.monotonic() < deadline:
            if process is not None:
                assert process.poll() is None, process.communicate()
            pid = conn.execute(
                sa.text(
                    "select pid from pg_stat_activity where datname = current_database() "
                    "and application_name = 'leadline import leads' and wait_event_type = 'Lock'"
                )
            ).scalar()
            conn.rollback()  # pg_stat_activity is read once per transaction: look again in a new one
            if pid is not None:
                return pid
            time.sleep(0.1)
    raise AssertionError("the import never reached the leads table")


def _holding_leads(owner: sa.Connection) -> None:
    """Hold a lock on ``leads`` that an insert waits for, so an import stays inside its transaction."""
    owner.execute(sa.text("lock table leads in share mode"))


def lead_refs(tenant_id: int, prefix: str) -> list[str]:
    with db.tenant_transaction(tenant_id) as conn:
        refs = conn.execute(
            sa.text("select lead_ref from leads where lead_ref like :prefix order by lead_ref"),
            {"prefix": f"{prefix}-%"},
        )
        return refs.scalars().all()


def test_a_second_import_of_the_same_kind_is_refused_at_once(tenant, tmp_path: Path) -> None:
    slug, tenant_id = tenant
    path = leads_file(tmp_path, "TWICE")
    with db.owner_engine().connect() as owner:
        with owner.begin():
            _holding_leads(owner)
            first = run_import("leads", path, slug)
            _wait_for_blocked_import(first)
            second_status, second_out, second_err = finish(run_import("leads", path, slug))
        first_status, first_out, first_err = finish(first)
    assert second_status == 4, (second_out, second_err)
    assert_one_line(second_err, "An import of leads is already running for this tenant; try again when it finishes.")
    assert (first_status, first_err) == (0, ""), first_out
    assert lead_refs(tenant_id, "TWICE") == [f"TWICE-{number}" for number in range(5)]


def test_two_imports_in_threads_one_imports_the_other_is_told(tenant, tmp_path: Path) -> None:
    _, tenant_id = tenant
    path = leads_file(tmp_path, "THREAD")

    def attempt():
        try:
            return imports.import_file(tenant_id, SYSTEM, "leads", path)
        except imports.ImportBusy as busy:
            return busy

    with db.owner_engine().connect() as owner, ThreadPoolExecutor(2) as pool:
        holding = owner.begin()
        _holding_leads(owner)
        first = pool.submit(attempt)
        _wait_for_blocked_import()
        second = pool.submit(attempt).result()
        holding.commit()  # let the first go on
        first_result = first.result()
    assert isinstance(second, imports.ImportBusy) and second.exit_status == 4
    assert (first_result.created, first_result.problems) == (5, [])
    assert lead_refs(tenant_id, "THREAD") == [f"THREAD-{number}" for number in range(5)]


def test_a_lost_connection_is_status_3_and_nothing_is_written(tenant, tmp_path: Path) -> None:
    slug, tenant_id = tenant
    path = leads_file(tmp_path, "LOST")
    before = row_counts(tenant_id, TABLES)
    with db.owner_engine().connect() as owner:
        with owner.begin():
            _holding_leads(owner)
            process = run_import("leads", path, slug)
            pid = _wait_for_blocked_import(process)
            owner.execute(sa.text("select pg_terminate_backend(:pid)"), {"pid": pid})
        status, _, stderr = finish(process)
    assert status == 3
    assert_one_line(stderr, "database connection lost; nothing was imported")
    assert lead_refs(tenant_id, "LOST") == []
    assert row_counts(tenant_id, TABLES) == before


def test_a_connection_lost_in_the_middle_of_a_large_file_is_status_3(tenant, tmp_path: Path) -> None:
    slug, tenant_id = tenant
    path = leads_file(tmp_path, "LARGE", rows=20_000)
    before = row_counts(tenant_id, TABLES)
    process = run_import("leads", path, slug)
    deadline = time.monotonic() + LOCK_WAIT_DEADLINE
    terminated = False
    with db.owner_engine().connect() as owner:
        while not terminated and process.poll() is None and time.monotonic() < deadline:
            terminated = bool(
                owner.execute(
                    sa.text(
                        "select bool_or(pg_terminate_backend(pid)) from pg_stat_activity "
                        "where datname = current_database() and application_name = 'leadline import leads'"
                    )
                ).scalar()
            )
            owner.commit()
            time.sleep(0.05)
    status, _, stderr = finish(process)
    assert terminated, "the import finished before the test could end its connection"
    assert status == 3
    assert_one_line(stderr, "database connection lost; nothing was imported")
    assert lead_refs(tenant_id, "LARGE") == []
    assert row_counts(tenant_id, TABLES) == before


# --- 5. A form key another user already used -----------------------------------------------


@pytest.fixture(scope="module")
def people():
    tenant_id = tenants.create_tenant("import-limits-keys", "Keys")
    users = {
        username: auth.create_user(tenant_id, username, username.title(), role, "keys-password-1").user_id
        for username, role in (("mona", "manager"), ("ravi", "rep"), ("sara", "rep"), ("boss", "admin"))
    }
    with db.tenant_transaction(tenant_id) as conn:
        source_id = conn.execute(
            sa.text(
                "insert into lead_sources (tenant_id, source, subsource) values (:tenant_id, 'Walk-in', 'Site office') "
                "returning lead_source_id"
            ),
            {"tenant_id": tenant_id},
        ).scalar_one()
    leads = {
        owner: lead_writes.create_lead(
            tenant_id,
            users["mona"],
            name=f"Key Buyer {owner}",
            phone=phone,
            lead_source_id=source_id,
            owner_user_id=users[owner],
            generated_at=now() - dt.timedelta(days=10),
            idempotency_key=form_key(),
        ).lead_id
        for owner, phone in (("ravi", "+91 98111 00001"), ("sara", "+91 98111 00002"))
    }
    return tenant_id, users, leads


def _milestone(scope, user_id, lead_id, key):
    return activity.log_milestone(
        scope, user_id, lead_id=lead_id, milestone_type="qualified", occurred_at=now(), idempotency_key=key
    )


def _visit(scope, user_id, lead_id, key):
    return activity.log_site_visit(
        scope,
        user_id,
        lead_id=lead_id,
        is_done=True,
        occurred_at=now(),
        outcome="positive",
        outcome_reason="liked the layout",
        idempotency_key=key,
        confirm_duplicate=True,
    )


def _call(scope, user_id, lead_id, key):
    return activity.log_engagement(
        scope,
        user_id,
        lead_id=lead_id,
        engagement_type="call",
        direction="outbound",
        status="completed",
        occurred_at=now(),
        idempotency_key=key,
        confirm_duplicate=True,
    )


WRITES = {"milestone": _milestone, "visit": _visit, "call": _call}


@pytest.mark.parametrize("write", list(WRITES))
def test_a_form_key_someone_else_used_is_refused_in_words(people, write: str) -> None:
    tenant_id, users, leads = people
    save = WRITES[write]
    key = form_key()
    saved = save(tenant_id, users["mona"], leads["ravi"], key)
    assert saved.is_new
    assert save(tenant_id, users["mona"], leads["ravi"], key) == type(saved)(saved.row_id, saved.lead_id, False)
    counts = row_counts(tenant_id, ("lead_milestones", "lead_engagements", "audit_log"))
    # Another user who sees the row (an admin; the rep whose lead it is)…
    for user, scope in (("boss", tenant_id), ("ravi", Scope(tenant_id, users["ravi"]))):
        with pytest.raises(ValidationError) as refused:
            save(scope, users[user], leads["ravi"], key)
        assert refused.value.errors == {"idempotency_key": KEY_USED_BY_SOMEONE_ELSE}
    # …and one who cannot see it (another rep, on her own lead).
    with pytest.raises(ValidationError) as refused:
        save(Scope(tenant_id, users["sara"]), users["sara"], leads["sara"], key)
    assert refused.value.errors == {"idempotency_key": KEY_USED_BY_SOMEONE_ELSE}
    assert row_counts(tenant_id, ("lead_milestones", "lead_engagements", "audit_log")) == counts


# --- Mappings -----------------------------------------------------------------------------------


def test_a_mapping_name_or_heading_with_a_control_character_is_refused(people) -> None:
    tenant_id, users, _ = people
    with pytest.raises(ValidationError) as refused:
        mappings.save_mapping(tenant_id, users["mona"], "leads", "99acres\x00export", {"name": "Name"})
    assert "control character (U+0000)" in refused.value.errors["name"]
    with pytest.raises(ValidationError) as refused:
        mappings.save_mapping(tenant_id, users["mona"], "leads", "99acres", {"name": "Na\x00me"})
    assert "control character" in refused.value.errors["columns"]
    assert mappings.saved_mappings(tenant_id, "leads") == {}
