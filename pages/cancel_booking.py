"""Cancel a booking: the unit becomes available again and the account is settled — what was
charged is credited back, the cancellation charge and the refund are debited."""

import streamlit as st

from data import bookings, ledger, reports
from data.filters import today_in_india
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session

FIELDS = (
    *("cancel-reason", "cancel-date", "cancel-charge", "cancel-refund", "cancel-mode", "cancel-reference"),
    "cancel-confirm",
)

st.title("Cancel a booking")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "cancel")
if lead_id is None:
    st.stop()
live = reports.lead_bookings(scope, lead_id).query("status != 'cancelled'")
if live.empty:
    st.info("This lead has no booking to cancel.")
    st.stop()
labels = {
    int(row.booking_id): f"{row.project_name} {row.tower_name} {row.unit_number} · booked {fmt.date(row.booking_date)} "
    f"· {fmt.inr(row.agreement_value)}"
    for row in live.itertuples()
}
booking_id = st.selectbox("Booking", list(labels), format_func=labels.get, key="cancel-booking")
paid, charged = bookings.account_figures(user.tenant_id, booking_id)
st.caption(
    f"Paid so far (net of bounced cheques and refunds): **{fmt.inr(paid, paise=True)}** · "
    f"charged: {fmt.inr(charged, paise=True)}. The refund can be at most what was paid less the charge."
)

with st.form(forms.entry_form_key("cancel")):
    errors = forms.ErrorSlots()
    errors.under("booking_id")
    reason = st.text_input("Reason", placeholder="e.g. home loan rejected", key="cancel-reason")
    errors.under("reason")
    cancellation_date = st.date_input(
        "Cancellation date", value=today_in_india(), format="DD/MM/YYYY", key="cancel-date"
    )
    errors.under("cancellation_date")
    charge_column, refund_column = st.columns(2)
    charge = charge_column.text_input("Cancellation charge (₹)", value="0", key="cancel-charge")
    refund = refund_column.text_input("Refund (₹)", value="0", key="cancel-refund")
    errors.under("cancellation_charge", "refund_amount")
    mode_column, reference_column = st.columns(2)
    refund_mode = mode_column.selectbox(
        "Refund paid by",
        ledger.PAYMENT_MODES,
        format_func=ledger.PAYMENT_MODE_LABELS.get,
        index=None,
        key="cancel-mode",
    )
    refund_reference = reference_column.text_input("Refund reference", key="cancel-reference")
    errors.under("refund_mode")
    confirmed = st.checkbox("Cancel this booking and free the unit", key="cancel-confirm")
    errors.under("confirm")
    submitted = st.form_submit_button("Cancel booking", type="primary", width="stretch")

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
            idempotency_key=forms.entry_form_key("cancel"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        forms.saved(
            "cancel",
            f"Saved: booking of {labels[booking_id].split(' · ')[0]} cancelled; the unit is available again.",
            lead_id=saved.lead_id,
            fields=FIELDS,
        )
