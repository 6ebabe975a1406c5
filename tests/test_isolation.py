"""Tenants never see each other: row-level security as the app role, checked table by table."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from data import db
from tests.support.world import World, build_world, insert

TENANT_TABLES = (
    "app_users",
    "projects",
    "towers",
    "units",
    "lead_sources",
    "campaigns",
    "campaign_spend",
    "leads",
    "lead_milestones",
    "lead_engagements",
    "customers",
    "bookings",
    "account_ledger",
    "audit_log",
)
VIEWS = (
    "v_lead_funnel_analysis",
    "v_lead_funnel_steps",
    "v_lead_source_performance",
    "v_campaign_performance",
    "v_booking_summary",
    "v_customer_ledger_summary",
    "v_lead_milestone_timeline",
    "v_unit_inventory",
    "v_account_statement",
)
RELATIONS = ("tenants", *TENANT_TABLES, *VIEWS)


@pytest.fixture(scope="module")
def world() -> World:
    return build_world("isolation")


def tenant_counts(conn: sa.Connection, relation: str, tenant_id: int) -> tuple[int, int]:
    """(rows of this tenant, rows of any other tenant) that the connection can see."""
    mine, others = conn.execute(
        sa.text(
            f"select count(*) filter (where tenant_id = :tenant_id), "  # relation names are constants above
            f"count(*) filter (where tenant_id <> :tenant_id) from {relation}"
        ),
        {"tenant_id": tenant_id},
    ).one()
    return mine, others


@pytest.mark.parametrize("relation", RELATIONS)
def test_a_tenant_sees_only_its_own_rows(world: World, relation: str) -> None:
    # Both tenants have rows in every relation, so "none of the other's" is a real check.
    for tenant_id in (world.alpha, world.beta):
        with db.tenant_transaction(tenant_id) as conn:
            mine, others = tenant_counts(conn, relation, tenant_id)
        assert (mine > 0, others) == (True, 0)


@pytest.mark.parametrize("relation", RELATIONS)
def test_no_tenant_set_means_no_rows(world: World, relation: str) -> None:
    with db.app_engine().connect() as conn:
        assert conn.execute(sa.text(f"select count(*) from {relation}")).scalar() == 0


def test_a_pooled_connection_forgets_the_previous_tenant() -> None:
    engine = sa.create_engine(db.app_url(), pool_size=1, max_overflow=0)
    try:
        world = build_world("pool")
        with engine.begin() as conn:
            conn.execute(sa.text("select set_config('app.tenant_id', :t, true)"), {"t": str(world.beta)})
            assert conn.execute(sa.text("select count(*) from leads")).scalar() == 1
            backend = conn.execute(sa.text("select pg_backend_pid()")).scalar()
        with engine.begin() as conn:
            assert conn.execute(sa.text("select pg_backend_pid()")).scalar() == backend  # the same connection
            assert conn.execute(sa.text("select count(*) from leads")).scalar() == 0
            assert conn.execute(sa.text("select count(*) from v_customer_ledger_summary")).scalar() == 0
    finally:
        engine.dispose()


def test_writing_another_tenants_row_is_refused(world: World) -> None:
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), db.tenant_transaction(world.alpha) as conn:
        insert(conn, "lead_sources", "lead_source_id", tenant_id=world.beta, source="Sneaky", subsource="Row")
    with pytest.raises(sa.exc.ProgrammingError, match="row-level security"), db.tenant_transaction(world.alpha) as conn:
        conn.execute(
            sa.text("update lead_sources set tenant_id = :beta where lead_source_id = :source"),
            {"beta": world.beta, "source": world.ids["s1"]},
        )


def test_another_tenants_rows_cannot_be_changed(world: World) -> None:
    with db.tenant_transaction(world.alpha) as conn:
        changed = conn.execute(
            sa.text("update leads set name = 'Hijacked' where lead_id = :lead"), {"lead": world.ids["beta_lead"]}
        ).rowcount
    assert changed == 0
    with db.tenant_transaction(world.beta) as conn:
        assert (
            conn.execute(
                sa.text("select name from leads where lead_id = :lead"), {"lead": world.ids["beta_lead"]}
            ).scalar()
            == "Beta Buyer"
        )


def test_the_app_role_owns_nothing_and_is_not_a_superuser() -> None:
    with db.app_engine().connect() as conn:
        role = conn.execute(
            sa.text(
                "select rolsuper, rolbypassrls, "
                "(select count(*) from pg_class where relowner = pg_roles.oid) as owned "
                "from pg_roles where rolname = current_user"
            )
        ).one()
    assert (role.rolsuper, role.rolbypassrls, role.owned) == (False, False, 0)


def test_tenant_lookup_by_slug(world: World) -> None:
    assert db.tenant_id_for("alpha-isolation") == world.alpha
    assert db.tenant_id_for("no-such-tenant") is None


def test_every_table_with_a_tenant_id_forces_row_level_security() -> None:
    # A table added later without RLS would leak across tenants; this finds it by its column.
    with db.owner_engine().connect() as conn:
        tables = conn.execute(
            sa.text(
                """
                select classes.relname, classes.relrowsecurity and classes.relforcerowsecurity as is_forced
                from pg_class as classes
                inner join pg_namespace as namespaces on namespaces.oid = classes.relnamespace
                inner join pg_attribute as columns
                    on columns.attrelid = classes.oid and columns.attname = 'tenant_id' and not columns.attisdropped
                where namespaces.nspname = 'public' and classes.relkind = 'r' and classes.relname <> 'tenants'
                """
            )
        ).all()
    assert {table.relname for table in tables} >= {*TENANT_TABLES, "import_mappings", "sign_in_attempts"}
    assert [table.relname for table in tables if not table.is_forced] == []
