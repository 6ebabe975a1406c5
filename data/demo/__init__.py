"""Demo data: one realistic, deterministic tenant for the dashboard and the tests.

``seed_demo`` simulates two years of a developer's sales: leads arrive with a trend and
a festive-season peak, move through the milestones at rates that depend on their source (a
walk-in is at the site, so it is met and shown round the day it arrives), book units (a unit
freed by a cancellation can be booked again), and booked customers get construction-linked
demands raised as each stage falls due, receipts, a few bounced cheques and cancellation refunds.

Two years, because the Overview compares the default period (the last twelve months) with the
one before it, and that one must lie inside the data too. Nothing happens after the moment of
generation: an event the simulation puts later is left out, as it has not happened yet (only
plans may lie ahead: a follow-up, a hold's expiry, a demand's due date).

Everything is drawn from one seeded random generator, so the same seed, as-of date and moment
give the same data (a past as-of date ends at 20:00 that day, whatever the moment). It writes as
the app role inside one tenant transaction, like any user.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from data import db
from data.db import tenants
from data.demo.catalog import (
    CAMPAIGNS,
    CANCELLATION_REASONS,
    DEMO_NAME,
    DEMO_SEED,
    DEMO_SLUG,
    FIRST_NAMES,
    LAST_NAMES,
    LOST_REASONS,
    PALM_GROVE_LANES,
    PROJECTS,
    SOURCES,
    USERS,
    VISIT_REASONS,
    ProjectSpec,
)
from data.domain.filters import IST, add_months, today_in_india
from data.domain.payment_plans import PLANS
from data.writes import auth

__all__ = ["DEMO_PASSWORD", "DEMO_SEED", "DEMO_SLUG", "ensure_demo_passwords", "seed_demo"]

# Documented on the sign-in page in demo mode; never used outside the demo tenant.
DEMO_PASSWORD = "leadline-demo"

# The history starts on the first of the month this many months before the as-of date.
HISTORY_MONTHS = 24
LEAD_COUNT = 3000
# A demand letter goes out when the stage is reached, this many days before the plan's due date.
DEMAND_NOTICE_DAYS = 15
# The day's work ends at 20:00: a past as-of date's history ends there.
CLOSING_TIME = dt.time(20, 0)
RUPEE = Decimal("0.01")


@dataclass
class Rows:
    """Rows to insert, per table, with ids assigned in Python."""

    tables: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    next_ids: dict[str, int] = field(default_factory=lambda: defaultdict(lambda: 1))

    def add(self, table: str, id_column: str, **values) -> int:
        new_id = self.next_ids[table]
        self.next_ids[table] += 1
        self.tables[table].append({id_column: new_id, **values})
        return new_id


class DemoHistory:
    """Builds the demo tenant's rows from a seed and an as-of date."""

    def __init__(self, tenant_id: int, seed: int, as_of: dt.date, now: dt.datetime | None = None) -> None:
        self.rng = random.Random(seed)
        self.tenant_id = tenant_id
        self.as_of = as_of
        # The moment of generation: nothing in the history happens after it.
        closing = dt.datetime.combine(as_of, CLOSING_TIME, IST)
        self.end = min(closing, (now or dt.datetime.now(IST)).astimezone(IST)).replace(microsecond=0)
        self.start = dt.datetime.combine(add_months(as_of, -HISTORY_MONTHS), dt.time(0, 0), IST)
        self.rows = Rows()
        self.user_ids: dict[str, int] = {}
        self.project_ids: dict[str, int] = {}
        self.units_by_project: dict[int, list[dict]] = defaultdict(list)
        self.source_ids: dict[tuple[str, str], int] = {}
        self.campaigns: list[dict] = []
        self.used_phones: set[str] = set()
        self.unit_free_from: dict[int, dt.datetime | None] = {}

    # Helpers ------------------------------------------------------------------------------

    def add(self, table: str, id_column: str, **values) -> int:
        return self.rows.add(table, id_column, tenant_id=self.tenant_id, **values)

    def months_ago(self, months: int) -> dt.date:
        year, month = self.as_of.year, self.as_of.month - months
        while month < 1:
            year, month = year - 1, month + 12
        return dt.date(year, month, 1)

    def later(self, moment: dt.datetime, min_days: float, max_days: float) -> dt.datetime:
        """A moment some days after another, moved into working hours (9:30 to 19:30)."""
        candidate = moment + dt.timedelta(days=self.rng.uniform(min_days, max_days))
        hour = self.rng.uniform(9.5, 19.5)
        return candidate.replace(hour=int(hour), minute=int(hour % 1 * 60), second=0, microsecond=0)

    # The fixed world ----------------------------------------------------------------------

    def build_users(self) -> None:
        # One hash for every demo user: they share the documented demo password.
        password_hash = auth.hash_password(DEMO_PASSWORD)
        for username, display_name, role in USERS:
            self.user_ids[username] = self.add(
                "app_users",
                "user_id",
                username=username,
                display_name=display_name,
                role=role,
                password_hash=password_hash,
            )
        self.reps = [self.user_ids[name] for name, _, role in USERS if role == "rep"]

    def build_inventory(self) -> None:
        admin = self.user_ids["admin"]
        for spec in PROJECTS:
            project_id = self.add(
                "projects", "project_id", name=spec.name, city=spec.city, locality=spec.locality, created_by=admin
            )
            self.project_ids[spec.name] = project_id
            for tower in spec.towers:
                tower_id = self.add("towers", "tower_id", project_id=project_id, name=tower, created_by=admin)
                self.build_units(spec, project_id, tower_id, tower)

    def build_units(self, spec: ProjectSpec, project_id: int, tower_id: int, tower: str) -> None:
        levels = range(1, spec.floors + 1) if spec.floors > 1 else range(1, PALM_GROVE_LANES + 1)
        for level in levels:
            for position, (unit_type, area, rate) in enumerate(spec.layout, start=1):
                floor_rise = Decimal(1) + Decimal("0.006") * (level if spec.floors > 1 else 0)
                price = (Decimal(area * rate) * floor_rise / 1000).quantize(Decimal(1)) * 1000
                number = f"{level}{position:02d}" if spec.floors > 1 else f"{tower[-1]}-{level}{position:02d}"
                unit = {
                    "project_id": project_id,
                    "tower_id": tower_id,
                    "floor": level if spec.floors > 1 else 0,
                    "unit_number": number,
                    "unit_type": unit_type,
                    "carpet_area_sqft": Decimal(area),
                    "list_price": price,
                    "status": "available",
                    "created_by": self.user_ids["admin"],
                }
                unit["unit_id"] = self.add("units", "unit_id", **unit)
                self.units_by_project[project_id].append(unit)

    def build_sources_and_campaigns(self) -> None:
        manager = self.user_ids["manager"]
        for spec in SOURCES:
            self.source_ids[(spec.source, spec.subsource)] = self.add(
                "lead_sources", "lead_source_id", source=spec.source, subsource=spec.subsource, created_by=manager
            )
        subsource_ids = {subsource: lead_source_id for (_, subsource), lead_source_id in self.source_ids.items()}
        for spec in CAMPAIGNS:
            start = self.months_ago(spec.start_months_ago)
            end = None if spec.end_months_ago is None else self.months_ago(spec.end_months_ago) + dt.timedelta(days=27)
            status = "paused" if spec.paused else ("completed" if end and end < self.as_of else "active")
            campaign = {
                "name": spec.name,
                "campaign_type": spec.campaign_type,
                "channel": spec.channel,
                "lead_source_id": subsource_ids[spec.subsource],
                "project_id": self.project_ids.get(spec.project) if spec.project else None,
                "budget": spec.budget,
                "start_date": start,
                "end_date": end,
                "status": status,
                "expected_roi": Decimal("4.0"),
                "created_by": manager,
            }
            campaign["campaign_id"] = self.add("campaigns", "campaign_id", **campaign)
            self.campaigns.append(campaign)
            self.build_spend(campaign, manager)

    def build_spend(self, campaign: dict, manager: int) -> None:
        last_day = min(campaign["end_date"] or self.as_of, self.as_of)
        if campaign["status"] == "paused":
            last_day = min(last_day, self.as_of - dt.timedelta(days=45))
        weeks = max(1, ((campaign["end_date"] or self.as_of) - campaign["start_date"]).days // 7)
        weekly = campaign["budget"] / weeks
        day = campaign["start_date"]
        while day <= last_day:
            amount = (weekly * Decimal(str(self.rng.uniform(0.8, 1.15)))).quantize(Decimal(1))
            self.add(
                "campaign_spend",
                "campaign_spend_id",
                campaign_id=campaign["campaign_id"],
                spend_date=day,
                amount=amount,
                created_by=manager,
            )
            day += dt.timedelta(days=7)

    # Leads and what happens to them -------------------------------------------------------

    def arrival_times(self) -> list[dt.datetime]:
        """Lead arrival times: growing over the period, peaking in the festive season."""
        seasonal = {1: 1.1, 2: 1.1, 3: 1.15, 6: 0.8, 7: 0.8, 8: 0.9, 10: 1.35, 11: 1.4}
        history_days = (self.as_of - self.start.date()).days + 1
        days = [self.start + dt.timedelta(days=offset) for offset in range(history_days)]
        weights = [(1 + 0.5 * i / history_days) * seasonal.get(day.month, 1.0) for i, day in enumerate(days)]
        picked = self.rng.choices(days, weights=weights, k=LEAD_COUNT)
        return sorted(self.arrival(day) for day in picked)

    def arrival(self, day: dt.datetime) -> dt.datetime:
        """A lead's arrival on the day, in working hours; today's arrive before now, not later today."""
        moment = self.later(day, 0, 0)
        if moment <= self.end:
            return moment
        return self.end - dt.timedelta(seconds=self.rng.randrange(60, 4 * 3600))

    def new_phone(self) -> str:
        while True:
            phone = f"+91{self.rng.choice('6789')}{self.rng.randrange(10**8, 10**9)}"
            if phone not in self.used_phones:
                self.used_phones.add(phone)
                return phone

    def pick_campaign(self, lead_source_id: int, project_id: int | None, day: dt.date) -> dict | None:
        running = [
            campaign
            for campaign in self.campaigns
            if campaign["lead_source_id"] == lead_source_id
            and campaign["project_id"] in (None, project_id)
            and campaign["start_date"] <= day <= (campaign["end_date"] or self.as_of)
        ]
        if running and self.rng.random() < 0.85:
            return self.rng.choice(running)
        return None

    def build_leads(self) -> list[dict]:
        project_names = [spec.name for spec in PROJECTS]
        project_weights = [spec.lead_share for spec in PROJECTS]
        source_weights = [spec.share for spec in SOURCES]
        leads = []
        for generated_at in self.arrival_times():
            source = self.rng.choices(SOURCES, weights=source_weights)[0]
            lead_source_id = self.source_ids[(source.source, source.subsource)]
            project_name = self.rng.choices(project_names, weights=project_weights)[0]
            project_id = self.project_ids[project_name] if self.rng.random() > 0.04 else None
            campaign = self.pick_campaign(lead_source_id, project_id, generated_at.date())
            if campaign and campaign["project_id"]:
                project_id = campaign["project_id"]
            first, last = self.rng.choice(FIRST_NAMES), self.rng.choice(LAST_NAMES)
            units = self.units_by_project.get(project_id) or self.units_by_project[self.project_ids[project_name]]
            liked = self.rng.choice(units)
            owner = self.rng.choice(self.reps)
            lead = {
                "name": f"{first} {last}",
                "phone": self.new_phone(),
                "email": f"{first}.{last}{self.rng.randrange(10, 99)}@example.in".lower()
                if self.rng.random() < 0.6
                else None,
                "project_id": project_id,
                "unit_type_preference": liked["unit_type"],
                "budget": (liked["list_price"] * Decimal(str(self.rng.uniform(0.85, 1.15)))).quantize(Decimal(100000)),
                "lead_source_id": lead_source_id,
                "campaign_id": campaign["campaign_id"] if campaign else None,
                "owner_user_id": owner,
                "status": "open",
                "lost_reason": None,
                "generated_at": generated_at,
                "created_by": owner,
            }
            lead["lead_id"] = self.add("leads", "lead_id", **lead)
            lead["quality"] = source.quality
            lead["at_site"] = source.at_site
            leads.append(lead)
        return leads

    def milestone(self, lead: dict, milestone_type: str, at: dt.datetime, **extra) -> bool:
        """Record a milestone if it happened by the as-of date; say whether it did."""
        if at > self.end:
            return False
        self.add(
            "lead_milestones",
            "milestone_id",
            lead_id=lead["lead_id"],
            milestone_type=milestone_type,
            occurred_at=at,
            outcome=extra.get("outcome"),
            latitude=extra.get("latitude"),
            longitude=extra.get("longitude"),
            notes=extra.get("notes"),
            next_follow_up_at=extra.get("next_follow_up_at"),
            metadata=json.dumps(extra.get("metadata", {})),
            recorded_by=lead["owner_user_id"],
        )
        return True

    def engagement(self, lead: dict, at: dt.datetime, kind: str, status: str, direction: str = "outbound") -> None:
        if at > self.end:
            return
        completed = status == "completed"
        self.add(
            "lead_engagements",
            "engagement_id",
            lead_id=lead["lead_id"],
            engagement_type=kind,
            channel={"call": "phone", "whatsapp": "WhatsApp", "email": "email", "sms": "SMS"}.get(kind, "in person"),
            direction=direction,
            status=status,
            occurred_at=at,
            duration_seconds=self.rng.randrange(60, 900) if completed and kind == "call" else None,
            responded_at=self.responded(at) if completed and kind in ("whatsapp", "email") else None,
            notes=None,
            next_follow_up_at=None,
            recorded_by=lead["owner_user_id"],
        )

    def responded(self, at: dt.datetime) -> dt.datetime | None:
        """When a message sent at ``at`` was answered; None when the answer would come after now."""
        moment = at + dt.timedelta(minutes=self.rng.randrange(5, 600))
        return moment if moment <= self.end else None

    def visit_details(self, lead: dict, at: dt.datetime, outcome: str) -> dict:
        spec = next(spec for spec in PROJECTS if self.project_ids[spec.name] == lead["project_id"])
        return {
            "outcome": outcome,
            "notes": self.rng.choice(VISIT_REASONS[outcome]),
            "latitude": Decimal(str(round(spec.latitude + self.rng.uniform(-0.002, 0.002), 6))),
            "longitude": Decimal(str(round(spec.longitude + self.rng.uniform(-0.002, 0.002), 6))),
            "next_follow_up_at": self.later(at, 2, 6),
        }

    def simulate_lead(self, lead: dict) -> dt.datetime | None:
        """Walk one lead through the funnel; return when it decided to book, if it did."""
        rng, quality = self.rng, lead["quality"]
        at = lead["generated_at"]
        self.milestone(lead, "lead_generated", at)
        if lead["project_id"] is None:
            lead["project_id"] = self.project_ids[PROJECTS[0].name]
        if lead["at_site"]:
            return self.simulate_walk_in(lead)
        for _ in range(rng.choice((0, 0, 1, 2))):
            at = at + dt.timedelta(hours=rng.uniform(1, 20))
            self.engagement(lead, at, "call", "no_answer")
        if rng.random() > 0.78:
            self.maybe_lose(lead, "Not reachable")
            self.maybe_reengage(lead)
            return None
        at = at + dt.timedelta(hours=rng.expovariate(1 / 10))
        if not self.milestone(lead, "contacted", at):
            return None
        self.engagement(lead, at, "call", "completed")
        if rng.random() > 0.5:
            self.maybe_lose(lead)
            self.maybe_reengage(lead)
            return None
        at = self.later(at, 1, 8)
        if not self.milestone(lead, "qualified", at):
            return None
        self.engagement(lead, self.later(at, 0, 2), rng.choice(("whatsapp", "email")), "completed")
        if rng.random() > min(0.95, 0.6 * quality):
            self.maybe_lose(lead)
            return None
        scheduled = self.later(at, 2, 15)
        if rng.random() < 0.9 and not self.milestone(lead, "site_visit_scheduled", scheduled):
            return None
        return self.after_first_visit(lead, self.later(scheduled, 1, 5))

    def simulate_walk_in(self, lead: dict) -> dt.datetime | None:
        """A walk-in is at the site: met, qualified and shown round within the hour it arrives."""
        met = lead["generated_at"] + dt.timedelta(minutes=self.rng.randrange(2, 15))
        if not self.milestone(lead, "contacted", met):
            return None
        at = met + dt.timedelta(minutes=self.rng.randrange(2, 15))
        if not self.milestone(lead, "qualified", at):
            return None
        return self.after_first_visit(lead, at + dt.timedelta(minutes=self.rng.randrange(5, 30)))

    def after_first_visit(self, lead: dict, at: dt.datetime) -> dt.datetime | None:
        """The first site visit at ``at`` and what follows it; when the lead decided to book, if it did."""
        rng, quality = self.rng, lead["quality"]
        outcome = rng.choices(("positive", "neutral", "negative"), weights=(5, 3, 2))[0]
        if not self.milestone(lead, "site_visit", at, **self.visit_details(lead, at, outcome)):
            return None
        self.engagement(lead, at, "site_visit", "completed", direction="inbound")
        if outcome == "negative" and rng.random() < 0.7:
            self.maybe_lose(lead, "Location not preferred")
            return None
        revisited = rng.random() < (0.45 if outcome == "positive" else 0.2)
        if revisited:
            at = self.later(at, 5, 25)
            if not self.milestone(lead, "revisit", at, **self.visit_details(lead, at, "positive")):
                return None
        if rng.random() > (0.75 if revisited else 0.4):
            self.maybe_lose(lead)
            return None
        at = self.later(at, 2, 15)
        if not self.milestone(lead, "negotiation", at, notes="Discussed payment plan and floor rise"):
            return None
        if rng.random() > min(0.9, 0.33 * quality):
            self.maybe_lose(lead, "Budget mismatch")
            return None
        decision = self.later(at, 3, 25)
        return decision if decision <= self.end else None

    def maybe_lose(self, lead: dict, reason: str | None = None) -> None:
        if (self.end - lead["generated_at"]).days > 60 and self.rng.random() < 0.55:
            lead["status"] = "lost"
            lead["lost_reason"] = reason or self.rng.choice(LOST_REASONS)

    def maybe_reengage(self, lead: dict) -> None:
        if self.rng.random() > 0.08:
            return
        at = self.later(lead["generated_at"], 30, 120)
        new_source = self.rng.choice(SOURCES)
        metadata = {"new_source": new_source.source, "new_subsource": new_source.subsource}
        if self.milestone(lead, "reengaged", at, metadata=metadata):
            self.engagement(lead, at, "call", "completed", direction="inbound")
            lead["status"], lead["lost_reason"] = "open", None

    # Bookings and money -------------------------------------------------------------------

    def free_unit(self, lead: dict, at: dt.datetime) -> dict | None:
        units = self.units_by_project[lead["project_id"]]
        free = [
            unit
            for unit in units
            if unit["unit_id"] not in self.unit_free_from
            or (self.unit_free_from[unit["unit_id"]] is not None and self.unit_free_from[unit["unit_id"]] <= at)
        ]
        preferred = [unit for unit in free if unit["unit_type"] == lead["unit_type_preference"]]
        return self.rng.choice(preferred or free) if free else None

    def build_bookings(self, decisions: list[tuple[dt.datetime, dict]]) -> None:
        customer_ids: dict[int, int] = {}
        for at, lead in sorted(decisions, key=lambda pair: pair[0]):
            unit = self.free_unit(lead, at)
            if unit is None:
                continue
            if lead["lead_id"] not in customer_ids:
                customer_ids[lead["lead_id"]] = self.add(
                    "customers",
                    "customer_id",
                    lead_id=lead["lead_id"],
                    name=lead["name"],
                    phone=lead["phone"],
                    email=lead["email"],
                    created_by=self.user_ids["manager"],
                )
            self.book(lead, unit, at, customer_ids[lead["lead_id"]])

    def book(self, lead: dict, unit: dict, at: dt.datetime, customer_id: int) -> None:
        rng = self.rng
        discount = Decimal(str(rng.choice((1.0, 0.99, 0.98, 0.97, 0.95))))
        value = (unit["list_price"] * discount / 1000).quantize(Decimal(1)) * 1000
        plan = PLANS["down-payment" if unit["unit_type"] == "plot" else rng.choice(("clp-standard", "clp-20-80"))]
        booking_date = at.date()
        demands = plan.demands(value, booking_date)
        booking = {
            "lead_id": lead["lead_id"],
            "customer_id": customer_id,
            "unit_id": unit["unit_id"],
            "booking_date": booking_date,
            "agreement_value": value,
            "booking_amount": demands[0][1],
            "status": "pending" if (self.as_of - booking_date).days < 7 else "confirmed",
            "cancelled_at": None,
            "cancellation_reason": None,
            "cancellation_charge": Decimal(0),
            "refund_amount": Decimal(0),
            "created_by": self.user_ids["manager"],
        }
        booking_id = self.add("bookings", "booking_id", **booking)
        self.milestone(lead, "booking", at, metadata={"booking_id": booking_id, "unit": unit["unit_number"]})
        lead["status"], lead["lost_reason"] = "booked", None
        self.unit_free_from[unit["unit_id"]] = None
        unit["status"] = "booked"
        cancel_at = self.later(at, 15, 120)
        cancelled = rng.random() < 0.15 and cancel_at <= self.end
        # A cancelled booking's account stops on the day it is cancelled.
        until = cancel_at.date() if cancelled else self.as_of
        paid, demanded = self.build_ledger(booking_id, customer_id, demands, until)
        if cancelled:
            self.cancel(lead, unit, booking, booking_id, customer_id, cancel_at, paid, demanded)
        elif plan.code == "down-payment" and paid >= value and (self.as_of - booking_date).days > 100:
            self.rows.tables["bookings"][-1]["status"] = "completed"
            unit["status"] = "sold"

    def ledger(self, booking_id: int, customer_id: int, **entry) -> int:
        return self.add(
            "account_ledger",
            "ledger_entry_id",
            booking_id=booking_id,
            customer_id=customer_id,
            due_date=entry.pop("due_date", None),
            payment_mode=entry.pop("payment_mode", None),
            reference=entry.pop("reference", None),
            reverses_entry_id=entry.pop("reverses_entry_id", None),
            idempotency_key=None,
            notes=entry.pop("notes", None),
            created_by=self.user_ids["manager"],
            **entry,
        )

    def build_ledger(self, booking_id: int, customer_id: int, demands, until: dt.date) -> tuple[Decimal, Decimal]:
        """Raise each of the plan's demands when its stage is reached (by ``until``) and the receipts
        paid by then; return the net amount paid and the amount demanded."""
        rng, paid, demanded = self.rng, Decimal(0), Decimal(0)
        booking_date = demands[0][2]
        raised = []
        for stage, amount, due in demands:
            # The booking amount is asked for on the day; a later stage's letter goes out when the
            # stage is reached, a notice period before it is due.
            raised_on = max(booking_date, due - dt.timedelta(days=DEMAND_NOTICE_DAYS))
            if raised_on > until:
                break
            self.ledger(
                booking_id,
                customer_id,
                entry_date=raised_on,
                due_date=due,
                entry_type="demand",
                side="debit",
                amount=amount,
                notes=f"{stage.name} ({stage.percent}%)",
            )
            demanded += amount
            raised.append((stage, amount, due))
        for index, (stage, amount, due) in enumerate(raised):
            pay_date = due if index == 0 else due + dt.timedelta(days=rng.randrange(-5, 40))
            if pay_date > until or (index > 0 and rng.random() < 0.12):
                continue
            share = amount if rng.random() > 0.1 else (amount / 2).quantize(RUPEE)
            mode = rng.choice(("neft", "rtgs", "cheque", "upi") if share < 200000 else ("neft", "rtgs", "cheque"))
            receipt = self.ledger(
                booking_id,
                customer_id,
                entry_date=pay_date,
                entry_type="receipt",
                side="credit",
                amount=share,
                payment_mode=mode,
                reference=f"{mode.upper()}-{rng.randrange(100000, 999999)}",
                notes=f"Towards {stage.name}",
            )
            paid += share
            bounce_date = pay_date + dt.timedelta(days=4)
            if mode == "cheque" and rng.random() < 0.08 and bounce_date <= until:
                self.ledger(
                    booking_id,
                    customer_id,
                    entry_date=bounce_date,
                    entry_type="reversal",
                    side="debit",
                    amount=share,
                    reverses_entry_id=receipt,
                    notes="Cheque returned unpaid",
                )
                paid -= share
        return paid, demanded

    def cancel(self, lead, unit, booking, booking_id, customer_id, at, paid, demanded) -> None:
        """Cancel: withdraw every demand raised, charge a forfeiture, refund the rest of what was paid."""
        cancel_date = at.date()
        charge = min(paid, (booking["agreement_value"] * Decimal("0.02")).quantize(Decimal(1)))
        refund = paid - charge
        row = self.rows.tables["bookings"][-1]
        row.update(
            status="cancelled",
            cancelled_at=at,
            cancellation_reason=self.rng.choice(CANCELLATION_REASONS),
            cancellation_charge=charge,
            refund_amount=refund,
        )
        self.ledger(
            booking_id,
            customer_id,
            entry_date=cancel_date,
            entry_type="credit_note",
            side="credit",
            amount=demanded,
            notes="Demands withdrawn on cancellation",
        )
        if charge > 0:
            self.ledger(
                booking_id,
                customer_id,
                entry_date=cancel_date,
                entry_type="cancellation_charge",
                side="debit",
                amount=charge,
                notes="Forfeiture as per agreement",
            )
        refund_date = cancel_date + dt.timedelta(days=21)
        if refund > 0 and refund_date <= self.as_of:
            self.ledger(
                booking_id,
                customer_id,
                entry_date=refund_date,
                entry_type="refund",
                side="debit",
                amount=refund,
                payment_mode="neft",
                reference=f"REFUND-{booking_id}",
            )
        self.milestone(lead, "cancellation", at, notes=row["cancellation_reason"], metadata={"booking_id": booking_id})
        lead["status"] = "open"
        self.unit_free_from[unit["unit_id"]] = at
        unit["status"] = "available"

    def block_some_units(self) -> None:
        """A few units on hold for buyers who asked for time, one of them with an expired hold."""
        available = [
            unit for units in self.units_by_project.values() for unit in units if unit["status"] == "available"
        ]
        for index, unit in enumerate(self.rng.sample(available, 4)):
            unit["status"] = "blocked"
            days = -2 if index == 0 else self.rng.randrange(2, 10)
            unit["hold_expires_at"] = self.end + dt.timedelta(days=days)

    def build(self) -> Rows:
        """Generate every row of the demo tenant."""
        self.build_users()
        self.build_inventory()
        self.build_sources_and_campaigns()
        leads = self.build_leads()
        decisions = []
        for lead in leads:
            decided_at = self.simulate_lead(lead)
            if decided_at is not None:
                decisions.append((decided_at, lead))
        self.build_bookings(decisions)
        self.block_some_units()
        for unit_row in self.rows.tables["units"]:
            unit = next(u for u in self.units_by_project[unit_row["project_id"]] if u["unit_id"] == unit_row["unit_id"])
            unit_row["status"] = unit["status"]
            unit_row["hold_expires_at"] = unit.get("hold_expires_at")
        for lead_row, lead in zip(self.rows.tables["leads"], leads, strict=True):
            lead_row.update(status=lead["status"], lost_reason=lead["lost_reason"], project_id=lead_row["project_id"])
        return self.rows


INSERT_ORDER = (
    "app_users",
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
ID_COLUMNS = {
    "app_users": "user_id",
    "projects": "project_id",
    "towers": "tower_id",
    "units": "unit_id",
    "lead_sources": "lead_source_id",
    "campaigns": "campaign_id",
    "campaign_spend": "campaign_spend_id",
    "leads": "lead_id",
    "lead_milestones": "milestone_id",
    "lead_engagements": "engagement_id",
    "customers": "customer_id",
    "bookings": "booking_id",
    "account_ledger": "ledger_entry_id",
}


def _reserve_ids(conn: sa.Connection, table: str, count: int) -> list[int]:
    """Take ``count`` ids from the table's identity sequence, so rows can refer to each other."""
    return list(
        conn.execute(
            sa.text("select nextval(pg_get_serial_sequence(:table, :column)) from generate_series(1, :count)"),
            {"table": table, "column": ID_COLUMNS[table], "count": count},
        ).scalars()
    )


def _renumber(rows: Rows, conn: sa.Connection) -> None:
    """Swap the generator's local ids (1, 2, ...) for real ones from each table's sequence."""
    references = {
        "user_id": "app_users",
        "created_by": "app_users",
        "owner_user_id": "app_users",
        "recorded_by": "app_users",
        "project_id": "projects",
        "tower_id": "towers",
        "unit_id": "units",
        "lead_source_id": "lead_sources",
        "campaign_id": "campaigns",
        "lead_id": "leads",
        "customer_id": "customers",
        "booking_id": "bookings",
        "reverses_entry_id": "account_ledger",
        "ledger_entry_id": "account_ledger",
        "campaign_spend_id": "campaign_spend",
        "milestone_id": "lead_milestones",
        "engagement_id": "lead_engagements",
    }
    mapping = {}
    for table in INSERT_ORDER:
        table_rows = rows.tables[table]
        real_ids = _reserve_ids(conn, table, len(table_rows)) if table_rows else []
        mapping[table] = {row[ID_COLUMNS[table]]: real for row, real in zip(table_rows, real_ids, strict=True)}
    for table in INSERT_ORDER:
        for row in rows.tables[table]:
            for column, value in row.items():
                if column in references and value is not None:
                    row[column] = mapping[references[column]][value]


# PostgreSQL takes at most 65,535 parameters per statement.
_PARAMETERS_PER_STATEMENT = 60_000


def _insert(conn: sa.Connection, table: str, rows: list[dict]) -> None:
    # Multi-row statements, not one statement per row: the reporting summaries' statement-level
    # triggers then refresh each touched lead once per batch.
    if rows:
        target = sa.table(table, *(sa.column(name) for name in rows[0]))
        size = _PARAMETERS_PER_STATEMENT // len(rows[0])
        for start in range(0, len(rows), size):
            conn.execute(sa.insert(target).values(rows[start : start + size]))


def seed_demo(
    slug: str = DEMO_SLUG, seed: int = DEMO_SEED, as_of: dt.date | None = None, now: dt.datetime | None = None
) -> str:
    """Create the demo tenant and its history unless it already has leads; say what was done.

    The history ends at ``now`` (the moment of generation; the clock when not given) or at 20:00 on
    ``as_of`` (today when not given), whichever is earlier.
    """
    as_of = as_of or today_in_india()
    tenant_id = tenants.create_tenant(slug, DEMO_NAME if slug == DEMO_SLUG else slug)
    with db.tenant_transaction(tenant_id) as conn:
        # Two processes starting at once (the dashboard and a CLI) must not both seed.
        conn.execute(
            sa.text("select pg_advisory_xact_lock(hashtext('seed-demo'), cast(:tenant_id as integer))"),
            {"tenant_id": tenant_id},
        )
        if conn.execute(sa.text("select exists (select 1 from leads)")).scalar():
            return f"tenant {slug!r} already has data; nothing seeded"
        rows = DemoHistory(tenant_id, seed, as_of, now).build()
        _renumber(rows, conn)
        for table in INSERT_ORDER:
            _insert(conn, table, rows.tables[table])
    counts = ", ".join(f"{len(rows.tables[table])} {table}" for table in INSERT_ORDER)
    return f"seeded tenant {slug!r} (id {tenant_id}) as of {as_of}: {counts}"


def ensure_demo_passwords(slug: str = DEMO_SLUG) -> None:
    """Give demo users seeded before sign-in existed the documented demo password."""
    tenant_id = db.tenant_id_for(slug)
    if tenant_id is None:
        return
    with db.tenant_transaction(tenant_id) as conn:
        missing = conn.execute(
            sa.text("select count(*) from app_users where password_hash is null and username = any(:usernames)"),
            {"usernames": [username for username, _, _ in USERS]},
        ).scalar_one()
        if missing:
            conn.execute(
                sa.text(
                    "update app_users set password_hash = :hash "
                    "where password_hash is null and username = any(:usernames)"
                ),
                {"hash": auth.hash_password(DEMO_PASSWORD), "usernames": [username for username, _, _ in USERS]},
            )
