"""What people read for each stored code: one registry shared by pages, charts, CSVs and messages.

The database stores codes (``site_visit_scheduled``, ``neft``, ``no_answer``); a person never
sees one. Every screen, chart, download and message names a code through ``label``, which knows
each closed list by its kind. A code missing from its list is shown humanised (``some_code`` →
"Some code") rather than raw, and ``tests/test_labels.py`` holds every list complete against the
database's check constraints.
"""

from __future__ import annotations

MILESTONE_TYPE = {
    "lead_generated": "Lead generated",
    "contacted": "Contacted",
    "qualified": "Qualified",
    "reengaged": "Re-engaged",
    "site_visit_scheduled": "Visit scheduled",
    "site_visit": "Site visit",
    "revisit": "Revisit",
    "negotiation": "Negotiation",
    "booking": "Booking",
    "cancellation": "Cancellation",
}
ENGAGEMENT_TYPE = {
    "call": "Call",
    "email": "Email",
    "sms": "SMS",
    "whatsapp": "WhatsApp",
    "meeting": "Meeting",
    "site_visit": "Site visit",
}
ENGAGEMENT_STATUS = {"completed": "Completed", "no_answer": "No answer", "scheduled": "Scheduled", "failed": "Failed"}
# Channels are stored as written here; the labels only capitalise them.
CHANNEL = {
    "phone": "Phone",
    "WhatsApp": "WhatsApp",
    "email": "Email",
    "SMS": "SMS",
    "video call": "Video call",
    "in person": "In person",
}
DIRECTION = {"outbound": "Outbound", "inbound": "Inbound"}
OUTCOME = {"positive": "Positive", "neutral": "Neutral", "negative": "Negative"}
ENTRY_TYPE = {
    "demand": "Demand",
    "receipt": "Receipt",
    "credit_note": "Credit note",
    "debit_note": "Debit note",
    "refund": "Refund",
    "cancellation_charge": "Cancellation charge",
    "reversal": "Reversal",
}
SIDE = {"debit": "Debit", "credit": "Credit"}
PAYMENT_MODE = {"cheque": "Cheque", "neft": "NEFT", "rtgs": "RTGS", "upi": "UPI", "cash": "Cash"}
LEAD_STATUS = {"open": "Open", "lost": "Lost", "booked": "Booked"}
UNIT_STATUS = {"available": "Available", "blocked": "On hold", "booked": "Booked", "sold": "Sold"}
BOOKING_STATUS = {
    "pending": "Pending",
    "confirmed": "Confirmed",
    "on_hold": "On hold",
    "completed": "Completed",
    "cancelled": "Cancelled",
}
CAMPAIGN_STATUS = {"active": "Active", "paused": "Paused", "completed": "Completed", "inactive": "Inactive"}
ROLE = {"rep": "Rep", "manager": "Manager", "leadership": "Leadership", "admin": "Admin"}
# What an API key acts as (issue 14): its own roles, or a manager's.
KEY_ROLE = {
    "intake": "Intake (create leads, log milestones and engagements)",
    "reader": "Reader (reports and reads)",
    "manager": "Manager (everything a manager may do)",
}
# Every role an account may hold: a person's, or a key's (a key's account never signs in).
ACCOUNT_ROLE = {**ROLE, "intake": "Intake key", "reader": "Reader key"}
# How a lead arrived through the API, and what became of it (the intake log).
INTAKE_CHANNEL = {"api": "API", "webhook": "Webhook", "meta": "Meta Lead Ads"}
INTAKE_OUTCOME = {
    "created": "New lead",
    "reengaged": "Re-enquiry",
    "replayed": "Repeat delivery",
    "rejected": "Rejected",
}
# Whether a lead was answered within its source's SLA (v_lead_response.sla_status; computed by the
# view, not stored, so tests/test_speed_to_lead.py holds the view's values within this list).
SLA_STATUS = {"met": "Within SLA", "breached": "SLA breached", "open": "Awaiting response"}
# Why a lead has the owner it has: the assignment log's reasons (data.writes.assignment).
ASSIGNMENT_REASON = {
    "rule": "Routed by a rule",
    "fallback": "Routed to the rule's fallback pool",
    "no_rule": "No routing rule matched",
    "no_rep": "Nobody in the rule's pools was available",
    "manual": "Assigned by hand",
    "creator": "The rep's own lead",
    "imported": "Owner named in the import",
}
ROUTING_POOL = {"primary": "Pool", "fallback": "Fallback pool"}
# The digests sent by e-mail (data.digests): a rep's and a manager's each morning, leadership's on Mondays.
DIGEST_KIND = {
    "rep_daily": "Morning digest: my follow-ups and new leads",
    "manager_daily": "Morning digest: the team's SLA breaches, stale leads and yesterday",
    "leadership_weekly": "Monday digest: last week and the month so far, with the snapshot",
}
# The furthest stage a lead reached, as the stale-lead list measures it, in the stages' order
# (leadline_stale_stage() maps milestones to them; leadline_stale_thresholds() holds the order and
# each stage's default days; tests/test_stale_leads.py holds the three equal).
STALE_STAGE = {
    "new": "New",
    "contacted": "Contacted",
    "qualified": "Qualified",
    "site_visit": "Site visit",
    "negotiation": "Negotiation",
}
# The stages a lead list can be narrowed to: the leads that reached the stage, as the funnel,
# sources and campaigns count them (v_lead_facts' flags; data.reports.lead_pages maps each to
# its flag). "leads" is every lead: no stage asked for.
REACHED_STAGE = {
    "leads": "Any stage",
    "contacted": "Contacted",
    "qualified": "Qualified",
    "reengaged": "Re-engaged",
    "site_visited": "Site visit",
    "revisited": "Revisit",
    "booked": "Booked",
    "cancelled": "Cancelled a booking",
    "net_booked": "Booked, not cancelled",
}
# The ageing buckets of overdue money, by days past due (v_receivables_ageing's columns).
OVERDUE_BUCKET = {
    "overdue_0_30": "0–30 days",
    "overdue_31_60": "31–60 days",
    "overdue_61_90": "61–90 days",
    "overdue_over_90": "90+ days",
}
UNIT_TYPE = {
    "studio": "Studio",
    "1BHK": "1BHK",
    "2BHK": "2BHK",
    "3BHK": "3BHK",
    "4BHK": "4BHK",
    "penthouse": "Penthouse",
    "villa": "Villa",
    "plot": "Plot",
}
# What the import screen and the CLI call each kind of file (data.imports.KINDS).
IMPORT_KIND = {
    "units": "Units",
    "campaigns": "Campaigns",
    "campaign_spend": "Campaign spend",
    "leads": "Leads",
    "milestones": "Milestones",
    "engagements": "Calls and messages",
    "bookings": "Bookings",
    "ledger": "Ledger entries",
}
# The tables the audit log names, in the words of the screens that change them.
TABLE_NAME = {
    "tenants": "Tenants",
    "app_users": "Users",
    "projects": "Projects",
    "towers": "Towers",
    "units": "Units",
    "lead_sources": "Lead sources",
    "campaigns": "Campaigns",
    "campaign_spend": "Campaign spend",
    "leads": "Leads",
    "lead_milestones": "Milestones",
    "lead_engagements": "Calls and messages",
    "customers": "Customers",
    "bookings": "Bookings",
    "account_ledger": "Customer ledger",
    "audit_log": "Audit log",
    "sign_in_attempts": "Sign-in attempts",
    "import_mappings": "Import mappings",
    "api_keys": "API keys",
    "intake_events": "Lead intake log",
    "intake_settings": "Intake settings",
    "working_hours": "Working hours",
    "routing_rules": "Routing rules",
    "routing_pool_members": "Routing pools",
    "rep_leave": "Leave",
    "lead_assignments": "Lead assignments",
    "digest_choices": "Digest choices",
    "digest_sends": "Digests sent",
    "stale_lead_thresholds": "Stale-lead thresholds",
    "saved_views": "Saved views",
}
# Audit actions: the fixed ones, then one per milestone, engagement, ledger entry and import kind
# (data.writes.activity, data.writes.ledger and data.imports name the action after the code they write).
AUDIT_ACTION = {
    "sign_in": "Signed in",
    "sign_in.failed": "Sign-in failed",
    "sign_in.locked": "Account locked after failed sign-ins",
    "sign_in.refused_locked": "Sign-in refused: account locked",
    "sign_out": "Signed out",
    "user.created": "User added",
    "user.role_changed": "Role changed",
    "user.password_changed": "Password changed",
    "user.deactivated": "User deactivated",
    "user.activated": "User reactivated",
    "lead.created": "Lead added",
    "lead.reengaged": "Re-enquiry logged",
    "lead.reassigned": "Lead reassigned",
    "booking.created": "Unit booked",
    "booking.cancelled": "Booking cancelled",
    "lead_sources.created": "Lead source added",
    "lead_sources.retired": "Lead source retired",
    "lead_sources.sla_changed": "Lead source's SLA changed",
    "working_hours.set": "Working hours set",
    "campaigns.created": "Campaign added",
    "campaigns.updated": "Campaign changed",
    "campaign_spend.created": "Campaign spend recorded",
    "projects.created": "Project added",
    "towers.created": "Tower added",
    "units.created": "Unit added",
    "units.updated": "Unit changed",
    "import.mapping_saved": "Import mapping saved",
    "api_key.created": "API key created",
    "api_key.revoked": "API key revoked",
    "intake.setting_saved": "Intake setting saved",
    "intake.reprocessed": "Rejected intake processed again",
    "routing.rule_saved": "Routing rule saved",
    "routing.leave_added": "Leave added",
    "routing.leave_cancelled": "Leave cancelled",
    "profile.digests_saved": "Digest choices saved",
    "stale_thresholds.set": "Stale-lead thresholds set",
    "saved_view.saved": "View saved",
    "saved_view.deleted": "View deleted",
    "saved_view.landing_set": "Landing page chosen",
    "saved_view.landing_cleared": "Landing page cleared",
    **{f"milestone.{code}": f"Milestone: {text}" for code, text in MILESTONE_TYPE.items()},
    **{f"engagement.{code}": f"Logged: {text}" for code, text in ENGAGEMENT_TYPE.items()},
    **{f"ledger.{code}": f"Ledger: {text}" for code, text in ENTRY_TYPE.items()},
    **{f"import.{code}": f"Import: {text}" for code, text in IMPORT_KIND.items()},
}

# The closed lists as ordered tuples of codes, in the order forms offer them. Every check, choice
# and import of a code uses these; the database's check constraints are the only other copies, and
# tests/test_labels.py holds the two equal. (Plain tuples of str rather than StrEnums: the codes
# are stored, bound and compared as text everywhere, and a tuple is what a selectbox takes.)
MILESTONE_TYPES = tuple(MILESTONE_TYPE)
ENGAGEMENT_TYPES = tuple(ENGAGEMENT_TYPE)
ENGAGEMENT_STATUSES = tuple(ENGAGEMENT_STATUS)
CHANNELS = tuple(CHANNEL)
DIRECTIONS = tuple(DIRECTION)
OUTCOMES = tuple(OUTCOME)
ENTRY_TYPES = tuple(ENTRY_TYPE)
SIDES = tuple(SIDE)
PAYMENT_MODES = tuple(PAYMENT_MODE)
LEAD_STATUSES = tuple(LEAD_STATUS)
UNIT_STATUSES = tuple(UNIT_STATUS)
BOOKING_STATUSES = tuple(BOOKING_STATUS)
CAMPAIGN_STATUSES = tuple(CAMPAIGN_STATUS)
REACHED_STAGES = tuple(REACHED_STAGE)
OVERDUE_BUCKETS = tuple(OVERDUE_BUCKET)
ROLES = tuple(ROLE)
KEY_ROLES = tuple(KEY_ROLE)
ACCOUNT_ROLES = tuple(ACCOUNT_ROLE)
INTAKE_CHANNELS = tuple(INTAKE_CHANNEL)
INTAKE_OUTCOMES = tuple(INTAKE_OUTCOME)
UNIT_TYPES = tuple(UNIT_TYPE)
SLA_STATUSES = tuple(SLA_STATUS)
ASSIGNMENT_REASONS = tuple(ASSIGNMENT_REASON)
ROUTING_POOLS = tuple(ROUTING_POOL)
DIGEST_KINDS = tuple(DIGEST_KIND)
STALE_STAGES = tuple(STALE_STAGE)

# Parts of the lists with a meaning of their own.
# Only the booking forms record these milestones, with the booking they belong to.
BOOKING_MILESTONES = ("booking", "cancellation")
# Milestones that may be dated ahead: they say when something is planned.
SCHEDULED_MILESTONES = ("site_visit_scheduled",)
# A visit done: the first one is a site visit, every later one a revisit.
VISIT_MILESTONES = ("site_visit", "revisit")
# What the call form logs: every engagement type but a site visit, which the visit form records
# as a milestone (an import may still bring site-visit engagements from an older system).
LOGGABLE_ENGAGEMENT_TYPES = tuple(code for code in ENGAGEMENT_TYPES if code != "site_visit")
# What the ledger form adds by hand: refunds and cancellation charges come with a cancellation,
# a reversal with reversing an entry.
MANUAL_ENTRY_TYPES = ("demand", "receipt", "credit_note", "debit_note")
# Unit states an admin may set by hand; booked and sold come only from bookings.
SETTABLE_UNIT_STATUSES = ("available", "blocked")
# A unit a booking holds: nobody else may book it until the booking is cancelled.
TAKEN_UNIT_STATUSES = ("booked", "sold")
# Who may own a lead: the people who work leads (leadership reads, admins set up).
LEAD_OWNER_ROLES = ("rep", "manager")
# Assignments a routing rule made: they name the rule, its pool and the turn.
ROUTED_REASONS = ("rule", "fallback")
# The pool a rule tries first; the other is tried when nobody in it is available.
PRIMARY_POOL, FALLBACK_POOL = ROUTING_POOLS
# Which digests each role may get: a rep's covers their own leads; the managers' lists leads, as
# the follow-up and stale-lead screens do (not leadership's); the weekly one carries the snapshot,
# so only the roles that may export one get it. An admin gets none until they choose.
DIGEST_KINDS_BY_ROLE = {
    "rep": ("rep_daily",),
    "manager": ("rep_daily", "manager_daily"),
    "leadership": ("leadership_weekly",),
    "admin": DIGEST_KINDS,
}
# What a person gets who never chose on their profile.
DEFAULT_DIGEST_KINDS = {
    "rep": ("rep_daily",),
    "manager": ("manager_daily",),
    "leadership": ("leadership_weekly",),
    "admin": (),
}
# The digests sent only on Mondays (India date); the others every day.
WEEKLY_DIGEST_KINDS = ("leadership_weekly",)
# The side of the account each entry type falls on; a reversal takes the side opposite its entry's.
ENTRY_SIDE = {
    "demand": "debit",
    "debit_note": "debit",
    "refund": "debit",
    "cancellation_charge": "debit",
    "receipt": "credit",
    "credit_note": "credit",
}
# The one payment mode that needs no cheque or transaction number.
CASH = "cash"

REGISTRY: dict[str, dict[str, str]] = {
    "milestone_type": MILESTONE_TYPE,
    "engagement_type": ENGAGEMENT_TYPE,
    "engagement_status": ENGAGEMENT_STATUS,
    "channel": CHANNEL,
    "direction": DIRECTION,
    "outcome": OUTCOME,
    "entry_type": ENTRY_TYPE,
    "side": SIDE,
    "payment_mode": PAYMENT_MODE,
    "lead_status": LEAD_STATUS,
    "unit_status": UNIT_STATUS,
    "booking_status": BOOKING_STATUS,
    "campaign_status": CAMPAIGN_STATUS,
    "role": ROLE,
    "key_role": KEY_ROLE,
    "account_role": ACCOUNT_ROLE,
    "intake_channel": INTAKE_CHANNEL,
    "intake_outcome": INTAKE_OUTCOME,
    "unit_type": UNIT_TYPE,
    "sla_status": SLA_STATUS,
    "assignment_reason": ASSIGNMENT_REASON,
    "routing_pool": ROUTING_POOL,
    "digest_kind": DIGEST_KIND,
    "stale_stage": STALE_STAGE,
    "import_kind": IMPORT_KIND,
    "table_name": TABLE_NAME,
    "audit_action": AUDIT_ACTION,
}


def humanise(code: str) -> str:
    """A code nobody listed, made readable: ``some_code`` → "Some code"."""
    text = str(code).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def is_missing(value: object) -> bool:
    """None, NaN, NaT or pandas' NA: a value that is not there."""
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas' NA refuses to be a truth value
        return True


def label(kind: str, code: object) -> str:
    """What a person reads for ``code`` of the closed list ``kind``; "" for a missing value."""
    if is_missing(code):
        return ""
    return REGISTRY[kind].get(str(code)) or humanise(str(code))


def labeller(kind: str):
    """``label`` for one kind, as a function of the code (for ``format_func`` and ``Series.map``)."""
    return lambda code: label(kind, code)
