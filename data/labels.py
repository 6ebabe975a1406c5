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

REGISTRY: dict[str, dict[str, str]] = {
    "milestone_type": MILESTONE_TYPE,
    "engagement_type": ENGAGEMENT_TYPE,
    "engagement_status": ENGAGEMENT_STATUS,
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
}


def humanise(code: str) -> str:
    """A code nobody listed, made readable: ``some_code`` → "Some code"."""
    text = str(code).replace("_", " ").replace(".", " ").strip()
    return text[:1].upper() + text[1:]


def label(kind: str, code: object) -> str:
    """What a person reads for ``code`` of the closed list ``kind``; "" for a missing value."""
    if code is None or (isinstance(code, float) and code != code):
        return ""
    return REGISTRY[kind].get(str(code)) or humanise(str(code))


def labeller(kind: str):
    """``label`` for one kind, as a function of the code (for ``format_func`` and ``Series.map``)."""
    return lambda code: label(kind, code)
