"""A digest for one person: its reads run as that person (their tenant and, for a rep, only their
own leads, through the same row-level security as their screens), then ``kinds`` composes it.

Reads are fresh (``.uncached``): a digest states the moment it was read as its "as of". The
follow-up lists count from the database's today in India; the periods (yesterday, last week, the
month to date) count from the ``today`` given, which is the India date of the run.
"""

from __future__ import annotations

import datetime as dt

from data import reports
from data.digests import kinds
from data.digests.compose import Attachment, Digest, Heading, span_text
from data.digests.recipients import Recipient
from data.domain.filters import IST, ReportFilters
from data.exports import snapshot


def _month_span(first: dt.date, last: dt.date) -> str:
    return f"{first:%b %Y}" if (first.year, first.month) == (last.year, last.month) else f"{first:%b %Y}–{last:%b %Y}"


def build_digest(
    recipient: Recipient,
    kind: str,
    today: dt.date,
    *,
    tenant_slug: str = "",
    with_attachments: bool = True,
    now: dt.datetime | None = None,
) -> Digest:
    """The digest of ``kind`` for the recipient as of now, counting periods from ``today``.

    ``with_attachments=False`` (a preview) builds no snapshot ZIP."""
    as_of = (now or dt.datetime.now(IST)).astimezone(IST)
    periods = kinds.Periods(today)
    scope = recipient.scope
    is_team = scope.owner_user_id is None

    def heading(period: str) -> Heading:
        return Heading(recipient.display_name, recipient.role, is_team, period, as_of)

    if kind == "rep_daily":
        since = dt.datetime.combine(periods.yesterday, dt.time(), tzinfo=IST)
        follow_ups = reports.follow_ups.uncached(scope).leads
        assigned = reports.new_assignments.uncached(scope, since)
        period = f"follow-ups due today ({span_text(today, today)}) or overdue; leads assigned since yesterday"
        return kinds.rep_daily(heading(period), today, follow_ups, assigned, since)
    if kind == "manager_daily":
        figures = reports.day_figures.uncached(
            scope, periods.yesterday, periods.yesterday, periods.day_before, periods.day_before
        )
        breaches = reports.speed_to_lead.uncached(scope, ReportFilters.last_months(1, today)).breaches
        stale = reports.stale_leads.uncached(scope)
        period = f"yesterday ({span_text(periods.yesterday, periods.yesterday)}); SLA breaches and stale leads now"
        return kinds.manager_daily(heading(period), periods, figures, breaches, stale)
    if kind == "leadership_weekly":
        (monday, sunday), (previous_monday, _) = periods.last_week, periods.week_before
        first, last = periods.month_to_date
        week_figures = reports.day_figures.uncached(scope, monday, sunday, previous_monday, monday - dt.timedelta(1))
        month = reports.overview.uncached(scope, ReportFilters(month_from=first, month_to=first), last)
        months = ReportFilters(month_from=min(monday, first), month_to=last)
        attachment = None
        if with_attachments:
            # Built as the recipient: only a role that may export snapshots gets this kind at all.
            built = snapshot.build_snapshot(recipient.tenant_id, recipient.user_id, tenant_slug, months, now=as_of)
            try:
                attachment = Attachment(built.filename, built.content)
            finally:
                snapshot.discard(built)
        period = f"last week ({span_text(monday, sunday)}); month to date ({span_text(first, last)})"
        return kinds.leadership_weekly(
            heading(period), periods, week_figures, month.kpis, attachment, _month_span(months.month_from, last)
        )
    raise ValueError(f"no such digest kind: {kind!r}")
