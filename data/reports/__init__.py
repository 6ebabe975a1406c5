"""Report reads: one function per screen's question, each returning what its docstring names.

Every read runs as the app role inside a tenant transaction and reads the reporting views,
so a screen, a snapshot and a BI tool share one set of definitions. Rates are computed after
summing counts, never by averaging rates. Reads are cached per tenant and arguments by
``data.reports.cache.cached_read``, which also registers them; a committed write calls
``data_changed(tenant_id)``, which forgets that tenant's reads in every process.
"""

from data.reports.audit_log import audit_entries, audit_entries_in_words
from data.reports.bookings import BookingRows, BookingsInventory, booking_rows, bookings_and_inventory
from data.reports.cache import CACHED_READS, clear_all, data_changed
from data.reports.campaigns import campaign_performance
from data.reports.cohort_funnel import STAGES, Funnel, funnel
from data.reports.day_figures import DAY_FIGURES, day_figures, new_assignments
from data.reports.due_follow_ups import BUCKETS as FOLLOW_UP_BUCKETS
from data.reports.due_follow_ups import follow_ups
from data.reports.headline import KPI_ORDER, Overview, overview
from data.reports.intake_setup import intake_settings_list
from data.reports.integrations import IntakeHealth, api_key_list, intake_health, intake_sources, lead_mappings
from data.reports.lead_pages import lead_list
from data.reports.leads import LeadTimeline, lead_timeline, search_leads
from data.reports.ledger import account_figures, account_statement, ledger_summary
from data.reports.lists import booking_list, campaign_list
from data.reports.options import FilterOptions, filter_options
from data.reports.routing import current_leave, routing_pool_members, routing_rules
from data.reports.scorecard import scorecard
from data.reports.setup_lists import list_sources, list_towers, list_units, list_users, list_working_hours
from data.reports.sources import source_performance
from data.reports.speed_to_lead import SpeedToLead, speed_to_lead
from data.reports.stale_leads import StaleLeadFilters, stale_leads, stale_thresholds
from data.reports.units import available_units, lead_bookings


def clear_report_caches() -> None:
    """Forget every cached report read of every tenant (between tests; a write calls
    ``data_changed`` for its own tenant)."""
    clear_all()


__all__ = [
    "CACHED_READS",
    "DAY_FIGURES",
    "FOLLOW_UP_BUCKETS",
    "KPI_ORDER",
    "STAGES",
    "BookingRows",
    "BookingsInventory",
    "FilterOptions",
    "Funnel",
    "IntakeHealth",
    "LeadTimeline",
    "Overview",
    "SpeedToLead",
    "StaleLeadFilters",
    "account_figures",
    "account_statement",
    "api_key_list",
    "audit_entries",
    "audit_entries_in_words",
    "available_units",
    "booking_list",
    "booking_rows",
    "bookings_and_inventory",
    "campaign_list",
    "campaign_performance",
    "clear_report_caches",
    "current_leave",
    "data_changed",
    "day_figures",
    "filter_options",
    "follow_ups",
    "funnel",
    "intake_health",
    "intake_settings_list",
    "intake_sources",
    "lead_bookings",
    "lead_list",
    "lead_mappings",
    "lead_timeline",
    "ledger_summary",
    "list_sources",
    "list_towers",
    "list_units",
    "list_users",
    "list_working_hours",
    "new_assignments",
    "overview",
    "routing_pool_members",
    "routing_rules",
    "scorecard",
    "search_leads",
    "source_performance",
    "speed_to_lead",
    "stale_leads",
    "stale_thresholds",
]
