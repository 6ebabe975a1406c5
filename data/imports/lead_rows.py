"""Importing leads, their milestones and their engagements: the large files (a portal export or an
old CRM can hold hundreds of thousands of rows), so each batch is checked with a few set-based
queries and written from a COPY-loaded staging table, never row by row.

Staged rows find their lead through a lateral lookup (``limit 1`` keeps the planner from turning
it back into a join) on the lead_ref index: just after a large leads import the table's
statistics still say "empty", and a plain join then scanned every lead for every staged row
(measured: minutes per batch of 2,000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from data.domain.rules import NAME_MAX, NOTES_MAX, is_in_future
from data.domain.vocabulary import (
    BOOKING_MILESTONES,
    DIRECTIONS,
    ENGAGEMENT_STATUSES,
    ENGAGEMENT_TYPES,
    LEAD_STATUSES,
    MILESTONE_TYPES,
    OUTCOMES,
    UNIT_TYPES,
)
from data.imports import values
from data.imports.compare import settle_existing
from data.imports.context import Context, ParsedRow
from data.imports.spec import Column, Kind
from data.writes import assignment


def _not_future(moment: dt.datetime | None, column: str) -> list[tuple[str, str]]:
    if is_in_future(moment):
        return [(column, "this is in the future")]
    return []


# Leads -------------------------------------------------------------------------------------

_LEAD_STAGING = """
    create temp table if not exists import_lead_rows (
        line integer, lead_ref text, name text, phone text, email text, project_id bigint,
        unit_type_preference text, budget numeric(14, 2), lead_source_id bigint, campaign_id bigint,
        owner_user_id bigint, generated_at timestamptz, status text, lost_reason text
    ) on commit drop
"""
_INSERT_LEADS = """
    with inserted as (
        insert into leads (tenant_id, lead_ref, name, phone, email, project_id, unit_type_preference, budget,
            lead_source_id, campaign_id, owner_user_id, generated_at, status, lost_reason, created_by)
        select :tenant_id, lead_ref, name, phone, email, project_id, unit_type_preference, budget, lead_source_id,
            campaign_id, owner_user_id, generated_at, status, lost_reason, :user_id
        from import_lead_rows
        order by line
        returning tenant_id, lead_id, generated_at
    )
    insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, metadata, recorded_by)
    select tenant_id, lead_id, 'lead_generated', generated_at, '{"imported": true}', :user_id
    from inserted
"""
_COMPARED = (
    "name",
    "phone",
    "email",
    "project_id",
    "unit_type_preference",
    "budget",
    "lead_source_id",
    "campaign_id",
    "owner_user_id",
    "generated_at",
    "status",
    "lost_reason",
)
# The staging table's columns: the line, the key, then what is compared.
_LEAD_COLUMNS = ("line", "lead_ref", *_COMPARED)

_EXISTING_LEADS = """
    select lead_ref, name, phone, email, project_id, unit_type_preference, budget, lead_source_id, campaign_id,
        owner_user_id, generated_at, status, lost_reason
    from leads
    where lead_ref = any(:refs)
"""

# One index lookup per phone: a plain "phone = any(…)" scanned the tenant's leads once per batch,
# since the statistics of a table growing inside the import say it is small (measured: 62 s of
# a 100,000-lead import).
_PHONE_CLASHES = """
    select chosen.phone, found.lead_id, found.lead_ref, found.name
    from unnest(cast(:phones as text[])) as chosen(phone)
    cross join lateral (
        select lead_id, lead_ref, name from leads
        where leads.phone = chosen.phone and leads.deleted_at is null
        limit 1
    ) as found
"""


def _lead_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = _not_future(row["generated_at"], "generated_at")
    if row["lost_reason"] and row["status"] != "lost":
        problems.append(("lost_reason", "a lost reason needs the status lost"))
    return problems


def _lead_values(context: Context, row: ParsedRow) -> dict[str, Any] | None:
    v = row.values
    lead_source_id = context.lead_source(v["source"], v["subsource"])
    campaign_id = owner_user_id = None
    if v["campaign"]:
        campaign = context.campaign(v["campaign"])
        if campaign is None:
            context.reject(row, "campaign", f"no campaign named '{v['campaign']}' (import campaigns first)")
            return None
        if campaign.lead_source_id != lead_source_id:
            context.reject(row, "campaign", f"campaign '{v['campaign']}' runs on another source or subsource")
            return None
        campaign_id = campaign.campaign_id
    if v["owner"]:
        owner_user_id = context.user(v["owner"])
        if owner_user_id is None:
            context.reject(row, "owner", f"no user named '{v['owner']}'")
            return None
    return {
        "name": v["name"],
        "phone": v["phone"],
        "email": v["email"],
        "project_id": context.project(v["project"]) if v["project"] else None,
        "unit_type_preference": v["unit_type"],
        "budget": v["budget"],
        "lead_source_id": lead_source_id,
        "campaign_id": campaign_id,
        "owner_user_id": owner_user_id,
        "generated_at": v["generated_at"],
        "status": v["status"] or "open",
        "lost_reason": v["lost_reason"],
    }


class _Seen:
    """A stand-in for an existing row, for a key met twice in one batch."""

    def __init__(self, values: dict[str, Any]) -> None:
        self._mapping = values


def _apply_leads(context: Context, rows: list[ParsedRow]) -> None:
    conn = context.conn
    candidates: dict[str, tuple[ParsedRow, dict[str, Any]]] = {}
    phones: dict[str, str] = {}
    for row in rows:
        wanted = _lead_values(context, row)
        if wanted is None:
            continue
        ref = row.values["lead_ref"]
        if ref in candidates:
            settle_existing(context, row, "lead", _Seen(candidates[ref][1]), wanted)
        elif wanted["phone"] in phones:
            context.reject(row, "phone", f"the same phone is lead_ref {phones[wanted['phone']]} earlier in the file")
        else:
            candidates[ref] = (row, wanted)
            phones[wanted["phone"]] = ref
    refs = list(candidates)
    existing = {
        found.lead_ref: found
        for found in conn.execute(
            sa.text(_EXISTING_LEADS),
            {"refs": refs},
        )
    }
    clashes = {
        found.phone: found
        for found in conn.execute(
            sa.text(_PHONE_CLASHES),
            {"phones": list(phones)},
        )
    }
    new_rows = []
    for ref, (row, wanted) in candidates.items():
        if ref in existing:
            # A lead's status moves with what happens later (a booking, a re-enquiry), so it is not compared.
            described = {column: wanted[column] for column in _COMPARED if column not in ("status", "lost_reason")}
            settle_existing(context, row, "lead", existing[ref], described)
        elif wanted["phone"] in clashes:
            clash = clashes[wanted["phone"]]
            context.reject(
                row, "phone", f"this phone is already lead {clash.lead_id} ({clash.name}); one lead per phone"
            )
        else:
            new_rows.append((row.line, ref, *(wanted[column] for column in _COMPARED)))
    if new_rows:
        choices = _route(context, new_rows)
        conn.execute(sa.text(_LEAD_STAGING))
        context.copy_rows("import_lead_rows", _LEAD_COLUMNS, new_rows)
        conn.execute(sa.text(_INSERT_LEADS), {"tenant_id": context.tenant_id, "user_id": context.user_id})
        _log_assignments(context, choices)
        context.result.created += len(new_rows)


# Where the routed columns sit in a staged row (see _LEAD_COLUMNS).
_OWNER_AT = _LEAD_COLUMNS.index("owner_user_id")
_SOURCE_AT = _LEAD_COLUMNS.index("lead_source_id")
_PROJECT_AT = _LEAD_COLUMNS.index("project_id")
_CAMPAIGN_AT = _LEAD_COLUMNS.index("campaign_id")
_STATUS_AT = _LEAD_COLUMNS.index("status")


def _route(context: Context, new_rows: list[tuple]) -> dict[str, assignment.Choice]:
    """Each new lead's owner, by lead_ref: the file's, or for an open lead without one the routing
    rules' (in file order, each taking its turn); the rows are given their owners in place.

    A lost or booked lead without an owner is history, not a new enquiry: it is left unowned
    and unrouted, so a file of old leads does not use up today's turns and caps."""
    routing = assignment.has_rules(context.conn)
    choices = {}
    for index, staged in enumerate(new_rows):
        ref = staged[1]
        if staged[_OWNER_AT] is not None:
            choices[ref] = assignment.by_hand(staged[_OWNER_AT], "imported", context.user_id)
        elif staged[_STATUS_AT] == "open":
            if routing:
                choice = assignment.choose_owner(
                    context.conn,
                    lead_source_id=staged[_SOURCE_AT],
                    project_id=staged[_PROJECT_AT],
                    campaign_id=staged[_CAMPAIGN_AT],
                )
            else:
                choice = assignment.Choice(user_id=None, reason="no_rule")
            choices[ref] = choice
            new_rows[index] = (*staged[:_OWNER_AT], choice.user_id, *staged[_OWNER_AT + 1 :])
    return choices


def _log_assignments(context: Context, choices: dict[str, assignment.Choice]) -> None:
    """The assignment log's rows for the leads just inserted, found by their lead_ref."""
    if not choices:
        return
    lead_ids = dict(
        context.conn.execute(
            sa.text("select lead_ref, lead_id from leads where lead_ref = any(:refs)"), {"refs": list(choices)}
        ).all()
    )
    assignment.log_assignments(
        context.conn, context.tenant_id, [lead_ids[ref] for ref in choices], list(choices.values())
    )


LEADS = Kind(
    name="leads",
    description="Leads by lead_ref; sources, subsources and projects are created when missing.",
    columns=(
        Column("lead_ref", required=True),
        Column("name", required=True, max_length=NAME_MAX),
        Column("phone", values.phone, required=True),
        Column("email", values.email),
        Column("project", max_length=NAME_MAX),
        Column("unit_type", lambda text: values.choice(text, UNIT_TYPES, "unit type")),
        Column("budget", values.amount),
        Column("source", required=True, max_length=NAME_MAX),
        Column("subsource", required=True, max_length=NAME_MAX),
        Column("campaign", max_length=NAME_MAX),
        Column("owner", max_length=NAME_MAX),
        Column("generated_at", values.moment, required=True),
        Column("status", lambda text: values.choice(text, LEAD_STATUSES, "lead status")),
        Column("lost_reason", max_length=NOTES_MAX),
    ),
    check=_lead_checks,
    apply=_apply_leads,
)


# Milestones --------------------------------------------------------------------------------

_MILESTONE_STAGING = """
    create temp table if not exists import_milestone_rows (
        line integer, lead_ref text, milestone_type text, occurred_at timestamptz, outcome text,
        latitude numeric(9, 6), longitude numeric(9, 6), notes text, next_follow_up_at timestamptz
    ) on commit drop
"""
_MILESTONE_COLUMNS = (
    "line",
    "lead_ref",
    "milestone_type",
    "occurred_at",
    "outcome",
    "latitude",
    "longitude",
    "notes",
    "next_follow_up_at",
)
_RESOLVE_MILESTONES = """
    select
        import_milestone_rows.line,
        leads.lead_id,
        leads.generated_at,
        existing.milestone_id as existing_id,
        existing.outcome, existing.latitude, existing.longitude, existing.notes, existing.next_follow_up_at,
        first_visit.first_site_visit_at
    from import_milestone_rows
    left join lateral (
        select lead_id, generated_at
        from leads
        where leads.lead_ref = import_milestone_rows.lead_ref and leads.deleted_at is null
        limit 1
    ) as leads on true
    left join lateral (
        select milestone_id, outcome, latitude, longitude, notes, next_follow_up_at
        from lead_milestones
        where lead_milestones.lead_id = leads.lead_id
            and lead_milestones.milestone_type = import_milestone_rows.milestone_type
            and lead_milestones.occurred_at = import_milestone_rows.occurred_at
            and lead_milestones.deleted_at is null
        order by milestone_id
        limit 1
    ) as existing on true
    left join lateral (
        select min(occurred_at) as first_site_visit_at
        from lead_milestones
        where lead_milestones.lead_id = leads.lead_id
            and lead_milestones.milestone_type = 'site_visit'
            and lead_milestones.deleted_at is null
    ) as first_visit on true
"""
_INSERT_MILESTONES = """
    insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, outcome, latitude, longitude,
        notes, next_follow_up_at, metadata, recorded_by)
    select :tenant_id, leads.lead_id, rows.milestone_type, rows.occurred_at, rows.outcome, rows.latitude,
        rows.longitude, rows.notes, rows.next_follow_up_at, '{"imported": true}', :user_id
    from import_milestone_rows as rows
    cross join lateral (
        select lead_id from leads where leads.lead_ref = rows.lead_ref and leads.deleted_at is null limit 1
    ) as leads
    where rows.line = any(:lines)
    order by rows.line
"""
_MILESTONE_COMPARED = ("outcome", "latitude", "longitude", "notes", "next_follow_up_at")


def _milestone_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if row["milestone_type"] in BOOKING_MILESTONES:
        problems.append(("milestone_type", f"{row['milestone_type']} milestones come from the bookings file"))
    if row["milestone_type"] != "site_visit_scheduled":
        problems += _not_future(row["occurred_at"], "occurred_at")
    if (row["latitude"] is None) != (row["longitude"] is None):
        problems.append(("latitude", "give both latitude and longitude, or neither"))
    elif row["latitude"] is not None and not (-90 <= row["latitude"] <= 90 and -180 <= row["longitude"] <= 180):
        problems.append(("latitude", "latitude must be within -90..90 and longitude within -180..180"))
    return problems


def _stage_and_resolve(context: Context, rows: list[ParsedRow], staging: str, table: str, columns, resolve: str):
    """COPY the batch into its staging table and return what the resolving query found, by line."""
    context.conn.execute(sa.text(staging))
    context.copy_rows(table, columns, [(row.line, *(row.values[column] for column in columns[1:])) for row in rows])
    return {found.line: found for found in context.conn.execute(sa.text(resolve))}


def _insert_accepted(context: Context, insert: str, accepted: list[int]) -> None:
    if accepted:
        context.conn.execute(
            sa.text(insert), {"tenant_id": context.tenant_id, "user_id": context.user_id, "lines": accepted}
        )
        context.result.created += len(accepted)


def _apply_milestones(context: Context, rows: list[ParsedRow]) -> None:
    resolved = _stage_and_resolve(
        context, rows, _MILESTONE_STAGING, "import_milestone_rows", _MILESTONE_COLUMNS, _RESOLVE_MILESTONES
    )
    accepted: list[int] = []
    seen: dict[tuple, dict[str, Any]] = {}
    visits: dict[int, dt.datetime] = {}
    for row in rows:
        v, found = row.values, resolved[row.line]
        wanted = {column: v[column] for column in _MILESTONE_COMPARED}
        key = (found.lead_id, v["milestone_type"], v["occurred_at"])
        if found.lead_id is None:
            context.reject(row, "lead_ref", f"no lead with lead_ref '{v['lead_ref']}' (import leads first)")
        elif v["occurred_at"] < found.generated_at:
            context.reject(row, "occurred_at", "this is before the lead was generated")
        elif found.existing_id is not None:
            settle_existing(context, row, "milestone", found, wanted)
        elif key in seen:
            settle_existing(context, row, "milestone", _Seen(seen[key]), wanted)
        elif v["milestone_type"] == "lead_generated":
            context.reject(row, "milestone_type", "a lead's lead_generated milestone comes with the lead")
        elif v["milestone_type"] == "revisit" and not _visited_before(found, visits, v["occurred_at"]):
            context.reject(row, "milestone_type", "a revisit needs an earlier site_visit of the lead")
        else:
            seen[key] = wanted
            accepted.append(row.line)
            if v["milestone_type"] == "site_visit":
                visits[found.lead_id] = min(v["occurred_at"], visits.get(found.lead_id, v["occurred_at"]))
    _insert_accepted(context, _INSERT_MILESTONES, accepted)


def _visited_before(found: Any, visits: dict[int, dt.datetime], moment: dt.datetime) -> bool:
    earliest = [at for at in (found.first_site_visit_at, visits.get(found.lead_id)) if at is not None]
    return bool(earliest) and min(earliest) < moment


def _coordinate(text: str) -> Decimal:
    return values.decimal(text).quantize(Decimal("0.000001"))


MILESTONES = Kind(
    name="milestones",
    description="What happened to each lead, by lead_ref; bookings and cancellations come from the bookings file.",
    columns=(
        Column("lead_ref", required=True),
        Column("milestone_type", lambda text: values.choice(text, MILESTONE_TYPES, "milestone type"), required=True),
        Column("occurred_at", values.moment, required=True),
        Column("outcome", lambda text: values.choice(text, OUTCOMES, "outcome")),
        Column("latitude", _coordinate),
        Column("longitude", _coordinate),
        Column("notes", max_length=NOTES_MAX),
        Column("next_follow_up_at", values.moment),
    ),
    check=_milestone_checks,
    apply=_apply_milestones,
)


# Engagements -------------------------------------------------------------------------------

_ENGAGEMENT_STAGING = """
    create temp table if not exists import_engagement_rows (
        line integer, lead_ref text, engagement_type text, channel text, direction text, status text,
        occurred_at timestamptz, duration_seconds integer, notes text
    ) on commit drop
"""
_ENGAGEMENT_COLUMNS = (
    "line",
    "lead_ref",
    "engagement_type",
    "channel",
    "direction",
    "status",
    "occurred_at",
    "duration_seconds",
    "notes",
)
_RESOLVE_ENGAGEMENTS = """
    select
        import_engagement_rows.line, leads.lead_id, leads.generated_at,
        existing.engagement_id as existing_id, existing.channel, existing.status, existing.duration_seconds,
        existing.notes
    from import_engagement_rows
    left join lateral (
        select lead_id, generated_at
        from leads
        where leads.lead_ref = import_engagement_rows.lead_ref and leads.deleted_at is null
        limit 1
    ) as leads on true
    left join lateral (
        select engagement_id, channel, status, duration_seconds, notes
        from lead_engagements
        where lead_engagements.lead_id = leads.lead_id
            and lead_engagements.engagement_type = import_engagement_rows.engagement_type
            and lead_engagements.direction = import_engagement_rows.direction
            and lead_engagements.occurred_at = import_engagement_rows.occurred_at
            and lead_engagements.deleted_at is null
        order by engagement_id
        limit 1
    ) as existing on true
"""
_INSERT_ENGAGEMENTS = """
    insert into lead_engagements (tenant_id, lead_id, engagement_type, channel, direction, status, occurred_at,
        duration_seconds, notes, recorded_by)
    select :tenant_id, leads.lead_id, rows.engagement_type, rows.channel, rows.direction, rows.status,
        rows.occurred_at, rows.duration_seconds, rows.notes, :user_id
    from import_engagement_rows as rows
    cross join lateral (
        select lead_id from leads where leads.lead_ref = rows.lead_ref and leads.deleted_at is null limit 1
    ) as leads
    where rows.line = any(:lines)
    order by rows.line
"""
_ENGAGEMENT_COMPARED = ("channel", "status", "duration_seconds", "notes")


def _engagement_checks(row: dict[str, Any]) -> list[tuple[str, str]]:
    problems = [] if row["status"] == "scheduled" else _not_future(row["occurred_at"], "occurred_at")
    if row["duration_seconds"] is not None and row["duration_seconds"] < 0:
        problems.append(("duration_seconds", "a duration cannot be negative"))
    return problems


def _apply_engagements(context: Context, rows: list[ParsedRow]) -> None:
    resolved = _stage_and_resolve(
        context, rows, _ENGAGEMENT_STAGING, "import_engagement_rows", _ENGAGEMENT_COLUMNS, _RESOLVE_ENGAGEMENTS
    )
    accepted: list[int] = []
    seen: dict[tuple, dict[str, Any]] = {}
    for row in rows:
        v, found = row.values, resolved[row.line]
        wanted = {column: v[column] for column in _ENGAGEMENT_COMPARED}
        key = (found.lead_id, v["engagement_type"], v["direction"], v["occurred_at"])
        if found.lead_id is None:
            context.reject(row, "lead_ref", f"no lead with lead_ref '{v['lead_ref']}' (import leads first)")
        elif v["occurred_at"] < found.generated_at:
            context.reject(row, "occurred_at", "this is before the lead was generated")
        elif found.existing_id is not None:
            settle_existing(context, row, "engagement", found, wanted)
        elif key in seen:
            settle_existing(context, row, "engagement", _Seen(seen[key]), wanted)
        else:
            seen[key] = wanted
            accepted.append(row.line)
    _insert_accepted(context, _INSERT_ENGAGEMENTS, accepted)


ENGAGEMENTS = Kind(
    name="engagements",
    description="Calls, messages and meetings, by lead_ref.",
    columns=(
        Column("lead_ref", required=True),
        Column("engagement_type", lambda text: values.choice(text, ENGAGEMENT_TYPES, "engagement type"), required=True),
        Column("channel"),
        Column("direction", lambda text: values.choice(text, DIRECTIONS, "direction"), required=True),
        Column("status", lambda text: values.choice(text, ENGAGEMENT_STATUSES, "status"), required=True),
        Column("occurred_at", values.moment, required=True),
        Column("duration_seconds", values.integer),
        Column("notes", max_length=NOTES_MAX),
    ),
    check=_engagement_checks,
    apply=_apply_engagements,
)
