"""Ledger entries: raise a demand, record a receipt, issue a credit or debit note, or reverse an
entry. Entries are never edited or deleted; a mistake is undone by its reversal."""

import streamlit as st

from data import reports
from data.domain import vocabulary as labels
from data.domain.filters import today_in_india
from data.domain.rules import REFERENCE_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.writes import ledger
from ui import format as fmt
from ui import forms, lead_picker, session, tables
from ui.text import md, shorten

st.title("Ledger entries")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
add_entry, reversal = forms.EntryForm("entry"), forms.EntryForm("reversal")
# One lead picker serves both forms; it starts afresh after either is saved.
lead = lead_picker.pick(scope, f"ledger-{add_entry.generation}-{reversal.generation}-lead")
if lead is None:
    st.stop()
booked = reports.lead_bookings(scope, lead.lead_id)
if booked.empty:
    st.info("This lead has no booking, so no account.")
    st.stop()
bookings_by_id = {int(row.booking_id): row for row in booked.itertuples()}


def booking_label(booking_id: int) -> str:
    """A booking as the list shows it (plain text)."""
    row = bookings_by_id[booking_id]
    unit = " ".join(shorten(part, 40) for part in (row.project_name, row.tower_name, row.unit_number))
    return f"{unit} · {labels.label('booking_status', row.status)}"


booking_id = st.selectbox("Booking", list(bookings_by_id), format_func=booking_label, key="entry-booking")
statement = reports.account_statement(scope, booking_id)

add_tab, reverse_tab = st.tabs(["Add an entry", "Reverse an entry"])
with add_tab, st.form(add_entry.idempotency_key):
    errors = forms.ErrorSlots()
    errors.under("booking_id")
    type_column, amount_column = st.columns(2)
    entry_type = type_column.selectbox(
        "Entry", labels.MANUAL_ENTRY_TYPES, format_func=labels.labeller("entry_type"), key=add_entry.key("type")
    )
    amount = amount_column.text_input(
        "Amount (₹)", placeholder="e.g. 2,50,000", max_chars=SHORT_TEXT_MAX, key=add_entry.key("amount")
    )
    errors.under("entry_type", "amount")
    date_column, due_column = st.columns(2)
    entry_date = date_column.date_input("Date", value=today_in_india(), format="DD/MM/YYYY", key=add_entry.key("date"))
    due_date = due_column.date_input("Due date (demands)", value=None, format="DD/MM/YYYY", key=add_entry.key("due"))
    errors.under("entry_date", "due_date")
    mode_column, reference_column = st.columns(2)
    payment_mode = mode_column.selectbox(
        "Paid by (receipts)",
        labels.PAYMENT_MODES,
        format_func=labels.labeller("payment_mode"),
        index=None,
        key=add_entry.key("mode"),
    )
    reference = reference_column.text_input(
        "Cheque / transaction no.", max_chars=REFERENCE_MAX, key=add_entry.key("reference")
    )
    errors.under("payment_mode", "reference")
    notes = st.text_input(forms.up_to("Particulars"), placeholder="e.g. 4th slab demand", key=add_entry.key("notes"))
    errors.under("notes", "lead_id")
    lead_picker.show_chosen(lead)
    add = st.form_submit_button(
        lead_picker.save_label("Save entry", lead), type="primary", width="stretch", key=add_entry.key("save")
    )

reversible = (
    statement[(statement["entry_type"] != "reversal") & ~statement["is_reversed"]] if not statement.empty else statement
)
choices = {
    int(row.ledger_entry_id): f"#{row.ledger_entry_id} · {fmt.date(row.entry_date)} · {shorten(row.description, 60)} · "
    f"{fmt.inr(row.debit_amount or row.credit_amount, paise=True)}"
    for row in reversible.itertuples()
}
with reverse_tab, st.form(reversal.idempotency_key):
    reversal_errors = forms.ErrorSlots()
    entry_id = st.selectbox(
        "Entry to reverse", list(choices), format_func=choices.get, index=None, key=reversal.key("entry")
    )
    reversal_errors.under("ledger_entry_id")
    reason = st.text_input(forms.up_to("Reason"), placeholder="e.g. cheque returned unpaid", key=reversal.key("reason"))
    reversal_errors.under("reason")
    reversal_date = st.date_input("Date", value=today_in_india(), format="DD/MM/YYYY", key=reversal.key("date"))
    reversal_errors.under("entry_date")
    lead_picker.show_chosen(lead)
    reverse = st.form_submit_button("Reverse entry", width="stretch", key=reversal.key("save"))

if add:
    try:
        written = ledger.add_entry(
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
            idempotency_key=add_entry.idempotency_key,
        )
    except ValidationError as error:
        add_entry.refused(error, errors)
    else:
        add_entry.saved(
            f"Saved: {labels.label('entry_type', entry_type).lower()} #{written.ledger_entry_id} "
            f"for **{md(lead.name)}**, {md(booking_label(booking_id))}.",
            lead_id=lead.lead_id,
        )
if reverse:
    try:
        ledger.reverse_entry(
            user.tenant_id,
            user.user_id,
            ledger_entry_id=entry_id,
            reason=reason,
            entry_date=reversal_date,
            idempotency_key=reversal.idempotency_key,
        )
    except ValidationError as error:
        reversal.refused(error, reversal_errors)
    else:
        reversal.saved(f"Saved: entry #{entry_id} reversed for **{md(lead.name)}**.", lead_id=lead.lead_id)

st.subheader("Statement of account")
tables.show_statement(statement, f"statement-{booking_id}", key="entry-statement")
