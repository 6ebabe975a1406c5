"""Cancel a booking: the unit becomes available again and the account is settled — what was
charged is credited back, the cancellation charge and the refund are debited."""

import streamlit as st

from data import reports
from data.domain import vocabulary as labels
from data.domain.filters import today_in_india
from data.domain.rules import REFERENCE_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.writes import bookings
from ui import format as fmt
from ui import forms, lead_picker, session
from ui.text import md, shorten

st.title("Cancel a booking")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
entry = forms.EntryForm("cancel")
lead = lead_picker.pick(scope, entry.key("lead"))
if lead is None:
    st.stop()
live = reports.lead_bookings(scope, lead.lead_id).query("status != 'cancelled'")
if live.empty:
    st.info("This lead has no booking to cancel.")
    st.stop()
booked = {int(row.booking_id): row for row in live.itertuples()}


def unit_of(booking_id: int) -> str:
    """The booked unit in words (plain text)."""
    row = booked[booking_id]
    return " ".join(shorten(part, 40) for part in (row.project_name, row.tower_name, row.unit_number))


booking_id = st.selectbox(
    "Booking",
    list(booked),
    format_func=lambda booking_id: (
        f"{unit_of(booking_id)} · booked {fmt.date(booked[booking_id].booking_date)} "
        f"· {fmt.inr(booked[booking_id].agreement_value)}"
    ),
    key=entry.key("booking"),
)
paid, charged = reports.account_figures(user.tenant_id, booking_id)
st.caption(
    f"Paid so far (net of bounced cheques and refunds): **{fmt.inr(paid, paise=True)}** · "
    f"billed so far (demands and debit notes less credit notes): {fmt.inr(charged, paise=True)}. "
    "The refund can be at most what was paid less the cancellation charge."
)

with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    errors.under("booking_id")
    reason = st.text_input(forms.up_to("Reason"), placeholder="e.g. home loan rejected", key=entry.key("reason"))
    errors.under("reason")
    cancellation_date = st.date_input(
        "Cancellation date", value=today_in_india(), format="DD/MM/YYYY", key=entry.key("date")
    )
    errors.under("cancellation_date")
    charge_column, refund_column = st.columns(2)
    charge = charge_column.text_input(
        "Cancellation charge (₹)", value="0", max_chars=SHORT_TEXT_MAX, key=entry.key("charge")
    )
    refund = refund_column.text_input("Refund (₹)", value="0", max_chars=SHORT_TEXT_MAX, key=entry.key("refund"))
    errors.under("cancellation_charge", "refund_amount")
    mode_column, reference_column = st.columns(2)
    refund_mode = mode_column.selectbox(
        "Refund paid by",
        labels.PAYMENT_MODES,
        format_func=labels.labeller("payment_mode"),
        index=None,
        key=entry.key("mode"),
    )
    refund_reference = reference_column.text_input(
        "Refund reference", max_chars=REFERENCE_MAX, key=entry.key("reference")
    )
    errors.under("refund_mode", "refund_reference")
    lead_picker.show_chosen(lead)
    confirmed = st.checkbox("Cancel this booking and free the unit", key=entry.key("confirm"))
    errors.under("confirm")
    submitted = st.form_submit_button(
        lead_picker.save_label("Cancel booking", lead), type="primary", width="stretch", key=entry.key("save")
    )

if submitted and not confirmed:
    errors.show(ValidationError({"confirm": "Tick the box to confirm the cancellation."}))
elif submitted:
    try:
        saved = bookings.cancel_booking(
            user.tenant_id,
            user.user_id,
            booking_id=booking_id,
            reason=reason,
            cancellation_date=cancellation_date,
            cancellation_charge=charge,
            refund_amount=refund,
            refund_mode=refund_mode,
            refund_reference=refund_reference,
            idempotency_key=entry.idempotency_key,
        )
    except ValidationError as error:
        entry.refused(error, errors)
    else:
        entry.saved(
            f"Saved: booking of {md(unit_of(booking_id))} for **{md(lead.name)}** cancelled; "
            "the unit is available again.",
            lead_id=saved.lead_id,
        )
