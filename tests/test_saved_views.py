"""Saved views in the data layer against PostgreSQL (issue 16, point 7): a round trip, a double save,
private and shared views as a colleague sees them, another tenant seeing nothing, a rep refused a
view of a page the rep cannot open, the landing view, bad names refused with nothing written, the
database's own policies, and the check constraints and page list agreeing with the domain's."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from data import db
from data.db import Scope
from data.db.acting_user import user_transaction
from data.domain import saved_views as rules
from data.domain.validation import ValidationError
from data.reports import clear_report_caches
from data.reports.saved_views import landing_view, saved_views
from data.writes import auth
from data.writes import saved_views as writes
from tests.support.world import World, add_people, build_world
from ui import filter_bar, navigation

FUNNEL_QUERY = {"from": "Feb 2026", "to": "Feb 2026", "source": "Walk-in"}


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("saved-views")
    add_people(built)
    built.ids["beta_admin"] = auth.create_user(built.beta, "bea", "Bea Admin", "admin", "world-password-1").user_id
    clear_report_caches()
    return built


def names(world: World, username: str, tenant_id: int | None = None) -> list[str]:
    """The names of the views a person may open."""
    user_id = world.ids[username]
    return [view.name for view in saved_views(tenant_id or world.alpha, user_id).views]


def views(world: World, username: str):
    """The views a person of alpha may open."""
    return saved_views(world.alpha, world.ids[username]).views


def rows(world: World, name: str) -> int:
    """How many rows (deleted ones too) hold the name, in any tenant (as the owner, past every policy)."""
    with db.owner_engine().connect() as conn:
        return conn.execute(sa.text("select count(*) from saved_views where name = :name"), {"name": name}).scalar()


def audit_count(world: World, action: str) -> int:
    with db.owner_engine().connect() as conn:
        return conn.execute(
            sa.text("select count(*) from audit_log where tenant_id = :t and action = :action"),
            {"t": world.alpha, "action": action},
        ).scalar()


def test_a_view_round_trips_and_a_double_save_updates_it(world: World) -> None:
    saved = writes.save_view(
        world.alpha, world.ids["mona"], name="Walk-ins Feb", page="funnel", query=FUNNEL_QUERY, is_shared=False
    )
    assert saved.is_new
    (view,) = [view for view in saved_views(world.alpha, world.ids["mona"]).views if view.name == "Walk-ins Feb"]
    assert (view.page, view.query, view.is_shared, view.is_own, view.owner_name) == (
        "funnel",
        FUNNEL_QUERY,
        False,
        True,
        "Mona Manager",
    )
    # The same name again, in another case: the same view, changed; no second row.
    again = writes.save_view(
        world.alpha,
        world.ids["mona"],
        name="WALK-INS FEB",
        page="funnel",
        query={**FUNNEL_QUERY, "to": "Mar 2026", "project": ""},
        is_shared=False,
    )
    assert (again.saved_view_id, again.is_new) == (saved.saved_view_id, False)
    (view,) = [view for view in views(world, "mona") if view.saved_view_id == saved.saved_view_id]
    assert (view.name, view.query["to"], "project" in view.query) == ("WALK-INS FEB", "Mar 2026", False)
    assert rows(world, "WALK-INS FEB") == 1 and rows(world, "Walk-ins Feb") == 0
    assert audit_count(world, "saved_view.saved") >= 2


def test_a_private_view_is_its_owners_and_a_shared_one_the_tenants(world: World) -> None:
    mona = world.ids["mona"]
    writes.save_view(world.alpha, mona, name="Mona private", page="sources", query={}, is_shared=False)
    writes.save_view(world.alpha, mona, name="Team funnel", page="funnel", query=FUNNEL_QUERY, is_shared=True)
    writes.save_view(world.alpha, mona, name="Team overview", page="overview", query={}, is_shared=True)
    assert {"Mona private", "Team funnel", "Team overview"} <= set(names(world, "mona"))
    # A colleague manager: the shared ones, not the private one.
    lena = names(world, "lena")
    assert "Team funnel" in lena and "Team overview" in lena and "Mona private" not in lena
    shared = next(view for view in saved_views(world.alpha, world.ids["lena"]).views if view.name == "Team funnel")
    assert (shared.is_own, shared.owner_name) == (False, "Mona Manager")
    # A rep opens the Funnel but not the Overview: only the shared Funnel view.
    ravi = names(world, "rep")
    assert "Team funnel" in ravi and "Team overview" not in ravi and "Mona private" not in ravi
    # Another tenant sees none of it.
    assert names(world, "beta_admin", world.beta) == []
    with user_transaction(world.beta, world.ids["beta_admin"]) as conn:
        assert conn.execute(sa.text("select count(*) from saved_views")).scalar() == 0


def test_only_the_owner_writes_a_view_even_in_sql(world: World) -> None:
    saved = writes.save_view(world.alpha, world.ids["mona"], name="Mine alone", page="funnel", query={}, is_shared=True)
    # Lena sees the shared view but her update touches nothing, and she cannot write one as Mona.
    with user_transaction(world.alpha, world.ids["lena"]) as conn:
        changed = conn.execute(
            sa.text("update saved_views set name = 'Hijacked' where saved_view_id = :id"), {"id": saved.saved_view_id}
        ).rowcount
        assert changed == 0
    with (
        pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
        user_transaction(world.alpha, world.ids["lena"]) as conn,
    ):
        conn.execute(
            sa.text(
                "insert into saved_views (tenant_id, owner_user_id, name, page) values (:t, :owner, 'Forged', 'funnel')"
            ),
            {"t": world.alpha, "owner": world.ids["mona"]},
        )
    # Nobody deletes a row: a deleted view is retired.
    with (
        pytest.raises(sa.exc.ProgrammingError, match="permission denied"),
        user_transaction(world.alpha, world.ids["mona"]) as conn,
    ):
        conn.execute(sa.text("delete from saved_views where saved_view_id = :id"), {"id": saved.saved_view_id})
    # Without an acting person (any other transaction), only shared views show, and none can be written.
    with db.tenant_transaction(world.alpha) as conn:
        shown = conn.execute(sa.text("select bool_and(is_shared) from saved_views")).scalar()
        assert shown is True
    with pytest.raises(ValidationError) as refused:
        writes.delete_view(world.alpha, world.ids["lena"], saved.saved_view_id)
    assert refused.value.errors == {"saved_view_id": writes.NOT_YOURS}


def test_a_rep_cannot_save_a_view_of_a_page_the_rep_cannot_open(world: World) -> None:
    for page in ("overview", "sources", "ledger"):
        with pytest.raises(ValidationError) as refused:
            writes.save_view(world.alpha, world.ids["rep"], name=f"Rep {page}", page=page, query={}, is_shared=False)
        assert set(refused.value.errors) == {"user"}
        assert rows(world, f"Rep {page}") == 0
    saved = writes.save_view(
        world.alpha, world.ids["rep"], name="My funnel", page="funnel", query=FUNNEL_QUERY, is_shared=False
    )
    assert "My funnel" in names(world, "rep") and "My funnel" not in names(world, "sara")
    assert saved.is_new


@pytest.mark.parametrize(
    ("name", "page", "query", "field"),
    [
        ("**", "funnel", {}, "name"),
        ("[x](y)", "funnel", {}, "name"),
        ("<", "funnel", {}, "name"),
        ("Walk-ins <b>", "funnel", {}, "name"),
        ("x" * 3_000, "funnel", {}, "name"),
        ("   ", "funnel", {}, "name"),
        ("Two\nlines", "funnel", {}, "name"),
        ("Snapshot view", "snapshots", {}, "page"),
        ("Admin view", "admin_users", {}, "page"),
        ("Odd key", "funnel", {"lead": "12"}, "query"),
        ("Control", "funnel", {"source": "Walk\x07in"}, "query"),
        ("Long value", "funnel", {"source": "x" * 201}, "query"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_saved(world: World, name, page, query, field) -> None:
    before = audit_count(world, "saved_view.saved")
    with pytest.raises(ValidationError) as refused:
        writes.save_view(world.alpha, world.ids["mona"], name=name, page=page, query=query, is_shared=True)
    assert set(refused.value.errors) == {field}
    assert refused.value.errors[field]
    assert rows(world, name) == 0
    assert audit_count(world, "saved_view.saved") == before


def test_the_name_messages_say_what_to_do(world: World) -> None:
    with pytest.raises(ValidationError) as refused:
        writes.save_view(world.alpha, world.ids["mona"], name="x" * 3_000, page="funnel", query={}, is_shared=False)
    assert refused.value.errors["name"] == "Keep the name to 60 characters (this has 3,000)."
    with pytest.raises(ValidationError) as refused:
        writes.save_view(world.alpha, world.ids["mona"], name="[x](y)", page="funnel", query={}, is_shared=False)
    assert refused.value.errors["name"] == rules.NAME_RULE


def test_the_landing_view(world: World) -> None:
    mona, lena, ravi = world.ids["mona"], world.ids["lena"], world.ids["rep"]
    own = writes.save_view(world.alpha, mona, name="Landing", page="funnel", query=FUNNEL_QUERY, is_shared=True)
    writes.set_landing_view(world.alpha, mona, own.saved_view_id)
    landing = landing_view(world.alpha, mona)
    assert landing is not None and (landing.name, landing.query) == ("Landing", FUNNEL_QUERY)
    # A colleague lands on the shared view too; a rep may, since a rep opens the Funnel.
    writes.set_landing_view(world.alpha, lena, own.saved_view_id)
    writes.set_landing_view(world.alpha, ravi, own.saved_view_id)
    assert landing_view(Scope(world.alpha, ravi), ravi).saved_view_id == own.saved_view_id
    # Made private, it is nobody else's landing any more.
    writes.save_view(world.alpha, mona, name="Landing", page="funnel", query=FUNNEL_QUERY, is_shared=False)
    assert landing_view(world.alpha, lena) is None
    assert landing_view(world.alpha, mona).saved_view_id == own.saved_view_id
    # Nobody lands on another's private view, nor a rep on a view of a page the rep cannot open.
    with pytest.raises(ValidationError) as refused:
        writes.set_landing_view(world.alpha, lena, own.saved_view_id)
    assert refused.value.errors == {"saved_view_id": writes.NOT_OPEN}
    overview = writes.save_view(world.alpha, mona, name="Landing overview", page="overview", query={}, is_shared=True)
    with pytest.raises(ValidationError):
        writes.set_landing_view(world.alpha, ravi, overview.saved_view_id)
    # One landing view per person: choosing another replaces it; clearing it leaves none.
    writes.set_landing_view(world.alpha, mona, overview.saved_view_id)
    assert landing_view(world.alpha, mona).name == "Landing overview"
    writes.clear_landing_view(world.alpha, mona)
    assert landing_view(world.alpha, mona) is None
    # A deleted view is nobody's landing, and deleting it twice is harmless.
    writes.set_landing_view(world.alpha, mona, overview.saved_view_id)
    assert writes.delete_view(world.alpha, mona, overview.saved_view_id) is True
    assert writes.delete_view(world.alpha, mona, overview.saved_view_id) is False
    assert landing_view(world.alpha, mona) is None
    assert "Landing overview" not in names(world, "mona") and "Landing overview" not in names(world, "lena")
    assert audit_count(world, "saved_view.deleted") == 1
    # Its name is free again.
    again = writes.save_view(world.alpha, mona, name="Landing overview", page="overview", query={}, is_shared=False)
    assert again.is_new and again.saved_view_id != overview.saved_view_id


def test_an_inactive_user_may_do_nothing(world: World) -> None:
    sara = world.ids["sara"]
    writes.save_view(world.alpha, sara, name="Before leaving", page="funnel", query={}, is_shared=False)
    auth.set_active(world.alpha, sara, False, changed_by=world.ids["boss"])
    with pytest.raises(ValidationError):
        writes.save_view(world.alpha, sara, name="Gone", page="funnel", query={}, is_shared=False)
    assert saved_views(world.alpha, sara).views == ()


# The domain's lists and limits against the database's copies and the menu ---------------------


def constraint_definition(name: str) -> str:
    with db.owner_engine().connect() as conn:
        return conn.execute(
            sa.text("select pg_get_constraintdef(oid) from pg_constraint where conname = :name"), {"name": name}
        ).scalar_one()


def test_the_check_constraints_agree_with_the_domain() -> None:
    assert set(re.findall(r"'([^']*)'", constraint_definition("check_saved_views_page"))) == set(rules.PAGES)
    keys = set(re.findall(r"'([^']*)'", constraint_definition("check_saved_views_query_keys"))) - {"object", "{}"}
    assert keys == set(rules.QUERY_KEYS)
    assert f"char_length(name) <= {rules.NAME_MAX})" in constraint_definition("check_saved_views_name_length")
    too_long = "^.{" + str(rules.QUERY_VALUE_MAX + 1) + "}"
    assert too_long in constraint_definition("check_saved_views_query_value_length")


@pytest.mark.parametrize(
    ("values", "constraint"),
    [
        ({"name": "x" * (rules.NAME_MAX + 1)}, "check_saved_views_name_length"),
        ({"name": ""}, "check_saved_views_name_length"),
        ({"name": " padded "}, "check_saved_views_name_trimmed"),
        ({"page": "snapshots"}, "check_saved_views_page"),
        ({"query": '{"lead": "1"}'}, "check_saved_views_query_keys"),
        ({"query": '["from"]'}, "check_saved_views_query_keys"),
        ({"query": '{"from": 1}'}, "check_saved_views_query_values_text"),
        ({"query": '{"source": "%s"}' % ("x" * (rules.QUERY_VALUE_MAX + 1))}, "check_saved_views_query_value_length"),
    ],
)
def test_the_database_refuses_what_the_domain_refuses(world: World, values: dict, constraint: str) -> None:
    row = {"name": "Checked", "page": "funnel", "query": "{}", **values}
    with (
        pytest.raises(sa.exc.IntegrityError, match=constraint),
        user_transaction(world.alpha, world.ids["mona"]) as conn,
    ):
        conn.execute(
            sa.text(
                "insert into saved_views (tenant_id, owner_user_id, name, page, query) "
                "values (:t, :owner, :name, :page, cast(:query as jsonb))"
            ),
            {"t": world.alpha, "owner": world.ids["mona"], **row},
        )


def test_the_limits_themselves_are_accepted(world: World) -> None:
    query = {key: "x" * rules.QUERY_VALUE_MAX for key in rules.QUERY_KEYS}
    saved = writes.save_view(
        world.alpha, world.ids["boss"], name="y" * rules.NAME_MAX, page="leads", query=query, is_shared=False
    )
    (view,) = [view for view in views(world, "boss") if view.saved_view_id == saved.saved_view_id]
    assert view.query == query


def test_a_view_keeps_every_filter_the_filter_bar_puts_in_the_address() -> None:
    assert set(rules.QUERY_KEYS) == set(filter_bar.FILTER_KEYS)


def test_the_pages_are_the_menus_analysis_pages_with_the_same_permissions() -> None:
    entries = [
        entry
        for layout in (navigation.TEAM_LAYOUT, navigation.OWN_WORK_LAYOUT)
        for section in layout.values()
        for entry in section
    ]
    by_page = {}
    for entry in entries:
        by_page.setdefault(rules.page_of(entry.path), set()).add(entry.permission)
    for page, action in rules.PAGES.items():
        assert by_page[page] == {action}, page
    # Each listed page draws the filter bar.
    for page in rules.PAGES:
        assert "filter_bar.filter_bar(" in (db.REPO_ROOT / "pages" / f"{page}.py").read_text(), page
