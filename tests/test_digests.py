"""Digests by e-mail, received by a local SMTP server (aiosmtpd): each role's sections, a rep's
only their own leads, user text escaped in the HTML, the weekly digest with its snapshot on
Mondays only, once per person and day however often the command runs, a dry run that sends and
claims nothing, a failed send retried by the next run, and the profile's write checked."""

from __future__ import annotations

import datetime as dt
import email
import io
import os
import socket
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from data import db, digests, reports
from data.digests import kinds
from data.domain.filters import IST, today_in_india
from data.domain.validation import ValidationError
from data.writes import digests as digest_writes
from data.writes import leads as lead_writes
from data.writes.common import now
from tests.support.checks import form_key
from tests.support.world import World, add_people, build_world, insert

SLUG = "alpha-digests"
TODAY = today_in_india()
# A Monday and the Tuesday after it, weeks before today, so their send log is their own.
MONDAY = TODAY - dt.timedelta(days=TODAY.weekday() + 14)
TUESDAY = MONDAY + dt.timedelta(days=1)
MARKUP_NAME = "Ravi Buyer <b>bold</b> **x** [x](y)"
SENDER = "Leadline <digests@leadline.test>"


class Inbox:
    """What the SMTP server received, as parsed messages."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def inbox() -> Iterator[Inbox]:
    """A local SMTP server, with the SMTP settings pointed at it meanwhile."""
    received = Inbox()
    controller = Controller(received, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings = {
        "LEADLINE_SMTP_HOST": "127.0.0.1",
        "LEADLINE_SMTP_PORT": str(controller.port),
        "LEADLINE_SMTP_TLS": "none",
        "LEADLINE_SMTP_FROM": SENDER,
    }
    os.environ.update(settings)
    try:
        yield received
    finally:
        for name in settings:
            os.environ.pop(name, None)
        controller.stop()


@pytest.fixture(autouse=True)
def empty_inbox(inbox: Inbox) -> None:
    inbox.messages.clear()


def address(username: str) -> str:
    return f"{username}@alpha.example.com"


def new_lead(world: World, name: str, owner: str, generated_at: dt.datetime, due_at: dt.datetime | None) -> int:
    """A lead of the owner's, made by the manager; with a follow-up due at ``due_at``."""
    lead_id = lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name=name,
        phone=f"+91 98450 {abs(hash(name)) % 100_000:05d}",
        lead_source_id=world.ids["s2"],
        owner_user_id=world.ids[owner],
        generated_at=generated_at,
        idempotency_key=form_key(),
    ).lead_id
    if due_at is not None:
        with db.tenant_transaction(world.alpha) as conn:
            insert(
                conn,
                "lead_milestones",
                "milestone_id",
                tenant_id=world.alpha,
                lead_id=lead_id,
                milestone_type="qualified",
                occurred_at=now(),
                next_follow_up_at=due_at,
                recorded_by=world.ids["mona"],
            )
    return lead_id


@pytest.fixture(scope="module")
def world(inbox: Inbox) -> World:
    """Alpha's people with addresses: Ravi never chose (a rep's default), Sara unticked hers, Mona
    and Lena chose their role's digest, the admin chose none. Ravi and Sara each have a lead due
    today and one waiting past its SLA; Ravi's due lead has a name full of markup."""
    built = build_world("digests")
    add_people(built)
    with db.owner_engine().begin() as conn:
        conn.execute(
            sa.text("update app_users set email = :email where user_id = :user_id"),
            {"email": address("ravi"), "user_id": built.ids["rep"]},
        )
    for username, chosen in (("sara", []), ("mona", ["manager_daily"]), ("lena", ["leadership_weekly"]), ("boss", [])):
        digest_writes.save_digest_choices(built.alpha, built.ids[username], email=address(username), kinds=chosen)
    morning = dt.datetime.combine(TODAY, dt.time(0, 5), tzinfo=IST)
    yesterday = morning - dt.timedelta(days=1)
    built.ids["ravi_due"] = new_lead(built, MARKUP_NAME, "rep", yesterday, morning)
    built.ids["sara_due"] = new_lead(built, "Sara Secret Buyer", "sara", yesterday, morning)
    built.ids["ravi_waiting"] = new_lead(built, "Ravi Waiting Buyer", "rep", now() - dt.timedelta(days=2), None)
    built.ids["sara_waiting"] = new_lead(built, "Sara Waiting Buyer", "sara", now() - dt.timedelta(days=2), None)
    with db.tenant_transaction(built.alpha) as conn:  # a revisit of an old lead of Ravi's, yesterday
        insert(
            conn,
            "lead_milestones",
            "milestone_id",
            tenant_id=built.alpha,
            lead_id=built.ids["l1"],
            milestone_type="revisit",
            occurred_at=yesterday + dt.timedelta(hours=11),
            recorded_by=built.ids["rep"],
        )
    return built


def sends(world: World, day: dt.date) -> list[tuple[str, str]]:
    """(username, kind) of the send log's rows of the day."""
    with db.tenant_transaction(world.alpha) as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text(
                    "select username, digest_kind from digest_sends inner join app_users using (tenant_id, user_id) "
                    "where digest_date = :day order by username, digest_kind"
                ),
                {"day": day},
            )
        ]


def bodies(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and the HTML body."""
    return (
        message.get_body(preferencelist=("plain",)).get_content(),
        message.get_body(preferencelist=("html",)).get_content(),
    )


def send(world: World, day: dt.date, **options) -> list[digests.Outcome]:
    return digests.send_due(world.alpha, SLUG, today=day, **options)


def run_cli(*arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """``python -m data send-digests`` against the session's database."""
    return subprocess.run(
        [sys.executable, "-m", "data", "send-digests", "--tenant", SLUG, *arguments],
        cwd=db.REPO_ROOT,
        env=env if env is not None else dict(os.environ),  # DATABASE_URL points at the session's database
        capture_output=True,
        text=True,
        timeout=300,
    )


# Who gets what, and what it says --------------------------------------------------------------


def test_each_role_gets_its_digest_with_its_sections_and_only_what_it_may_see(world: World, inbox: Inbox) -> None:
    outcomes = send(world, TODAY, kinds=["rep_daily", "manager_daily"])
    assert {(outcome.username, outcome.kind, outcome.status) for outcome in outcomes} == {
        ("ravi", "rep_daily", digests.SENT),
        ("mona", "manager_daily", digests.SENT),
    }
    # Sara unticked hers, the admin chose none, Lena's is weekly: one e-mail each to Ravi and Mona.
    assert sorted(message["To"].addresses[0].addr_spec for message in inbox.messages) == [
        address("mona"),
        address("ravi"),
    ]
    (to_ravi,) = inbox.to(address("ravi"))
    text, html = bodies(to_ravi)
    assert to_ravi["Message-ID"] and to_ravi["From"] == SENDER
    for heading in ("Due today", "Overdue", "Assigned since yesterday"):
        assert heading in text and heading in html
    assert "Covers: your leads only" in text and "As of:" in text and "Period:" in text
    # A rep's digest holds their own leads only.
    assert MARKUP_NAME in text and "Ravi Waiting Buyer" in text
    assert "Sara" not in text and "Sara" not in html
    # User text is text in the HTML body.
    assert "&lt;b&gt;bold&lt;/b&gt; **x** [x](y)" in html and "<b>bold</b>" not in html

    (to_mona,) = inbox.to(address("mona"))
    text, html = bodies(to_mona)
    assert "Covers: the whole team's leads" in text
    for heading in ("Yesterday against the day before", "Per rep", "Leads past their SLA", "Stale leads"):
        assert heading in text
    # The stale leads are the Stale leads screen's (the world's old leads idle since January).
    stale = reports.stale_leads.uncached(world.alpha)
    assert not stale.empty and stale.iloc[0]["name"] in text and f"Stale leads ({len(stale)})" in text
    assert "Ravi Waiting Buyer" in text and "Sara Waiting Buyer" in text
    assert "Sara Rep" in text and "Ravi Kumar" in text  # breaches counted per rep
    # Yesterday: the two leads due today were generated then; the day before, the two waiting ones.
    new_leads = next(line for line in text.splitlines() if line.startswith("New leads"))
    assert [cell.strip() for cell in new_leads.split("|")] == ["New leads", "2", "2", "+0"]
    visits = next(line for line in text.splitlines() if line.startswith("Site visits"))
    assert [cell.strip() for cell in visits.split("|")] == ["Site visits", "1", "0", "+1"]
    assert sends(world, TODAY) == [("mona", "manager_daily"), ("ravi", "rep_daily")]


def test_leadership_gets_last_week_and_the_snapshot_on_mondays_only(world: World, inbox: Inbox) -> None:
    outcomes = send(world, MONDAY, kinds=["leadership_weekly"])
    assert [(outcome.username, outcome.status) for outcome in outcomes] == [("lena", digests.SENT)]
    (to_lena,) = inbox.to(address("lena"))
    text, _ = bodies(to_lena)
    monday, sunday = kinds.Periods(MONDAY).last_week
    assert monday == MONDAY - dt.timedelta(days=7) and sunday == MONDAY - dt.timedelta(days=1)
    for heading in ("Last week against the week before", "Month to date (Overview)", "Snapshot"):
        assert heading in text
    assert "Net booking value" in text and "Covers: the whole team's leads" in text
    (attachment,) = list(to_lena.iter_attachments())
    assert attachment.get_filename().endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(attachment.get_content())) as archive:
        assert "manifest.json" in archive.namelist()
    inbox.messages.clear()
    assert send(world, TUESDAY, kinds=["leadership_weekly"]) == []
    assert send(world, TUESDAY, kinds=["manager_daily"])[0].username == "mona"
    assert inbox.to(address("lena")) == []


# Once a day, dry runs, failures -----------------------------------------------------------------


def test_running_twice_the_same_day_sends_once(world: World, inbox: Inbox) -> None:
    day = TODAY + dt.timedelta(days=30)
    first = run_cli("--today", day.isoformat(), "--kind", "rep_daily")
    assert first.returncode == 0, first.stderr
    assert f"rep_daily to ravi <{address('ravi')}>: sent" in first.stdout
    assert len(inbox.messages) == 1
    second = run_cli("--today", day.isoformat(), "--kind", "rep_daily")
    assert second.returncode == 0, second.stderr
    assert "ravi" in second.stdout and "already sent" in second.stdout
    assert len(inbox.messages) == 1
    assert sends(world, day) == [("ravi", "rep_daily")]


def test_a_dry_run_sends_nothing_and_claims_nothing(world: World, inbox: Inbox) -> None:
    day = TODAY + dt.timedelta(days=31)
    finished = run_cli("--today", day.isoformat(), "--dry-run")
    assert finished.returncode == 0, finished.stderr
    assert "rep_daily to ravi" in finished.stdout and "dry run" in finished.stdout
    assert inbox.messages == [] and sends(world, day) == []


def test_a_failed_send_is_left_for_the_next_run(world: World, inbox: Inbox) -> None:
    day = TODAY + dt.timedelta(days=32)
    down = digests.SmtpSettings(host="127.0.0.1", port=free_port(), tls="none", user=None, password=None, sender=SENDER)
    failed = send(world, day, kinds=["rep_daily"], settings=down)
    assert [(outcome.username, outcome.status) for outcome in failed] == [("ravi", digests.FAILED)]
    assert "next run" in failed[0].detail
    assert sends(world, day) == [] and inbox.messages == []
    retried = send(world, day, kinds=["rep_daily"])
    assert [(outcome.username, outcome.status) for outcome in retried] == [("ravi", digests.SENT)]
    assert len(inbox.messages) == 1 and sends(world, day) == [("ravi", "rep_daily")]


def test_without_smtp_settings_the_command_says_so_and_fails(world: World) -> None:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LEADLINE_SMTP_")}
    finished = run_cli("--today", (TODAY + dt.timedelta(days=33)).isoformat(), env=env)
    assert finished.returncode == 2
    assert "SMTP is not configured" in finished.stderr and "LEADLINE_SMTP_HOST" in finished.stderr
    assert sends(world, TODAY + dt.timedelta(days=33)) == []


def test_only_the_weekly_kind_waits_for_monday() -> None:
    assert digests.is_due("leadership_weekly", MONDAY) and not digests.is_due("leadership_weekly", TUESDAY)
    assert digests.is_due("rep_daily", TUESDAY) and digests.is_due("manager_daily", MONDAY)


# The profile's write ----------------------------------------------------------------------------


def choices(world: World, username: str) -> dict[str, bool]:
    with db.tenant_transaction(world.alpha) as conn:
        rows = conn.execute(
            sa.text("select digest_kind, is_enabled from digest_choices where user_id = :user_id"),
            {"user_id": world.ids[username]},
        )
        return dict(rows.all())


def test_a_person_chooses_only_among_their_roles_digests(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        digest_writes.save_digest_choices(
            world.alpha, world.ids["sara"], email=address("sara"), kinds=["manager_daily"]
        )
    assert "Your role does not get" in refused.value.errors["kinds"]
    with pytest.raises(ValidationError) as refused:
        digest_writes.save_digest_choices(world.alpha, world.ids["sara"], email="not an address", kinds=[])
    assert "email" in refused.value.errors
    with pytest.raises(ValidationError) as refused:
        digest_writes.save_digest_choices(world.alpha, world.ids["sara"], email="", kinds=["rep_daily"])
    assert refused.value.errors == {"email": "Give the e-mail address the digests go to."}
    assert choices(world, "sara") == {"rep_daily": False}
    # Saving twice is harmless: the same rows, the role's every kind recorded.
    for _ in range(2):
        saved = digest_writes.save_digest_choices(
            world.alpha, world.ids["lena"], email=address("lena"), kinds=["leadership_weekly"]
        )
    assert saved == ("leadership_weekly",)
    assert choices(world, "lena") == {"leadership_weekly": True}


def test_without_a_choice_a_role_gets_its_default() -> None:
    assert digests.effective_kinds("rep", {}) == ("rep_daily",)
    assert digests.effective_kinds("manager", {}) == ("manager_daily",)
    assert digests.effective_kinds("leadership", {}) == ("leadership_weekly",)
    assert digests.effective_kinds("admin", {}) == ()
    assert digests.effective_kinds("rep", {"rep_daily": False}) == ()
    # A choice the role may not get (made under another role) counts for nothing.
    assert digests.effective_kinds("rep", {"manager_daily": True}) == ("rep_daily",)
