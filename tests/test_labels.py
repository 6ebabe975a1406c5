"""The label registry agrees with the database: every closed list in data/domain/vocabulary.py holds exactly
the values its check constraint allows, every table has a name in words, and every audit action
the code writes reads as words."""

from __future__ import annotations

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
    "check_bookings_status": "booking_status",
    "check_campaigns_status": "campaign_status",
    "check_account_ledger_entry_type": "entry_type",
    "check_account_ledger_side": "side",
    "check_account_ledger_payment_mode": "payment_mode",
    "check_app_users_role": "role",
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
    kept = {"lead_facts", "lead_month_rollup", "lead_step_days_rollup", "booking_accounts"}
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


def test_every_channel_a_call_form_offers_has_a_label() -> None:
    from data.writes import activity

    assert set(labels.CHANNEL) == set(activity.CHANNELS)
