"""The files of a snapshot: what each holds, the name it goes by, and how the filters reach its rows.

A file is named for what it holds ("funnel by cohort month.csv"); the manifest still names the
reporting view it comes from (docs/reporting-views.md defines its columns). Names are written next
to ids (``LOOKUPS``): a file gets each name its view does not hold already.

Filters reach a file's rows in one of two ways: through its own columns (a cohort or booking month,
a project, a source, a campaign, an owner), or through its leads (``through``: the file's rows are
kept when their lead is one the filters select, as the Customer ledger and a lead's timeline do).
A filter that neither reaches is listed in the manifest as not applied, with the reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa


@dataclass(frozen=True)
class Lookup:
    """Names for an id column: the table (or a query) that holds them, its key, and
    (CSV column, table column) pairs."""

    table: str | Callable[[], sa.Subquery]
    key: str
    names: tuple[tuple[str, str], ...]

    def source(self, columns: list[str]) -> sa.FromClause:
        """The table or query to join, holding the key and the given columns."""
        if callable(self.table):
            return self.table()
        return sa.table(self.table, sa.column(self.key), *(sa.column(name) for name in columns))


def booking_names() -> sa.Subquery:
    """Each booking's customer, project and unit, from the tables (not the ledger views, which add up money)."""
    bookings = sa.table("bookings", sa.column("booking_id"), sa.column("customer_id"), sa.column("unit_id"))
    customers = sa.table("customers", sa.column("customer_id"), sa.column("name"))
    units = sa.table("units", sa.column("unit_id"), sa.column("project_id"), sa.column("unit_number"))
    projects = sa.table("projects", sa.column("project_id"), sa.column("name"))
    joined = (
        bookings.join(customers, customers.c.customer_id == bookings.c.customer_id)
        .join(units, units.c.unit_id == bookings.c.unit_id)
        .join(projects, projects.c.project_id == units.c.project_id)
    )
    return (
        sa.select(
            bookings.c.booking_id,
            customers.c.name.label("customer_name"),
            projects.c.name.label("project_name"),
            units.c.unit_number,
        )
        .select_from(joined)
        .subquery()
    )


LOOKUPS = {
    "lead_id": Lookup("leads", "lead_id", (("lead_name", "name"),)),
    "customer_id": Lookup("customers", "customer_id", (("customer_name", "name"),)),
    "booking_id": Lookup(
        booking_names,
        "booking_id",
        (("customer_name", "customer_name"), ("project_name", "project_name"), ("unit_number", "unit_number")),
    ),
    "project_id": Lookup("projects", "project_id", (("project_name", "name"),)),
    "lead_source_id": Lookup("lead_sources", "lead_source_id", (("source", "source"), ("subsource", "subsource"))),
    "campaign_id": Lookup("campaigns", "campaign_id", (("campaign_name", "name"),)),
    "owner_user_id": Lookup("app_users", "user_id", (("owner_name", "display_name"),)),
    "created_by": Lookup("app_users", "user_id", (("created_by_name", "display_name"),)),
}

# Ratios the views hold as fractions (1.25 = 125 %); the CSV writes them as percentages.
FRACTIONS = ("roi", "expected_roi", "budget_utilisation")
# Columns a filter compares with, where a file has them (after its names are looked up).
MONTH_COLUMNS = ("cohort_month", "booking_month")
DIMENSIONS = {
    "project_id": "project",
    "source": "source",
    "subsource": "subsource",
    "campaign_id": "campaign",
    "owner_user_id": "owner",
}

BALANCES_NOW = "balances are as of the snapshot, whatever the period (as on the Customer ledger screen)"


@dataclass(frozen=True)
class SnapshotFile:
    """One CSV of the snapshot.

    ``through``: the column (lead_id or booking_id) by which the lead filters reach the rows, or
    None when the file's own columns carry them. ``period``: whether the period reaches the rows
    through the leads (by their cohort month); ``period_note`` says why not where it cannot.
    """

    name: str
    view: str
    through: str | None = None
    period: bool = True
    period_note: str = ""

    @property
    def filename(self) -> str:
        """The file's name in the ZIP."""
        return f"{self.name}.csv"


_MONEY = {"period": False, "period_note": BALANCES_NOW}
SNAPSHOT_FILES = (
    SnapshotFile("funnel by cohort month", "v_lead_funnel_analysis"),
    SnapshotFile("sources by cohort month", "v_lead_source_performance"),
    SnapshotFile("campaigns", "v_campaign_performance", period_note="a campaign's figures are its whole run's"),
    SnapshotFile("bookings by month", "v_booking_summary"),
    SnapshotFile("customer ledger", "v_customer_ledger_summary", through="lead_id", **_MONEY),
    SnapshotFile("overdue by age", "v_receivables_ageing", through="booking_id", **_MONEY),
    SnapshotFile("lead milestones", "v_lead_milestone_timeline", through="lead_id"),
    SnapshotFile("unit inventory", "v_unit_inventory", period_note="units have no period: this is the stock now"),
    SnapshotFile("account statements", "v_account_statement", through="lead_id", **_MONEY),
    SnapshotFile("leads", "v_lead_facts"),
)
SNAPSHOT_VIEWS = tuple(spec.view for spec in SNAPSHOT_FILES)
