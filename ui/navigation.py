"""Which pages each role gets. A page not in a role's list cannot be reached by that role."""

from __future__ import annotations

import streamlit as st

OVERVIEW = ("pages/overview.py", "Overview", ":material/dashboard:")
FUNNEL = ("pages/funnel.py", "Funnel", ":material/filter_alt:")
SOURCES = ("pages/sources.py", "Sources", ":material/hub:")
CAMPAIGNS = ("pages/campaigns.py", "Campaigns", ":material/campaign:")
BOOKINGS = ("pages/bookings.py", "Bookings & inventory", ":material/apartment:")
LEDGER = ("pages/ledger.py", "Customer ledger", ":material/account_balance:")
LEADS = ("pages/leads.py", "Leads", ":material/groups:")
MY_LEADS = ("pages/leads.py", "My leads", ":material/groups:")
TIMELINE = ("pages/timeline.py", "Lead timeline", ":material/timeline:")
SNAPSHOTS = ("pages/snapshots.py", "Snapshots", ":material/folder_zip:")
USERS = ("pages/admin_users.py", "Users", ":material/manage_accounts:")
AUDIT = ("pages/admin_audit.py", "Audit log", ":material/policy:")
SOURCES_SETUP = ("pages/admin_sources.py", "Lead sources", ":material/alt_route:")
CAMPAIGNS_SETUP = ("pages/admin_campaigns.py", "Campaigns setup", ":material/edit_note:")
INVENTORY_SETUP = ("pages/admin_inventory.py", "Inventory setup", ":material/domain_add:")

MY_FOLLOW_UPS = ("pages/follow_ups.py", "My follow-ups", ":material/notifications_active:")
FOLLOW_UPS = ("pages/follow_ups.py", "Follow-ups", ":material/notifications_active:")
NEW_LEAD = ("pages/new_lead.py", "New lead", ":material/person_add:")
LOG_VISIT = ("pages/log_visit.py", "Log site visit", ":material/directions_walk:")
LOG_CALL = ("pages/log_call.py", "Log call or message", ":material/call:")
LOG_MILESTONE = ("pages/log_milestone.py", "Log milestone", ":material/flag:")
BOOK_UNIT = ("pages/book_unit.py", "Book a unit", ":material/key:")
CANCEL_BOOKING = ("pages/cancel_booking.py", "Cancel a booking", ":material/event_busy:")
LEDGER_ENTRY = ("pages/ledger_entry.py", "Ledger entries", ":material/receipt_long:")
IMPORT = ("pages/import_data.py", "Import", ":material/upload_file:")

ANALYSIS = [OVERVIEW, FUNNEL, SOURCES, CAMPAIGNS, BOOKINGS]
# Managers enter data on behalf of their reps, and book, cancel and keep the accounts.
DATA_ENTRY = [
    FOLLOW_UPS,
    NEW_LEAD,
    LOG_VISIT,
    LOG_CALL,
    LOG_MILESTONE,
    BOOK_UNIT,
    CANCEL_BOOKING,
    LEDGER_ENTRY,
    IMPORT,
]

MENUS = {
    "rep": {
        "My work": [MY_FOLLOW_UPS, LOG_VISIT, LOG_CALL, NEW_LEAD, LOG_MILESTONE, MY_LEADS, TIMELINE],
        "Analysis": [FUNNEL],
    },
    "manager": {"Analysis": ANALYSIS, "Customers and leads": [LEADS, TIMELINE, LEDGER], "Data entry": DATA_ENTRY},
    "leadership": {"Analysis": ANALYSIS, "Customers and leads": [LEDGER, TIMELINE], "Exports": [SNAPSHOTS]},
    "admin": {
        "Analysis": ANALYSIS,
        "Customers and leads": [LEADS, TIMELINE, LEDGER],
        "Data entry": DATA_ENTRY,
        "Exports": [SNAPSHOTS],
        "Admin": [USERS, SOURCES_SETUP, CAMPAIGNS_SETUP, INVENTORY_SETUP, AUDIT],
    },
}


def pages_for(role: str) -> dict[str, list[st.Page]]:
    """The role's menu as st.Page objects; the first page is the default."""
    menu = MENUS[role]
    first = next(iter(menu.values()))[0]
    return {
        section: [
            st.Page(path, title=title, icon=icon, default=(path, title, icon) == first) for path, title, icon in entries
        ]
        for section, entries in menu.items()
    }


def choose_page(role: str) -> st.Page:
    """The role's navigation; switches (rerunning) to the page first asked for, if the role has it.

    Signing in happens on a run that showed the sign-in form instead of the page in the URL,
    so the page asked for is remembered (``ui.sign_in``) and opened here.
    """
    pages = pages_for(role)
    # Expanded: Streamlit otherwise hides pages past the tenth behind "View more".
    navigation = st.navigation(pages, expanded=True)
    requested = st.session_state.pop("requested_path", "")
    for page in (page for section in pages.values() for page in section):
        if requested and page.url_path == requested and navigation.url_path != requested:
            st.switch_page(page)
    return navigation
