"""The filter set every report read takes; frozen so it can be part of a cache key."""

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
