"""Book a unit: pick an available unit of the lead's project and open the customer's account with
the payment plan's demands and the booking-amount receipt, all in one go."""

import streamlit as st

from data import bookings, ledger, reports
from data.filters import today_in_india
from data.payment_plans import PLANS
from data.validation import ValidationError
from ui import format as fmt
from ui import forms, lead_picker, session

FIELDS = ("book-unit", "book-value", "book-amount", "book-date", "book-plan", "book-mode", "book-reference")

st.title("Book a unit")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
lead_id = lead_picker.pick_lead(scope, "book")
if lead_id is None:
    st.stop()

lead = reports.lead_timeline(scope, lead_id).lead.iloc[0]
units = reports.available_units(scope)
projects = sorted(units["project_name"].unique())
if not projects:
    st.info("No unit is available to book.")
    st.stop()
project = st.selectbox(
    "Project",
    projects,
    index=projects.index(lead["project_name"]) if lead["project_name"] in projects else 0,
    key="book-project",
)
offered = units[units["project_name"] == project]
labels = {
    int(unit.unit_id): f"{unit.tower_name} · {unit.unit_number} · {unit.unit_type} · floor {unit.floor} · "
    f"{unit.carpet_area_sqft:,.0f} sq ft · {fmt.inr(unit.list_price)}"
    for unit in offered.itertuples()
}

with st.form(forms.entry_form_key("book")):
    errors = forms.ErrorSlots()
    unit_id = st.selectbox("Unit", list(labels), format_func=labels.get, index=None, key="book-unit")
    errors.under("unit_id")
    value_column, amount_column = st.columns(2)
    agreement_value = value_column.text_input("Agreement value (₹)", placeholder="e.g. 85,00,000", key="book-value")
    booking_amount = amount_column.text_input("Booking amount paid (₹)", placeholder="e.g. 8,50,000", key="book-amount")
    errors.under("agreement_value", "booking_amount")
    booking_date = st.date_input("Booking date", value=today_in_india(), format="DD/MM/YYYY", key="book-date")
    errors.under("booking_date")
    plan_code = st.selectbox(
        "Payment plan", list(PLANS), format_func=lambda code: PLANS[code].name, index=None, key="book-plan"
    )
    errors.under("plan_code")
    mode_column, reference_column = st.columns(2)
    payment_mode = mode_column.selectbox(
        "Booking amount paid by",
        ledger.PAYMENT_MODES,
        format_func=ledger.PAYMENT_MODE_LABELS.get,
        index=None,
        key="book-mode",
    )
    reference = reference_column.text_input("Cheque / transaction no.", key="book-reference")
    errors.under("payment_mode", "reference")
    submitted = st.form_submit_button("Book unit", type="primary", width="stretch")

with st.expander("What each payment plan demands"):
    for plan in PLANS.values():
        stages = ", ".join(f"{stage.name} {stage.percent}% (+{stage.days_after_booking} d)" for stage in plan.stages)
        st.markdown(f"**{plan.name}** — {stages}")

if submitted:
    try:
        saved = bookings.book_unit(
            user.tenant_id,
            user.user_id,
            lead_id=lead_id,
            unit_id=unit_id,
            agreement_value=agreement_value,
            booking_amount=booking_amount,
            booking_date=booking_date,
            plan_code=plan_code,
            payment_mode=payment_mode,
            reference=reference,
            idempotency_key=forms.entry_form_key("book"),
        )
    except ValidationError as error:
        errors.show(error)
    else:
        unit = labels.get(unit_id, "the unit").split(" · ")
        forms.saved(
            "book",
            f"Saved: {lead['name']} booked {project} {' '.join(unit[:2])}; the account has the plan's demands "
            "and the booking receipt.",
            lead_id=saved.lead_id,
            fields=FIELDS,
        )
