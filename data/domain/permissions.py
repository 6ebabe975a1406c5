"""Who may do what: one table of every write and every screen, read by the writes and the menu.

Every write under ``data/`` calls ``authorise`` with the acting user's id inside its own
transaction, before it writes: the role is read from the database (an inactive or deleted user
has none), so a page, the API, the command line and a forged request are held to the same
table. ``ui.navigation`` builds each role's menu from the same table, so a page appears exactly
when its role may open it.

The table follows README's "Who sees what": reps record visits, calls, milestones and new leads
(on their own leads: row-level security holds them to those); managers and admins do all data
entry, bookings, cancellations, the ledger, imports and reassignment; leadership reads and
exports snapshots; admins also manage users, set up sources, campaigns and inventory, and read
the audit log and lead routing.
"""

from __future__ import annotations

from enum import StrEnum

import sqlalchemy as sa

from data.domain.validation import ValidationError
from data.domain.vocabulary import ROLES


class _System:
    """The actor of the few writes no signed-in person makes: the command line's create-admin (the
    tenant's first user), import and snapshot, and fixtures.

    Only ``auth.create_user``, ``imports.import_file`` and ``exports.snapshot.build_snapshot`` take
    it, and rows record it as no user (``recorded_as``). It is its own object, not ``None``, so a
    caller that lost its user's id (``None``) is refused like anyone without a role, never taken
    for the command line.
    """

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = _System()
Actor = int | _System


def recorded_as(actor: Actor | None) -> int | None:
    """The user id a row records for an actor: none for ``SYSTEM``."""
    return None if actor is SYSTEM else actor


class Action(StrEnum):
    """Everything a role may or may not do: each write, and each screen the menu offers."""

    LEAD_CREATE = "lead.create"
    LEAD_REENGAGE = "lead.reengage"
    LEAD_REASSIGN = "lead.reassign"
    VISIT_LOG = "visit.log"
    MILESTONE_LOG = "milestone.log"
    ENGAGEMENT_LOG = "engagement.log"
    BOOKING_CREATE = "booking.create"
    BOOKING_CANCEL = "booking.cancel"
    LEDGER_ADD = "ledger.add"
    LEDGER_REVERSE = "ledger.reverse"
    SETUP_SOURCE = "setup.source"
    SETUP_CAMPAIGN = "setup.campaign"
    SETUP_SPEND = "setup.spend"
    SETUP_INVENTORY = "setup.inventory"
    SETUP_WORKING_HOURS = "setup.working_hours"  # the hours speed-to-lead counts (issue 15)
    USER_MANAGE = "user.manage"
    OWN_PASSWORD = "account.password"  # one's own password; someone else's is user.manage
    IMPORT_RUN = "import.run"
    IMPORT_MAPPING = "import.mapping"
    SNAPSHOT_EXPORT = "snapshot.export"
    API_KEY_MANAGE = "api_key.manage"
    INTAKE_SETUP = "intake.setup"  # webhook mappings, Meta settings, processing rejected intake again
    ROUTING_SETUP = "routing.setup"  # routing rules, their pools, and reps' leave
    OWN_PROFILE = "account.profile"  # one's own e-mail address and digest choices (My profile)
    SETUP_STALE_THRESHOLDS = "setup.stale_thresholds"  # the days after which a lead is stale (issue 15)
    # Screens: reading, not writing. A rep's screens show only their own leads.
    SCREEN_TEAM = "screen.team"  # every rep's leads: the team's menu rather than a rep's own work
    SCREEN_ANALYSIS = "screen.analysis"  # Overview, Sources, Campaigns, Bookings & inventory
    SCREEN_FUNNEL = "screen.funnel"
    SCREEN_FOLLOW_UPS = "screen.follow_ups"
    SCREEN_LEADS = "screen.leads"
    SCREEN_TIMELINE = "screen.timeline"
    SCREEN_CUSTOMER_LEDGER = "screen.customer_ledger"
    SCREEN_AUDIT = "screen.audit"
    SCREEN_INTEGRATIONS = "screen.integrations"
    SCREEN_STALE_LEADS = "screen.stale_leads"  # open leads idle past their stage's threshold

    @property
    def is_screen(self) -> bool:
        """Whether this opens a screen (a read) rather than writes rows."""
        return self.value.startswith("screen.") or self is Action.SNAPSHOT_EXPORT

    @property
    def what(self) -> str:
        """The action in words, to finish "Your role cannot …"."""
        return _WHAT[self]


_ENTRY = frozenset({"rep", "manager", "admin"})  # on their own leads (reps) or anyone's
_ACCOUNTS = frozenset({"manager", "admin"})  # bookings, the ledger, imports, reassignment
_ADMIN = frozenset({"admin"})
_READERS = frozenset({"manager", "leadership", "admin"})
_EVERYONE = frozenset(ROLES)  # every person; API keys' roles are added where they apply
# API keys (issue 14): an intake key captures leads and logs what happened to them; a reader key
# reads what a reader may; a manager key is a manager.
_INTAKE = frozenset({"intake"})
_READER_KEY = frozenset({"reader"})

PERMISSIONS: dict[Action, frozenset[str]] = {
    Action.LEAD_CREATE: _ENTRY | _INTAKE,
    Action.LEAD_REENGAGE: _ENTRY | _INTAKE,
    Action.LEAD_REASSIGN: _ACCOUNTS,
    Action.VISIT_LOG: _ENTRY | _INTAKE,
    Action.MILESTONE_LOG: _ENTRY | _INTAKE,
    Action.ENGAGEMENT_LOG: _ENTRY | _INTAKE,
    Action.BOOKING_CREATE: _ACCOUNTS,
    Action.BOOKING_CANCEL: _ACCOUNTS,
    Action.LEDGER_ADD: _ACCOUNTS,
    Action.LEDGER_REVERSE: _ACCOUNTS,
    Action.SETUP_SOURCE: _ADMIN,
    Action.SETUP_CAMPAIGN: _ACCOUNTS,
    Action.SETUP_SPEND: _ACCOUNTS,
    Action.SETUP_INVENTORY: _ADMIN,
    Action.SETUP_WORKING_HOURS: _ADMIN,
    Action.USER_MANAGE: _ADMIN,
    Action.OWN_PASSWORD: _EVERYONE,
    Action.IMPORT_RUN: _ACCOUNTS,
    Action.IMPORT_MAPPING: _ACCOUNTS,
    Action.SNAPSHOT_EXPORT: frozenset({"leadership", "admin"}),
    Action.SCREEN_TEAM: _READERS | _READER_KEY,
    Action.SCREEN_ANALYSIS: _READERS | _READER_KEY,
    Action.SCREEN_FUNNEL: _EVERYONE | _READER_KEY,
    Action.SCREEN_FOLLOW_UPS: _ENTRY,
    Action.SCREEN_LEADS: _ENTRY,
    Action.SCREEN_TIMELINE: _EVERYONE | _READER_KEY,
    Action.SCREEN_CUSTOMER_LEDGER: _READERS | _READER_KEY,
    Action.SCREEN_AUDIT: _ADMIN,
    Action.API_KEY_MANAGE: _ADMIN,
    Action.INTAKE_SETUP: _ADMIN,
    Action.SCREEN_INTEGRATIONS: _ADMIN,
    Action.ROUTING_SETUP: _ADMIN,
    Action.OWN_PROFILE: _EVERYONE,
    # Managers run the team's follow-through, so they set when a lead counts as stale; reps work
    # their own stale leads.
    Action.SETUP_STALE_THRESHOLDS: _ACCOUNTS,
    Action.SCREEN_STALE_LEADS: _ENTRY,
}

_WHAT = {
    Action.LEAD_CREATE: "add leads",
    Action.LEAD_REENGAGE: "log re-enquiries",
    Action.LEAD_REASSIGN: "reassign leads",
    Action.VISIT_LOG: "log site visits",
    Action.MILESTONE_LOG: "log milestones",
    Action.ENGAGEMENT_LOG: "log calls and messages",
    Action.BOOKING_CREATE: "book units",
    Action.BOOKING_CANCEL: "cancel bookings",
    Action.LEDGER_ADD: "add ledger entries",
    Action.LEDGER_REVERSE: "reverse ledger entries",
    Action.SETUP_SOURCE: "set up lead sources",
    Action.SETUP_CAMPAIGN: "set up campaigns",
    Action.SETUP_SPEND: "record campaign spend",
    Action.SETUP_INVENTORY: "set up projects, towers and units",
    Action.SETUP_WORKING_HOURS: "set the working hours",
    Action.USER_MANAGE: "manage users",
    Action.OWN_PASSWORD: "change your password",
    Action.IMPORT_RUN: "import files",
    Action.IMPORT_MAPPING: "save import mappings",
    Action.SNAPSHOT_EXPORT: "export snapshots",
    Action.SCREEN_TEAM: "see every rep's leads",
    Action.SCREEN_ANALYSIS: "open the analysis screens",
    Action.SCREEN_FUNNEL: "open the funnel",
    Action.SCREEN_FOLLOW_UPS: "open follow-ups",
    Action.SCREEN_LEADS: "open the lead list",
    Action.SCREEN_TIMELINE: "open lead timelines",
    Action.SCREEN_CUSTOMER_LEDGER: "open the customer ledger",
    Action.SCREEN_AUDIT: "read the audit log",
    Action.API_KEY_MANAGE: "manage API keys",
    Action.INTAKE_SETUP: "set up lead intake",
    Action.SCREEN_INTEGRATIONS: "open integrations",
    Action.ROUTING_SETUP: "set up lead routing",
    Action.OWN_PROFILE: "change your profile",
    Action.SETUP_STALE_THRESHOLDS: "set when a lead counts as stale",
    Action.SCREEN_STALE_LEADS: "open the stale-lead list",
}


def allowed(role: str | None, action: Action) -> bool:
    """Whether the role may do the action (no role, or an unknown one, may do nothing)."""
    return role in PERMISSIONS[action]


def refusal(action: Action) -> ValidationError:
    """The refusal a write raises when the acting user's role may not do the action."""
    return ValidationError({"user": f"Your role cannot {action.what}."})


def authorise(conn: sa.Connection, user_id: int | None, action: Action) -> str:
    """The acting user's role, read in the caller's transaction; refuse (``ValidationError`` on
    "user") when the user is unknown, inactive or deleted, or the role may not do the action."""
    role = None
    if user_id is not None:
        role = conn.execute(
            sa.text("select role from app_users where user_id = :user_id and is_active and deleted_at is null"),
            {"user_id": user_id},
        ).scalar()
    if not allowed(role, action):
        raise refusal(action)
    return role
