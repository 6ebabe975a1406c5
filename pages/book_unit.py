"""Book a unit: pick an available unit of the lead's project and open the customer's account with
the payment plan's demands and the booking-amount receipt, all in one go."""

import streamlit as st

from data import reports
from data.domain import vocabulary as labels
from data.domain.filters import today_in_india
from data.domain.payment_plans import PLANS
from data.domain.rules import REFERENCE_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.writes import bookings
from ui import format as fmt
from ui import forms, lead_picker, session
from ui.text import md, shorten

st.title("Book a unit")
forms.show_flash()
scope, user = session.current_scope(), session.current_user()
entry = forms.EntryForm("book")
lead = lead_picker.pick(scope, entry.key("lead"))
if lead is None:
    st.stop()

units = reports.available_units(scope)
projects = sorted(units["project_name"].unique())
if not projects:
    st.info("No unit is available to book.")
    st.stop()
project = st.selectbox(
    "Project",
    projects,
    index=projects.index(lead.project_name) if lead.project_name in projects else 0,
    format_func=lambda name: shorten(name, 80),
    key=entry.key("project"),
)
offered = units[units["project_name"] == project]
units_by_id = {int(unit.unit_id): unit for unit in offered.itertuples()}


def unit_label(unit_id: int) -> str:
    """One unit as the list shows it (plain text)."""
    unit = units_by_id[unit_id]
    return (
        f"{shorten(unit.tower_name, 40)} · {shorten(unit.unit_number, 20)} · {unit.unit_type} · floor {unit.floor} · "
        f"{unit.carpet_area_sqft:,.0f} sq ft · {fmt.inr(unit.list_price)}"
    )


with st.form(entry.idempotency_key):
    errors = forms.ErrorSlots()
    unit_id = st.selectbox("Unit", list(units_by_id), format_func=unit_label, index=None, key=entry.key("unit"))
    errors.under("unit_id")
    value_column, amount_column = st.columns(2)
    agreement_value = value_column.text_input(
        "Agreement value (₹)", placeholder="e.g. 85,00,000", max_chars=SHORT_TEXT_MAX, key=entry.key("value")
    )
    booking_amount = amount_column.text_input(
        "Booking amount paid (₹)", placeholder="e.g. 8,50,000", max_chars=SHORT_TEXT_MAX, key=entry.key("amount")
    )
    errors.under("agreement_value", "booking_amount")
    booking_date = st.date_input("Booking date", value=today_in_india(), format="DD/MM/YYYY", key=entry.key("date"))
    errors.under("booking_date")
    plan_code = st.selectbox(
        "Payment plan", list(PLANS), format_func=lambda code: PLANS[code].name, index=None, key=entry.key("plan")
    )
    errors.under("plan_code")
    mode_column, reference_column = st.columns(2)
    payment_mode = mode_column.selectbox(
        "Booking amount paid by",
        labels.PAYMENT_MODES,
        format_func=labels.labeller("payment_mode"),
        index=None,
        key=entry.key("mode"),
    )
    reference = reference_column.text_input(
        "Cheque / transaction no.", max_chars=REFERENCE_MAX, key=entry.key("reference")
    )
    errors.under("payment_mode", "reference")
    errors.under("lead_id", "price_deviation_reason")
    lead_picker.show_chosen(lead)
    price_reason = entry.reason_needed("Why this price (recorded with the booking)")
    submitted = st.form_submit_button(
        lead_picker.save_label("Book unit", lead), type="primary", width="stretch", key=entry.key("save")
    )

with st.expander("What each payment plan demands"):
    for plan in PLANS.values():
        stages = ", ".join(f"{stage.name} {stage.percent}% (+{stage.days_after_booking} d)" for stage in plan.stages)
        st.markdown(f"**{md(plan.name)}** — {md(stages)}")

if submitted:
    try:
        saved = bookings.book_unit(
            user.tenant_id,
            user.user_id,
            lead_id=lead.lead_id,
            unit_id=unit_id,
            agreement_value=agreement_value,
            booking_amount=booking_amount,
            booking_date=booking_date,
            plan_code=plan_code,
            payment_mode=payment_mode,
            reference=reference,
            idempotency_key=entry.idempotency_key,
            price_deviation_reason=price_reason,
        )
    except ValidationError as error:
        entry.refused(error, errors)
    else:
        unit = units_by_id[unit_id]
        entry.saved(
            f"Saved: **{md(lead.name)}** booked {md(project)} {md(unit.tower_name)} {md(unit.unit_number)}; "
            "the account has the plan's demands and the booking receipt.",
            lead_id=saved.lead_id,
        )
