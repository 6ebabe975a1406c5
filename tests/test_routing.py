"""Lead routing against real PostgreSQL: the weighted round-robin's shares, leave, deactivation,
caps and the fallback pool; every path that creates a lead without an owner routes it (the form's
write, an import, the HTTP API, a lost lead's re-enquiry when its owner is gone); concurrent
creations take distinct turns in order; the assignment log is on the lead's timeline.

Each test has a tenant of its own (``Floor``), so one test's rules never route another's leads.
"""

from __future__ import annotations

import collections
import concurrent.futures
import datetime as dt
import itertools
import secrets
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db, imports, reports
from data.db import tenants
from data.domain.filters import today_in_india
from data.domain.permissions import SYSTEM
from data.domain.validation import ValidationError
from data.writes import auth, catalog, lead_admin
from data.writes import leads as lead_writes
from data.writes.routing import PoolMember, add_leave, cancel_leave, save_rule
from tests.support.api import client
from tests.support.checks import form_key

SERIAL = itertools.count(1)
TODAY = today_in_india()


@dataclass
class Floor:
    """A tenant with an admin, a manager, four reps (a–d), two sources and a project."""

    tenant_id: int
    ids: dict[str, int] = field(default_factory=dict)


def phone() -> str:
    return f"+91 9{secrets.randbelow(10**9):09d}"


@pytest.fixture
def floor(database) -> Floor:
    number = next(SERIAL)
    built = Floor(tenants.create_tenant(f"routing-{number}-{secrets.token_hex(3)}", "Routing Realty"))
    t = built.tenant_id
    for username, role in (("admin", "admin"), ("manager", "manager"), *((f"rep{c}", "rep") for c in "abcd")):
        built.ids[username] = auth.create_user(t, username, username.title(), role, "floor-password-1").user_id
    admin = built.ids["admin"]
    built.ids["portal"] = catalog.add_source(t, "Online Portal", "99acres", admin)
    built.ids["walk_in"] = catalog.add_source(t, "Walk-in", "Site office", admin)
    built.ids["project"] = catalog.add_project(t, admin, "Lake View", "Pune")
    return built


def members(floor: Floor, weights: dict[str, int], caps: dict[str, int] | None = None) -> list[PoolMember]:
    caps = caps or {}
    return [PoolMember(floor.ids[name], weight, caps.get(name)) for name, weight in weights.items()]


def new_lead(floor: Floor, user: str = "manager", source: str = "portal", **extra) -> int:
    return lead_writes.create_lead(
        floor.tenant_id,
        floor.ids[user],
        name="Routed Buyer",
        phone=phone(),
        lead_source_id=floor.ids[source],
        idempotency_key=form_key(),
        **extra,
    ).lead_id


def owners(floor: Floor, lead_ids: list[int]) -> list[int | None]:
    with db.tenant_transaction(floor.tenant_id) as conn:
        found = dict(
            conn.execute(
                sa.text("select lead_id, owner_user_id from leads where lead_id = any(:ids)"), {"ids": lead_ids}
            ).all()
        )
    return [found[lead_id] for lead_id in lead_ids]


def log_of(floor: Floor, lead_id: int) -> list[sa.Row]:
    with db.tenant_transaction(floor.tenant_id) as conn:
        return conn.execute(
            sa.text("select * from lead_assignments where lead_id = :id order by lead_assignment_id"), {"id": lead_id}
        ).all()


def names(floor: Floor, user_ids) -> collections.Counter:
    by_id = {user_id: name for name, user_id in floor.ids.items()}
    return collections.Counter(by_id.get(user_id) for user_id in user_ids)


# The round-robin -----------------------------------------------------------------------------


def test_weights_1_1_2_over_400_leads_give_100_100_200(floor: Floor) -> None:
    save_rule(
        floor.tenant_id, floor.ids["admin"], name="Portal", position=1, source="Online Portal",
        pool=members(floor, {"repa": 1, "repb": 1, "repc": 2}),
    )  # fmt: skip
    lead_ids = [new_lead(floor) for _ in range(400)]
    shares = names(floor, owners(floor, lead_ids))
    assert abs(shares["repa"] - 100) <= 1 and abs(shares["repb"] - 100) <= 1 and abs(shares["repc"] - 200) <= 1
    assert sum(shares.values()) == 400
    # Smooth: the heavier rep never gets more than two in a row, and the order repeats.
    first_eight = [name for name in names_in_order(floor, owners(floor, lead_ids[:8]))]
    assert first_eight[:4] == first_eight[4:]
    first = log_of(floor, lead_ids[0])[0]
    assert (first.reason, first.pool, first.turn) == ("rule", "primary", 1)


def names_in_order(floor: Floor, user_ids) -> list[str]:
    by_id = {user_id: name for name, user_id in floor.ids.items()}
    return [by_id[user_id] for user_id in user_ids]


def test_a_rep_on_leave_or_deactivated_gets_none(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    save_rule(t, admin, name="Everyone", position=1, pool=members(floor, {"repa": 1, "repb": 1, "repc": 1}))
    leave = add_leave(t, admin, user_id=floor.ids["repa"], first_date=TODAY - dt.timedelta(days=1), last_date=TODAY)
    auth.set_active(t, floor.ids["repb"], False, changed_by=admin)
    lead_ids = [new_lead(floor) for _ in range(6)]
    assert names(floor, owners(floor, lead_ids)) == {"repc": 6}
    # Leave that starts tomorrow, or was called off, does not keep a rep away today.
    cancel_leave(t, admin, leave)
    add_leave(
        t,
        admin,
        user_id=floor.ids["repa"],
        first_date=TODAY + dt.timedelta(days=1),
        last_date=TODAY + dt.timedelta(days=3),
    )
    assert names(floor, owners(floor, [new_lead(floor) for _ in range(4)])) == {"repa": 2, "repc": 2}


def test_daily_caps_are_respected_then_the_fallback_pool_then_nobody(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    save_rule(
        t, admin, name="Capped", position=1,
        pool=members(floor, {"repa": 1, "repb": 1}, caps={"repa": 2, "repb": 1}),
        fallback=members(floor, {"repc": 1}, caps={"repc": 2}),
    )  # fmt: skip
    lead_ids = [new_lead(floor) for _ in range(6)]
    assert names_in_order(floor, owners(floor, lead_ids)[:5]) == ["repa", "repb", "repa", "repc", "repc"]
    assert owners(floor, lead_ids[5:]) == [None]
    assert [log_of(floor, lead_id)[0].reason for lead_id in lead_ids] == [
        "rule", "rule", "rule", "fallback", "fallback", "no_rep",
    ]  # fmt: skip
    nobody = log_of(floor, lead_ids[5])[0]
    assert nobody.user_id is None and nobody.turn is None
    assert "Repa: 2 today (cap 2)" in nobody.detail and "Repc: 2 today (cap 2)" in nobody.detail
    # A manager's hand-assignment counts towards today's cap too.
    save_rule(
        t, admin, name="Capped", position=1, routing_rule_id=nobody.routing_rule_id,
        pool=members(floor, {"repd": 1}, caps={"repd": 1}),
    )  # fmt: skip
    lead_admin.reassign_leads(t, [lead_ids[5]], floor.ids["repd"], changed_by=floor.ids["manager"])
    assert owners(floor, [new_lead(floor)]) == [None]


def test_rules_are_tried_in_order_and_conditions_match(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    save_rule(t, admin, name="Catch-all", position=9, pool=members(floor, {"repd": 1}))
    save_rule(
        t, admin, name="Lake View portal", position=1, source="online portal", subsource="99ACRES",
        project_id=floor.ids["project"], pool=members(floor, {"repa": 1}),
    )  # fmt: skip
    save_rule(t, admin, name="Walk-ins", position=2, source="Walk-in", pool=members(floor, {"repb": 1}))
    matched = new_lead(floor, project_id=floor.ids["project"])
    other_project = new_lead(floor)
    walk_in = new_lead(floor, source="walk_in", project_id=floor.ids["project"])
    assert names_in_order(floor, owners(floor, [matched, other_project, walk_in])) == ["repa", "repd", "repb"]


def test_no_rule_leaves_the_lead_unowned_and_says_so(floor: Floor) -> None:
    lead_id = new_lead(floor)
    assert owners(floor, [lead_id]) == [None]
    assert [(row.reason, row.user_id) for row in log_of(floor, lead_id)] == [("no_rule", None)]


def test_a_rep_keeps_their_own_new_lead_and_a_managers_choice_is_manual(floor: Floor) -> None:
    save_rule(floor.tenant_id, floor.ids["admin"], name="All", position=1, pool=members(floor, {"repa": 1}))
    own = new_lead(floor, user="repb")
    chosen = new_lead(floor, owner_user_id=floor.ids["repc"])
    assert names_in_order(floor, owners(floor, [own, chosen])) == ["repb", "repc"]
    assert log_of(floor, own)[0].reason == "creator"
    manual = log_of(floor, chosen)[0]
    assert (manual.reason, manual.assigned_by) == ("manual", floor.ids["manager"])


def test_the_setup_writes_validate(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    with pytest.raises(ValidationError) as refused:
        save_rule(t, admin, name=" ", position=0, pool=[])
    assert set(refused.value.errors) == {"name", "position", "pool"}
    with pytest.raises(ValidationError) as refused:
        save_rule(t, admin, name="Bad", position=1, pool=members(floor, {"repa": 0, "admin": 1}))
    assert set(refused.value.errors) == {"pool"}
    with pytest.raises(ValidationError) as refused:
        save_rule(t, admin, name="Admins", position=1, pool=members(floor, {"admin": 1}))
    assert refused.value.errors == {"pool": "Choose active reps or managers."}
    save_rule(t, admin, name="Once", position=1, pool=members(floor, {"repa": 1}))
    with pytest.raises(ValidationError) as refused:
        save_rule(t, admin, name="once", position=2, pool=members(floor, {"repa": 1}))
    assert refused.value.errors == {"name": "Another rule has this name."}
    with pytest.raises(ValidationError) as refused:
        add_leave(t, admin, user_id=floor.ids["repa"], first_date=TODAY, last_date=TODAY - dt.timedelta(days=1))
    assert set(refused.value.errors) == {"last_date"}
    with pytest.raises(ValidationError, match="cannot set up lead routing"):
        save_rule(t, floor.ids["manager"], name="Manager's", position=3, pool=members(floor, {"repa": 1}))


# Concurrency ---------------------------------------------------------------------------------


def test_20_concurrent_creations_take_20_distinct_turns_in_order(floor: Floor) -> None:
    rule_id = save_rule(
        floor.tenant_id, floor.ids["admin"], name="Rush", position=1, pool=members(floor, {"repa": 1, "repb": 3})
    )
    with concurrent.futures.ThreadPoolExecutor(max_workers=20) as pool:
        lead_ids = list(pool.map(lambda _: new_lead(floor), range(20)))
    with db.tenant_transaction(floor.tenant_id) as conn:
        log = conn.execute(
            sa.text(
                "select turn, user_id from lead_assignments where routing_rule_id = :id order by lead_assignment_id"
            ),
            {"id": rule_id},
        ).all()
        turns_taken = conn.execute(
            sa.text("select turns_taken from routing_rules where routing_rule_id = :id"), {"id": rule_id}
        ).scalar_one()
    # Distinct, and in the order the log was written: each turn was taken under the rule's lock.
    assert [row.turn for row in log] == list(range(1, 21)) and turns_taken == 20
    # The reps follow the round-robin exactly as if the leads had come one by one.
    assert names_in_order(floor, [row.user_id for row in log]) == ["repb", "repa", "repb", "repb"] * 5
    assert sorted(owners(floor, lead_ids)) == sorted(row.user_id for row in log)


# Every path ----------------------------------------------------------------------------------


def test_an_import_routes_open_leads_without_an_owner(floor: Floor, tmp_path: Path) -> None:
    t = floor.tenant_id
    save_rule(
        t,
        floor.ids["admin"],
        name="Portal",
        position=1,
        source="Online Portal",
        pool=members(floor, {"repa": 1, "repb": 1}),
    )
    path = tmp_path / "leads.csv"
    path.write_text(
        "lead_ref,name,phone,source,subsource,owner,generated_at,status,lost_reason\n"
        f"R-1,One,{phone()},Online Portal,99acres,,2026-07-01 10:00,open,\n"
        f"R-2,Two,{phone()},Online Portal,99acres,,2026-07-01 11:00,open,\n"
        f"R-3,Three,{phone()},Online Portal,99acres,repc,2026-07-01 12:00,open,\n"
        f"R-4,Four,{phone()},Online Portal,99acres,,2026-07-01 13:00,lost,Bought elsewhere\n"
        f"R-5,Five,{phone()},Walk-in,Site office,,2026-07-01 14:00,open,\n",
        encoding="utf-8",
    )
    result = imports.import_file(t, floor.ids["manager"], "leads", path)
    assert result.created == 5 and not result.problems
    with db.tenant_transaction(t) as conn:
        rows = conn.execute(
            sa.text(
                """
                select leads.lead_ref, leads.owner_user_id, lead_assignments.reason
                from leads
                left join lead_assignments on lead_assignments.lead_id = leads.lead_id
                order by leads.lead_ref
                """
            )
        ).all()
    ids = floor.ids
    assert [(row.lead_ref, row.owner_user_id, row.reason) for row in rows] == [
        ("R-1", ids["repa"], "rule"),
        ("R-2", ids["repb"], "rule"),
        ("R-3", ids["repc"], "imported"),
        ("R-4", None, None),  # a lost lead from history is not a new enquiry
        ("R-5", None, "no_rule"),
    ]


def test_a_lost_leads_reenquiry_is_routed_when_its_owner_is_gone(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    lead_id = new_lead(floor, owner_user_id=floor.ids["repd"])
    with db.tenant_transaction(t) as conn:
        conn.execute(
            sa.text("update leads set status = 'lost', lost_reason = 'No budget' where lead_id = :id"), {"id": lead_id}
        )
    kept = new_lead(floor, owner_user_id=floor.ids["repc"])
    with db.tenant_transaction(t) as conn:
        conn.execute(
            sa.text("update leads set status = 'lost', lost_reason = 'No budget' where lead_id = :id"), {"id": kept}
        )
    auth.set_active(t, floor.ids["repd"], False, changed_by=admin)
    save_rule(t, admin, name="Walk-ins", position=1, source="Walk-in", pool=members(floor, {"repb": 1}))
    for lost in (lead_id, kept):
        lead_writes.log_reenquiry(
            t, floor.ids["manager"], lead_id=lost, lead_source_id=floor.ids["walk_in"], idempotency_key=form_key()
        )
    assert names_in_order(floor, owners(floor, [lead_id, kept])) == ["repb", "repc"]
    assert [row.reason for row in log_of(floor, lead_id)] == ["manual", "rule"]
    assert [row.reason for row in log_of(floor, kept)] == ["manual"]  # its owner is still here


def test_the_api_routes_a_new_lead(api_url, api_world, keys) -> None:
    t = api_world.alpha
    boss = api_world.ids["boss"]
    # A source of this test's own, so the rule routes no other test's leads.
    catalog.add_source(t, "Routing Test", "API feed", boss)
    save_rule(
        t, boss, name="API feed", position=1, source="Routing Test", subsource="API feed",
        pool=[PoolMember(api_world.ids["sara"], 1)],
    )  # fmt: skip
    body = {"name": "Api Buyer", "phone": phone(), "source": "Routing Test", "subsource": "API feed"}
    answer = client(api_url, keys.intake).post("/v1/leads", json=body)
    assert answer.status_code == 201, answer.text
    lead_id = answer.json()["lead_id"]
    with db.tenant_transaction(t) as conn:
        owner, reason = conn.execute(
            sa.text(
                "select leads.owner_user_id, lead_assignments.reason from leads "
                "inner join lead_assignments on lead_assignments.lead_id = leads.lead_id where leads.lead_id = :id"
            ),
            {"id": lead_id},
        ).one()
    assert (owner, reason) == (api_world.ids["sara"], "rule")


# The timeline --------------------------------------------------------------------------------


def test_the_assignment_log_is_on_the_timeline(floor: Floor) -> None:
    t = floor.tenant_id
    save_rule(t, floor.ids["admin"], name="Portal <b>*rule*</b>", position=1, pool=members(floor, {"repa": 1}))
    lead_id = new_lead(floor)
    lead_admin.reassign_leads(t, [lead_id], floor.ids["repb"], changed_by=floor.ids["manager"])
    timeline = reports.lead_timeline.uncached(t, lead_id)
    shown = timeline.assignments[["assigned_to_name", "reason", "rule_name", "pool", "turn", "assigned_by_name"]]
    assert shown.astype(object).where(shown.notna(), None).values.tolist() == [
        ["Repa", "rule", "Portal <b>*rule*</b>", "primary", 1, None],
        ["Repb", "manual", None, None, None, "Manager"],
    ]


def test_the_system_import_routes_too(floor: Floor, tmp_path: Path) -> None:
    # The command line's import (no signed-in user): routed the same, the log names nobody by hand.
    save_rule(floor.tenant_id, floor.ids["admin"], name="All", position=1, pool=members(floor, {"repa": 1}))
    path = tmp_path / "leads.csv"
    path.write_text(
        "lead_ref,name,phone,source,subsource,generated_at\n"
        f"S-1,Cli,{phone()},Online Portal,99acres,2026-07-01 10:00\n",
        encoding="utf-8",
    )
    assert imports.import_file(floor.tenant_id, SYSTEM, "leads", path).created == 1
    with db.tenant_transaction(floor.tenant_id) as conn:
        owner = conn.execute(sa.text("select owner_user_id from leads where lead_ref = 'S-1'")).scalar_one()
    assert owner == floor.ids["repa"]


def test_an_imports_named_owners_do_not_use_up_todays_cap(floor: Floor, tmp_path: Path) -> None:
    path = tmp_path / "history.csv"
    path.write_text(
        "lead_ref,name,phone,source,subsource,owner,generated_at\n"
        f"H-1,Old,{phone()},Online Portal,99acres,repa,2025-07-01 10:00\n",
        encoding="utf-8",
    )
    assert imports.import_file(floor.tenant_id, floor.ids["manager"], "leads", path).created == 1
    save_rule(
        floor.tenant_id,
        floor.ids["admin"],
        name="Capped",
        position=1,
        pool=members(floor, {"repa": 1}, caps={"repa": 1}),
    )
    assert names_in_order(floor, owners(floor, [new_lead(floor)])) == ["repa"]
    assert owners(floor, [new_lead(floor)]) == [None]  # the cap of one is used now


def test_a_rep_sees_no_routing_setup_and_only_their_own_leads_assignments(floor: Floor) -> None:
    t, admin = floor.tenant_id, floor.ids["admin"]
    save_rule(t, admin, name="Pair", position=1, pool=members(floor, {"repa": 1, "repb": 1}))
    add_leave(t, admin, user_id=floor.ids["repc"], first_date=TODAY, last_date=TODAY)
    lead_ids = [new_lead(floor) for _ in range(2)]
    with db.tenant_transaction(db.Scope(t, floor.ids["repa"])) as conn:
        counts = [
            conn.execute(sa.text(f"select count(*) from {table}")).scalar_one()  # names are constants here
            for table in ("routing_rules", "routing_pool_members", "rep_leave")
        ]
        seen = conn.execute(sa.text("select lead_id from lead_assignments")).scalars().all()
    assert counts == [0, 0, 0]
    assert seen == [lead_ids[0]]
