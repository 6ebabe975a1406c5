"""python -m data rebuild-kept-tables recomputes every kept table from the base tables: it repairs
corrupted rows (wrong, missing, extra), touches only the tenant it is given, leaves tables equal to
their straightforward definitions, and a second run changes nothing."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data import db, imports
from data.__main__ import main
from data.db import REPO_ROOT, migrate, tenants
from data.domain.permissions import SYSTEM
from tests.support.world import World, build_world
from tests.test_lead_facts import (
    ACCOUNTS_KEPT,
    ACCOUNTS_STRAIGHTFORWARD,
    ROLLUP_STRAIGHTFORWARD,
    STEP_DAYS_STRAIGHTFORWARD,
    _rows,
    kept_equals_defined,
)

REBUILD = "select leadline_rebuild_kept_tables(cast(:tenant_id as bigint))"

# The kept tables as they are stored, zero rows included (the views skip those).
STORED = {
    "lead_facts": "select * from lead_facts order by lead_id",
    "lead_month_rollup": """
        select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, leads, contacted, qualified,
            reengaged, site_visited, revisited, booked, cancelled, net_booked, net_booking_value,
            days_to_first_booking_sum
        from lead_month_rollup
        order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id
    """,
    "lead_step_days_rollup": """
        select cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days, leads
        from lead_step_days_rollup
        order by cohort_month, project_id, lead_source_id, campaign_id, owner_user_id, lag_step, days
    """,
    "booking_accounts": ACCOUNTS_KEPT,
    "lead_response": "select * from lead_response order by lead_id",
}

# Each stored table as its definition says it should be, from the base tables.
DEFINED = {
    "lead_facts": "select * from compute_lead_facts(:tenant_id, array(select lead_id from leads)) order by lead_id",
    "lead_month_rollup": ROLLUP_STRAIGHTFORWARD,
    "lead_step_days_rollup": STEP_DAYS_STRAIGHTFORWARD,
    "booking_accounts": ACCOUNTS_STRAIGHTFORWARD,
    "lead_response": (
        "select * from compute_lead_response(:tenant_id, array(select lead_id from leads)) order by lead_id"
    ),
}


def stored(tenant_id: int) -> dict[str, list[tuple]]:
    with db.tenant_transaction(tenant_id) as conn:
        return {table: _rows(conn, sql) for table, sql in STORED.items()}


def defined(tenant_id: int) -> dict[str, list[tuple]]:
    with db.tenant_transaction(tenant_id) as conn:
        return {table: _rows(conn, sql, tenant_id=tenant_id) for table, sql in DEFINED.items()}


def corrupt(tenant_id: int) -> None:
    """One wrong row in each kept table, one missing and one that nothing accounts for."""
    statements = (
        # A wrong fact: the rollups follow it by their trigger, so they are wrong too.
        """
        update lead_facts set has_qualified = not has_qualified, live_booking_value = live_booking_value + 1
        where tenant_id = :tenant_id
            and lead_id = (select min(lead_id) from lead_facts where tenant_id = :tenant_id and is_live)
        """,
        """
        update lead_month_rollup set leads = leads + 5
        where tenant_id = :tenant_id and (cohort_month, lead_source_id) = (
            select cohort_month, lead_source_id from lead_month_rollup
            where tenant_id = :tenant_id order by cohort_month, lead_source_id limit 1
        )
        """,
        """
        insert into lead_step_days_rollup
        select tenant_id, cohort_month, project_id, lead_source_id, campaign_id, owner_user_id,
            'visit_to_booking', 999, 3
        from lead_month_rollup where tenant_id = :tenant_id limit 1
        """,
        """
        update booking_accounts set received_amount = received_amount + 100
        where tenant_id = :tenant_id
            and booking_id = (select max(booking_id) from booking_accounts where tenant_id = :tenant_id)
        """,
        """
        delete from booking_accounts
        where tenant_id = :tenant_id
            and booking_id = (select min(booking_id) from booking_accounts where tenant_id = :tenant_id)
        """,
        """
        update lead_response set sla_minutes = sla_minutes + 7, sla_breach_at = sla_breach_at + interval '1 hour'
        where tenant_id = :tenant_id
            and lead_id = (select min(lead_id) from lead_response where tenant_id = :tenant_id)
        """,
        """
        delete from lead_response
        where tenant_id = :tenant_id
            and lead_id = (select max(lead_id) from lead_response where tenant_id = :tenant_id)
        """,
    )
    with db.owner_engine().begin() as conn:
        # Row-level security is forced: an owner that is not a superuser sees only this tenant.
        conn.execute(
            sa.text("select set_config('app.tenant_id', cast(:tenant_id as text), true)"), {"tenant_id": tenant_id}
        )
        for statement in statements:
            assert conn.execute(sa.text(statement), {"tenant_id": tenant_id}).rowcount == 1


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("rebuild")
    bulk = tenants.create_tenant("rebuild-bulk", "Rebuild Bulk")
    for kind in imports.KINDS:
        imports.import_file(bulk, SYSTEM, kind, REPO_ROOT / "data" / "examples" / f"{kind}.csv")
    built.ids["bulk"] = bulk
    return built


def test_rebuild_repairs_only_the_tenant_it_is_given_then_every_tenant(world: World, capsys) -> None:
    alpha, bulk = world.alpha, world.ids["bulk"]
    alpha_slug = "alpha-rebuild"
    with db.owner_engine().connect() as conn:
        assert (
            conn.execute(sa.text("select tenant_id from tenants where slug = :slug"), {"slug": alpha_slug}).scalar()
            == alpha
        )
    corrupt(alpha)
    corrupt(bulk)
    for tenant_id in (alpha, bulk):
        broken = stored(tenant_id)
        assert all(broken[table] != rows for table, rows in defined(tenant_id).items())
        with pytest.raises(AssertionError):
            kept_equals_defined(tenant_id)

    assert main(["rebuild-kept-tables", "--tenant", alpha_slug]) == 0
    assert "for tenant 'alpha-rebuild'" in capsys.readouterr().out
    assert stored(alpha) == defined(alpha)
    kept_equals_defined(alpha)
    assert stored(bulk) != defined(bulk)  # another tenant is left alone

    assert main(["rebuild-kept-tables"]) == 0
    for tenant_id in (alpha, world.beta, bulk):
        assert stored(tenant_id) == defined(tenant_id)
        kept_equals_defined(tenant_id)


def without_zero_rows(tables: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """The stored tables less the rollup rows of zeros that writes keep where every lead moved away."""
    return {
        **tables,
        "lead_month_rollup": [row for row in tables["lead_month_rollup"] if any(row[5:])],
        "lead_step_days_rollup": [row for row in tables["lead_step_days_rollup"] if row[-1] != 0],
    }


def test_a_second_rebuild_changes_nothing_and_writes_go_on_from_it(world: World) -> None:
    every_tenant = (world.alpha, world.beta, world.ids["bulk"])
    migrate.rebuild_kept_tables()
    before = {tenant_id: stored(tenant_id) for tenant_id in every_tenant}
    migrate.rebuild_kept_tables()
    assert {tenant_id: stored(tenant_id) for tenant_id in every_tenant} == before
    with db.tenant_transaction(world.alpha) as conn:  # every lead moves to an earlier month
        conn.execute(sa.text("update leads set generated_at = generated_at - interval '45 days'"))
    kept_equals_defined(world.alpha)
    assert without_zero_rows(stored(world.alpha)) == defined(world.alpha)
    assert stored(world.alpha) != defined(world.alpha)  # rows of zeros, which a rebuild drops
    migrate.rebuild_kept_tables(world.alpha)
    assert stored(world.alpha) == defined(world.alpha)


def test_the_rebuild_puts_back_the_callers_settings_and_the_app_role_may_not_run_it(world: World) -> None:
    with db.owner_engine().begin() as conn:
        conn.execute(
            sa.text("select set_config('app.tenant_id', '-1', true), set_config('app.owner_user_id', '-2', true)")
        )
        conn.execute(sa.text(REBUILD), {"tenant_id": world.beta})
        settings = conn.execute(
            sa.text("select current_setting('app.tenant_id'), current_setting('app.owner_user_id')")
        ).one()
    assert tuple(settings) == ("-1", "-2")
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"), db.tenant_transaction(world.alpha) as conn:
        conn.execute(sa.text(REBUILD), {"tenant_id": world.alpha})


def test_an_unknown_tenant_is_refused(capsys) -> None:
    assert main(["rebuild-kept-tables", "--tenant", "no-such-tenant"]) == 2
    assert "no tenant 'no-such-tenant'" in capsys.readouterr().err
