"""Importing what leads hang on: units, campaigns and campaign spend (small files, row by row)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from data.domain.rules import NAME_MAX
from data.domain.vocabulary import CAMPAIGN_STATUSES, UNIT_STATUSES, UNIT_TYPES
from data.imports import values
from data.imports.compare import settle_existing
from data.imports.context import Context, ParsedRow
from data.imports.spec import Column, Kind, no_checks


def _insert(context: Context, sql: str, params: dict[str, Any]) -> None:
    context.conn.execute(sa.text(sql), {"tenant_id": context.tenant_id, "user_id": context.user_id, **params})
    context.result.created += 1


# Units -------------------------------------------------------------------------------------


def _unit_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    if not -5 <= row["floor"] <= 200:
        return [("floor", f"floor {row['floor']} is outside -5 to 200")]
    return []


def _apply_units(context: Context, rows: list[ParsedRow]) -> None:
    for row in rows:
        v = row.values
        project_id = context.project(v["project"])
        tower_id = context.tower(project_id, v["tower"])
        wanted = {
            "floor": v["floor"],
            "unit_type": v["unit_type"],
            "carpet_area_sqft": v["carpet_area_sqft"],
            "list_price": v["list_price"],
        }
        existing = context.conn.execute(
            sa.text(
                "select floor, unit_type, carpet_area_sqft, list_price, status from units "
                "where tower_id = :tower_id and lower(unit_number) = lower(:number) and deleted_at is null"
            ),
            {"tower_id": tower_id, "number": v["unit_number"]},
        ).one_or_none()
        if existing is not None:
            # The status moves with bookings after an import, so only what describes the unit is compared.
            settle_existing(context, row, "unit", existing, wanted)
            continue
        _insert(
            context,
            """
            insert into units (tenant_id, project_id, tower_id, floor, unit_number, unit_type, carpet_area_sqft,
                list_price, status, created_by)
            values (:tenant_id, :project_id, :tower_id, :floor, :unit_number, :unit_type, :carpet_area_sqft,
                :list_price, :status, :user_id)
            """,
            {
                **wanted,
                "project_id": project_id,
                "tower_id": tower_id,
                "unit_number": v["unit_number"],
                "status": v["status"] or "available",
            },
        )


UNITS = Kind(
    name="units",
    description="Unit inventory; projects and towers are created when missing.",
    columns=(
        Column("project", required=True, max_length=NAME_MAX),
        Column("tower", required=True, max_length=NAME_MAX),
        Column("floor", values.integer, required=True),
        Column("unit_number", required=True),
        Column("unit_type", lambda text: values.choice(text, UNIT_TYPES, "unit type"), required=True),
        Column("carpet_area_sqft", values.area_sqft, required=True),
        Column("list_price", values.amount, required=True),
        Column("status", lambda text: values.choice(text, UNIT_STATUSES, "unit status")),
    ),
    check=_unit_checks,
    apply=_apply_units,
)


# Campaigns ---------------------------------------------------------------------------------


def _campaign_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    if row["end_date"] and row["end_date"] < row["start_date"]:
        return [("end_date", "the campaign ends before it starts")]
    return []


def _apply_campaigns(context: Context, rows: list[ParsedRow]) -> None:
    for row in rows:
        v = row.values
        wanted = {
            "campaign_type": v["type"],
            "channel": v["channel"],
            "lead_source_id": context.lead_source(v["source"], v["subsource"]),
            "project_id": context.project(v["project"]) if v["project"] else None,
            "budget": v["budget"] or 0,
            "start_date": v["start_date"],
            "end_date": v["end_date"],
            "status": v["status"] or "active",
        }
        existing = context.conn.execute(
            sa.text(
                "select campaign_type, channel, lead_source_id, project_id, budget, start_date, end_date, status "
                "from campaigns where lower(name) = lower(:name) and deleted_at is null"
            ),
            {"name": v["name"]},
        ).one_or_none()
        if existing is not None:
            settle_existing(context, row, "campaign", existing, wanted)
            continue
        _insert(
            context,
            """
            insert into campaigns (tenant_id, name, campaign_type, channel, lead_source_id, project_id, budget,
                start_date, end_date, status, created_by)
            values (:tenant_id, :name, :campaign_type, :channel, :lead_source_id, :project_id, :budget, :start_date,
                :end_date, :status, :user_id)
            """,
            {**wanted, "name": v["name"]},
        )


CAMPAIGNS = Kind(
    name="campaigns",
    description="Campaigns by name; sources, subsources and projects are created when missing.",
    columns=(
        Column("name", required=True, max_length=NAME_MAX),
        Column("source", required=True, max_length=NAME_MAX),
        Column("subsource", required=True, max_length=NAME_MAX),
        Column("project", max_length=NAME_MAX),
        Column("type", required=True),
        Column("channel", required=True),
        Column("budget", values.amount),
        Column("start_date", values.date, required=True),
        Column("end_date", values.date),
        Column("status", lambda text: values.choice(text, CAMPAIGN_STATUSES, "campaign status")),
    ),
    check=_campaign_checks,
    apply=_apply_campaigns,
)


# Campaign spend ----------------------------------------------------------------------------


def _apply_spend(context: Context, rows: list[ParsedRow]) -> None:
    for row in rows:
        v = row.values
        campaign = context.campaign(v["campaign"])
        if campaign is None:
            context.reject(row, "campaign", f"no campaign named '{v['campaign']}' (import campaigns first)")
            continue
        existing = context.conn.execute(
            sa.text(
                "select amount from campaign_spend where campaign_id = :campaign_id and spend_date = :spend_date "
                "and deleted_at is null"
            ),
            {"campaign_id": campaign.campaign_id, "spend_date": v["spend_date"]},
        ).first()
        if existing is not None:
            settle_existing(context, row, "spend", existing, {"amount": v["amount"]})
            continue
        _insert(
            context,
            "insert into campaign_spend (tenant_id, campaign_id, spend_date, amount, created_by) "
            "values (:tenant_id, :campaign_id, :spend_date, :amount, :user_id)",
            {"campaign_id": campaign.campaign_id, "spend_date": v["spend_date"], "amount": v["amount"]},
        )


CAMPAIGN_SPEND = Kind(
    name="campaign_spend",
    description="What each campaign spent on a day; one row per campaign and day.",
    columns=(
        Column("campaign", required=True, max_length=NAME_MAX),
        Column("spend_date", values.date, required=True),
        Column("amount", values.amount, required=True),
    ),
    check=no_checks,
    apply=_apply_spend,
)
