"""Lead data entry through the data layer: new leads and re-enquiries, site visits, milestones
and engagements. Each rule accepts its valid case and refuses each invalid one with its
message, and a refusal leaves every row count as it was."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from data import db
from data.db import Scope
from data.domain.filters import IST
from data.domain.validation import ValidationError
from data.writes import activity
from data.writes import leads as lead_writes
from data.writes.common import now
from tests.support.checks import assert_refused, form_key, row_counts
from tests.support.world import World, add_people, build_world

TABLES = ("leads", "lead_milestones", "lead_engagements", "audit_log")


@pytest.fixture(scope="module")
def world() -> World:
    world = build_world("entry")
    add_people(world)
    return world


def counts(world: World) -> dict[str, int]:
    return row_counts(world.alpha, TABLES)


def refused(world: World, write, field: str, *, contains: str = "") -> str:
    """Run a write that must be refused on ``field``; nothing may change. Returns the message."""
    return assert_refused(write, field, lambda: counts(world), contains)


def milestones(world: World, lead_id: int) -> list[sa.Row]:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                "select milestone_type, outcome, latitude, longitude, metadata, recorded_by from lead_milestones "
                "where lead_id = :lead_id and deleted_at is null order by occurred_at, milestone_id"
            ),
            {"lead_id": lead_id},
        ).all()


def rep_scope(world: World) -> Scope:
    return Scope(world.alpha, world.ids["rep"])


# New leads ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed", ["+91 98111 22334", "098111 22334", "9811122334", " 98111-22334 ", "+919811122334", "0091 9811122334"]
)
def test_indian_mobiles_in_any_usual_form_normalise_to_one_e164(typed: str) -> None:
    assert lead_writes.normalise_phone(typed) == "+919811122334"


@pytest.mark.parametrize("typed", ["12345", "+91 12345 67890", "98111", "abcdefghij", "", "020 2612 3456"])
def test_invalid_or_non_mobile_indian_numbers_are_refused(typed: str) -> None:
    assert lead_writes.normalise_phone(typed) is None


def new_lead(world: World, **changes):
    values = {
        "name": "Farah Khan",
        "phone": "+91 98111 00001",
        "email": "Farah.Khan@Example.com",
        "lead_source_id": world.ids["s1"],
        "campaign_id": world.ids["c1"],
        "project_id": world.ids["p1"],
        "unit_type_preference": "2BHK",
        "budget": "75,00,000",
        "generated_at": now() - dt.timedelta(days=3),
        "idempotency_key": form_key(),
    }
    values.update(changes)
    user = values.pop("user", world.ids["rep"])
    return lambda: lead_writes.create_lead(world.alpha, user, **values)


def test_a_new_lead_is_saved_normalised_with_its_generated_milestone(world: World) -> None:
    before = counts(world)
    saved = new_lead(world, phone="098111 00001")()
    assert saved.is_new
    with db.tenant_transaction(world.alpha) as conn:
        lead = conn.execute(
            sa.text("select phone, email, owner_user_id, budget from leads where lead_id = :id"), {"id": saved.lead_id}
        ).one()
    assert (lead.phone, lead.email, lead.owner_user_id, str(lead.budget)) == (
        "+919811100001",
        "Farah.Khan@example.com",
        world.ids["rep"],
        "7500000.00",
    )
    assert [row.milestone_type for row in milestones(world, saved.lead_id)] == ["lead_generated"]
    after = counts(world)
    assert (after["leads"], after["lead_milestones"], after["audit_log"]) == (
        before["leads"] + 1,
        before["lead_milestones"] + 1,
        before["audit_log"] + 1,
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name": "  "}, "name"),
        ({"phone": "12345"}, "phone"),
        ({"email": "farah@"}, "email"),
        ({"budget": "lots"}, "budget"),
        ({"unit_type_preference": "6BHK"}, "unit_type_preference"),
        ({"lead_source_id": None}, "lead_source_id"),
        ({"idempotency_key": ""}, "idempotency_key"),
        ({"generated_at": dt.datetime(2099, 1, 1, tzinfo=IST)}, "generated_at"),
    ],
)
def test_bad_new_leads_are_refused_beside_the_field(world: World, changes: dict, field: str) -> None:
    refused(world, new_lead(world, **{"phone": "+91 98111 00099", **changes}), field)


def test_a_campaign_must_belong_to_the_chosen_source(world: World) -> None:
    # c1 runs on Online Portal / 99acres; s2 is Walk-in.
    refused(
        world,
        new_lead(world, phone="+91 98111 00098", lead_source_id=world.ids["s2"]),
        "campaign_id",
        contains="Walk-in",
    )


def test_a_rep_cannot_give_a_new_lead_to_someone_else(world: World) -> None:
    refused(world, new_lead(world, phone="+91 98111 00097", owner_user_id=world.ids["sara"]), "owner_user_id")


def test_a_manager_adds_a_lead_on_behalf_of_a_rep(world: World) -> None:
    saved = new_lead(world, phone="+91 98111 00002", user=world.ids["mona"], owner_user_id=world.ids["sara"])()
    with db.tenant_transaction(world.alpha) as conn:
        owner, created_by = conn.execute(
            sa.text("select owner_user_id, created_by from leads where lead_id = :id"), {"id": saved.lead_id}
        ).one()
    assert (owner, created_by) == (world.ids["sara"], world.ids["mona"])


def test_leadership_cannot_add_leads(world: World) -> None:
    refused(world, new_lead(world, phone="+91 98111 00096", user=world.ids["lena"]), "user")


def test_a_known_phone_is_a_duplicate_naming_the_lead_even_for_another_rep(world: World) -> None:
    # Asha (l1) belongs to Ravi; Sara types her number in another form.
    before = counts(world)
    with pytest.raises(lead_writes.DuplicateLead) as duplicate:
        new_lead(world, phone="98000 00001", user=world.ids["sara"], name="A. Patil")()
    assert duplicate.value.existing.lead_id == world.ids["l1"]
    assert "Asha Patil" in duplicate.value.errors["phone"]
    assert counts(world) == before


def test_the_same_new_lead_form_submitted_twice_saves_one_lead(world: World) -> None:
    one_key = form_key()
    first = new_lead(world, phone="+91 98111 00003", idempotency_key=one_key)()
    second = new_lead(world, phone="+91 98111 00003", idempotency_key=one_key)()
    assert (first.lead_id, first.is_new, second.lead_id, second.is_new) == (first.lead_id, True, first.lead_id, False)


def test_concurrent_submissions_of_one_new_lead_form_save_one_lead(world: World) -> None:
    one_key = form_key()

    def submit(_):
        return new_lead(world, phone="+91 98111 00004", idempotency_key=one_key)()

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(submit, range(8)))
    assert len({result.lead_id for result in results}) == 1
    assert sum(result.is_new for result in results) == 1


def test_a_re_enquiry_records_reengaged_with_the_new_source_and_reopens_a_lost_lead(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00005")().lead_id
    with db.tenant_transaction(world.alpha) as conn:
        conn.execute(
            sa.text("update leads set status = 'lost', lost_reason = 'Budget' where lead_id = :id"), {"id": lead_id}
        )
    saved = lead_writes.log_reenquiry(
        world.alpha, world.ids["sara"], lead_id=lead_id, lead_source_id=world.ids["s2"], idempotency_key=form_key()
    )
    last = milestones(world, lead_id)[-1]
    assert (saved.lead_id, last.milestone_type, last.metadata["source"], last.metadata["subsource"]) == (
        lead_id,
        "reengaged",
        "Walk-in",
        "Site office",
    )
    with db.tenant_transaction(world.alpha) as conn:
        assert conn.execute(sa.text("select status from leads where lead_id = :id"), {"id": lead_id}).scalar() == "open"


# Site visits --------------------------------------------------------------------------------


def visit(world: World, lead: str | int, **changes):
    values = {
        "lead_id": world.ids[lead] if isinstance(lead, str) else lead,
        "is_done": True,
        "occurred_at": now() - dt.timedelta(hours=1),
        "outcome": "positive",
        "outcome_reason": "Liked the east-facing layout",
        "location": "18.5204, 73.8567",
        "notes": "Came with parents",
        "next_follow_up_at": now() + dt.timedelta(days=2),
        "idempotency_key": form_key(),
    }
    values.update(changes)
    scope = values.pop("scope", rep_scope(world))
    user = values.pop("user", world.ids["rep"])
    return lambda: activity.log_site_visit(scope, user, **values)


def test_the_first_visit_is_a_site_visit_and_the_second_a_revisit(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00006")().lead_id
    first = visit(world, lead_id)()
    # Half an hour later: within ten minutes it would be asked about as a probable duplicate.
    second = visit(world, lead_id, outcome="neutral", location="", occurred_at=now() - dt.timedelta(minutes=30))()
    rows = milestones(world, lead_id)
    assert [row.milestone_type for row in rows] == ["lead_generated", "site_visit", "revisit"]
    assert (str(rows[1].latitude), str(rows[1].longitude), rows[1].metadata["outcome_reason"]) == (
        "18.520400",
        "73.856700",
        "Liked the east-facing layout",
    )
    assert first.row_id != second.row_id and rows[2].latitude is None


def test_a_scheduled_visit_may_be_in_the_future_and_has_no_outcome(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00007")().lead_id
    visit(world, lead_id, is_done=False, occurred_at=now() + dt.timedelta(days=5), outcome=None, outcome_reason="")()
    assert milestones(world, lead_id)[-1].milestone_type == "site_visit_scheduled"


@pytest.mark.parametrize(
    ("changes", "field", "contains"),
    [
        ({"outcome": None}, "outcome", "positive, neutral or negative"),
        ({"outcome_reason": " "}, "outcome_reason", "Say why"),
        ({"location": "91.0, 73.8"}, "location", "Latitude"),
        ({"location": "18.5, 181"}, "location", "Longitude"),
        ({"location": "near the gate"}, "location", "two numbers"),
        ({"occurred_at": now() + dt.timedelta(days=3)}, "occurred_at", "future"),
        ({"occurred_at": None}, "occurred_at", "Give"),
        ({"next_follow_up_at": now() - dt.timedelta(days=3)}, "next_follow_up_at", "past"),
        ({"is_done": False, "occurred_at": now() + dt.timedelta(days=3)}, "outcome", "scheduled visit"),
        ({"occurred_at": dt.datetime(2025, 12, 31, 12, tzinfo=IST)}, "occurred_at", "before the lead"),
    ],
)
def test_bad_site_visits_are_refused_beside_the_field(world: World, changes: dict, field: str, contains: str) -> None:
    refused(world, visit(world, "l4", **changes), field, contains=contains)


def test_a_rep_cannot_log_a_visit_on_a_colleagues_lead(world: World) -> None:
    # l4 is Ravi's; Sara's scope does not see it.
    sara = Scope(world.alpha, world.ids["sara"])
    refused(world, visit(world, "l4", scope=sara, user=world.ids["sara"]), "lead_id")


def test_a_manager_logs_a_visit_for_a_reps_lead(world: World) -> None:
    saved = visit(world, "l4", scope=Scope(world.alpha), user=world.ids["mona"])()
    assert milestones(world, world.ids["l4"])[-1].recorded_by == world.ids["mona"]
    assert saved.lead_id == world.ids["l4"]


def test_one_visit_form_submitted_twice_is_one_milestone(world: World) -> None:
    one_key = form_key()
    lead_id = new_lead(world, phone="+91 98111 00008")().lead_id
    first = visit(world, lead_id, idempotency_key=one_key)()
    second = visit(world, lead_id, idempotency_key=one_key)()
    assert (first.is_new, second.is_new, first.row_id) == (True, False, second.row_id)
    assert [row.milestone_type for row in milestones(world, lead_id)] == ["lead_generated", "site_visit"]


# Milestones ---------------------------------------------------------------------------------


def milestone(world: World, lead: str | int, milestone_type: str, **changes):
    values = {
        "lead_id": world.ids[lead] if isinstance(lead, str) else lead,
        "milestone_type": milestone_type,
        "occurred_at": now() - dt.timedelta(hours=2),
        "idempotency_key": form_key(),
    }
    values.update(changes)
    return lambda: activity.log_milestone(rep_scope(world), world.ids["rep"], **values)


def test_milestones_follow_the_timeline_rules(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00009")().lead_id
    refused(world, milestone(world, lead_id, "revisit"), "milestone_type", contains="earlier site visit")
    refused(world, milestone(world, lead_id, "booking"), "milestone_type", contains="booking forms")
    refused(world, milestone(world, lead_id, "cancellation"), "milestone_type", contains="booking forms")
    refused(world, milestone(world, lead_id, "lead_generated"), "milestone_type")
    refused(world, milestone(world, lead_id, "promoted"), "milestone_type")
    refused(
        world,
        milestone(world, lead_id, "qualified", occurred_at=now() + dt.timedelta(days=2)),
        "occurred_at",
        contains="future",
    )
    refused(
        world,
        milestone(world, lead_id, "qualified", occurred_at=now() - dt.timedelta(days=400)),
        "occurred_at",
        contains="before the lead",
    )
    milestone(world, lead_id, "qualified")()
    milestone(world, lead_id, "site_visit_scheduled", occurred_at=now() + dt.timedelta(days=10))()
    milestone(world, lead_id, "site_visit", occurred_at=now() - dt.timedelta(hours=1))()
    milestone(world, lead_id, "revisit", occurred_at=now() - dt.timedelta(minutes=30))()
    milestone(world, lead_id, "negotiation", outcome="positive", occurred_at=now() - dt.timedelta(minutes=10))()
    types = [row.milestone_type for row in milestones(world, lead_id)]
    assert types == [
        "lead_generated",
        "qualified",
        "site_visit",
        "revisit",
        "negotiation",
        "site_visit_scheduled",
    ]


def test_a_revisit_needs_the_site_visit_to_come_before_it(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00010")().lead_id
    milestone(world, lead_id, "site_visit", occurred_at=now() - dt.timedelta(minutes=10))()
    refused(world, milestone(world, lead_id, "revisit", occurred_at=now() - dt.timedelta(minutes=20)), "milestone_type")


# Engagements --------------------------------------------------------------------------------


def engagement(world: World, lead_id: int, **changes):
    values = {
        "lead_id": lead_id,
        "engagement_type": "call",
        "channel": "phone",
        "direction": "outbound",
        "status": "completed",
        "occurred_at": now() - dt.timedelta(minutes=30),
        "duration_seconds": 180,
        "response_minutes": None,
        "notes": "Wants a Sunday visit",
        "next_follow_up_at": now() + dt.timedelta(days=1),
        "idempotency_key": form_key(),
    }
    values.update(changes)
    return lambda: activity.log_engagement(rep_scope(world), world.ids["rep"], **values)


def test_the_first_completed_engagement_records_contacted_once(world: World) -> None:
    lead_id = new_lead(world, phone="+91 98111 00011")().lead_id
    # The unanswered call an hour before the answered one (ten minutes apart would be a probable duplicate).
    engagement(world, lead_id, status="no_answer", duration_seconds=0, occurred_at=now() - dt.timedelta(minutes=90))()
    assert [row.milestone_type for row in milestones(world, lead_id)] == ["lead_generated"]
    engagement(world, lead_id)()
    engagement(world, lead_id, engagement_type="whatsapp", channel="WhatsApp", response_minutes=15)()
    assert [row.milestone_type for row in milestones(world, lead_id)] == ["lead_generated", "contacted"]
    with db.tenant_transaction(world.alpha) as conn:
        gap = conn.execute(
            sa.text(
                "select responded_at - occurred_at from lead_engagements "
                "where lead_id = :id and engagement_type = 'whatsapp'"
            ),
            {"id": lead_id},
        ).scalar_one()
    assert gap == dt.timedelta(minutes=15)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"engagement_type": "telegram"}, "engagement_type"),
        ({"channel": "pigeon"}, "channel"),
        ({"direction": "sideways"}, "direction"),
        ({"status": "maybe"}, "status"),
        ({"duration_seconds": -5}, "duration_seconds"),
        ({"response_minutes": -1}, "response_minutes"),
        ({"occurred_at": now() + dt.timedelta(days=2)}, "occurred_at"),
        ({"lead_id": -1}, "lead_id"),
    ],
)
def test_bad_engagements_are_refused_beside_the_field(world: World, changes: dict, field: str) -> None:
    refused(world, engagement(world, **{"lead_id": world.ids["l4"], **changes}), field)


def test_a_scheduled_engagement_may_be_in_the_future(world: World) -> None:
    saved = engagement(world, world.ids["l4"], status="scheduled", occurred_at=now() + dt.timedelta(days=3))()
    assert saved.is_new


def test_a_visit_without_a_lead_says_so_with_the_other_messages(world: World) -> None:
    before = counts(world)
    with pytest.raises(ValidationError) as refusal:
        visit(world, "l4", lead_id=None, outcome=None)()
    assert set(refusal.value.errors) == {"lead_id", "outcome"}
    assert counts(world) == before
