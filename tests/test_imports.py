"""Imports: every example file round-trips into the views, messy files are reported line by
line with the good rows kept, an unusable file imports nothing, and a second import changes
nothing."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db, imports
from data.__main__ import main
from data.db import REPO_ROOT, tenants
from data.domain.permissions import SYSTEM

EXAMPLES = REPO_ROOT / "data" / "examples"
ORDER = list(imports.KINDS)
TABLES = (
    "projects",
    "towers",
    "units",
    "lead_sources",
    "campaigns",
    "campaign_spend",
    "leads",
    "lead_milestones",
    "lead_engagements",
    "customers",
    "bookings",
    "account_ledger",
)


def counts(tenant_id: int) -> dict[str, int]:
    with db.tenant_transaction(tenant_id) as conn:
        return {table: conn.execute(sa.text(f"select count(*) from {table}")).scalar_one() for table in TABLES}


def one(tenant_id: int, sql: str, **params):
    with db.tenant_transaction(tenant_id) as conn:
        return conn.execute(sa.text(sql), params).one()


def cli(kind: str, path: Path, slug: str, *extra: str) -> int:
    return main(["import", kind, str(path), "--tenant", slug, *extra])


@pytest.fixture(scope="module")
def examples() -> tuple[str, int]:
    """A tenant with every example file imported through the command line, in order."""
    slug = "import-examples"
    tenant_id = tenants.create_tenant(slug, "Import Examples")
    for kind in ORDER:
        assert cli(kind, EXAMPLES / f"{kind}.csv", slug) == 0, kind
    return slug, tenant_id


def example(kind: str) -> list[dict[str, str]]:
    with (EXAMPLES / f"{kind}.csv").open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def reached(milestone_type: str) -> int:
    return len({row["lead_ref"] for row in example("milestones") if row["milestone_type"] == milestone_type})


def expected_balances() -> dict[str, Decimal]:
    """Each booking's balance from ledger.csv: debits add, credits subtract, a reversal undoes its entry."""
    sign = {"demand": 1, "debit_note": 1, "refund": 1, "cancellation_charge": 1, "receipt": -1, "credit_note": -1}
    entries = {row["entry_ref"]: row for row in example("ledger")}
    balances: dict[str, Decimal] = {}
    for row in entries.values():
        kind = row["entry_type"]
        effect = -sign[entries[row["reverses_entry_ref"]]["entry_type"]] if kind == "reversal" else sign[kind]
        balances[row["booking_ref"]] = balances.get(row["booking_ref"], Decimal(0)) + effect * Decimal(row["amount"])
    return balances


def test_the_examples_show_in_the_views_as_computed_from_the_files(examples) -> None:
    _, tenant_id = examples
    funnel = one(
        tenant_id,
        "select sum(leads), sum(contacted), sum(qualified), sum(reengaged), sum(site_visited), sum(revisited), "
        "sum(booked), sum(cancelled), sum(net_booked) from v_lead_funnel_analysis",
    )
    bookings = example("bookings")
    booked = {row["lead_ref"] for row in bookings}
    cancelled = {row["lead_ref"] for row in bookings if row["status"] == "cancelled"}
    live = {row["lead_ref"] for row in bookings if row["status"] != "cancelled"}
    assert tuple(funnel) == (
        len(example("leads")),
        reached("contacted"),
        reached("qualified"),
        reached("reengaged"),
        reached("site_visit"),
        reached("revisit"),
        len(booked),
        len(cancelled),
        len(live),
    )
    with db.tenant_transaction(tenant_id) as conn:
        spend = dict(conn.execute(sa.text("select campaign_name, spend from v_campaign_performance")).all())
        balances = dict(
            conn.execute(
                sa.text(
                    "select bookings.booking_ref, summary.balance from v_customer_ledger_summary as summary "
                    "join bookings using (tenant_id, booking_id)"
                )
            ).all()
        )
        inventory = conn.execute(sa.text("select sum(total_units), sum(booked) from v_unit_inventory")).one()
    expected_spend: dict[str, Decimal] = {}
    for row in example("campaign_spend"):
        expected_spend[row["campaign"]] = expected_spend.get(row["campaign"], Decimal(0)) + Decimal(row["amount"])
    assert spend == expected_spend
    assert balances == expected_balances()
    held = {(row["tower"], row["unit_number"]) for row in bookings if row["status"] != "cancelled"}
    assert tuple(inventory) == (len(example("units")), len(held))


def test_importing_every_example_again_changes_nothing(examples) -> None:
    _, tenant_id = examples
    before = counts(tenant_id)
    for kind in ORDER:
        result = imports.import_file(tenant_id, SYSTEM, kind, EXAMPLES / f"{kind}.csv")
        assert (result.created, result.problems, result.unchanged) == (0, [], result.rows_read), kind
    assert counts(tenant_id) == before


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_missing_required_column_is_exit_2_and_imports_nothing(examples, tmp_path: Path, capsys) -> None:
    slug, tenant_id = examples
    before = counts(tenant_id)
    path = write(tmp_path, "units.csv", "project,tower,unit_number,list_price\nNew Park,T1,101,5000000\n")
    assert cli("units", path, slug) == 2
    assert "Missing required columns: floor, unit_type, carpet_area_sqft" in capsys.readouterr().err
    assert counts(tenant_id) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("units.xls", b"\xd0\xcf\x11\xe0", "old .xls"),
        ("units.pdf", b"%PDF-1.4", "neither a CSV nor an XLSX"),
        ("units.csv", "project,tower,floor\nPune Heights,T1,1\n".encode("utf-16"), "not UTF-8"),
        ("units.csv", b"", "empty"),
    ],
)
def test_an_unusable_file_is_exit_2(examples, tmp_path: Path, capsys, name: str, content: bytes, message: str) -> None:
    slug, tenant_id = examples
    before = counts(tenant_id)
    path = tmp_path / name
    path.write_bytes(content)
    assert cli("units", path, slug) == 2
    assert message in capsys.readouterr().err
    assert counts(tenant_id) == before


MESSY_UNITS = (
    "\ufeffProject , Tower,Floor,Unit Number,Unit Type,Carpet Area Sqft,List Price,Status,Remarks\n"
    'Lake View,T1,1,101,2 bhk,850,"65,00,000",Available,corner\n'  # 2: good (case, spaces, grouping)
    "Lake View,T1,1,102,2BHK,2100 - 2850,6500000,available,\n"  # 3: an area range
    "\n"  # 4: blank
    "Lake View,T1,2,201,3BHK,34.46Sq. Meter,9000000,available,\n"  # 5: square metres
    ",T1,2,202,3BHK,1200,9000000,available,\n"  # 6: blank project
    'Lake View,T2,3,301,2BHK,"1,050 sq ft","₹ 70,00,000",blocked,"quoted, comma"\n'  # 7: good
    "Lake View,T2,3,302,5BHK,900,7000000,available,\n"  # 8: unknown type
)


def test_a_messy_units_file_reports_exactly_its_bad_lines(examples, tmp_path: Path) -> None:
    slug, tenant_id = examples
    report = tmp_path / "report.csv"
    assert cli("units", write(tmp_path, "lake.csv", MESSY_UNITS), slug, "--report", str(report)) == 1
    lines = report.read_text(encoding="utf-8-sig").splitlines()
    assert [line.split(",")[:2] for line in lines[1:]] == [
        ["3", "carpet_area_sqft"],
        ["5", "carpet_area_sqft"],
        ["6", "project"],
        ["8", "unit_type"],
    ]
    assert "is a range" in lines[1] and "square metres" in lines[2]
    good = one(
        tenant_id,
        "select count(*), sum(list_price), min(unit_type), sum(carpet_area_sqft) from units "
        "join projects using (tenant_id, project_id) where projects.name = 'Lake View'",
    )
    assert tuple(good) == (2, Decimal("13500000.00"), "2BHK", Decimal("1900.00"))


MESSY_LEADS = (
    "lead_ref,name,phone,email,project,unit_type,budget,source,subsource,campaign,owner,generated_at,status,lost_reason\n"
    'M-1,Good One,+91 98450 22001,,Lake View,,"1,20,00,000",Online Portal,Housing.com,,,31/07/2026 14:05,open,\n'
    "M-2,Bad Phone,12345,,,,,Online Portal,Housing.com,,,2026-07-31,open,\n"
    "M-3,Bad Date,9845022003,,,,,Online Portal,Housing.com,,,31st July,open,\n"
    "M-4,Bad Campaign,9845022004,,,,,Online Portal,Housing.com,No Such Campaign,,2026-07-31,open,\n"
    "M-5,Same Phone,098450 22001,,,,,Walk-in,Site office,,,2026-08-01,open,\n"
    "M-6,Bad Email,9845022006,not-an-email,,,,Online Portal,Housing.com,,,2026-08-01,open,\n"
    "M-7,Good Two,9845022007,m7@example.com,,,,Online Portal,Housing.com,,,01-08-2026,lost,Bought elsewhere\n"
)


def test_a_messy_leads_file_keeps_the_good_rows(examples, tmp_path: Path) -> None:
    _, tenant_id = examples
    result = imports.import_file(tenant_id, SYSTEM, "leads", write(tmp_path, "leads.csv", MESSY_LEADS))
    assert sorted((problem.line, problem.column) for problem in result.problems) == [
        (3, "phone"),
        (4, "generated_at"),
        (5, "campaign"),
        (6, "phone"),
        (7, "email"),
    ]
    assert (result.created, result.exit_status) == (2, 1)
    refs = one(tenant_id, "select string_agg(lead_ref, ',' order by lead_ref) from leads where lead_ref like 'M-%'")
    assert refs[0] == "M-1,M-7"


def test_history_rows_that_break_the_rules_are_rejected(examples, tmp_path: Path) -> None:
    _, tenant_id = examples
    milestones = (
        "lead_ref,milestone_type,occurred_at,outcome\n"
        "CRM-1002,booking,2026-07-01 10:00,\n"  # 2: bookings come from the bookings file
        "CRM-9999,contacted,2026-07-01 10:00,\n"  # 3: no such lead
        "CRM-1003,revisit,2026-07-05 10:00,\n"  # 4: before CRM-1003's first visit (10 July)
        "CRM-1002,site-visit,2026-05-01 10:00,\n"  # 5: before the lead was generated
        "CRM-1002,promoted,2026-07-01 10:00,\n"  # 6: unknown type
        "CRM-1002,Revisit,2026-07-02 10:00,Positive\n"  # 7: good (after the 28 June visit)
    )
    result = imports.import_file(tenant_id, SYSTEM, "milestones", write(tmp_path, "m.csv", milestones))
    assert sorted((problem.line, problem.column) for problem in result.problems) == [
        (2, "milestone_type"),
        (3, "lead_ref"),
        (4, "milestone_type"),
        (5, "occurred_at"),
        (6, "milestone_type"),
    ]
    assert result.created == 1
    ledger = (
        "entry_ref,booking_ref,entry_date,entry_type,amount,due_date,reference,reverses_entry_ref\n"
        "X-1,BK-503,2026-09-06,demand,100000,,,\n"  # 2: a demand needs a due date
        "X-2,BK-503,2026-09-06,reversal,410000,,,L-13\n"  # 3: good: reverses the booking receipt
        "X-3,BK-503,2026-09-07,reversal,410000,,,L-13\n"  # 4: already reversed (by X-2)
        "X-4,BK-999,2026-09-07,receipt,1000,,,\n"  # 5: no such booking
        "L-3,BK-501,2026-07-10,receipt,650000,,NEFT-88121,\n"  # 6: conflicts with the existing L-3
    )
    result = imports.import_file(tenant_id, SYSTEM, "ledger", write(tmp_path, "l.csv", ledger))
    assert sorted((problem.line, problem.column) for problem in result.problems) == [
        (2, "due_date"),
        (4, "reverses_entry_ref"),
        (5, "booking_ref"),
        (6, "entry"),
    ]
    assert "650000.00" in result.problems[-1].reason and result.created == 1


def test_a_unit_can_be_booked_cancelled_and_booked_again_in_one_file(examples, tmp_path: Path) -> None:
    _, tenant_id = examples
    bookings = (
        "booking_ref,lead_ref,project,tower,unit_number,booking_date,agreement_value,booking_amount,status,cancelled_at\n"
        "R-1,CRM-1002,Skyline Residency,A,A-201,2026-09-01,9000000,900000,cancelled,2026-09-10 10:00\n"
        "R-2,CRM-1006,Skyline Residency,A,A-201,2026-09-20,9100000,910000,confirmed,\n"
        "R-3,CRM-1002,Skyline Residency,A,A-201,2026-09-25,9100000,910000,confirmed,\n"  # taken by R-2
    )
    result = imports.import_file(tenant_id, SYSTEM, "bookings", write(tmp_path, "b.csv", bookings))
    assert sorted((problem.line, problem.column) for problem in result.problems) == [(4, "unit_number")]
    status = one(
        tenant_id,
        "select units.status, (select count(*) from bookings where unit_id = units.unit_id and status <> 'cancelled') "
        "from units where unit_number = 'A-201'",
    )
    assert tuple(status) == ("booked", 1)


def test_a_dry_run_counts_but_saves_nothing(examples, tmp_path: Path) -> None:
    slug, tenant_id = examples
    before = counts(tenant_id)
    path = write(
        tmp_path,
        "units.csv",
        "project,tower,floor,unit_number,unit_type,carpet_area_sqft,list_price\nDry Park,D1,1,1,studio,400,2500000\n",
    )
    assert cli("units", path, slug, "--dry-run") == 0
    assert counts(tenant_id) == before


def test_an_xlsx_file_imports_like_its_csv(tmp_path: Path) -> None:
    import openpyxl

    tenant_id = tenants.create_tenant("import-xlsx", "Import XLSX")
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["project", "tower", "floor", "unit_number", "unit_type", "carpet_area_sqft", "list_price"])
    sheet.append(["Excel Park", "E1", 1, "E-101", "2BHK", 900.0, 7200000])
    sheet.append(["Excel Park", "E1", 2, "E-201", "3BHK", "1,250", "95,00,000"])
    workbook.save(tmp_path / "units.xlsx")
    result = imports.import_file(tenant_id, SYSTEM, "units", tmp_path / "units.xlsx")
    assert (result.created, result.problems) == (2, [])
    assert tuple(one(tenant_id, "select count(*), sum(list_price) from units")) == (2, Decimal("16700000.00"))


# One messy file per kind: a BOM, an extra column, a blank line, a quoted comma, and bad rows
# of the kind's own sorts among good ones. Each case: header, then (row, is_good) pairs.
MESSY = {
    "campaigns": (
        "Name,Source,Subsource,Project,Type,Channel,Budget,Start Date,End Date,Status",
        [
            (
                'Diwali Blitz,Social Media,Instagram,Skyline Residency,Lead ads,"Instagram, Reels","2,50,000",'
                "01/10/2026,31/10/2026,Completed",
                True,
            ),
            ("Bad Dates,Social Media,Instagram,,Lead ads,Instagram,0,2026-10-10,2026-10-01,active", False),
            ("Bad Budget,Social Media,Instagram,,Lead ads,Instagram,1 - 2 lakh,2026-10-10,,active", False),
            (
                "Skyline FB Leads,Social Media,Facebook Lead Ads,Skyline Residency,Lead ads,Facebook,999,"
                "2026-06-15,,active",
                False,
            ),  # conflicts with the example's budget of 2,00,000
        ],
    ),
    "campaign_spend": (
        "campaign,spend_date,amount",
        [
            ('Skyline FB Leads,2026-08-20,"45,000"', True),
            ("No Such Campaign,2026-08-20,1000", False),
            ("Skyline FB Leads,20th Aug,1000", False),
            ("Skyline FB Leads,2026-06-20,41000", False),  # the example spent 40,000 that day
        ],
    ),
    "engagements": (
        "lead_ref,engagement_type,channel,direction,status,occurred_at,duration_seconds,notes",
        [
            ('CRM-1002,Call,phone,Outbound,No Answer,2026-07-01 10:00,0,"rang twice, no answer"', True),
            ("CRM-1002,fax,phone,outbound,completed,2026-07-01 11:00,,", False),
            ("CRM-9999,call,phone,outbound,completed,2026-07-01 11:00,,", False),
            ("CRM-1002,call,phone,outbound,completed,2026-07-01 12:00,-5,", False),
        ],
    ),
    "bookings": (
        "booking_ref,lead_ref,project,tower,unit_number,booking_date,agreement_value,booking_amount,status,"
        "cancelled_at,cancellation_reason",
        [
            ('Q-1,CRM-1002,Skyline Residency,B,B-901,15/09/2026,"2,05,00,000","20,50,000",confirmed,,', True),
            ("Q-2,CRM-1006,Skyline Residency,A,A-101,2026-09-16,6000000,600000,confirmed,,", False),  # BK-501's
            ("Q-3,CRM-1006,Skyline Residency,A,Z-999,2026-09-16,6000000,600000,confirmed,,", False),
            ("Q-4,CRM-1006,Skyline Residency,A,A-102,2026-09-16,6000000,600000,cancelled,,", False),
        ],
    ),
}


@pytest.mark.parametrize("kind", sorted(MESSY))
def test_a_messy_file_of_each_kind_reports_exactly_its_bad_lines(examples, tmp_path: Path, kind: str) -> None:
    _, tenant_id = examples
    header, rows = MESSY[kind]
    lines = [
        "\ufeff" + header + ",Remarks",
        *(f"{row},extra" for row, _ in rows[:1]),
        "",
        *(f"{row}," for row, _ in rows[1:]),
    ]
    before = counts(tenant_id)
    result = imports.import_file(tenant_id, SYSTEM, kind, write(tmp_path, f"{kind}.csv", "\n".join(lines) + "\n"))
    # Line 1 is the header, line 3 the blank line.
    expected_bad = [2 if index == 0 else index + 3 for index, (_, good) in enumerate(rows) if not good]
    assert result.rejected_lines == expected_bad, [(p.line, p.reason) for p in result.problems]
    assert result.created == sum(good for _, good in rows)
    assert result.ignored_columns == ["Remarks"]
    assert result.exit_status == 1
    assert sum(counts(tenant_id).values()) > sum(before.values())


def test_a_rep_cannot_import(tmp_path: Path) -> None:
    from data.domain.validation import ValidationError
    from data.writes import auth

    tenant_id = tenants.create_tenant("import-rep", "Import Rep")
    rep = auth.create_user(tenant_id, "riya", "Riya Rep", "rep", "rep-password-1")
    with pytest.raises(ValidationError, match="cannot import"):
        imports.import_file(tenant_id, rep.user_id, "units", EXAMPLES / "units.csv")
    assert counts(tenant_id)["units"] == 0
