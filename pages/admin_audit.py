"""Audit log (admins): who changed what, when, with the values before and after."""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.filters import today_in_india
from data.domain.rules import SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from ui import session, tables
from ui.text import md

# What the action filter offers: a prefix of the stored action, and what it reads as.
ACTIONS = {
    "": "Any",
    "sign_in": "Sign-ins",
    "sign_out": "Sign-outs",
    "user.": "Users",
    "lead.": "Leads",
    "milestone.": "Milestones",
    "engagement.": "Calls and messages",
    "booking.": "Bookings",
    "ledger.": "Ledger entries",
    "import.": "Imports",
}

st.title("Audit log")
left, middle, right = st.columns(3)
since = left.date_input("Since", value=today_in_india() - dt.timedelta(days=30), format="DD/MM/YYYY", key="audit-since")
action = middle.selectbox(
    "Action",
    list(ACTIONS),
    format_func=ACTIONS.get,
    key="audit-action",
)
text = right.text_input("Contains", max_chars=SHORT_TEXT_MAX, key="audit-text", placeholder="a name, username or id")
try:
    entries = reports.audit_entries_in_words(session.current_tenant_id(), since, action, text)
except ValidationError as error:  # e.g. a control character pasted into the search
    st.error(md(" ".join(error.errors.values())), icon=":material/error:")
    st.stop()
if entries.empty:
    st.info("Nothing was recorded that matches.")
else:
    tables.show_table(
        entries,
        {
            "occurred_at": ("When", "moment"),
            "user_name": ("Who", "text"),
            "action": ("Action", "code:audit_action"),
            "table_name": ("Table", "code:table_name"),
            "row_key": ("Row", "text"),
            "before_values": ("Before", "text"),
            "after_values": ("After", "text"),
        },
        "audit-log",
        key="audit",
    )
