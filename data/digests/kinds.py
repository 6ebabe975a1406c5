"""The three digests, each composed from the frames its reads return (pure: no database).

- ``rep_daily``, each morning: follow-ups due today, overdue follow-ups, and the leads assigned
  since yesterday 00:00 India time.
- ``manager_daily``, each morning: yesterday's new leads, site visits, bookings and cancellations
  against the day before; the leads past their SLA and the stale leads, counted per rep and listed.
- ``leadership_weekly``, on Mondays: last week's (Monday to Sunday) figures against the week
  before, the Overview's figures for the month to date against the month before, and the
  snapshot ZIP of the weeks' and month's cohorts attached.

``data.digests.build`` runs the reads as the recipient and calls these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from data.digests.compose import (
    Attachment,
    Digest,
    Heading,
    Section,
    digest,
    figures_section,
    kpi_section,
    lead_section,
    per_rep,
    per_rep_section,
    span_text,
)
from data.domain.rules import day_words
from data.domain.vocabulary import WEEKLY_DIGEST_KINDS, label
from data.reports.due_follow_ups import OVERDUE_BUCKETS


@dataclass(frozen=True)
class Periods:
    """The India days a run counts from ``today``."""

    today: dt.date

    @property
    def yesterday(self) -> dt.date:
        """The day before today."""
        return self.today - dt.timedelta(days=1)

    @property
    def day_before(self) -> dt.date:
        """The day before yesterday."""
        return self.today - dt.timedelta(days=2)

    @property
    def last_week(self) -> tuple[dt.date, dt.date]:
        """The last whole week, Monday to Sunday, before today."""
        sunday = self.today - dt.timedelta(days=self.today.weekday() + 1)
        return sunday - dt.timedelta(days=6), sunday

    @property
    def week_before(self) -> tuple[dt.date, dt.date]:
        """The week before the last whole week, Monday to Sunday."""
        monday, sunday = self.last_week
        return monday - dt.timedelta(days=7), sunday - dt.timedelta(days=7)

    @property
    def month_to_date(self) -> tuple[dt.date, dt.date]:
        """The month of yesterday, from its first day to yesterday (a Monday the 1st: last month whole)."""
        return self.yesterday.replace(day=1), self.yesterday


def is_due(kind: str, today: dt.date) -> bool:
    """Whether a kind is sent on this India date: the weekly ones on Mondays, the others daily."""
    return kind not in WEEKLY_DIGEST_KINDS or today.weekday() == 0


def subject(kind: str, today: dt.date) -> str:
    """The e-mail's subject: the digest's name and the date."""
    return f"Leadline — {label('digest_kind', kind)} — {day_words(today)}"


# (frame column, heading) of the lead lists.
_LEAD_COLUMNS = (("name", "Lead"), ("phone", "Phone"), ("project_name", "Project"))
_FOLLOW_UP_COLUMNS = (*_LEAD_COLUMNS, ("due_at", "Due"))
_WAITING = ("working_minutes_waiting", "Working minutes waiting")
_OWNER = (("owner_name", "Rep"),)


def rep_daily(
    heading: Heading, today: dt.date, follow_ups: pd.DataFrame, assigned: pd.DataFrame, since: dt.datetime
) -> Digest:
    """Follow-ups due today, overdue ones, and leads assigned since ``since``.

    ``follow_ups``: reports.follow_ups().leads; ``assigned``: reports.new_assignments()."""
    owner = _OWNER if heading.is_team else ()
    due_today = follow_ups[follow_ups["bucket"] == "today"]
    overdue = follow_ups[follow_ups["bucket"].isin(OVERDUE_BUCKETS)]
    sections = (
        lead_section(
            f"Due today ({len(due_today):,})",
            "Open leads whose next follow-up is today.",
            due_today,
            (*_FOLLOW_UP_COLUMNS, *owner),
            empty="No follow-up is due today.",
        ),
        lead_section(
            f"Overdue ({len(overdue):,})",
            "Open leads whose follow-up date has passed, the longest waiting first.",
            overdue,
            (*_FOLLOW_UP_COLUMNS, ("days_overdue", "Days overdue"), *owner),
            empty="Nothing is overdue.",
        ),
        lead_section(
            f"Assigned since yesterday ({len(assigned):,})",
            f"Leads given to {'the team' if heading.is_team else 'you'} since {day_words(since.date())}, 00:00 IST.",
            assigned,
            (*_LEAD_COLUMNS, ("source", "Source"), ("assigned_at", "Assigned"), *owner),
            empty="No lead was assigned since yesterday.",
        ),
    )
    return digest("rep_daily", subject("rep_daily", today), heading, sections)


def manager_daily(
    heading: Heading, periods: Periods, figures: pd.DataFrame, breaches: pd.DataFrame, stale: pd.DataFrame
) -> Digest:
    """Yesterday against the day before, and the SLA breaches and stale leads per rep.

    ``figures``: reports.day_figures(yesterday, the day before); ``breaches``:
    reports.speed_to_lead().breaches; ``stale``: reports.stale_leads().
    """
    yesterday, before = periods.yesterday, periods.day_before
    sections = (
        figures_section(
            "Yesterday against the day before",
            f"Counted on the day they happened: {day_words(yesterday)} against {day_words(before)}.",
            figures,
            day_words(yesterday),
            day_words(before),
        ),
        per_rep_section(
            "Per rep",
            "Unanswered leads past their source's SLA now, and open leads idle past their stage's stale limit.",
            {"Past SLA": per_rep(breaches), "Stale": per_rep(stale)},
            empty="No lead is past its SLA and none is stale.",
        ),
        lead_section(
            f"Leads past their SLA ({len(breaches):,})",
            "Not answered yet, the longest waiting first.",
            breaches,
            (*_LEAD_COLUMNS, *_OWNER, ("source", "Source"), ("generated_at", "Arrived"), _WAITING),
            empty="No lead is past its SLA.",
        ),
        lead_section(
            f"Stale leads ({len(stale):,})",
            "Open leads nobody has touched for longer than their furthest stage allows, the longest idle first.",
            stale,
            (*_LEAD_COLUMNS, *_OWNER, ("days_idle", "Days idle"), ("last_activity_at", "Last activity")),
            empty="No lead is stale.",
        ),
    )
    return digest("manager_daily", subject("manager_daily", periods.today), heading, sections)


def leadership_weekly(
    heading: Heading,
    periods: Periods,
    week_figures: pd.DataFrame,
    month_kpis: pd.DataFrame,
    attachment: Attachment | None,
    snapshot_months: str,
) -> Digest:
    """Last week against the week before, the month to date's Overview figures, and the snapshot.

    ``week_figures``: reports.day_figures(last week, the week before); ``month_kpis``:
    reports.overview(month to date).kpis; ``attachment``: the snapshot ZIP, or None in a preview.
    """
    (monday, sunday), (previous_monday, previous_sunday) = periods.last_week, periods.week_before
    first, last = periods.month_to_date
    attached = (
        f"Attached: {attachment.filename}, the snapshot of the cohorts {snapshot_months}."
        if attachment is not None
        else f"The e-mail carries the snapshot ZIP of the cohorts {snapshot_months} (not built for a preview)."
    )
    sections = (
        figures_section(
            "Last week against the week before",
            f"Counted on the day they happened: {span_text(monday, sunday)} against "
            f"{span_text(previous_monday, previous_sunday)}.",
            week_figures,
            "Last week",
            "Week before",
        ),
        kpi_section(
            "Month to date (Overview)",
            f"The Overview's figures for {span_text(first, last)} against the month before: lead counts are "
            "of leads generated in the month, collections are receipts dated in it, outstanding is what "
            "customers owed at its end.",
            month_kpis,
            "Month to date",
            "Month before",
        ),
        Section(title="Snapshot", note=attached, empty=""),
    )
    return digest(
        "leadership_weekly",
        subject("leadership_weekly", periods.today),
        heading,
        sections,
        attachments=() if attachment is None else (attachment,),
    )
