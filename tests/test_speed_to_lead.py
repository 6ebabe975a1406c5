"""Speed-to-lead (issue 15): v_lead_response's figures on a hand-built tenant, worked out by hand
in the comments, and the kept lead_response equal to its definition after random writes.

The definition is written again here in Python, on the raw rows (``defined_rows``), independently
of compute_lead_response() and leadline_working_minutes(), so a mistake in either shows. Moments
near "now" are computed when a test runs, never at collection.
"""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from data import db
from data.db import tenants
from data.domain import vocabulary
from data.domain.filters import IST
from tests.support.world import at, insert

DEFAULT_HOURS = {weekday: (dt.time(9), dt.time(20)) for weekday in range(1, 8)}
RESPONSE_ENGAGEMENT_TYPES = ("call", "sms", "whatsapp", "email", "meeting")
VIEW_COLUMNS = (
    "tenant_id, lead_id, owner_user_id, lead_source_id, project_id, campaign_id, cohort_month, generated_at, "
    "first_response_at, response_minutes, response_working_minutes, sla_minutes, sla_status"
)
KEPT = """
    select tenant_id, lead_id, owner_user_id, lead_source_id, project_id, campaign_id, cohort_month, generated_at,
        first_response_at, response_minutes, response_working_minutes, sla_minutes, sla_breach_at, is_live
    from lead_response order by lead_id
"""


# The definition, the straightforward way ------------------------------------------------------


def open_periods(start: dt.datetime, days: int, hours: dict[int, tuple[dt.time, dt.time]]):
    """The working periods of ``days`` days from ``start``'s India date, in order."""
    first = start.astimezone(IST).date()
    for offset in range(days):
        work_date = first + dt.timedelta(days=offset)
        if work_date.isoweekday() in hours:
            opens, closes = hours[work_date.isoweekday()]
            yield dt.datetime.combine(work_date, opens, IST), dt.datetime.combine(work_date, closes, IST)


def working_minutes(start: dt.datetime, end: dt.datetime, hours) -> int:
    """Whole minutes of working time between two moments, the total floored."""
    days = (end.astimezone(IST).date() - start.astimezone(IST).date()).days + 1
    total = dt.timedelta()
    for opens, closes in open_periods(start, max(days, 0), hours):
        total += max(dt.timedelta(), min(closes, end) - max(opens, start))
    return total // dt.timedelta(minutes=1)


def working_deadline(start: dt.datetime, minutes: int, hours) -> dt.datetime:
    """The first moment at which the working time since ``start`` reaches ``minutes``."""
    left = dt.timedelta(minutes=minutes)
    for opens, closes in open_periods(start, 10_000, hours):
        piece = closes - max(opens, start)
        if piece <= dt.timedelta():
            continue
        if piece >= left:
            return max(opens, start) + left
        left -= piece
    raise AssertionError("no deadline")


def defined_rows(conn: sa.Connection, tenant_id: int) -> list[tuple]:
    """lead_response as the issue defines it, from the raw rows of one tenant."""
    hours = {
        row.iso_weekday: (row.opens_at, row.closes_at)
        for row in conn.execute(sa.text("select iso_weekday, opens_at, closes_at from working_hours"))
    } or DEFAULT_HOURS
    slas = dict(conn.execute(sa.text("select lead_source_id, sla_minutes from lead_sources")).all())
    responses: dict[int, list[dt.datetime]] = {}
    for lead_id, occurred_at in conn.execute(
        sa.text(
            "select lead_id, occurred_at from lead_engagements where deleted_at is null and direction = 'outbound' "
            "and status = 'completed' and engagement_type in :types "
            "union all select lead_id, occurred_at from lead_milestones "
            "where deleted_at is null and milestone_type = 'contacted'"
        ).bindparams(sa.bindparam("types", expanding=True)),
        {"types": RESPONSE_ENGAGEMENT_TYPES},
    ):
        responses.setdefault(lead_id, []).append(occurred_at)
    rows = []
    for lead in conn.execute(sa.text("select * from leads order by lead_id")):
        generated = lead.generated_at
        first = min((moment for moment in responses.get(lead.lead_id, []) if moment >= generated), default=None)
        sla = slas[lead.lead_source_id]
        rows.append(
            (
                tenant_id,
                lead.lead_id,
                lead.owner_user_id,
                lead.lead_source_id,
                lead.project_id,
                lead.campaign_id,
                generated.astimezone(IST).date().replace(day=1),
                generated,
                first,
                None if first is None else (first - generated) // dt.timedelta(minutes=1),
                None if first is None else working_minutes(generated, first, hours),
                sla,
                working_deadline(generated, sla + 1, hours),
                lead.deleted_at is None,
            )
        )
    return rows


def defined_status(row: tuple, now: dt.datetime, hours) -> str:
    """sla_status of a defined row at the moment ``now``."""
    generated, first, worked, sla = row[7], row[8], row[10], row[11]
    if first is not None:
        return "met" if worked <= sla else "breached"
    return "breached" if working_minutes(generated, now, hours) > sla else "open"


def kept_equals_defined(tenant_id: int) -> None:
    with db.tenant_transaction(tenant_id) as conn:
        kept = [tuple(row) for row in conn.execute(sa.text(KEPT))]
        defined = defined_rows(conn, tenant_id)
        hours = {
            row.iso_weekday: (row.opens_at, row.closes_at)
            for row in conn.execute(sa.text("select iso_weekday, opens_at, closes_at from working_hours"))
        } or DEFAULT_HOURS
        now = conn.execute(sa.text("select now()")).scalar_one()
        statuses = dict(conn.execute(sa.text("select lead_id, sla_status from v_lead_response")).all())
    assert kept == defined
    assert statuses == {row[1]: defined_status(row, now, hours) for row in defined if row[13]}


# The hand-built tenant ------------------------------------------------------------------------


def lead(conn, tenant_id: int, source_id: int, generated_at: dt.datetime, name: str = "Speed Lead", **extra) -> int:
    return insert(
        conn,
        "leads",
        "lead_id",
        tenant_id=tenant_id,
        name=name,
        phone=f"+9197{uuid.uuid4().int % 10**8:08d}",
        lead_source_id=source_id,
        generated_at=generated_at,
        **extra,
    )


def engagement(conn, tenant_id: int, lead_id: int, occurred_at: dt.datetime, **extra) -> int:
    values = {"engagement_type": "call", "direction": "outbound", "status": "completed", **extra}
    return insert(
        conn,
        "lead_engagements",
        "engagement_id",
        tenant_id=tenant_id,
        lead_id=lead_id,
        occurred_at=occurred_at,
        **values,
    )


def milestone(conn, tenant_id: int, lead_id: int, occurred_at: dt.datetime, **extra) -> int:
    values = {"milestone_type": "contacted", **extra}
    return insert(
        conn, "lead_milestones", "milestone_id", tenant_id=tenant_id, lead_id=lead_id, occurred_at=occurred_at, **values
    )


@pytest.fixture(scope="module")
def speed() -> dict[str, int]:
    """Leads answered inside and outside working hours (default hours, 09:00–20:00 every day)."""
    tenant_id = tenants.create_tenant(f"speed-{uuid.uuid4().hex[:8]}", "Speed")
    ids: dict[str, int] = {"tenant": tenant_id}
    now = dt.datetime.now(IST)
    with db.tenant_transaction(tenant_id) as conn:
        portal = ids["portal"] = insert(
            conn, "lead_sources", "lead_source_id", tenant_id=tenant_id, source="Portal", subsource="A"
        )
        walk_in = ids["walk_in"] = insert(
            conn, "lead_sources", "lead_source_id", tenant_id=tenant_id, source="Walk-in", subsource="B", sla_minutes=30
        )
        # Monday 2 March 2026, 10:00; a call at 10:12: 12 minutes, within 15.
        ids["quick"] = lead(conn, tenant_id, portal, at("2026-03-02 10:00"))
        engagement(conn, tenant_id, ids["quick"], at("2026-03-02 10:12"))
        # Saturday 19:50, a WhatsApp on Sunday 09:10 (weekends work by default): 800 calendar
        # minutes; 10 + 10 working.
        ids["evening"] = lead(conn, tenant_id, portal, at("2026-03-07 19:50"))
        engagement(conn, tenant_id, ids["evening"], at("2026-03-08 09:10"), engagement_type="whatsapp")
        # 23:30, after hours; contacted (a milestone) at 09:05 the next morning: 575 calendar
        # minutes, 5 working.
        ids["night"] = lead(conn, tenant_id, portal, at("2026-03-02 23:30"))
        milestone(conn, tenant_id, ids["night"], at("2026-03-03 09:05"))
        # Only the email at 10:40 answers: an inbound call, an unanswered outbound call, a site
        # visit and a scheduled meeting do not. 40 minutes: breached.
        ids["noise"] = lead(conn, tenant_id, portal, at("2026-03-04 10:00"))
        engagement(conn, tenant_id, ids["noise"], at("2026-03-04 10:01"), direction="inbound")
        engagement(conn, tenant_id, ids["noise"], at("2026-03-04 10:02"), status="no_answer")
        engagement(conn, tenant_id, ids["noise"], at("2026-03-04 10:03"), engagement_type="site_visit")
        engagement(conn, tenant_id, ids["noise"], at("2026-03-04 10:04"), engagement_type="meeting", status="scheduled")
        engagement(conn, tenant_id, ids["noise"], at("2026-03-04 10:40"), engagement_type="email")
        # A call before generation and a retired contacted milestone do not count; the contacted
        # milestone at 10:20:30 does: 20 minutes (20.5 floored), breached.
        ids["early"] = lead(conn, tenant_id, portal, at("2026-03-05 10:00"))
        engagement(conn, tenant_id, ids["early"], at("2026-03-05 09:00"))
        milestone(conn, tenant_id, ids["early"], at("2026-03-05 10:05"), deleted_at=at("2026-03-05 11:00"))
        milestone(conn, tenant_id, ids["early"], at("2026-03-05 10:00") + dt.timedelta(minutes=20, seconds=30))
        # 19:59:30, an SMS at 09:00:45 next day: 30 s + 45 s of working time, 1 whole minute in
        # total (each day's piece floored would give 0); 781 calendar minutes.
        ids["pieces"] = lead(conn, tenant_id, portal, at("2026-03-09 19:59") + dt.timedelta(seconds=30))
        sms_at = at("2026-03-10 09:00") + dt.timedelta(seconds=45)
        engagement(conn, tenant_id, ids["pieces"], sms_at, engagement_type="sms")
        # A lost lead counts; a meeting 30 minutes on meets the walk-in SLA of 30 exactly.
        ids["lost"] = lead(conn, tenant_id, walk_in, at("2026-03-11 10:00"), status="lost")
        engagement(conn, tenant_id, ids["lost"], at("2026-03-11 10:30"), engagement_type="meeting")
        # A retired lead has no row.
        ids["retired"] = lead(conn, tenant_id, portal, at("2026-03-11 10:00"), deleted_at=at("2026-03-12 10:00"))
        # Unanswered: three days old (breached whatever the hour), and a minute old (open).
        ids["forgotten"] = lead(conn, tenant_id, portal, now - dt.timedelta(days=3))
        ids["fresh"] = lead(conn, tenant_id, portal, now - dt.timedelta(minutes=1))
    return ids


def view_rows(tenant_id: int) -> dict[int, dict]:
    with db.tenant_transaction(tenant_id) as conn:
        rows = conn.execute(sa.text(f"select {VIEW_COLUMNS} from v_lead_response"))  # constant columns
        return {row.lead_id: dict(row._mapping) for row in rows}


EXPECTED = {
    # lead: (first response, calendar minutes, working minutes, SLA, status)
    "quick": (at("2026-03-02 10:12"), 12, 12, 15, "met"),
    "evening": (at("2026-03-08 09:10"), 800, 20, 15, "breached"),
    "night": (at("2026-03-03 09:05"), 575, 5, 15, "met"),
    "noise": (at("2026-03-04 10:40"), 40, 40, 15, "breached"),
    "early": (at("2026-03-05 10:20") + dt.timedelta(seconds=30), 20, 20, 15, "breached"),
    "pieces": (at("2026-03-10 09:00") + dt.timedelta(seconds=45), 781, 1, 15, "met"),
    "lost": (at("2026-03-11 10:30"), 30, 30, 30, "met"),
    "forgotten": (None, None, None, 15, "breached"),
    "fresh": (None, None, None, 15, "open"),
}


def test_the_view_has_exactly_the_issues_columns(speed) -> None:
    with db.tenant_transaction(speed["tenant"]) as conn:
        columns = tuple(conn.execute(sa.text("select * from v_lead_response limit 0")).keys())
    assert columns == tuple(VIEW_COLUMNS.split(", "))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_leads_response_is_worked_out_by_hand(speed, name: str) -> None:
    row = view_rows(speed["tenant"])[speed[name]]
    found = (
        row["first_response_at"],
        row["response_minutes"],
        row["response_working_minutes"],
        row["sla_minutes"],
        row["sla_status"],
    )
    assert found == EXPECTED[name]


def test_every_live_lead_has_one_row_and_a_retired_one_none(speed) -> None:
    rows = view_rows(speed["tenant"])
    assert set(rows) == {speed[name] for name in EXPECTED}
    assert {row["sla_status"] for row in rows.values()} <= set(vocabulary.SLA_STATUSES)
    assert rows[speed["quick"]]["cohort_month"] == dt.date(2026, 3, 1)
    kept_equals_defined(speed["tenant"])


def test_working_minutes_and_the_breach_moment_agree_at_the_boundary(speed) -> None:
    # Generated Saturday 19:50: 10 minutes that evening, so the 16th working minute (SLA 15 + 1)
    # is reached on Sunday at 09:06.
    with db.tenant_transaction(speed["tenant"]) as conn:
        found = conn.execute(
            sa.text(
                "select leadline_working_deadline(:generated, 16, :tenant) as deadline, "
                "leadline_working_minutes(:generated, :before, :tenant) as before, "
                "leadline_working_minutes(:generated, :deadline, :tenant) as at_deadline"
            ),
            {
                "generated": at("2026-03-07 19:50"),
                "before": at("2026-03-08 09:06") - dt.timedelta(microseconds=1),
                "deadline": at("2026-03-08 09:06"),
                "tenant": speed["tenant"],
            },
        ).one()
    assert (found.deadline, found.before, found.at_deadline) == (at("2026-03-08 09:06"), 15, 16)


def test_changing_the_hours_or_a_sources_sla_refreshes_the_leads() -> None:
    tenant_id = tenants.create_tenant(f"speed-hours-{uuid.uuid4().hex[:8]}", "Speed hours")
    with db.tenant_transaction(tenant_id) as conn:
        source = insert(conn, "lead_sources", "lead_source_id", tenant_id=tenant_id, source="Web", subsource="Form")
        # Friday 17:50, a call on Monday 10:10.
        friday = lead(conn, tenant_id, source, at("2026-03-06 17:50"))
        engagement(conn, tenant_id, friday, at("2026-03-09 10:10"))
    # Every day 09:00–20:00: 130 (Fri) + 660 (Sat) + 660 (Sun) + 70 (Mon) = 1,520 minutes.
    assert view_rows(tenant_id)[friday]["response_working_minutes"] == 1520
    with db.tenant_transaction(tenant_id) as conn:
        for weekday in range(1, 6):  # Monday to Friday, 10:00–18:00
            insert(
                conn,
                "working_hours",
                "iso_weekday",
                tenant_id=tenant_id,
                iso_weekday=weekday,
                opens_at=dt.time(10),
                closes_at=dt.time(18),
            )
    # 10 minutes on Friday, none at the weekend, 10 on Monday: 20, breached.
    row = view_rows(tenant_id)[friday]
    assert (row["response_working_minutes"], row["sla_status"]) == (20, "breached")
    with db.tenant_transaction(tenant_id) as conn:
        conn.execute(sa.text("update lead_sources set sla_minutes = 20 where lead_source_id = :id"), {"id": source})
    row = view_rows(tenant_id)[friday]
    assert (row["sla_minutes"], row["sla_status"]) == (20, "met")
    kept_equals_defined(tenant_id)


def test_the_report_reads_medians_percentiles_and_rates_by_hand(speed) -> None:
    from data.domain.filters import ReportFilters
    from data.reports import speed_to_lead

    figures = speed_to_lead.uncached(speed["tenant"], ReportFilters(dt.date(2026, 3, 1), dt.date(2026, 3, 1)))
    # March's seven live leads answered in 12, 20, 5, 40, 20, 1 and 30 working minutes: sorted
    # 1 5 12 20 20 30 40, median 20; the 90th percentile sits 0.4 of the way from 30 to 40.
    total = figures.total.iloc[0]
    assert (total["leads"], total["answered"], total["median_working_minutes"]) == (7, 7, 20)
    assert total["p90_working_minutes"] == pytest.approx(34)
    assert (total["met"], total["breached"], total["open"]) == (4, 3, 0)
    assert total["sla_rate"] == pytest.approx(4 / 7)
    # Portal: 1 5 12 20 20 40, median (12 + 20) / 2; walk-in: the lost lead's 30, met.
    by_source = figures.by_source.set_index("source")
    assert by_source.loc["Portal", "median_working_minutes"] == 16
    assert (by_source.loc["Portal", "met"], by_source.loc["Portal", "breached"]) == (3, 3)
    assert by_source.loc["Walk-in", "sla_rate"] == 1
    # Weeks from Monday in India time: 2 March (five leads, Saturday's included) and 9 March.
    assert figures.by_week.set_index("week_start")["leads"].to_dict() == {
        dt.date(2026, 3, 2): 5,
        dt.date(2026, 3, 9): 2,
    }
    assert figures.by_rep["leads"].tolist() == [7]  # nobody owns them
    # The breach list is live, whatever the months: the three-day-old unanswered lead, not the fresh one.
    assert figures.breaches["lead_id"].tolist() == [speed["forgotten"]]
    assert figures.breaches["working_minutes_waiting"].iloc[0] > 15


def test_the_settings_writes_validate_then_refresh_the_responses() -> None:
    from data.domain.validation import ValidationError
    from data.writes import auth, catalog

    tenant_id = tenants.create_tenant(f"speed-settings-{uuid.uuid4().hex[:8]}", "Speed settings")
    admin = auth.create_user(
        tenant_id, f"admin{uuid.uuid4().hex[:6]}", "Ada Admin", "admin", "a-long-password-1"
    ).user_id
    source = catalog.add_source(tenant_id, "Web", "Form", admin)
    with db.tenant_transaction(tenant_id) as conn:
        friday = lead(conn, tenant_id, source, at("2026-03-06 17:50"))
        engagement(conn, tenant_id, friday, at("2026-03-09 10:10"))
    with pytest.raises(ValidationError) as refused:
        catalog.set_working_hours(tenant_id, admin, {1: (dt.time(18), dt.time(10)), 9: (dt.time(9), dt.time(10))})
    assert set(refused.value.errors) == {"hours_1", "hours"}
    with pytest.raises(ValidationError, match="whole number of minutes"):
        catalog.set_source_sla(tenant_id, admin, source, 0)
    assert view_rows(tenant_id)[friday]["response_working_minutes"] == 1520  # nothing written

    catalog.set_working_hours(tenant_id, admin, {day: (dt.time(10), dt.time(18)) for day in range(1, 6)})
    catalog.set_source_sla(tenant_id, admin, source, 20)
    row = view_rows(tenant_id)[friday]
    assert (row["response_working_minutes"], row["sla_minutes"], row["sla_status"]) == (20, 20, "met")
    catalog.set_working_hours(tenant_id, admin, {})  # back to the default
    assert view_rows(tenant_id)[friday]["response_working_minutes"] == 1520
    with db.tenant_transaction(tenant_id) as conn:
        actions = conn.execute(sa.text("select action from audit_log order by audit_log_id")).scalars().all()
    assert actions[-3:] == ["working_hours.set", "lead_sources.sla_changed", "working_hours.set"]
    kept_equals_defined(tenant_id)


# Random writes ----------------------------------------------------------------------------------


class ResponseModel(RuleBasedStateMachine):
    """Random writes on a handful of leads; after each, lead_response equals the definition."""

    @initialize()
    def leads(self) -> None:
        self.tenant_id = tenants.create_tenant(f"speed-model-{uuid.uuid4().hex[:8]}", "Speed model")
        # Minutes are whole from here, so generation, responses and "now" fall on any side of an hour.
        self.moment = dt.datetime.now(IST).replace(second=0, microsecond=0)
        self.leads: list[int] = []
        self.engagements: list[int] = []
        self.milestones: list[int] = []
        with db.tenant_transaction(self.tenant_id) as conn:
            self.sources = [
                insert(conn, "lead_sources", "lead_source_id", tenant_id=self.tenant_id, source="S", subsource=name)
                for name in ("one", "two")
            ]
            for _ in range(3):
                self.leads.append(lead(conn, self.tenant_id, self.sources[0], self.moment - dt.timedelta(hours=20)))

    @rule(
        data=st.data(),
        minutes=st.integers(-1500, 120),
        engagement_type=st.sampled_from(("call", "sms", "whatsapp", "email", "meeting", "site_visit")),
        direction=st.sampled_from(("outbound", "inbound")),
        status=st.sampled_from(("completed", "no_answer")),
    )
    def add_engagement(self, data, minutes: int, engagement_type: str, direction: str, status: str) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            self.engagements.append(
                engagement(
                    conn,
                    self.tenant_id,
                    lead_id,
                    self.moment + dt.timedelta(minutes=minutes, seconds=data.draw(st.integers(0, 59))),
                    engagement_type=engagement_type,
                    direction=direction,
                    status=status,
                )
            )

    @rule(data=st.data(), minutes=st.integers(-1500, 120), milestone_type=st.sampled_from(("contacted", "qualified")))
    def add_milestone(self, data, minutes: int, milestone_type: str) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            self.milestones.append(
                milestone(
                    conn,
                    self.tenant_id,
                    lead_id,
                    self.moment + dt.timedelta(minutes=minutes),
                    milestone_type=milestone_type,
                )
            )

    @precondition(lambda self: self.engagements or self.milestones)
    @rule(data=st.data())
    def retire_or_restore_a_response(self, data) -> None:
        table, key, ids = data.draw(
            st.sampled_from(
                [
                    choice
                    for choice in (
                        ("lead_engagements", "engagement_id", self.engagements),
                        ("lead_milestones", "milestone_id", self.milestones),
                    )
                    if choice[2]
                ]
            )
        )
        row_id = data.draw(st.sampled_from(ids))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    f"update {table} set deleted_at = case when deleted_at is null then now() end "  # constant names
                    f"where {key} = :id"
                ),
                {"id": row_id},
            )

    @rule(data=st.data(), minutes=st.integers(-1500, 30), source=st.integers(0, 1))
    def move_lead(self, data, minutes: int, source: int) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text("update leads set generated_at = :at, lead_source_id = :source where lead_id = :id"),
                {"at": self.moment + dt.timedelta(minutes=minutes), "source": self.sources[source], "id": lead_id},
            )

    @rule(data=st.data())
    def retire_or_restore_lead(self, data) -> None:
        lead_id = data.draw(st.sampled_from(self.leads))
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text(
                    "update leads set deleted_at = case when deleted_at is null then now() end where lead_id = :id"
                ),
                {"id": lead_id},
            )

    @rule(source=st.integers(0, 1), sla=st.integers(1, 240))
    def change_sla(self, source: int, sla: int) -> None:
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(
                sa.text("update lead_sources set sla_minutes = :sla where lead_source_id = :id"),
                {"sla": sla, "id": self.sources[source]},
            )

    @rule(
        weekdays=st.sets(st.integers(1, 7), max_size=7),
        opens=st.integers(0, 22),
        length=st.integers(1, 12),
    )
    def change_hours(self, weekdays: set[int], opens: int, length: int) -> None:
        # An empty set clears the hours, back to the default.
        closes = dt.time(min(opens + length, 23), 59 if opens + length > 23 else 0)
        with db.tenant_transaction(self.tenant_id) as conn:
            conn.execute(sa.text("delete from working_hours"))
            for weekday in sorted(weekdays):
                insert(
                    conn,
                    "working_hours",
                    "iso_weekday",
                    tenant_id=self.tenant_id,
                    iso_weekday=weekday,
                    opens_at=dt.time(opens),
                    closes_at=closes,
                )

    @invariant()
    def response_is_exact(self) -> None:
        kept_equals_defined(self.tenant_id)


def test_random_writes_keep_the_responses_exact() -> None:
    machine = ResponseModel.TestCase
    machine.settings = settings(
        max_examples=30, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
    )
    machine().runTest()


# The screen ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def screen_world():
    """Alpha's world with people, one lead three days unanswered and one answered within SLA today."""
    import os

    from data import reports
    from tests.support.world import add_people, build_world

    world = build_world("speed-screen")
    add_people(world)
    now = dt.datetime.now(IST)
    with db.tenant_transaction(world.alpha) as conn:
        source = conn.execute(sa.text("select min(lead_source_id) from lead_sources")).scalar_one()
        world.ids["waiting"] = lead(conn, world.alpha, source, now - dt.timedelta(days=3), name="Waiting *Long*")
        answered = lead(conn, world.alpha, source, now - dt.timedelta(minutes=30))
        engagement(conn, world.alpha, answered, now - dt.timedelta(minutes=29))
    os.environ["LEADLINE_TENANT"] = "alpha-speed-screen"
    reports.clear_report_caches()
    yield world
    os.environ.pop("LEADLINE_TENANT", None)


def test_the_screen_shows_the_figures_and_links_each_breach_to_its_call_form(screen_world) -> None:
    from tests.test_pages import set_period, signed_in

    app = signed_in("mona")
    app.switch_page("pages/speed_to_lead.py").run()
    today = dt.datetime.now(IST).date()
    set_period(app, (today - dt.timedelta(days=3), today))
    assert not app.exception, [error.value for error in app.exception]
    assert app.title[0].value == "Speed to lead"
    assert {metric.label for metric in app.metric} >= {"Median response (working min)", "Within SLA"}
    shown = [element.value for group in (app.markdown, app.caption, app.subheader) for element in group]
    assert any(r"Waiting \*Long\*" in text for text in shown)  # escaped, not bold
    links = app.get("page_link")
    waiting = screen_world.ids["waiting"]
    assert ("log_call", f"lead={waiting}") in [(link.proto.page, link.proto.query_string) for link in links]


def test_an_admin_sets_a_sources_sla_and_closes_sunday_on_the_sources_screen(screen_world) -> None:
    from tests.test_pages import signed_in

    app = signed_in("boss")
    app.switch_page("pages/admin_sources.py").run()
    assert not app.exception, [error.value for error in app.exception]
    source_id = app.selectbox(key="sla-source-id").value
    app.number_input(key=f"sla-minutes-{source_id}").set_value(25)
    app.button(key="FormSubmitter:source-sla-Save SLA").click().run()
    app.checkbox(key="hours-open-7").uncheck()
    app.button(key="FormSubmitter:working-hours-Save working hours").click().run()
    assert not app.exception, [error.value for error in app.exception]
    with db.tenant_transaction(screen_world.alpha) as conn:
        sla = conn.execute(
            sa.text("select sla_minutes from lead_sources where lead_source_id = :id"), {"id": source_id}
        ).scalar_one()
        days = conn.execute(sa.text("select iso_weekday from working_hours order by 1")).scalars().all()
    assert (sla, days) == (25, [1, 2, 3, 4, 5, 6])
    # The form shows the chosen source's own SLA.
    assert app.number_input(key=f"sla-minutes-{source_id}").value == 25
    # Sunday opened again with its own hours, in one save: a closed day's times are on the form too.
    app.checkbox(key="hours-open-7").check()
    app.time_input(key="hours-opens-7").set_value(dt.time(10, 30))
    app.time_input(key="hours-closes-7").set_value(dt.time(14))
    app.button(key="FormSubmitter:working-hours-Save working hours").click().run()
    assert not app.exception, [error.value for error in app.exception]
    with db.tenant_transaction(screen_world.alpha) as conn:
        sunday = conn.execute(sa.text("select opens_at, closes_at from working_hours where iso_weekday = 7")).one()
    assert tuple(sunday) == (dt.time(10, 30), dt.time(14))
    kept_equals_defined(screen_world.alpha)
