"""Customer ledger: who owes what, how overdue it is, and each customer's statement of account."""

import streamlit as st

from data import reports
from data.domain.vocabulary import is_missing
from ui import charts, drill, filter_bar, session, tables, widgets
from ui import format as fmt
from ui.text import shorten

st.title("Customer ledger")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "customer_ledger")
overdue = filter_bar.overdue_pick()
summary = reports.ledger_summary(scope, filters, tables.requested_page("ledger-page"), overdue)
widgets.data_as_of(scope, reports.ledger_summary, reports.account_statement)
widgets.stop_if_empty(summary.is_empty, "booked customers")
st.caption("Balances as of today, so this screen has no period filter.")

left, right = st.columns([1, 2])
left.metric("Outstanding", fmt.inr_compact(summary.totals["outstanding"]), border=True)
left.metric("Overdue", fmt.inr_compact(summary.totals["overdue"]), border=True)
bucket = right.plotly_chart(
    charts.ageing(summary.totals), on_select="rerun", selection_mode="points", key="ageing-bars"
)
if bucket and bucket.selection.points:
    drill.open_accounts("customer_ledger", bucket.selection.points[0]["customdata"], forget=("ageing-bars",))

tables.pager(
    key="ledger-page",
    page=summary.page,
    page_count=summary.page_count,
    total_rows=int(summary.totals["accounts"]),
    page_size=summary.page_size,
    noun="Accounts, most overdue first:",
)
st.caption("Click a bar of the chart to list its accounts; click an account to read its statement below.")


def show_statement_of(row, _column: str, key: str) -> None:
    """Choose the clicked account's statement, and forget the click (the box may change again)."""
    st.session_state["statement-booking"] = int(row["booking_id"])
    st.session_state.pop(key, None)
    st.rerun()


tables.show_table(
    summary.rows,
    {
        "customer_name": ("Customer", "text"),
        "phone": ("Phone", "text"),
        "project_name": ("Project", "text"),
        "tower_name": ("Tower", "text"),
        "unit_number": ("Unit", "text"),
        "booking_status": ("Status", "code:booking_status"),
        "agreement_value": ("Agreement value", "inr"),
        "total_debits": ("Debits", "inr"),
        "total_credits": ("Credits", "inr"),
        "balance": ("Balance", "inr"),
        "overdue_amount": ("Overdue", "inr"),
        "overdue_0_30": ("0–30 days", "inr"),
        "overdue_31_60": ("31–60 days", "inr"),
        "overdue_61_90": ("61–90 days", "inr"),
        "overdue_over_90": ("90+ days", "inr"),
        "last_receipt_date": ("Last receipt", "date"),
        "entries": ("Entries", "count"),
    },
    "customer-ledger",
    key="ledger",
    on_pick=show_statement_of,
    height=400,
    primary=(
        "customer_name",
        "unit_number",
        "balance",
        "overdue_amount",
        "overdue_0_30",
        "overdue_31_60",
        "overdue_61_90",
        "overdue_over_90",
        "last_receipt_date",
    ),
)

st.subheader("Statement of account")


def _account(row) -> str:
    """A booking as its select box names it (options are plain text: no escaping, only shortening)."""
    parts = (row.project_name, row.tower_name, row.unit_number)
    unit = " ".join(shorten(part, 40) for part in parts if not is_missing(part))
    return f"{shorten(row.customer_name, 80) or '—'} — {unit}"


labels = {int(row.booking_id): _account(row) for row in summary.rows.itertuples()}
booking_id = st.selectbox(
    "Customer",
    list(labels),
    format_func=labels.get,
    index=None,
    placeholder="Choose a customer",
    key="statement-booking",
)
if booking_id is not None:
    statement = reports.account_statement(scope, booking_id)
    tables.show_statement(statement, f"statement-{booking_id}", key="statement")
