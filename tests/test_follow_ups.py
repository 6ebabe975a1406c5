"""Follow-ups against the real database: the latest activity is one total order, buckets follow
the follow-up's age, and the page (through AppTest) filters by rep, pages long buckets and never
shows a code or a missing value."""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from data import db, reports
from data.db import Scope
from data.domain.filters import IST, today_in_india
from data.reports.due_follow_ups import UNASSIGNED
from tests.support.world import World, add_people, build_world, insert
from tests.test_pages import signed_in

SARA_LEADS = 30
LONG_NAME = "Lakshminarayanan " * 6 + "Venkataraghavan"


def due(days: int, minutes: int = 0) -> dt.datetime:
    """10:00 in India, ``days`` from today (negative: in the past), plus some minutes."""
    return dt.datetime.combine(today_in_india() + dt.timedelta(days=days), dt.time(10, 0), IST) + dt.timedelta(
        minutes=minutes
    )


def add_follow_ups(world: World) -> None:
    """Leads for Ravi (every bucket and both ties), 30 overdue ones for Sara and one nobody owns."""
    t = world.alpha
    ids = world.ids
    phones = iter(range(9700000000, 9800000000))

    def lead(conn, key, name, owner, project="p1") -> int:
        ids[key] = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=t,
            name=name,
            phone=f"+91{next(phones)}",
            project_id=ids.get(project),
            lead_source_id=ids["s1"],
            owner_user_id=ids.get(owner),
            generated_at=due(-40),
        )
        return ids[key]

    def milestone(conn, key, milestone_type, follow_up, occurred_at=None, **extra) -> int:
        return insert(
            conn,
            "lead_milestones",
            "milestone_id",
            tenant_id=t,
            lead_id=ids[key],
            milestone_type=milestone_type,
            occurred_at=occurred_at or due(-20),
            next_follow_up_at=follow_up,
            **extra,
        )

    def engagement(conn, key, engagement_type, status, follow_up, occurred_at=None, **extra) -> int:
        return insert(
            conn,
            "lead_engagements",
            "engagement_id",
            tenant_id=t,
            lead_id=ids[key],
            engagement_type=engagement_type,
            direction="outbound",
            status=status,
            occurred_at=occurred_at or due(-20),
            next_follow_up_at=follow_up,
            **extra,
        )

    with db.tenant_transaction(t) as conn:
        # One transaction: the visit and the call share created_at and occurred_at.
        lead(conn, "tied", "Tanvi Tied", "rep")
        ids["tied_milestone"] = milestone(conn, "tied", "site_visit", due(-10), occurred_at=due(-20))
        ids["tied_engagement"] = engagement(conn, "tied", "call", "no_answer", due(2), occurred_at=due(-20))
        # Two milestones at one moment: the later row wins.
        lead(conn, "twins", "Tushar Twins", "rep")
        milestone(conn, "twins", "qualified", due(-5), occurred_at=due(-20))
        ids["twins_latest"] = milestone(conn, "twins", "negotiation", due(0), occurred_at=due(-20))

    with db.tenant_transaction(t) as conn:
        for key, days in (
            ("ravi_today", 0),
            ("ravi_1", -1),
            ("ravi_3", -3),
            ("ravi_4", -4),
            ("ravi_7", -7),
            ("ravi_8", -8),
            ("ravi_30", -30),
            ("ravi_plus_1", 1),
            ("ravi_plus_6", 6),
            ("ravi_plus_10", 10),
        ):
            lead(conn, key, "Ravi Lead " + key.removeprefix("ravi_").replace("_", " "), "rep")
            milestone(conn, key, "contacted", due(days))
        # A scheduled call is due when it is scheduled.
        lead(conn, "scheduled", "Ravi Scheduled", "rep")
        engagement(conn, "scheduled", "whatsapp", "scheduled", None, occurred_at=due(3))
        # A follow-up that a later call answered (recorded an hour later) has left the list.
        lead(conn, "done", "Ravi Done", "rep")
        milestone(conn, "done", "site_visit", due(-2), created_at=due(-3))
        engagement(conn, "done", "call", "completed", None, occurred_at=due(-1), created_at=due(-1))
        lead(conn, "long", LONG_NAME, "rep")
        milestone(conn, "long", "site_visit", due(4))
        lead(conn, "markup", "Anil **Bold** [x](y) Rao", "rep")
        milestone(conn, "markup", "revisit", due(5))

        for number in range(1, SARA_LEADS + 1):
            key = f"sara_{number:02d}"
            lead(conn, key, f"Sara Lead {number:02d}", "sara")
            # Earlier numbers are due earlier, so they are the most urgent.
            engagement(conn, key, "call", "completed", due(-2, minutes=number))

        lead(conn, "nobody", "Nobody Owns", None, project=None)
        engagement(conn, "nobody", "sms", "failed", due(0, minutes=5))


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("follow-ups")
    add_people(built)
    add_follow_ups(built)
    os.environ["LEADLINE_TENANT"] = "alpha-follow-ups"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def fresh_read(scope, owner=None):
    """A read from the database, not from the cache."""
    reports.clear_report_caches()
    return reports.follow_ups(scope, owner)


def by_lead(world: World, frame) -> dict[int, dict]:
    return {int(row["lead_id"]): row for row in frame.to_dict("records")}


# Data layer ---------------------------------------------------------------------------------


def test_tied_moments_give_the_same_frame_every_read(world: World) -> None:
    first = fresh_read(world.alpha)
    for _ in range(4):
        again = fresh_read(world.alpha)
        assert again.leads.equals(first.leads)
        assert again.by_owner.equals(first.by_owner)


def test_an_engagement_beats_a_milestone_recorded_at_the_same_moment(world: World) -> None:
    rows = by_lead(world, fresh_read(world.alpha).leads)
    tied = rows[world.ids["tied"]]
    assert (tied["last_activity_kind"], tied["last_activity_type"], tied["last_activity_status"]) == (
        "engagement",
        "call",
        "no_answer",
    )
    assert tied["due_at"] == due(2)  # the call's follow-up, not the visit's (10 days overdue)
    assert tied["bucket"] == "this_week"


def test_of_two_milestones_at_one_moment_the_later_row_wins(world: World) -> None:
    twins = by_lead(world, fresh_read(world.alpha).leads)[world.ids["twins"]]
    assert (twins["last_activity_kind"], twins["last_activity_type"]) == ("milestone", "negotiation")
    assert pd.isna(twins["last_activity_status"])
    assert twins["bucket"] == "today"


def test_buckets_follow_the_age_of_the_follow_up(world: World) -> None:
    rows = by_lead(world, fresh_read(world.alpha).leads)
    expected = {
        "ravi_today": ("today", 0),
        "ravi_1": ("overdue_1_3", 1),
        "ravi_3": ("overdue_1_3", 3),
        "ravi_4": ("overdue_4_7", 4),
        "ravi_7": ("overdue_4_7", 7),
        "ravi_8": ("overdue_older", 8),
        "ravi_30": ("overdue_older", 30),
        "ravi_plus_1": ("this_week", -1),
        "ravi_plus_6": ("this_week", -6),
        "scheduled": ("this_week", -3),
        "sara_01": ("overdue_1_3", 2),
        "nobody": ("today", 0),
    }
    for key, (bucket, days_overdue) in expected.items():
        row = rows[world.ids[key]]
        assert (row["bucket"], row["days_overdue"]) == (bucket, days_overdue), key
    assert world.ids["ravi_plus_10"] not in rows  # beyond the week
    assert world.ids["done"] not in rows  # answered by a later call
    assert set(reports.FOLLOW_UP_BUCKETS) == {row["bucket"] for row in rows.values()}


def test_leads_come_by_due_moment_then_lead_id(world: World) -> None:
    leads = fresh_read(world.alpha).leads
    assert list(leads["due_at"]) == sorted(leads["due_at"])
    sara = leads[leads["name"].str.startswith("Sara Lead")]
    assert list(sara["name"]) == [f"Sara Lead {number:02d}" for number in range(1, SARA_LEADS + 1)]


def test_the_owner_filter_narrows_the_leads_but_not_the_counts(world: World) -> None:
    everyone = fresh_read(world.alpha)
    sara = fresh_read(world.alpha, world.ids["sara"])
    nobody = fresh_read(world.alpha, UNASSIGNED)
    assert set(sara.leads["owner_name"]) == {"Sara Rep"}
    assert len(sara.leads) == SARA_LEADS
    assert list(nobody.leads["name"]) == ["Nobody Owns"]
    assert sara.by_owner.equals(everyone.by_owner)
    counts = {
        (None if pd.isna(row["owner_user_id"]) else row["owner_name"]): (
            row["overdue"],
            row["today"],
            row["this_week"],
        )
        for row in everyone.by_owner.to_dict("records")
    }
    # Ravi: overdue 1, 3, 4, 7, 8, 30 days; today: twins and ravi_today; this week: tied, +1, +6,
    # scheduled, long, markup.
    assert counts == {"Ravi Kumar": (6, 2, 6), "Sara Rep": (SARA_LEADS, 0, 0), None: (0, 1, 0)}
    assert list(everyone.by_owner["owner_name"].iloc[:2]) == ["Ravi Kumar", "Sara Rep"]  # nobody last


def test_a_rep_scope_sees_only_the_reps_leads(world: World) -> None:
    mine = fresh_read(Scope(world.alpha, world.ids["sara"]))
    assert set(mine.leads["owner_name"]) == {"Sara Rep"}
    assert list(mine.by_owner["owner_name"]) == ["Sara Rep"]


def test_an_unknown_owner_filter_is_refused(world: World) -> None:
    with pytest.raises(ValueError, match="owner must be"):
        reports.follow_ups(world.alpha, "Sara Rep")


# The page -----------------------------------------------------------------------------------


def on_follow_ups(username: str) -> AppTest:
    reports.clear_report_caches()
    app = signed_in(username)
    app.switch_page("pages/follow_ups.py").run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def card_titles(app: AppTest) -> list[str]:
    """The first line of every card (its bold name, phone and owner)."""
    return [block.value for block in app.markdown if block.value.startswith("**")]


def card_names(app: AppTest) -> list[str]:
    return [re.match(r"\*\*(.*?)\*\*", title).group(1) for title in card_titles(app)]


def page_text(app: AppTest) -> list[str]:
    elements = (app.title, app.subheader, app.markdown, app.caption, app.info)
    return [element.value for group in elements for element in group]


def test_a_manager_sees_every_reps_counts_and_can_choose_one(world: World) -> None:
    app = on_follow_ups("mona")
    rep = app.selectbox(key="follow-ups-rep")
    assert rep.label == "Rep"
    assert rep.options == ["All reps", "Ravi Kumar", "Sara Rep", "Unassigned"]
    counts = app.dataframe[0].value
    assert counts.to_dict("records") == [
        {"Rep": "Ravi Kumar", "Overdue": "6", "Due today": "2", "Next 7 days": "6"},
        {"Rep": "Sara Rep", "Overdue": "30", "Due today": "0", "Next 7 days": "0"},
        {"Rep": "Unassigned", "Overdue": "0", "Due today": "1", "Next 7 days": "0"},
    ]
    headings = [subheader.value for subheader in app.subheader]
    assert headings == [
        "Due today (3)",
        "Overdue 1–3 days (32)",
        "Overdue 4–7 days (2)",
        "Overdue more than 7 days (2)",
        "Due in the next 7 days (6)",
    ]

    rep.set_value(world.ids["sara"]).run()
    assert not app.exception
    names = card_names(app)
    assert names == [f"Sara Lead {number:02d}" for number in range(1, 26)]  # the 25 most urgent
    assert all(title.endswith("· Sara Rep") for title in card_titles(app))
    assert "Showing 25 of 30." in [caption.value for caption in app.caption]

    next(button for button in app.button if button.label == "Show more").click().run()
    assert not app.exception
    assert card_names(app) == [f"Sara Lead {number:02d}" for number in range(1, SARA_LEADS + 1)]
    assert not [button for button in app.button if button.label == "Show more"]


def test_unassigned_shows_the_lead_nobody_owns(world: World) -> None:
    app = on_follow_ups("boss")
    app.selectbox(key="follow-ups-rep").set_value(UNASSIGNED).run()
    assert card_names(app) == ["Nobody Owns"]


def test_a_rep_sees_only_their_own_leads_and_no_rep_filter(world: World) -> None:
    app = on_follow_ups("sara")
    assert app.title[0].value == "My follow-ups"
    assert not [box for box in app.selectbox if box.key == "follow-ups-rep"]
    assert not app.dataframe
    assert len(card_names(app)) == 25
    assert all(name.startswith("Sara Lead") for name in card_names(app))
    assert not any("Sara Rep" in title for title in card_titles(app))  # no owner on a rep's own cards


def test_no_code_or_missing_value_shows_on_the_page(world: World) -> None:
    app = on_follow_ups("mona")
    shown = page_text(app)
    nobody = next(index for index, title in enumerate(card_titles(app)) if "Nobody Owns" in title)
    assert card_titles(app)[nobody].endswith("· no owner")
    captions = [caption.value for caption in app.caption]
    assert any(caption.endswith("· no project") and "last: SMS (failed)" in caption for caption in captions)
    assert any("last: Call (no answer)" in caption for caption in captions)  # the tied lead
    assert any("last: Negotiation" in caption for caption in captions)
    assert any("(30 days overdue)" in caption for caption in captions)
    for text in shown:
        assert not re.search(r"\b(None|nan|NaN|NaT)\b", text), text
        assert not re.search(r"no\\?_answer|site\\?_visit|\bsms\b", text), text


def test_long_and_marked_up_names_are_shortened_and_escaped(world: World) -> None:
    app = on_follow_ups("ravi")
    long_title = next(block for block in app.markdown if block.value.startswith("**Lakshmi"))
    assert long_title.value.split("**")[1].endswith("…")
    assert len(long_title.value.split("**")[1]) <= 60
    assert long_title.proto.help == LONG_NAME
    assert any(r"Anil \*\*Bold\*\* \[x\]\(y\) Rao" in title for title in card_titles(app))
