"""Capturing leads: a new enquiry, or a repeat enquiry from someone who is already a lead.

A phone number is a person: it is parsed with ``phonenumbers`` (India by default, so
"+91 98765 43210", "098765 43210" and "9876543210" are one number) and stored in E.164. A new
lead whose phone is already a live lead of the tenant is refused with ``DuplicateLead``, which
names that lead, so the form can offer to log a re-enquiry on it instead of a duplicate. The
check is tenant-wide even for a rep, whose other reads see only their own leads: a duplicate
of a colleague's lead is still a duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

import email_validator
import phonenumbers
import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import Action, authorise
from data.domain.rules import NAME_MAX, NOTES_MAX, SHORT_TEXT_MAX, check_text, parse_money
from data.domain.validation import ValidationError, require
from data.domain.vocabulary import UNIT_TYPES
from data.writes import assignment, audit
from data.writes.common import (
    Saved,
    check_key,
    check_moment,
    constraint_name,
    not_before_lead,
    now,
    replay_or_refuse,
    replayed,
)

_MOBILE_TYPES = (phonenumbers.PhoneNumberType.MOBILE, phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE)


class DuplicateLead(ValidationError):
    """The phone already belongs to a live lead; ``existing`` is that lead (lead_id, name, phone,
    status, owner_user_id, owner_name)."""

    def __init__(self, existing) -> None:
        owner = existing.owner_name or "nobody"
        super().__init__({"phone": f"This phone belongs to {existing.name} (lead {existing.lead_id}, owner {owner})."})
        self.existing = existing


def normalise_phone(text: str | None) -> str | None:
    """The number in E.164, or None when it is not a valid phone (an Indian one must be a mobile)."""
    try:
        number = phonenumbers.parse((text or "").strip(), "IN")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    if number.country_code == 91 and phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(text: str | None) -> str | None:
    """The address in normal form; raises ``ValueError`` with the reason when it is not one."""
    if not (text or "").strip():
        return None
    try:
        return email_validator.validate_email(text.strip(), check_deliverability=False).normalized
    except email_validator.EmailNotValidError as error:
        raise ValueError(str(error)) from error


def _lead_with_phone(conn: sa.Connection, phone: str):
    return conn.execute(
        sa.text(
            """
            select leads.lead_id, leads.name, leads.phone, leads.status, leads.owner_user_id,
                app_users.display_name as owner_name
            from leads
            left join app_users
                on app_users.tenant_id = leads.tenant_id and app_users.user_id = leads.owner_user_id
            where leads.phone = :phone and leads.deleted_at is null
            """
        ),
        {"phone": phone},
    ).one_or_none()


def _source_and_campaign(conn, lead_source_id, campaign_id, errors: dict[str, str]):
    source = None
    if lead_source_id is not None:
        source = conn.execute(
            sa.text(
                "select lead_source_id, source, subsource from lead_sources "
                "where lead_source_id = :id and deleted_at is null"
            ),
            {"id": lead_source_id},
        ).one_or_none()
    if source is None:
        errors["lead_source_id"] = "Choose the source and subsource."
        return None, None
    campaign = None
    if campaign_id is not None:
        campaign = conn.execute(
            sa.text(
                "select campaign_id, name from campaigns "
                "where campaign_id = :id and lead_source_id = :lead_source_id and deleted_at is null"
            ),
            {"id": campaign_id, "lead_source_id": lead_source_id},
        ).one_or_none()
        if campaign is None:
            errors["campaign_id"] = f"Choose a campaign of {source.source} / {source.subsource}, or none."
    return source, campaign


def _owner(conn, role: str, user_id: int, owner_user_id: int | None, errors: dict[str, str]):
    """The owner the form names (a rep's new lead is their own) as an ``assignment.Choice``, or
    None when it names none: the routing rules choose."""
    if role == "rep":
        if owner_user_id not in (None, user_id):
            errors["owner_user_id"] = "A rep's new leads are their own; ask a manager to assign it."
        return assignment.by_hand(user_id, "creator", user_id)
    if owner_user_id is None:
        return None
    is_owner = conn.execute(
        sa.text(
            "select 1 from app_users where user_id = :id and role in ('rep', 'manager') "
            "and is_active and deleted_at is null"
        ),
        {"id": owner_user_id},
    ).scalar()
    if not is_owner:
        errors["owner_user_id"] = "Choose an active rep or manager."
    return assignment.by_hand(owner_user_id, "manual", user_id)


# What an earlier submission of the same form wrote.
_LEAD_BY_KEY = "select lead_id as row_id, lead_id, created_by as written_by from leads where idempotency_key = :key"
_MILESTONE_BY_KEY = (
    "select milestone_id as row_id, lead_id, recorded_by as written_by from lead_milestones "
    "where idempotency_key = :key"
)


def _replayed(conn, sql: str, idempotency_key: str, user_id: int) -> Saved | None:
    return replayed(conn, sql, idempotency_key, user_id)


@dataclass(frozen=True)
class NewLead:
    """A new lead's values, checked and normalised (``check_new_lead``), ready to insert."""

    name: str
    phone: str
    email: str | None
    project_id: int | None
    unit_type_preference: str | None
    budget: Any
    lead_source_id: int | None
    campaign_id: int | None
    owner_user_id: int | None
    generated_at: dt.datetime
    notes: str | None


def check_new_lead(
    *,
    name: str,
    phone: str,
    lead_source_id: int | None,
    email: str | None = None,
    project_id: int | None = None,
    unit_type_preference: str | None = None,
    budget: Any = None,
    campaign_id: int | None = None,
    owner_user_id: int | None = None,
    generated_at: dt.datetime | None = None,
    notes: str | None = None,
    errors: dict[str, str] | None = None,
) -> NewLead:
    """The lead's values checked on their own (no database); raise with one message per field.

    ``errors`` may carry messages the caller found already, so every message is said at once."""
    errors = {} if errors is None else errors
    name = check_text(name, "name", errors, max_length=NAME_MAX, required=True, label="lead's name")
    normalised_phone = None
    if (phone := check_text(phone, "phone", errors, max_length=SHORT_TEXT_MAX, label="mobile number")) is not None:
        normalised_phone = normalise_phone(phone)
    if normalised_phone is None and "phone" not in errors:
        errors["phone"] = "Enter a valid mobile number, e.g. 98765 43210 or +91 98765 43210."
    normalised_email = None
    if (email := check_text(email, "email", errors, max_length=SHORT_TEXT_MAX, label="email address")) is not None:
        try:
            normalised_email = normalise_email(email)
        except ValueError as error:
            errors["email"] = f"Enter a valid email address ({error})."
    if unit_type_preference not in (None, *UNIT_TYPES):
        errors["unit_type_preference"] = "Choose a unit type."
    is_blank = budget is None or (isinstance(budget, str) and not budget.strip())
    budget_value = None if is_blank else parse_money(budget, "budget", errors)
    notes = check_text(notes, "notes", errors, max_length=NOTES_MAX, multiline=True)
    generated_at = check_moment(generated_at or now(), "generated_at", errors)
    require(errors)
    return NewLead(
        name=name,
        phone=normalised_phone,
        email=normalised_email,
        project_id=project_id,
        unit_type_preference=unit_type_preference,
        budget=budget_value,
        lead_source_id=lead_source_id,
        campaign_id=campaign_id,
        owner_user_id=owner_user_id,
        generated_at=generated_at,
        notes=notes,
    )


def create_lead(tenant_id: int, user_id: int, *, idempotency_key: str, **values: Any) -> Saved:
    """Create a lead and its ``lead_generated`` milestone; raise ``DuplicateLead`` for a known phone.

    ``values`` are ``check_new_lead``'s: name, phone, lead_source_id and the optional email,
    project_id, unit_type_preference, budget, campaign_id, owner_user_id, generated_at, notes."""
    errors: dict[str, str] = {}
    check_key(idempotency_key, errors)
    lead = check_new_lead(**values, errors=errors)
    with db.tenant_transaction(tenant_id) as conn:
        role = authorise(conn, user_id, Action.LEAD_CREATE)
        saved = insert_lead(conn, tenant_id, user_id, role, lead, idempotency_key)
    reports.data_changed(tenant_id)
    return saved


def insert_lead(
    conn: sa.Connection,
    tenant_id: int,
    user_id: int,
    role: str,
    lead: NewLead,
    idempotency_key: str,
    next_follow_up_at: dt.datetime | None = None,
) -> Saved:
    """Insert a checked lead in the caller's transaction (its role already authorised): the
    lead, its ``lead_generated`` milestone (with the follow-up it asks for, if any) and the audit
    row; an earlier submission of the same key is replayed, a known phone raises ``DuplicateLead``."""
    errors: dict[str, str] = {}
    if replayed := _replayed(conn, _LEAD_BY_KEY, idempotency_key, user_id):
        return replayed
    if existing := _lead_with_phone(conn, lead.phone):
        # It may be this very form, saved by a concurrent submission since the check above.
        if replayed := _replayed(conn, _LEAD_BY_KEY, idempotency_key, user_id):
            return replayed
        raise DuplicateLead(existing)
    source, campaign = _source_and_campaign(conn, lead.lead_source_id, lead.campaign_id, errors)
    chosen = _owner(conn, role, user_id, lead.owner_user_id, errors)
    if (
        lead.project_id is not None
        and not conn.execute(
            sa.text("select 1 from projects where project_id = :id and deleted_at is null"), {"id": lead.project_id}
        ).scalar()
    ):
        errors["project_id"] = "Choose a project."
    require(errors)
    row = {
        "name": lead.name,
        "phone": lead.phone,
        "email": lead.email,
        "project_id": lead.project_id,
        "unit_type_preference": lead.unit_type_preference,
        "budget": lead.budget,
        "lead_source_id": lead.lead_source_id,
        "campaign_id": lead.campaign_id,
        "generated_at": lead.generated_at,
    }
    try:
        # The routing turn is taken in the same savepoint as the insert: a lead that is not saved
        # (a phone saved a moment ago) gives its turn back.
        with conn.begin_nested():
            if chosen is None:
                chosen = assignment.choose_owner(
                    conn, lead_source_id=lead.lead_source_id, project_id=lead.project_id, campaign_id=lead.campaign_id
                )
            row["owner_user_id"] = chosen.user_id
            lead_id = conn.execute(
                sa.text(
                    """
                    insert into leads (tenant_id, name, phone, email, project_id, unit_type_preference, budget,
                        lead_source_id, campaign_id, owner_user_id, generated_at, created_by, idempotency_key)
                    values (:tenant_id, :name, :phone, :email, :project_id, :unit_type_preference, :budget,
                        :lead_source_id, :campaign_id, :owner_user_id, :generated_at, :user_id, :key)
                    returning lead_id
                    """
                ),
                {**row, "tenant_id": tenant_id, "user_id": user_id, "key": idempotency_key},
            ).scalar_one()
    except sa.exc.IntegrityError as error:
        # This same form, or someone else with the same phone, was saved a moment ago.
        if replayed := _replayed(conn, _LEAD_BY_KEY, idempotency_key, user_id):
            return replayed
        if constraint_name(error) == "index_leads_on_tenant_id_and_phone_live":
            raise DuplicateLead(_lead_with_phone(conn, lead.phone)) from error
        raise
    assignment.log_assignment(conn, tenant_id, lead_id, chosen)
    metadata = {"source": source.source, "subsource": source.subsource}
    if campaign is not None:
        metadata["campaign"] = campaign.name
    conn.execute(
        sa.text(
            """
            insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, notes, metadata,
                recorded_by, next_follow_up_at)
            values (:tenant_id, :lead_id, 'lead_generated', :occurred_at, :notes, cast(:metadata as jsonb),
                :user_id, :next_follow_up_at)
            """
        ),
        {
            "tenant_id": tenant_id,
            "lead_id": lead_id,
            "next_follow_up_at": next_follow_up_at,
            "occurred_at": lead.generated_at,
            "notes": lead.notes,
            "metadata": json.dumps(metadata),
            "user_id": user_id,
        },
    )
    audit.record(
        conn,
        tenant_id=tenant_id,
        user_id=user_id,
        action="lead.created",
        table_name="leads",
        row_key={"lead_id": lead_id},
        after=row,
    )
    return Saved(lead_id, lead_id, is_new=True)


def log_reenquiry(
    tenant_id: int,
    user_id: int,
    *,
    lead_id: int,
    lead_source_id: int | None,
    idempotency_key: str,
    campaign_id: int | None = None,
    occurred_at: dt.datetime | None = None,
    notes: str | None = None,
) -> Saved:
    """Record that a known lead enquired again (a ``reengaged`` milestone naming the new source).

    Tenant-wide, like the duplicate check that leads here: the rep who met the repeat enquiry
    records it on the lead even when a colleague owns it. A lost lead is open again.
    """
    errors: dict[str, str] = {}
    occurred_at = check_moment(occurred_at or now(), "occurred_at", errors)
    notes = check_text(notes, "notes", errors, max_length=NOTES_MAX, multiline=True)
    check_key(idempotency_key, errors)
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.LEAD_REENGAGE)
        if replayed := _replayed(conn, _MILESTONE_BY_KEY, idempotency_key, user_id):
            return replayed
        saved = insert_reenquiry(
            conn, tenant_id, user_id, lead_id, lead_source_id, campaign_id, occurred_at, notes, idempotency_key
        )
    reports.data_changed(tenant_id)
    return saved


def insert_reenquiry(
    conn: sa.Connection,
    tenant_id: int,
    user_id: int,
    lead_id: int,
    lead_source_id: int | None,
    campaign_id: int | None,
    occurred_at: dt.datetime,
    notes: str | None,
    idempotency_key: str,
) -> Saved:
    """Record a checked re-enquiry in the caller's transaction (its role already authorised)."""
    errors: dict[str, str] = {}
    lead = conn.execute(
        sa.text(
            "select lead_id, generated_at, status, owner_user_id, project_id from leads "
            "where lead_id = :id and deleted_at is null"
        ),
        {"id": lead_id},
    ).one_or_none()
    require({} if lead else {"lead_id": "There is no such lead."})
    not_before_lead(lead, occurred_at, "occurred_at")
    source, campaign = _source_and_campaign(conn, lead_source_id, campaign_id, errors)
    require(errors)
    metadata = {"source": source.source, "subsource": source.subsource, "lead_source_id": source.lead_source_id}
    if campaign is not None:
        metadata |= {"campaign": campaign.name, "campaign_id": campaign.campaign_id}
    milestone_id = conn.execute(
        sa.text(
            """
            insert into lead_milestones (tenant_id, lead_id, milestone_type, occurred_at, notes, metadata,
                recorded_by, idempotency_key)
            values (:tenant_id, :lead_id, 'reengaged', :occurred_at, :notes, cast(:metadata as jsonb),
                :user_id, :key)
            on conflict (tenant_id, idempotency_key) do nothing
            returning milestone_id
            """
        ),
        {
            "tenant_id": tenant_id,
            "lead_id": lead_id,
            "occurred_at": occurred_at,
            "notes": notes,
            "metadata": json.dumps(metadata),
            "user_id": user_id,
            "key": idempotency_key,
        },
    ).scalar()
    if milestone_id is None:  # the same form, submitted a moment ago in another request
        return replay_or_refuse(_replayed(conn, _MILESTONE_BY_KEY, idempotency_key, user_id))
    rerouted = None
    if lead.status == "lost":
        conn.execute(
            sa.text("update leads set status = 'open', lost_reason = null where lead_id = :id"), {"id": lead_id}
        )
        # A lost lead back with its owner gone (left, deactivated) goes to whoever the rules give
        # this enquiry's source and campaign now.
        if assignment.owner_is_gone(conn, lead.owner_user_id):
            rerouted = assignment.choose_owner(
                conn, lead_source_id=lead_source_id, project_id=lead.project_id, campaign_id=campaign_id
            )
            conn.execute(
                sa.text("update leads set owner_user_id = :owner where lead_id = :id"),
                {"owner": rerouted.user_id, "id": lead_id},
            )
            assignment.log_assignment(conn, tenant_id, lead_id, rerouted)
    audit.record(
        conn,
        tenant_id=tenant_id,
        user_id=user_id,
        action="lead.reengaged",
        table_name="lead_milestones",
        row_key={"milestone_id": milestone_id, "lead_id": lead_id},
        after={
            **metadata,
            "occurred_at": occurred_at,
            "reopened": lead.status == "lost",
            **({"owner_user_id": rerouted.user_id} if rerouted else {}),
        },
    )
    return Saved(milestone_id, lead_id, is_new=True)
