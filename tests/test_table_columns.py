"""The wide tables open with their decision columns, the rest one toggle away and always in the
CSV; a statement of account ends with its closing balance, the account's balance (AppTest and
the data layer on the hand-built world)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from decimal import Decimal

import pandas as pd
import pytest

from data import reports
from data.domain.filters import ReportFilters, today_in_india
from data.reports.ledger import with_closing_balance
from tests.support.world import World, add_people, build_world
from tests.test_pages import open_page
from ui import tables


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    built = build_world("columns")
    add_people(built)
    os.environ["LEADLINE_TENANT"] = "alpha-columns"
    reports.clear_report_caches()
    yield built
    os.environ.pop("LEADLINE_TENANT", None)


def rupees(text: str) -> Decimal:
    return Decimal(text.replace("₹", "").replace(",", ""))


def test_campaigns_open_with_the_decision_columns_and_the_toggle_adds_the_rest(world: World) -> None:
    app = open_page("campaigns")
    shown = list(app.dataframe[0].value.columns)
    assert shown[0] == "Campaign"
    assert {"Spend", "Net booking value", "ROI (×)"} <= set(shown)
    assert "Subsource" not in shown and "Budget" not in shown
    app.toggle(key="more-columns-campaigns").set_value(True).run()
    every = list(app.dataframe[0].value.columns)
    assert every[: len(shown)] == shown
    assert {"Source", "Subsource", "Project", "Start", "End", "Budget", "Cancelled"} <= set(every)
    assert len(every) == 20


def test_sources_and_ledger_open_with_their_decision_columns(world: World) -> None:
    sources = list(open_page("sources").dataframe[0].value.columns)
    assert {"Net booking value", "Lead → booking"} <= set(sources) and "Cost per site visit" not in sources
    ledger = list(open_page("ledger").dataframe[0].value.columns)
    assert ledger[0] == "Customer"
    assert {"Balance", "Overdue", "0–30 days", "31–60 days", "61–90 days", "90+ days"} <= set(ledger)
    assert "Phone" not in ledger


def test_the_csv_holds_every_column_whatever_the_screen_shows() -> None:
    columns = {"name": ("Name", "text"), "spend": ("Spend", "inr"), "note": ("Note", "text")}
    frame = pd.DataFrame({"name": ["A"], "spend": [1000], "note": ["n"]})
    assert list(tables._on_screen(columns, ["spend", "name"], more=False)) == ["spend", "name"]
    assert list(tables._on_screen(columns, ["spend", "name"], more=True)) == ["spend", "name", "note"]
    assert list(tables.labelled(frame, columns).columns) == ["Name", "Spend", "Note"]
    with pytest.raises(KeyError):
        tables._on_screen(columns, ["nowhere"], more=False)


def test_a_statement_ends_with_the_accounts_balance(world: World) -> None:
    accounts = reports.ledger_summary(world.alpha, ReportFilters.last_months(120, today_in_india())).rows
    assert not accounts.empty
    for account in accounts.itertuples():
        statement = with_closing_balance(reports.account_statement(world.alpha, int(account.booking_id)))
        if statement.empty:
            continue
        closing = statement.iloc[-1]
        assert closing["description"] == "Closing balance"
        assert closing["entry_date"] == statement.iloc[-2]["entry_date"]
        assert Decimal(str(closing["running_balance"])) == Decimal(str(account.balance))


def test_the_ledger_screens_statement_closes_with_the_balance_in_the_accounts_table(world: World) -> None:
    app = open_page("ledger")
    accounts = app.dataframe[0].value
    app.selectbox(key="statement-booking").set_value(world.ids["b2"]).run()
    statement = app.dataframe[1].value
    closing = statement.iloc[-1]
    assert closing["Entry type"] == "Closing balance"
    assert closing["Date"] == statement.iloc[-2]["Date"]
    customer = reports.ledger_summary(world.alpha, ReportFilters.last_months(120, today_in_india())).rows
    name = customer.loc[customer["booking_id"] == world.ids["b2"], "customer_name"].iloc[0]
    balance = accounts.loc[accounts["Customer"] == name, "Balance"].iloc[0]
    assert rupees(closing["Balance"]) == rupees(balance)
