"""Every write × every role, against real PostgreSQL: a role the table allows writes, any other is
refused on "user" with nothing written; and each role's menu is cut from the same table.

The writes are enumerated in ``WRITES`` (action → the write functions that perform it, each with
fresh valid input); a test holds ``WRITES`` to every write action of ``data.domain.permissions``, so a
new action without a case here fails.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
import sqlalchemy as sa

from data import db, imports
from data.db import Scope
from data.domain.filters import today_in_india
from data.domain.permissions import PERMISSIONS, ROLES, SYSTEM, Action, allowed
from data.domain.validation import ValidationError
from data.domain.vocabulary import ACCOUNT_ROLES, DIGEST_KINDS_BY_ROLE, KEY_ROLES
from data.exports import snapshot
from data.imports import mappings
from data.intake.leads import log_rejection
from data.intake.reprocess import reprocess_intake_event
from data.writes import activity, api_keys, auth, bookings, catalog, intake_settings, lead_admin, ledger, routing
from data.writes import digests as digest_writes
from data.writes import leads as lead_writes
from data.writes import stale_leads as stale_writes
from data.writes.common import now
from tests.support.checks import form_key
from tests.support.world import PASSWORD, World, add_people, build_world
from tests.test_browser import DEMO_MENUS
from tests.test_roles import EXPECTED_PAGES
from ui import navigation

TODAY = today_in_india()
SERIAL = itertools.count(1)
# The user of each role in tests/world.py (Ravi is the rep whose leads these writes touch).
ACTOR = {"rep": "rep", "manager": "mona", "leadership": "lena", "admin": "boss"}
USERNAME_ROLE = {"ravi": "rep", "mona": "manager", "lena": "leadership", "boss": "admin"}
IMPORT_FOLDER: list[Path] = []  # where the import cases write their files (set by the fixture)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    built = build_world("permissions")
    add_people(built)
    IMPORT_FOLDER.append(tmp_path_factory.mktemp("permission-imports"))
    return built


def serial() -> int:
    """A number no other call in this run has had, for names, phones and unit numbers."""
    return next(SERIAL)


def fingerprint(world: World, tables: tuple[str, ...]) -> dict[str, object]:
    """Every row of the tables (as text, hashed) and the audit log's length: any write shows."""
    with db.tenant_transaction(world.alpha) as conn:
        found: dict[str, object] = {
            # The table names come from WRITES below, never from input.
            table: conn.execute(
                sa.text(f"select md5(coalesce(string_agg(t::text, ',' order by t::text), '')) from {table} as t")
            ).scalar_one()
            for table in tables
        }
        found["audit rows"] = conn.execute(sa.text("select count(*) from audit_log")).scalar_one()
    return found


# Fresh rows for a write to act on, made by a manager or admin before the write is measured -----


def fresh_lead(world: World, days_old: int = 40) -> int:
    """A new lead of Ravi's (the rep), generated some days ago."""
    number = serial()
    return lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name=f"Permission Buyer {number}",
        phone=f"+91 98230 {number:05d}",
        lead_source_id=world.ids["s2"],
        project_id=world.ids["p2"],
        owner_user_id=world.ids["rep"],
        generated_at=now() - dt.timedelta(days=days_old),
        idempotency_key=form_key(),
    ).lead_id


def fresh_unit(world: World) -> int:
    """A new available unit."""
    return catalog.add_unit(
        world.alpha,
        world.ids["boss"],
        tower_id=world.ids["t2"],
        floor=3,
        unit_number=f"PV-{serial()}",
        unit_type="villa",
        carpet_area_sqft="2400",
        list_price="1,00,00,000",
    )


def fresh_booking(world: World) -> int:
    """A new live booking with 10 L paid."""
    return bookings.book_unit(
        world.alpha,
        world.ids["mona"],
        lead_id=fresh_lead(world),
        unit_id=fresh_unit(world),
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=TODAY - dt.timedelta(days=30),
        plan_code="down-payment",
        payment_mode="rtgs",
        reference=f"RTGS-{serial()}",
        idempotency_key=form_key(),
    ).row_id


def fresh_demand(world: World) -> int:
    return ledger.add_entry(
        world.alpha,
        world.ids["mona"],
        booking_id=fresh_booking(world),
        entry_type="demand",
        amount="50,000",
        entry_date=TODAY,
        due_date=TODAY + dt.timedelta(days=30),
        idempotency_key=form_key(),
    ).ledger_entry_id


def fresh_user(world: World) -> int:
    """A new rep, made by the system path (as fixtures and the command line make users)."""
    return auth.create_user(world.alpha, f"person{serial()}", "Fresh Person", "rep", PASSWORD).user_id


def scope_of(world: World, role: str, user_id: int) -> Scope:
    """The scope a signed-in user of the role writes in (a rep: their own leads)."""
    return Scope(world.alpha, user_id if role == "rep" else None)


# The writes ------------------------------------------------------------------------------------

# prepare(world, role) makes the fresh rows the write needs and returns the write, given the actor.
Prepare = Callable[[World, str], Callable[[int], object]]


@dataclass(frozen=True)
class Write:
    """One write function, the tables it changes, and how to call it with fresh valid input."""

    name: str
    tables: tuple[str, ...]
    prepare: Prepare


def _create_lead(world: World, role: str):
    number = serial()
    return lambda user: lead_writes.create_lead(
        world.alpha,
        user,
        name=f"Walk-in {number}",
        phone=f"+91 98231 {number:05d}",
        lead_source_id=world.ids["s2"],
        idempotency_key=form_key(),
    )


def _reengage(world: World, role: str):
    lead_id = fresh_lead(world)
    return lambda user: lead_writes.log_reenquiry(
        world.alpha, user, lead_id=lead_id, lead_source_id=world.ids["s1"], idempotency_key=form_key()
    )


def _reassign(world: World, role: str):
    lead_id = fresh_lead(world)
    return lambda user: lead_admin.reassign_leads(world.alpha, [lead_id], world.ids["sara"], changed_by=user)


def _visit(world: World, role: str):
    lead_id = fresh_lead(world)
    return lambda user: activity.log_site_visit(
        scope_of(world, role, user),
        user,
        lead_id=lead_id,
        is_done=True,
        occurred_at=now() - dt.timedelta(hours=1),
        outcome="positive",
        outcome_reason="Liked the layout",
        idempotency_key=form_key(),
    )


def _milestone(world: World, role: str):
    lead_id = fresh_lead(world)
    return lambda user: activity.log_milestone(
        scope_of(world, role, user),
        user,
        lead_id=lead_id,
        milestone_type="qualified",
        occurred_at=now() - dt.timedelta(hours=1),
        idempotency_key=form_key(),
    )


def _engagement(world: World, role: str):
    lead_id = fresh_lead(world)
    return lambda user: activity.log_engagement(
        scope_of(world, role, user),
        user,
        lead_id=lead_id,
        engagement_type="call",
        direction="outbound",
        status="completed",
        occurred_at=now() - dt.timedelta(hours=1),
        idempotency_key=form_key(),
    )


def _book(world: World, role: str):
    lead_id, unit_id = fresh_lead(world), fresh_unit(world)
    return lambda user: bookings.book_unit(
        world.alpha,
        user,
        lead_id=lead_id,
        unit_id=unit_id,
        agreement_value="1,00,00,000",
        booking_amount="10,00,000",
        booking_date=TODAY - dt.timedelta(days=30),
        plan_code="down-payment",
        payment_mode="rtgs",
        reference=f"RTGS-{serial()}",
        idempotency_key=form_key(),
    )


def _cancel(world: World, role: str):
    booking_id = fresh_booking(world)
    return lambda user: bookings.cancel_booking(
        world.alpha,
        user,
        booking_id=booking_id,
        reason="Home loan rejected",
        cancellation_date=TODAY - dt.timedelta(days=2),
        cancellation_charge="0",
        refund_amount="10,00,000",
        refund_mode="neft",
        refund_reference=f"NEFT-{serial()}",
        idempotency_key=form_key(),
    )


def _ledger_add(world: World, role: str):
    booking_id = fresh_booking(world)
    return lambda user: ledger.add_entry(
        world.alpha,
        user,
        booking_id=booking_id,
        entry_type="receipt",
        amount="2,50,000",
        entry_date=TODAY,
        payment_mode="upi",
        reference=f"UPI-{serial()}",
        idempotency_key=form_key(),
    )


def _ledger_reverse(world: World, role: str):
    entry_id = fresh_demand(world)
    return lambda user: ledger.reverse_entry(
        world.alpha,
        user,
        ledger_entry_id=entry_id,
        reason="Raised in error",
        entry_date=TODAY,
        idempotency_key=form_key(),
    )


def _add_source(world: World, role: str):
    subsource = f"Paper {serial()}"
    return lambda user: catalog.add_source(world.alpha, "Print", subsource, user)


def _retire_source(world: World, role: str):
    source_id = catalog.add_source(world.alpha, "Print", f"Paper {serial()}", world.ids["boss"])
    return lambda user: catalog.retire_source(world.alpha, source_id, user)


def _set_source_sla(world: World, role: str):
    source_id = catalog.add_source(world.alpha, "Print", f"Paper {serial()}", world.ids["boss"])
    return lambda user: catalog.set_source_sla(world.alpha, user, source_id, 20)


def _set_working_hours(world: World, role: str):
    closes = dt.time(10 + serial() % 10)
    return lambda user: catalog.set_working_hours(world.alpha, user, {1: (dt.time(9), closes)})


def _set_stale_thresholds(world: World, role: str):
    days = 10 + serial() % 80
    return lambda user: stale_writes.set_stale_thresholds(world.alpha, user, {"qualified": days})


def _add_campaign(world: World, role: str):
    name = f"Campaign {serial()}"
    return lambda user: catalog.add_campaign(
        world.alpha,
        user,
        name=name,
        campaign_type="Social",
        channel="Instagram",
        lead_source_id=world.ids["s1"],
        project_id=world.ids["p1"],
        budget="1,00,000",
        start_date=TODAY - dt.timedelta(days=10),
        end_date=None,
    )


def _update_campaign(world: World, role: str):
    budget = f"{200_000 + serial()}"  # a budget the campaign has never had, so the row changes
    return lambda user: catalog.update_campaign(
        world.alpha,
        user,
        world.ids["c2"],
        budget=budget,
        start_date=dt.date(2026, 1, 1),
        end_date=None,
        status="active",
    )


def _add_spend(world: World, role: str):
    return lambda user: catalog.add_spend(world.alpha, user, world.ids["c2"], TODAY - dt.timedelta(days=3), "5,000")


def _add_project(world: World, role: str):
    name = f"Project {serial()}"
    return lambda user: catalog.add_project(world.alpha, user, name, "Pune")


def _add_tower(world: World, role: str):
    name = f"Tower {serial()}"
    return lambda user: catalog.add_tower(world.alpha, user, world.ids["p1"], name)


def _add_unit(world: World, role: str):
    number = f"PU-{serial()}"
    return lambda user: catalog.add_unit(
        world.alpha,
        user,
        tower_id=world.ids["t1"],
        floor=4,
        unit_number=number,
        unit_type="2BHK",
        carpet_area_sqft="850",
        list_price="65,00,000",
    )


def _update_unit(world: World, role: str):
    unit_id = fresh_unit(world)
    return lambda user: catalog.update_unit(world.alpha, user, unit_id, list_price="1,01,00,000", status="available")


def _create_user(world: World, role: str):
    username = f"newcomer{serial()}"
    return lambda user: auth.create_user(world.alpha, username, "New Comer", "rep", PASSWORD, created_by=user)


def _change_someones_password(world: World, role: str):
    user_id = fresh_user(world)
    return lambda user: auth.change_password(world.alpha, user_id, "a-new-password-1", changed_by=user)


def _deactivate(world: World, role: str):
    user_id = fresh_user(world)
    return lambda user: auth.set_active(world.alpha, user_id, False, changed_by=user)


def _change_role(world: World, role: str):
    user_id = fresh_user(world)
    return lambda user: auth.set_role(world.alpha, user_id, "manager", changed_by=user)


def _change_own_password(world: World, role: str):
    # The same password again: a new salt, so the row still changes.
    return lambda user: auth.change_password(world.alpha, user, PASSWORD, changed_by=user)


def _save_profile(world: World, role: str):
    # A new address each time, so the row changes; every role ticks all the digests it may get.
    number = serial()
    return lambda user: digest_writes.save_digest_choices(
        world.alpha, user, email=f"{role}{number}@alpha.example.com", kinds=DIGEST_KINDS_BY_ROLE[role]
    )


def _import_units(world: World, role: str):
    path = IMPORT_FOLDER[0] / f"units-{serial()}.csv"
    path.write_text(
        "project,tower,floor,unit_number,unit_type,carpet_area_sqft,list_price,status\n"
        f"Alpha Towers,T1,5,PI-{serial()},2BHK,850,6500000,available\n",
        encoding="utf-8",
    )
    return lambda user: imports.import_file(world.alpha, user, "units", path)


def _save_mapping(world: World, role: str):
    name = f"Portal {serial()}"
    return lambda user: mappings.save_mapping(world.alpha, user, "units", name, {"unit_number": "Unit No"})


def _create_api_key(world: World, role: str):
    name = f"Feed {serial()}"
    return lambda user: api_keys.create_api_key(world.alpha, user, name=name, role="intake")


def _revoke_api_key(world: World, role: str):
    key = api_keys.create_api_key(world.alpha, SYSTEM, name=f"Feed {serial()}", role="reader")
    return lambda user: api_keys.revoke_api_key(world.alpha, user, key.api_key_id)


def _intake_key(world: World) -> api_keys.NewKey:
    return api_keys.create_api_key(world.alpha, SYSTEM, name=f"Feed {serial()}", role="intake")


def _save_webhook_mapping(world: World, role: str):
    name = f"Portal export {serial()}"  # a mapping the webhook has never had, so the row changes
    mappings.save_mapping(world.alpha, world.ids["boss"], "leads", name, {"name": "Full Name"})
    with db.tenant_transaction(world.alpha) as conn:
        mapping_id = conn.execute(
            sa.text("select import_mapping_id from import_mappings where name = :name"), {"name": name}
        ).scalar_one()
    return lambda user: intake_settings.save_webhook_mapping(
        world.alpha, user, source="Online Portal", subsource="99acres", import_mapping_id=mapping_id
    )


def _save_meta_settings(world: World, role: str):
    number = serial()
    subsource = f"Page {number}"  # each page's leads get a source of their own
    catalog.add_source(world.alpha, "Meta", subsource, world.ids["boss"])
    account = _intake_key(world).user_id
    return lambda user: intake_settings.save_meta_settings(
        world.alpha,
        user,
        page_id=f"{9_100_000_000 + number}",
        verify_token=f"verify-{number}",
        app_secret=f"secret-{number}",
        graph_url=None,
        access_token=None,
        source="Meta",
        subsource=subsource,
        user_id=account,
    )


def _reprocess(world: World, role: str):
    fields = {"source": "Nowhere", "subsource": f"Portal {serial()}", "name": "Kept Buyer", "phone": "+91 98450 40001"}
    event_id = log_rejection(
        world.alpha, channel="api", fields=fields, payload=fields, errors={"source": "There is no such source."}
    )
    return lambda user: reprocess_intake_event(world.alpha, user, event_id)


def _save_rule(world: World, role: str):
    name = f"Rule {serial()}"
    # A rule for a source no lead of these tests comes from, so it routes none of them.
    return lambda user: routing.save_rule(
        world.alpha,
        user,
        name=name,
        position=serial(),
        source="Nowhere",
        pool=[routing.PoolMember(world.ids["sara"], 2, 10)],
    )


def _add_leave(world: World, role: str):
    first = TODAY + dt.timedelta(days=serial())
    return lambda user: routing.add_leave(
        world.alpha, user, user_id=world.ids["sara"], first_date=first, last_date=first
    )


def _cancel_leave(world: World, role: str):
    first = TODAY + dt.timedelta(days=serial())
    leave_id = routing.add_leave(
        world.alpha, world.ids["boss"], user_id=world.ids["sara"], first_date=first, last_date=first
    )
    return lambda user: routing.cancel_leave(world.alpha, user, leave_id)


WRITES: dict[Action, tuple[Write, ...]] = {
    Action.LEAD_CREATE: (Write("lead_writes.create_lead", ("leads",), _create_lead),),
    Action.LEAD_REENGAGE: (Write("lead_writes.log_reenquiry", ("lead_milestones",), _reengage),),
    Action.LEAD_REASSIGN: (Write("lead_admin.reassign_leads", ("leads",), _reassign),),
    Action.VISIT_LOG: (Write("activity.log_site_visit", ("lead_milestones",), _visit),),
    Action.MILESTONE_LOG: (Write("activity.log_milestone", ("lead_milestones",), _milestone),),
    Action.ENGAGEMENT_LOG: (Write("activity.log_engagement", ("lead_engagements",), _engagement),),
    Action.BOOKING_CREATE: (Write("bookings.book_unit", ("bookings", "units", "account_ledger"), _book),),
    Action.BOOKING_CANCEL: (Write("bookings.cancel_booking", ("bookings", "units", "account_ledger"), _cancel),),
    Action.LEDGER_ADD: (Write("ledger.add_entry", ("account_ledger",), _ledger_add),),
    Action.LEDGER_REVERSE: (Write("ledger.reverse_entry", ("account_ledger",), _ledger_reverse),),
    Action.SETUP_SOURCE: (
        Write("catalog.add_source", ("lead_sources",), _add_source),
        Write("catalog.retire_source", ("lead_sources",), _retire_source),
        Write("catalog.set_source_sla", ("lead_sources",), _set_source_sla),
    ),
    Action.SETUP_WORKING_HOURS: (Write("catalog.set_working_hours", ("working_hours",), _set_working_hours),),
    Action.SETUP_CAMPAIGN: (
        Write("catalog.add_campaign", ("campaigns",), _add_campaign),
        Write("catalog.update_campaign", ("campaigns",), _update_campaign),
    ),
    Action.SETUP_SPEND: (Write("catalog.add_spend", ("campaign_spend",), _add_spend),),
    Action.SETUP_INVENTORY: (
        Write("catalog.add_project", ("projects",), _add_project),
        Write("catalog.add_tower", ("towers",), _add_tower),
        Write("catalog.add_unit", ("units",), _add_unit),
        Write("catalog.update_unit", ("units",), _update_unit),
    ),
    Action.USER_MANAGE: (
        Write("auth.create_user", ("app_users",), _create_user),
        Write("auth.change_password (someone else's)", ("app_users",), _change_someones_password),
        Write("auth.set_active", ("app_users",), _deactivate),
        Write("auth.set_role", ("app_users",), _change_role),
    ),
    Action.OWN_PASSWORD: (Write("auth.change_password (one's own)", ("app_users",), _change_own_password),),
    Action.OWN_PROFILE: (Write("digests.save_digest_choices", ("app_users", "digest_choices"), _save_profile),),
    Action.IMPORT_RUN: (Write("imports.import_file", ("units", "projects", "towers"), _import_units),),
    Action.IMPORT_MAPPING: (Write("imports.mappings.save_mapping", ("import_mappings",), _save_mapping),),
    Action.API_KEY_MANAGE: (
        Write("api_keys.create_api_key", ("api_keys", "app_users"), _create_api_key),
        Write("api_keys.revoke_api_key", ("api_keys", "app_users"), _revoke_api_key),
    ),
    Action.INTAKE_SETUP: (
        Write("intake_settings.save_webhook_mapping", ("intake_settings",), _save_webhook_mapping),
        Write("intake_settings.save_meta_settings", ("intake_settings",), _save_meta_settings),
        Write("reprocess.reprocess_intake_event", ("intake_events",), _reprocess),
    ),
    Action.ROUTING_SETUP: (
        Write("routing.save_rule", ("routing_rules", "routing_pool_members"), _save_rule),
        Write("routing.add_leave", ("rep_leave",), _add_leave),
        Write("routing.cancel_leave", ("rep_leave",), _cancel_leave),
    ),
    Action.SETUP_STALE_THRESHOLDS: (
        Write("stale_leads.set_stale_thresholds", ("stale_lead_thresholds",), _set_stale_thresholds),
    ),
}

CASES = [
    pytest.param(action, write, role, id=f"{write.name}-{role}")
    for action, writes in WRITES.items()
    for write in writes
    for role in ROLES
]


def test_every_write_action_has_its_writes_here() -> None:
    write_actions = {action for action in Action if not action.is_screen}
    assert set(WRITES) == write_actions


def test_the_table_names_every_action_and_only_known_roles() -> None:
    assert set(PERMISSIONS) == set(Action)
    assert all(roles <= set(ACCOUNT_ROLES) for roles in PERMISSIONS.values())


def test_the_table_is_readmes_who_sees_what() -> None:
    # README "Who sees what", written out once more on purpose: widening the table is a decision.
    # It is about people; what API keys may do is held by the next test.
    everyone = frozenset(ROLES)
    entry = frozenset({"rep", "manager", "admin"})
    accounts = frozenset({"manager", "admin"})
    readers = frozenset({"manager", "leadership", "admin"})
    admin = frozenset({"admin"})
    expected = {
        Action.LEAD_CREATE: entry,
        Action.LEAD_REENGAGE: entry,
        Action.LEAD_REASSIGN: accounts,
        Action.VISIT_LOG: entry,
        Action.MILESTONE_LOG: entry,
        Action.ENGAGEMENT_LOG: entry,
        Action.BOOKING_CREATE: accounts,
        Action.BOOKING_CANCEL: accounts,
        Action.LEDGER_ADD: accounts,
        Action.LEDGER_REVERSE: accounts,
        Action.SETUP_SOURCE: admin,
        Action.SETUP_CAMPAIGN: accounts,  # managers too: the API's manager key needs it
        Action.SETUP_SPEND: accounts,
        Action.SETUP_INVENTORY: admin,
        Action.SETUP_WORKING_HOURS: admin,
        Action.USER_MANAGE: admin,
        Action.OWN_PASSWORD: everyone,
        Action.IMPORT_RUN: accounts,
        Action.IMPORT_MAPPING: accounts,
        Action.SNAPSHOT_EXPORT: frozenset({"leadership", "admin"}),
        Action.SCREEN_TEAM: readers,
        Action.SCREEN_ANALYSIS: readers,
        Action.SCREEN_FUNNEL: everyone,
        Action.SCREEN_FOLLOW_UPS: entry,
        Action.SCREEN_LEADS: entry,
        Action.SCREEN_TIMELINE: everyone,
        Action.SCREEN_CUSTOMER_LEDGER: readers,
        Action.SCREEN_AUDIT: admin,
        Action.API_KEY_MANAGE: admin,
        Action.INTAKE_SETUP: admin,
        Action.SCREEN_INTEGRATIONS: admin,
        Action.ROUTING_SETUP: admin,
        Action.OWN_PROFILE: everyone,
        Action.SETUP_STALE_THRESHOLDS: accounts,  # managers run the team's follow-through
        Action.SCREEN_STALE_LEADS: entry,
    }
    assert expected == {action: roles & frozenset(ROLES) for action, roles in PERMISSIONS.items()}


def test_an_api_key_may_do_what_its_role_says_and_nothing_else() -> None:
    # An intake key captures leads and logs what happened to them; a reader key reads; a manager
    # key is a manager (held by the test above).
    expected = {
        "intake": {
            Action.LEAD_CREATE,
            Action.LEAD_REENGAGE,
            Action.VISIT_LOG,
            Action.MILESTONE_LOG,
            Action.ENGAGEMENT_LOG,
        },
        "reader": {
            Action.SCREEN_TEAM,
            Action.SCREEN_ANALYSIS,
            Action.SCREEN_FUNNEL,
            Action.SCREEN_TIMELINE,
            Action.SCREEN_CUSTOMER_LEDGER,
        },
    }
    assert set(expected) | {"manager"} == set(KEY_ROLES)
    assert {role: {action for action in Action if allowed(role, action)} for role in expected} == expected


@pytest.mark.parametrize(("action", "write", "role"), CASES)
def test_a_write_is_done_exactly_when_the_role_may(world: World, action: Action, write: Write, role: str) -> None:
    perform = write.prepare(world, role)
    before = fingerprint(world, write.tables)
    if allowed(role, action):
        perform(world.ids[ACTOR[role]])
        after = fingerprint(world, write.tables)
        assert after["audit rows"] > before["audit rows"]
        assert any(after[table] != before[table] for table in write.tables)
    else:
        with pytest.raises(ValidationError) as refused:
            perform(world.ids[ACTOR[role]])
        assert refused.value.errors == {"user": f"Your role cannot {action.what}."}
        assert fingerprint(world, write.tables) == before


@pytest.mark.parametrize("actor", ["inactive admin", "no such user", "no user"])
def test_a_write_refuses_an_inactive_unknown_or_missing_user(world: World, actor: str) -> None:
    users = {"no such user": 987_654_321, "no user": None}
    if actor == "inactive admin":
        former = auth.create_user(world.alpha, f"former{serial()}", "Former Admin", "admin", PASSWORD)
        auth.set_active(world.alpha, former.user_id, False, changed_by=world.ids["boss"])
        users[actor] = former.user_id
    perform = _add_project(world, "admin")
    before = fingerprint(world, ("projects",))
    with pytest.raises(ValidationError) as refused:
        perform(users[actor])
    assert refused.value.errors == {"user": "Your role cannot set up projects, towers and units."}
    assert fingerprint(world, ("projects",)) == before


def test_another_tenants_admin_is_no_admin_here(world: World) -> None:
    stranger = auth.create_user(world.beta, f"stranger{serial()}", "Beta Admin", "admin", PASSWORD)
    perform = _add_source(world, "admin")
    before = fingerprint(world, ("lead_sources",))
    with pytest.raises(ValidationError, match="cannot set up lead sources"):
        perform(stranger.user_id)
    assert fingerprint(world, ("lead_sources",)) == before


def test_the_system_path_creates_a_first_admin_and_imports(world: World) -> None:
    # The command line's create-admin and import: no signed-in user, recorded as none.
    before = fingerprint(world, ("app_users", "units"))
    auth.create_user(world.alpha, f"founder{serial()}", "Founder", "admin", PASSWORD, created_by=SYSTEM)
    _import_units(world, "admin")(SYSTEM)
    after = fingerprint(world, ("app_users", "units"))
    assert after["app_users"] != before["app_users"] and after["units"] != before["units"]


# A snapshot writes no rows, but the data layer holds its export to the same table ---------------


@pytest.mark.parametrize("role", ROLES)
def test_a_snapshot_is_exported_exactly_when_the_role_may(world: World, role: str, tmp_path: Path) -> None:
    folder = tmp_path / "snapshots"
    user_id = world.ids[ACTOR[role]]
    if allowed(role, Action.SNAPSHOT_EXPORT):
        built = snapshot.build_snapshot(world.alpha, user_id, "alpha", directory=folder)
        assert built.path.parent == folder and built.manifest["files"]
    else:
        with pytest.raises(ValidationError) as refused:
            snapshot.build_snapshot(world.alpha, user_id, "alpha", directory=folder)
        assert refused.value.errors == {"user": f"Your role cannot {Action.SNAPSHOT_EXPORT.what}."}
        assert not folder.exists()  # nothing written, not even an empty folder


def test_the_system_path_exports_a_snapshot(world: World, tmp_path: Path) -> None:
    # The command line's snapshot: no signed-in user.
    built = snapshot.build_snapshot(world.alpha, SYSTEM, "alpha", directory=tmp_path)
    assert built.path.is_file()


# The menu reads the same table ------------------------------------------------------------------


def _page_stems(role: str) -> set[str]:
    return {Path(entry.path).stem for entries in navigation.MENUS[role].values() for entry in entries}


@pytest.mark.parametrize("username", sorted(USERNAME_ROLE))
def test_each_roles_menu_holds_the_pages_it_held(username: str) -> None:
    role = USERNAME_ROLE[username]
    assert _page_stems(role) == EXPECTED_PAGES[username]
    titles = {entry.title for entries in navigation.MENUS[role].values() for entry in entries}
    assert titles == DEMO_MENUS[role]


@pytest.mark.parametrize("role", ROLES)
def test_a_menu_offers_exactly_the_pages_the_table_opens(role: str) -> None:
    every_entry = {
        entry
        for layout in (navigation.OWN_WORK_LAYOUT, navigation.TEAM_LAYOUT)
        for entries in layout.values()
        for entry in entries
    }
    opened = {Path(entry.path).stem for entry in every_entry if allowed(role, entry.permission)}
    assert _page_stems(role) == opened


def test_every_screen_permission_opens_a_page() -> None:
    named = {entry.permission for entries in navigation.TEAM_LAYOUT.values() for entry in entries}
    named |= {entry.permission for entries in navigation.OWN_WORK_LAYOUT.values() for entry in entries}
    screens = {action for action in Action if action.is_screen} - {Action.SCREEN_TEAM}  # TEAM picks the layout
    assert screens <= named


def test_a_lost_user_id_is_refused_never_taken_for_the_command_line(world: World, tmp_path: Path) -> None:
    # SYSTEM is its own object: a caller whose user id went missing (None) is refused like anyone
    # without a role, by every write that also takes the command line's actor.
    units = tmp_path / "units.csv"
    units.write_text("project,tower,unit_number,unit_type,floor,carpet_area_sqft,list_price\n")
    for attempt in (
        lambda: imports.import_file(world.alpha, None, "units", units),
        lambda: snapshot.build_snapshot(world.alpha, None, "alpha", directory=tmp_path / "zip"),
        lambda: auth.create_user(world.alpha, f"nobody{serial()}", "No One", "rep", PASSWORD, created_by=None),
    ):
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert set(refused.value.errors) == {"user"}
    assert not (tmp_path / "zip").exists()
