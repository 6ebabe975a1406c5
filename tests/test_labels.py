"""The label registry agrees with the database: every closed list in data/domain/vocabulary.py holds exactly
the values its check constraint allows, every table has a name in words, and every audit action
the code writes reads as words."""

from __future__ import annotations

import ast
import re

import pytest
import sqlalchemy as sa

from data import db
from data.db import REPO_ROOT
from data.domain import vocabulary as labels

# check constraint → the registry kind that names its values
CONSTRAINTS = {
    "check_lead_milestones_milestone_type": "milestone_type",
    "check_lead_milestones_outcome": "outcome",
    "check_lead_engagements_engagement_type": "engagement_type",
    "check_lead_engagements_direction": "direction",
    "check_lead_engagements_status": "engagement_status",
    "check_leads_status": "lead_status",
    "check_units_status": "unit_status",
    "check_units_unit_type": "unit_type",
    "check_leads_unit_type_preference": "unit_type",
    "check_bookings_status": "booking_status",
    "check_campaigns_status": "campaign_status",
    "check_account_ledger_entry_type": "entry_type",
    "check_account_ledger_side": "side",
    "check_account_ledger_payment_mode": "payment_mode",
    "check_app_users_role": "account_role",
    "check_api_keys_role": "key_role",
    "check_intake_events_channel": "intake_channel",
    "check_intake_settings_channel": "intake_channel",
    "check_intake_events_outcome": "intake_outcome",
    "check_lead_assignments_reason": "assignment_reason",
    "check_lead_assignments_pool": "routing_pool",
    "check_routing_pool_members_pool": "routing_pool",
    "check_digest_choices_digest_kind": "digest_kind",
    "check_digest_sends_digest_kind": "digest_kind",
    "check_stale_lead_thresholds_stage": "stale_stage",
}


def constraint_values(name: str) -> set[str]:
    """The quoted values in a check constraint's definition, as PostgreSQL prints it."""
    with db.owner_engine().connect() as conn:
        definition = conn.execute(
            sa.text("select pg_get_constraintdef(oid) from pg_constraint where conname = :name"), {"name": name}
        ).scalar_one()
    return set(re.findall(r"'([^']*)'", definition))


@pytest.mark.parametrize(("constraint", "kind"), CONSTRAINTS.items())
def test_each_closed_list_equals_its_check_constraint(constraint: str, kind: str) -> None:
    assert set(labels.REGISTRY[kind]) == constraint_values(constraint)


def test_each_entry_types_side_equals_the_ledgers_check_constraint() -> None:
    with db.owner_engine().connect() as conn:
        definition = conn.execute(
            sa.text("select pg_get_constraintdef(oid) from pg_constraint where conname = :name"),
            {"name": "check_account_ledger_side_matches_type"},
        ).scalar_one()
    # PostgreSQL prints each branch as "(side = 'debit'::text) AND (entry_type = ANY (ARRAY['demand'::text, …]))".
    sides = {}
    for side, types in re.findall(r"side = '(\w+)'::text\) AND \(entry_type = ANY \(ARRAY\[([^\]]*)\]", definition):
        sides |= {code: side for code in re.findall(r"'([^']*)'", types)}
    assert sides == labels.ENTRY_SIDE, definition


def test_every_table_has_a_name_in_words() -> None:
    with db.owner_engine().connect() as conn:
        tables = set(
            conn.execute(
                sa.text(
                    r"select tablename from pg_tables where schemaname = 'public' and tablename not like 'schema\_%'"
                )
            ).scalars()
        )
    # The kept rollups are written by triggers only, never by a person, so the audit log never names them.
    kept = {"lead_facts", "lead_month_rollup", "lead_step_days_rollup", "booking_accounts", "lead_response"}
    assert tables - kept <= set(labels.TABLE_NAME), sorted(tables - kept - set(labels.TABLE_NAME))
    assert set(labels.TABLE_NAME) <= tables


def test_every_audit_action_the_code_writes_reads_as_words() -> None:
    # Every string literal in the data layer shaped like an action ("sign_in", "lead.created"),
    # plus the actions composed from a code (f"milestone.{type}", f"{table}.created"), which the
    # registry lists per code.
    written = {"sign_in", "sign_out"}
    for path in (REPO_ROOT / "data").rglob("*.py"):
        # The vocabulary lists the actions; the permission table names actions one may take, not audit rows.
        if path.name in ("vocabulary.py", "permissions.py"):
            continue
        for literal in re.findall(r'"([a-z_]+\.[a-z_]+)"', path.read_text()):
            if not literal.endswith((".py", ".csv", ".json", ".md", ".sql", ".toml")):
                written.add(literal)
    written |= {f"{table}.created" for table in ("lead_sources", "campaigns", "campaign_spend", "projects", "towers")}
    written |= {"units.created", *(f"milestone.{code}" for code in labels.MILESTONE_TYPE)}
    written |= {f"engagement.{code}" for code in labels.ENGAGEMENT_TYPE}
    written |= {f"ledger.{code}" for code in labels.ENTRY_TYPE} | {f"import.{code}" for code in labels.IMPORT_KIND}
    assert written <= set(labels.AUDIT_ACTION), sorted(written - set(labels.AUDIT_ACTION))


def test_every_import_kind_has_a_name() -> None:
    from data import imports

    assert set(labels.IMPORT_KIND) == set(imports.KINDS)


def test_a_code_nobody_listed_is_humanised_and_a_missing_value_is_blank() -> None:
    assert labels.label("milestone_type", "site_visit_scheduled") == "Visit scheduled"
    assert labels.label("milestone_type", "brand_new") == "Brand new"
    assert labels.label("audit_action", "milestone.site_visit") == "Milestone: Site visit"
    assert labels.label("table_name", "app_users") == "Users"
    assert labels.label("payment_mode", None) == ""
    assert labels.label("payment_mode", float("nan")) == ""


# Every closed list the database checks; the keys of ``CONSTRAINTS`` must cover them all.
# sla_status is computed by v_lead_response, not stored: tests/test_speed_to_lead.py holds it.
CHECKED_KINDS = {
    kind
    for kind in labels.REGISTRY
    if kind not in ("channel", "import_kind", "table_name", "audit_action", "role", "sla_status")
}


def test_every_closed_list_the_database_checks_is_compared_with_its_constraint() -> None:
    # A channel is free text in the database (the form offers a list, old data may hold others);
    # import kinds, table names and audit actions are names, not stored codes; a person's roles are
    # the part of account_role (checked) that people may hold.
    assert set(labels.ROLE) <= set(labels.ACCOUNT_ROLE)
    assert set(CONSTRAINTS.values()) == CHECKED_KINDS


def test_each_ordered_list_holds_its_registrys_codes_in_order() -> None:
    for name, kind in {
        "MILESTONE_TYPES": "milestone_type",
        "ENGAGEMENT_TYPES": "engagement_type",
        "ENGAGEMENT_STATUSES": "engagement_status",
        "CHANNELS": "channel",
        "DIRECTIONS": "direction",
        "OUTCOMES": "outcome",
        "ENTRY_TYPES": "entry_type",
        "SIDES": "side",
        "PAYMENT_MODES": "payment_mode",
        "LEAD_STATUSES": "lead_status",
        "UNIT_STATUSES": "unit_status",
        "BOOKING_STATUSES": "booking_status",
        "CAMPAIGN_STATUSES": "campaign_status",
        "ROLES": "role",
        "UNIT_TYPES": "unit_type",
        "SLA_STATUSES": "sla_status",
        "STALE_STAGES": "stale_stage",
    }.items():
        assert getattr(labels, name) == tuple(labels.REGISTRY[kind]), name


def test_each_subset_lies_within_its_list() -> None:
    assert set(labels.BOOKING_MILESTONES) <= set(labels.MILESTONE_TYPES)
    assert set(labels.SCHEDULED_MILESTONES) <= set(labels.MILESTONE_TYPES)
    assert set(labels.VISIT_MILESTONES) <= set(labels.MILESTONE_TYPES)
    assert tuple(code for code in labels.ENGAGEMENT_TYPES if code != "site_visit") == labels.LOGGABLE_ENGAGEMENT_TYPES
    assert set(labels.MANUAL_ENTRY_TYPES) <= set(labels.ENTRY_TYPES)
    assert set(labels.SETTABLE_UNIT_STATUSES) <= set(labels.UNIT_STATUSES)
    assert set(labels.ENTRY_SIDE) == set(labels.ENTRY_TYPES) - {"reversal"}
    assert set(labels.ENTRY_SIDE.values()) == set(labels.SIDES)
    assert labels.CASH in labels.PAYMENT_MODES


# Lists of codes the scan below looks for. Import kinds, table names and audit actions are names
# that other modules rightly spell out (a kind's module, a table's SQL), not codes to choose from;
# two channels, "phone" and "email", are also the names of a lead's contact fields, which every
# form, import and query names.
SCANNED_KINDS = [
    kind for kind in labels.REGISTRY if kind not in ("import_kind", "table_name", "audit_action", "channel")
]
# (module, list) pairs whose literals hold codes on purpose, each with the reason.
ALLOWED_LITERALS = {
    # The permission table is the one home of which roles may take each action.
    ("data/domain/permissions.py", "role"): "sets of roles per action",
    ("data/domain/permissions.py", "account_role"): "sets of roles per action",
    # The demo simulates a sales team: which codes it draws, how often, and what it writes for each.
    ("data/demo/__init__.py", "engagement_type"): "simulated engagements",
    ("data/demo/__init__.py", "outcome"): "simulated visit outcomes",
    ("data/demo/__init__.py", "payment_mode"): "simulated receipts",
    ("data/demo/catalog.py", "outcome"): "visit reasons per outcome",
    # Table columns named after what they count (the inventory's units per status, the funnel's steps).
    ("pages/bookings.py", "unit_status"): "inventory columns",
    ("pages/funnel.py", "milestone_type"): "funnel columns",
    ("pages/funnel.py", "stale_stage"): "funnel columns (the stale-lead stages share milestone codes)",
    ("pages/speed_to_lead.py", "sla_status"): "columns counting the leads of each SLA status",
    ("data/reports/scorecard.py", "sla_status"): "columns counting the leads of each SLA status",
    # Each reached stage's flag in v_lead_facts (tests/test_drill_down.py holds it complete).
    ("data/reports/lead_pages.py", "milestone_type"): "the flag of each reached stage",
    ("data/reports/lead_pages.py", "stale_stage"): "the flag of each reached stage (stale stages share codes)",
    # The charts' one colour registry: a fixed colour per status (tests/test_charts.py holds it complete).
    ("ui/charts.py", "booking_status"): "a fixed colour per status",
    ("ui/charts.py", "campaign_status"): "a fixed colour per status",
}


def _literal_strings(node: ast.AST) -> list[str] | None:
    """The string elements of a tuple/list/set literal, or the string keys of a dict literal."""
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        elements = node.elts
    elif isinstance(node, ast.Dict):
        elements = [key for key in node.keys if key is not None]
    else:
        return None
    return [
        element.value for element in elements if isinstance(element, ast.Constant) and isinstance(element.value, str)
    ]


def test_no_module_spells_out_its_own_copy_of_a_closed_list() -> None:
    found = []
    for folder in ("data", "ui", "pages"):
        for path in sorted((REPO_ROOT / folder).rglob("*.py")):
            relative = path.relative_to(REPO_ROOT).as_posix()
            if relative == "data/domain/vocabulary.py":
                continue
            for node in ast.walk(ast.parse(path.read_text(), relative)):
                strings = _literal_strings(node)
                if not strings:
                    continue
                for kind in SCANNED_KINDS:
                    codes = sorted(set(strings) & set(labels.REGISTRY[kind]))
                    if len(codes) >= 2 and (relative, kind) not in ALLOWED_LITERALS:
                        found.append(f"{relative}:{node.lineno} {kind} {codes}")
    assert not found, "\n".join(found)
