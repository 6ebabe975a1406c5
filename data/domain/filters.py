"""The filter set every report read takes (frozen, so it can be part of a cache key), which of the
filters each report applies, and the periods reports count over."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

IST = ZoneInfo("Asia/Kolkata")


def today_in_india() -> dt.date:
    """Today's date in India, the day every report counts from."""
    return dt.datetime.now(IST).date()


def first_of_month(day: dt.date) -> dt.date:
    """The first day of the day's month."""
    return day.replace(day=1)


def add_months(day: dt.date, months: int) -> dt.date:
    """The first day of the month some months after (or before) the day's month."""
    index = day.year * 12 + day.month - 1 + months
    return dt.date(index // 12, index % 12 + 1, 1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first days of the months from ``first``'s to ``last``'s, both included (empty if after)."""
    months, month = [], first_of_month(first)
    while month <= last:
        months.append(month)
        month = add_months(month, 1)
    return months


# The filters a screen or the API can offer. A report applies only some of them; the filter bar
# shows a page just those, and the API takes just those as parameters (refusing the others).
PERIOD, PROJECT, SOURCE, SUBSOURCE, CAMPAIGN, OWNER = "period", "project", "source", "subsource", "campaign", "owner"
EVERY_FILTER = (PERIOD, PROJECT, SOURCE, SUBSOURCE, CAMPAIGN, OWNER)
# Which filters each report applies: its read's SQL takes no other. The keys name the reads.
REPORT_FILTERS: dict[str, tuple[str, ...]] = {
    "overview": EVERY_FILTER,
    "funnel": EVERY_FILTER,
    "speed_to_lead": EVERY_FILTER,
    "team_scorecard": EVERY_FILTER,
    "lead_list": EVERY_FILTER,
    "snapshot": EVERY_FILTER,
    # Spend belongs to sources and projects, not to reps or single campaigns' leads.
    "source_performance": (PERIOD, PROJECT, SOURCE, SUBSOURCE),
    # A campaign belongs to a source and a project, not to an owner.
    "campaign_performance": (PERIOD, PROJECT, SOURCE, SUBSOURCE, CAMPAIGN),
    # Bookings are counted by booking date and project.
    "bookings": (PERIOD, PROJECT),
    # Inventory is counted as of now, by project.
    "unit_inventory": (PROJECT,),
    # Balances are as of today: every dimension of the lead who booked, no period.
    "customer_ledger": (PROJECT, SOURCE, SUBSOURCE, CAMPAIGN, OWNER),
}


@dataclass(frozen=True)
class ReportFilters:
    """Which leads a report covers: cohort months from..to (inclusive) and optional dimensions.

    Reports are cohort reports: a lead belongs to the month it was generated in, so the date
    range is held as whole months.
    """

    month_from: dt.date
    month_to: dt.date
    project_id: int | None = None
    source: str | None = None
    subsource: str | None = None
    campaign_id: int | None = None
    owner_user_id: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "month_from", first_of_month(self.month_from))
        object.__setattr__(self, "month_to", first_of_month(self.month_to))
        if self.month_from > self.month_to:
            raise ValueError("the start month is after the end month")

    @classmethod
    def last_months(cls, months: int, today: dt.date) -> ReportFilters:
        """The last ``months`` whole months up to and including today's month."""
        return cls(month_from=add_months(today, -(months - 1)), month_to=first_of_month(today))

    def previous_period(self, today: dt.date) -> tuple[dt.date, dt.date, dt.date]:
        """The period's last day, and the first and last day of the period it is compared with.

        The period runs from its first month's first day to its last month's last day, or to
        today while that month is not over. The previous period has exactly as many days and
        ends the day before the period starts (so it ends on a month's last day, and may start
        in the middle of a month).
        """
        period_end = max(min(add_months(self.month_to, 1) - dt.timedelta(days=1), today), self.month_from)
        days = (period_end - self.month_from).days + 1
        previous_end = self.month_from - dt.timedelta(days=1)
        return period_end, previous_end - dt.timedelta(days=days - 1), previous_end

    def params(self) -> dict:
        """The filters as bound parameters for the report SQL."""
        return {
            "month_from": self.month_from,
            "month_to": self.month_to,
            "project_id": self.project_id,
            "source": self.source,
            "subsource": self.subsource,
            "campaign_id": self.campaign_id,
            "owner_user_id": self.owner_user_id,
        }
