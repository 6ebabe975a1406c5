"""The saved-views block in the sidebar through AppTest (issue 16, point 7): a manager saves the Funnel
with its filters, changes them and opens the view again (its filters win); a colleague sees it
shared and a rep too (the rep opens the Funnel), a private one nobody else; a bad name is refused
with nothing saved; the landing view is opened on the next sign-in; no block on the Snapshots."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from data import db
from data.db import REPO_ROOT
from data.domain import saved_views as rules
from tests.support.screens import opened, serving_world
from tests.support.world import World
from tests.test_pages import signed_in
from ui.saved_views import PAGE_OF_REPORT


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with serving_world("saved-views-block") as built:
        yield built


def stored(world: World, name: str) -> list[tuple]:
    """(page, query, is_shared) of the live views of that name."""
    with db.owner_engine().connect() as conn:
        return [
            tuple(row)
            for row in conn.execute(
                sa.text(
                    "select page, query, is_shared from saved_views "
                    "where tenant_id = :t and name = :name and deleted_at is null"
                ),
                {"t": world.alpha, "name": name},
            )
        ]


def view_buttons(app: AppTest) -> dict[str, object]:
    """The sidebar's view buttons by the name they show (their labels are escaped Markdown)."""
    return {
        unescaped(button.label): button
        for button in app.sidebar.button
        if (button.key or "").startswith("saved-view-open-")
    }


def unescaped(label: str) -> str:
    return re.sub(r"\\(.)", r"\1", label)


def save(app: AppTest, name: str, *, shared: bool) -> AppTest:
    next(box for box in app.text_input if box.label == "Name").input(name)
    checkbox = next(box for box in app.checkbox if box.label == "Share with the team")
    checkbox.check() if shared else checkbox.uncheck()
    next(button for button in app.button if button.label == "Save view").click().run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def test_every_report_maps_to_the_page_that_draws_its_filter_bar() -> None:
    drawn = {}
    for path in sorted((REPO_ROOT / "pages").glob("*.py")):
        for report in re.findall(r'filter_bar\.filter_bar\(scope, "(\w+)"\)', path.read_text()):
            drawn[report] = path.stem
    assert {report: page for report, page in drawn.items() if report in PAGE_OF_REPORT} == PAGE_OF_REPORT
    assert set(PAGE_OF_REPORT.values()) == set(rules.PAGES)
    assert set(drawn) - set(PAGE_OF_REPORT) == {"snapshot"}


def test_a_manager_saves_the_funnel_changes_the_filters_and_opens_the_view_again(world: World) -> None:
    app = opened("pages/funnel.py", "mona")
    assert any(header.value == "Saved views" for header in app.sidebar.header)
    app.selectbox(key="source").set_value("Walk-in").run()
    save(app, "Walk-ins", shared=True)
    assert stored(world, "Walk-ins") == [("funnel", {"source": "Walk-in"}, True)]
    assert any("Saved the view" in success.value for success in app.sidebar.success)
    assert "Walk-ins" in view_buttons(app)
    assert next(box for box in app.text_input if box.label == "Name").value == ""

    # Other filters, then the view: its page and filters again.
    app.selectbox(key="source").set_value("Online Portal").run()
    view_buttons(app)["Walk-ins"].click().run()
    assert not app.exception, [e.value for e in app.exception]
    assert app.selectbox(key="source").value == "Walk-in"
    assert app.query_params.get("source") in ("Walk-in", ["Walk-in"])
    assert any(title.value == "Funnel" for title in app.title)

    # Saving the same name again (a double submit) keeps one view.
    save(app, "Walk-ins", shared=True)
    assert len(stored(world, "Walk-ins")) == 1


def test_a_shared_view_is_the_teams_and_a_private_one_its_owners(world: World) -> None:
    app = opened("pages/sources.py", "mona")
    save(app, "Mona only", shared=False)
    assert stored(world, "Mona only") == [("sources", {}, False)]
    boss = opened("pages/funnel.py", "boss")
    assert "Walk-ins" in view_buttons(boss) and "Mona only" not in view_buttons(boss)
    ravi = opened("pages/funnel.py", "ravi")
    assert "Walk-ins" in view_buttons(ravi) and "Mona only" not in view_buttons(ravi)
    # Boss (an admin) opens Mona's shared view from the Sources: the Funnel, filtered.
    boss = opened("pages/sources.py", "boss")
    view_buttons(boss)["Walk-ins"].click().run()
    assert not boss.exception
    assert any(title.value == "Funnel" for title in boss.title)
    assert boss.selectbox(key="source").value == "Walk-in"


@pytest.mark.parametrize("name", ["**", "[x](y)", "<", "x" * 3_000])
def test_a_bad_name_is_refused_and_nothing_saved(world: World, name: str) -> None:
    app = opened("pages/funnel.py", "mona")
    # The widget cuts at its max_chars in a browser; AppTest sends the value as it is.
    save(app, name, shared=False)
    assert app.error, "no message"
    assert stored(world, name) == []


def test_the_landing_view_opens_on_the_next_sign_in(world: World) -> None:
    app = opened("pages/campaigns.py", "boss")
    app.selectbox(key="source").set_value("Online Portal").run()
    save(app, "Portal campaigns", shared=False)
    view_id = view_buttons(app)["Portal campaigns"].key.removeprefix("saved-view-open-")
    landing = app.button(key=f"saved-view-land-{view_id}")
    landing.click().run()
    assert not app.exception
    assert any("after signing in" in success.value for success in app.sidebar.success)

    again = signed_in("boss")
    assert any(title.value == "Campaigns" for title in again.title)
    assert again.selectbox(key="source").value == "Online Portal"
    # A page asked for in the address wins over the landing view.
    asked = signed_in("boss", source="Walk-in")
    assert not any(title.value == "Campaigns" for title in asked.title)


def test_the_snapshots_page_has_no_saved_views(world: World) -> None:
    app = opened("pages/snapshots.py", "boss")
    assert not any(header.value == "Saved views" for header in app.sidebar.header)


def view_id(app: AppTest, name: str) -> str:
    return view_buttons(app)[name].key.removeprefix("saved-view-open-")


def test_each_view_shows_its_link_and_only_the_owner_may_delete_it(world: World) -> None:
    app = opened("pages/funnel.py", "mona")
    app.selectbox(key="source").set_value("Walk-in").run()
    save(app, "Short-lived", shared=True)
    shown = view_id(app, "Short-lived")
    # Without a browser there is no address of the app: the link is the path and the filters.
    assert "/funnel?source=Walk-in" in [code.value for code in app.sidebar.code]
    boss = opened("pages/funnel.py", "boss")
    assert "Short-lived" in view_buttons(boss)
    assert f"saved-view-delete-{shown}" not in [button.key for button in boss.button]
    app.button(key=f"saved-view-delete-{shown}").click().run()
    assert not app.exception
    assert any("Deleted the view" in success.value for success in app.sidebar.success)
    assert "Short-lived" not in view_buttons(app)
    assert stored(world, "Short-lived") == []
