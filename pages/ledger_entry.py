"""Ledger entries: raise a demand, record a receipt, issue a credit or debit note, or reverse an
entry. Entries are never edited or deleted; a mistake is undone by its reversal."""

import streamlit as st

from data import ledger, reports
from data.filters import today_in_india
from data.reports.ledger import ENTRY_LABELS
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session, tables

ENTRY_FIELDS = ("entry-type", "entry-amount", "entry-date", "entry-due", "entry-mode", "entry-reference", "entry-notes")
REVERSAL_FIELDS = ("reversal-entry", "reversal-reason", "reversal-date")
ENTRY_TYPES = ("demand", "receipt", "credit_note", "debit_note")

st.title("Ledger entries")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "entry")
if lead_id is None:
    st.stop()
booked = reports.lead_bookings(scope, lead_id)
if booked.empty:
    st.info("This lead has no booking, so no account.")
    st.stop()
labels = {
    int(row.booking_id): f"{row.project_name} {row.tower_name} {row.unit_number} · {row.status}"
    for row in booked.itertuples()
}
booking_id = st.selectbox("Booking", list(labels), format_func=labels.get, key="entry-booking")
statement = reports.account_statement(scope, booking_id)

add_tab, reverse_tab = st.tabs(["Add an entry", "Reverse an entry"])
with add_tab, st.form(forms.entry_form_key("entry")):
    errors = forms.ErrorSlots()
    errors.under("booking_id")
    type_column, amount_column = st.columns(2)
    entry_type = type_column.selectbox("Entry", ENTRY_TYPES, format_func=ENTRY_LABELS.get, key="entry-type")
    amount = amount_column.text_input("Amount (₹)", placeholder="e.g. 2,50,000", key="entry-amount")
    errors.under("entry_type", "amount")
    date_column, due_column = st.columns(2)
    entry_date = date_column.date_input("Date", value=today_in_india(), format="DD/MM/YYYY", key="entry-date")
    due_date = due_column.date_input("Due date (demands)", value=None, format="DD/MM/YYYY", key="entry-due")
    errors.under("entry_date", "due_date")
    mode_column, reference_column = st.columns(2)
    payment_mode = mode_column.selectbox(
        "Paid by (receipts)",
        ledger.PAYMENT_MODES,
        format_func=ledger.PAYMENT_MODE_LABELS.get,
        index=None,
        key="entry-mode",
    )
    reference = reference_column.text_input("Cheque / transaction no.", key="entry-reference")
    errors.under("payment_mode", "reference")
    notes = st.text_input("Particulars", placeholder="e.g. 4th slab demand", key="entry-notes")
    add = st.form_submit_button("Save entry", type="primary", width="stretch")

reversible = (
    statement[(statement["entry_type"] != "reversal") & ~statement["is_reversed"]] if not statement.empty else statement
)
choices = {
    int(row.ledger_entry_id): f"#{row.ledger_entry_id} · {fmt.date(row.entry_date)} · {row.description} · "
    f"{fmt.inr(row.debit_amount or row.credit_amount, paise=True)}"
    for row in reversible.itertuples()
}
with reverse_tab, st.form(forms.entry_form_key("reversal")):
    reversal_errors = forms.ErrorSlots()
    entry_id = st.selectbox(
        "Entry to reverse", list(choices), format_func=choices.get, index=None, key="reversal-entry"
    )
    reversal_errors.under("ledger_entry_id")
    reason = st.text_input("Reason", placeholder="e.g. cheque returned unpaid", key="reversal-reason")
    reversal_errors.under("reason")
    reversal_date = st.date_input("Date", value=today_in_india(), format="DD/MM/YYYY", key="reversal-date")
    reversal_errors.under("entry_date")
    reverse = st.form_submit_button("Reverse entry", width="stretch")

if add:
    try:
        ledger.add_entry(
            user.tenant_id,
            user.user_id,
            booking_id=booking_id,
            entry_type=entry_type,
            amount=amount,
            entry_date=entry_date,
            due_date=due_date,
            payment_mode=payment_mode,
            reference=reference,
            notes=notes,
            idempotency_key=forms.entry_form_key("entry"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        forms.saved(
            "entry", f"Saved: {ENTRY_LABELS[entry_type].lower()} of ₹{amount}.", lead_id=lead_id, fields=ENTRY_FIELDS
        )
if reverse:
    try:
        ledger.reverse_entry(
            user.tenant_id,
            user.user_id,
            ledger_entry_id=entry_id,
            reason=reason,
            entry_date=reversal_date,
            idempotency_key=forms.entry_form_key("reversal"),
        )
    except ValidationError as error:
        reversal_errors.show(error)
    else:
        forms.saved("reversal", f"Saved: entry #{entry_id} reversed.", lead_id=lead_id, fields=REVERSAL_FIELDS)

st.subheader("Statement of account")
tables.show_table(
    statement,
    tables.STATEMENT_COLUMNS,
    f"statement-{booking_id}",
    key="entry-statement",
)
