"""The Lead routing page through AppTest: an admin adds a rule with a pool and a fallback pool,
changes it, marks a rep on leave and calls it off; rule names stay text; no other role gets the page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pandas as pd
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db
from data.domain.filters import today_in_india
from data.writes import leads as lead_writes
from tests.support.checks import form_key
from tests.support.screens import opened, serving_world
from tests.support.world import World
from tests.test_pages import signed_in

PAGE = "pages/admin_routing.py"
MARKUP_NAME = "Portal ** [x](y) <b>rule</b>"
NEW = "new-0"  # the first new-rule form of a session (its widgets' keys end with it)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with serving_world("routing-page") as built:
        yield built


def on_page(username: str = "boss") -> AppTest:
    return opened(PAGE, username)


def press(app: AppTest, label: str) -> AppTest:
    next(button for button in app.button if button.label == label).click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def table_with(app: AppTest, column: str) -> pd.DataFrame:
    return next(frame.value for frame in app.dataframe if column in frame.value.columns)


def members(world: World) -> list[tuple]:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(
            sa.text(
                "select routing_rules.name, pool, user_id, weight, daily_cap from routing_pool_members "
                "inner join routing_rules using (tenant_id, routing_rule_id) order by pool, user_id"
            )
        ).all()


def members_rule_id(world: World) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text("select routing_rule_id from routing_rules")).scalar_one()


def test_an_admin_adds_a_rule_and_changes_it(world: World) -> None:
    ravi, sara = world.ids["rep"], world.ids["sara"]
    app = on_page()
    app.text_input(key=f"rule-name-{NEW}").input(MARKUP_NAME)
    app.number_input(key=f"pool-{NEW}-{ravi}").set_value(1)
    app.number_input(key=f"pool-{NEW}-{sara}").set_value(2)
    app.number_input(key=f"cap-{NEW}-{sara}").set_value(5)
    app.number_input(key=f"fallback-{NEW}-{world.ids['mona']}").set_value(1)
    press(app, "Save rule")
    assert app.success and "Saved the rule" in app.success[0].value
    assert [tuple(row) for row in members(world)] == [
        (MARKUP_NAME, "fallback", world.ids["mona"], 1, None),
        (MARKUP_NAME, "primary", ravi, 1, None),
        (MARKUP_NAME, "primary", sara, 2, 5),
    ]
    listed = table_with(app, "Rule")
    assert listed["Rule"].tolist() == [MARKUP_NAME]  # as typed: a table cell is text
    assert listed["Pool (weight, cap)"].tolist() == ["Ravi Kumar ×1, Sara Rep ×2 (cap 5)"]
    # Changing it: the form opens with the rule's values; Ravi leaves the pool.
    # The saved rule is the one open now; opening it again from the list shows the same.
    rule_id = app.selectbox(key="rule-id").value
    assert rule_id is not None and rule_id == members_rule_id(world)
    app.selectbox(key="rule-id").select_index(1).run()
    assert app.text_input(key=f"rule-name-{rule_id}").value == MARKUP_NAME
    assert app.number_input(key=f"pool-{rule_id}-{sara}").value == 2
    assert app.number_input(key=f"cap-{rule_id}-{sara}").value == 5
    app.number_input(key=f"pool-{rule_id}-{ravi}").set_value(0)
    press(app, "Save rule")
    assert [(row.pool, row.user_id) for row in members(world)] == [("fallback", world.ids["mona"]), ("primary", sara)]


def test_a_rule_without_a_pool_is_refused_and_says_why(world: World) -> None:
    app = on_page()
    app.selectbox(key="rule-id").select_index(0).run()
    app.text_input(key=f"rule-name-{NEW}").input("Empty")
    press(app, "Save rule")
    assert "**Pool**: Put at least one rep in the pool" in " ".join(error.value for error in app.error)


def test_leave_is_added_and_called_off(world: World) -> None:
    today = today_in_india()
    app = on_page()
    app.selectbox(key="leave-rep").set_value(world.ids["sara"])
    app.date_input(key="leave-days").set_value((today, today + dt.timedelta(days=2)))
    press(app, "Add leave")
    assert app.success, [error.value for error in app.error]
    assert "Sara Rep is away" in app.success[0].value
    assert table_with(app, "Rep")["Rep"].tolist() == ["Sara Rep"]
    press(app, "Call off")
    assert app.success[0].value.startswith("Called off: Sara Rep")
    with db.tenant_transaction(world.alpha) as conn:
        assert conn.execute(sa.text("select count(*) from rep_leave where cancelled_at is null")).scalar_one() == 0


@pytest.mark.parametrize("username", ["mona", "lena", "ravi"])
def test_no_one_but_an_admin_gets_the_page(world: World, username: str) -> None:
    app = signed_in(username)
    with pytest.raises(ValueError, match="Could not find a navigation page"):
        app.switch_page(PAGE)


def test_the_timeline_shows_who_the_lead_was_given_to_and_why(world: World) -> None:
    # The rule of the first test (any lead: Sara ×2, cap 5; fallback Mona) routes this one.
    lead_id = lead_writes.create_lead(
        world.alpha,
        world.ids["mona"],
        name="Timeline Buyer",
        phone="+91 98450 77001",
        lead_source_id=world.ids["s1"],
        idempotency_key=form_key(),
    ).lead_id
    app = signed_in("boss", lead=str(lead_id))
    app.switch_page("pages/timeline.py").run()
    assert not app.exception, [e.value for e in app.exception]
    shown = table_with(app, "Assigned to")
    assert shown[["Assigned to", "Why", "Rule", "Pool"]].values.tolist() == [
        ["Sara Rep", "Routed by a rule", MARKUP_NAME, "Pool"]
    ]
