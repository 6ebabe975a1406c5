"""A rep sees only their own leads and what hangs off them, in every table, by the database itself.

Found from the catalogue, not listed by hand: every table with a ``tenant_id`` that the app role
can read either has a restrictive owner-scope policy or is named below as tenant-wide by design.
Then, behaviourally, the ledger, the kept accounts and the ledger views as two reps and a manager.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import sqlalchemy as sa

from data import db
from data.db import Scope
from tests.support.world import World, _ledger, at, build_world, day, insert

# Tables a rep reads whole, because they describe the tenant rather than anyone's leads.
TENANT_WIDE = {
    "tenants": "the tenant itself: its name and settings",
    "app_users": "who works here: a lead's owner and a note's author are shown by name",
    "projects": "inventory: a rep sells from every project",
    "towers": "inventory: a rep sells from every tower",
    "units": "inventory: a rep must see which units are free to offer them",
    "lead_sources": "the list a new lead's source is chosen from",
    "campaigns": "the list a new lead's campaign is chosen from",
    "campaign_spend": "marketing money, not per lead; the campaign screens are for managers",
    "import_mappings": "saved column mappings of import files, shared by whoever imports",
    "working_hours": "the tenant's working hours: every lead's response time is measured against them",
    "stale_lead_thresholds": "the tenant's stale-lead thresholds: every rep's stale leads are measured by them",
}

# The relations that carry money per booking, and a column that names the booking.
BOOKING_RELATIONS = (
    "account_ledger",
    "booking_accounts",
    "v_customer_ledger_summary",
    "v_account_statement",
    "v_receivables_ageing",
)


def tenant_tables() -> dict[str, bool]:
    """Every public table with a tenant_id that the app role may read, and whether it has an owner policy."""
    with db.owner_engine().connect() as conn:
        rows = conn.execute(
            sa.text(
                """
                select
                    classes.relname as table_name,
                    exists (
                        select 1 from pg_policies
                        where pg_policies.schemaname = 'public'
                            and pg_policies.tablename = classes.relname
                            and pg_policies.permissive = 'RESTRICTIVE'
                            and pg_policies.qual like '%app.owner_user_id%'
                    ) as has_owner_policy
                from pg_class as classes
                inner join pg_namespace as namespaces on namespaces.oid = classes.relnamespace
                inner join pg_attribute as columns
                    on columns.attrelid = classes.oid and columns.attname = 'tenant_id' and not columns.attisdropped
                where namespaces.nspname = 'public'
                    and classes.relkind in ('r', 'p')
                    and has_table_privilege(:app_role, classes.oid, 'select')
                """
            ),
            {"app_role": db.APP_ROLE},
        ).all()
    return {row.table_name: row.has_owner_policy for row in rows}


def test_every_tenant_table_is_rep_scoped_or_tenant_wide_by_design() -> None:
    tables = tenant_tables()
    unscoped = sorted(name for name, scoped in tables.items() if not scoped and name not in TENANT_WIDE)
    assert unscoped == [], "give these an owner policy (leadline_apply_owner_policy) or a reason in TENANT_WIDE"
    # The list stays true: each entry is a readable table, and none is scoped after all.
    assert sorted(set(TENANT_WIDE) - set(tables)) == []
    assert sorted(name for name in TENANT_WIDE if tables[name]) == []
    # The catalogue query finds what it should (a guard against it silently finding nothing).
    assert {"leads", "bookings", "account_ledger", "booking_accounts", "lead_facts", "audit_log"} <= {
        name for name, scoped in tables.items() if scoped
    }


@pytest.fixture(scope="module")
def world() -> World:
    """Alpha's world (Ravi owns l1–l4, bookings b1–b3) and a second rep, Sunil, owning one booked lead."""
    world = build_world("rep-scope")
    t, ids = world.alpha, world.ids
    with db.tenant_transaction(t) as conn:
        ids["sunil"] = insert(
            conn, "app_users", "user_id", tenant_id=t, username="sunil", display_name="Sunil Rao", role="rep"
        )
        ids["manager"] = insert(
            conn, "app_users", "user_id", tenant_id=t, username="meera", display_name="Meera", role="manager"
        )
        ids["sunil_lead"] = insert(
            conn,
            "leads",
            "lead_id",
            tenant_id=t,
            name="Farah Khan",
            phone="+919800000099",
            project_id=ids["p2"],
            lead_source_id=ids["s2"],
            owner_user_id=ids["sunil"],
            generated_at=at("2026-01-03 10:00"),
        )
        customer = ids["sunil_customer"] = insert(
            conn,
            "customers",
            "customer_id",
            tenant_id=t,
            lead_id=ids["sunil_lead"],
            name="Farah Khan",
            phone="+919800000099",
        )
        ids["sunil_booking"] = insert(
            conn,
            "bookings",
            "booking_id",
            tenant_id=t,
            lead_id=ids["sunil_lead"],
            customer_id=customer,
            unit_id=ids["u7"],
            booking_date=day("2026-01-15"),
            agreement_value=Decimal(21000000),
            booking_amount=Decimal(200000),
        )
        booking = ids["sunil_booking"]
        # A demand long overdue, so the booking is in the ageing too.
        _ledger(conn, t, booking, customer, "2026-01-15", "demand", "debit", "1000000", due_date=day("2026-02-01"))
        _ledger(conn, t, booking, customer, "2026-01-15", "receipt", "credit", "200000", payment_mode="upi")
    return world


def scopes(world: World) -> dict[str, Scope]:
    return {
        "ravi": Scope(world.alpha, world.ids["rep"]),
        "sunil": Scope(world.alpha, world.ids["sunil"]),
        "manager": Scope(world.alpha),
    }


def visible_bookings(scope: Scope, relation: str) -> set[int]:
    with db.tenant_transaction(scope) as conn:
        # relation comes from BOOKING_RELATIONS above, never from input
        return set(conn.execute(sa.text(f"select distinct booking_id from {relation}")).scalars())


@pytest.mark.parametrize("relation", BOOKING_RELATIONS)
def test_each_rep_sees_the_money_of_their_own_leads_bookings_and_a_manager_all(world: World, relation: str) -> None:
    ids = world.ids
    ravi = {ids["b1"], ids["b2"], ids["b3"]}  # l1–l3 are Ravi's
    everything = visible_bookings(scopes(world)["manager"], relation)
    # Both reps have bookings here (b3 has no entries, so it is only in some relations).
    assert ids["sunil_booking"] in everything and everything & ravi
    assert everything <= ravi | {ids["sunil_booking"]}
    assert visible_bookings(scopes(world)["ravi"], relation) == everything & ravi
    assert visible_bookings(scopes(world)["sunil"], relation) == {ids["sunil_booking"]}


def test_the_booking_summary_counts_only_a_reps_own_bookings(world: World) -> None:
    totals = {}
    for who, scope in scopes(world).items():
        with db.tenant_transaction(scope) as conn:
            totals[who] = tuple(
                conn.execute(sa.text("select sum(bookings), sum(received_amount) from v_booking_summary")).one()
            )
    # Ravi: b1 received 500,000 (the bounced 100,000 nets out), b2 510,000, b3 nothing.
    assert totals["ravi"] == (3, Decimal("1010000.00"))
    assert totals["sunil"] == (1, Decimal("200000.00"))
    assert totals["manager"] == (4, Decimal("1210000.00"))


def test_a_rep_cannot_write_to_another_reps_account(world: World) -> None:
    with (
        pytest.raises(sa.exc.ProgrammingError, match="row-level security"),
        db.tenant_transaction(scopes(world)["ravi"]) as conn,
    ):
        conn.execute(
            sa.text(
                """
                insert into account_ledger (tenant_id, customer_id, booking_id, entry_date, entry_type, side, amount,
                    payment_mode)
                values (:tenant_id, :customer_id, :booking_id, :day, 'receipt', 'credit', 1, 'cash')
                """
            ),
            {
                "tenant_id": world.alpha,
                "customer_id": world.ids["sunil_customer"],
                "booking_id": world.ids["sunil_booking"],
                "day": dt.date(2026, 3, 1),
            },
        )


def test_a_rep_appends_audit_rows_but_reads_none(world: World) -> None:
    manager, ravi = scopes(world)["manager"], scopes(world)["ravi"]
    with db.tenant_transaction(manager) as conn:
        conn.execute(
            sa.text("insert into sign_in_attempts (tenant_id, username, is_success) values (:t, 'ravi', true)"),
            {"t": world.alpha},
        )
    with db.tenant_transaction(ravi) as conn:
        conn.execute(
            sa.text("insert into audit_log (tenant_id, user_id, action) values (:t, :u, 'rep_scope.test')"),
            {"t": world.alpha, "u": world.ids["rep"]},
        )
        assert conn.execute(sa.text("select count(*) from audit_log")).scalar_one() == 0
        assert conn.execute(sa.text("select count(*) from sign_in_attempts")).scalar_one() == 0
    with db.tenant_transaction(manager) as conn:
        assert conn.execute(sa.text("select count(*) from audit_log where action = 'rep_scope.test'")).scalar_one() == 1
        assert conn.execute(sa.text("select count(*) from sign_in_attempts")).scalar_one() == 1


def test_a_rep_sees_no_keys_nor_settings_and_only_their_own_leads_deliveries(world: World) -> None:
    from data.domain.permissions import SYSTEM
    from data.intake.leads import receive_lead
    from data.writes import api_keys

    key = api_keys.create_api_key(world.alpha, SYSTEM, name="Rep scope feed", role="intake")
    fields = {"name": "Tara", "phone": "+91 98111 22334", "source": "Online Portal", "subsource": "99acres"}
    own = receive_lead(world.alpha, key.user_id, {**fields, "owner": "ravi"}, channel="api").lead_id
    receive_lead(world.alpha, key.user_id, {**fields, "phone": "+91 98111 22335", "owner": "sunil"}, channel="api")
    manager, ravi = scopes(world)["manager"], scopes(world)["ravi"]
    with db.tenant_transaction(manager) as conn:
        assert conn.execute(sa.text("select count(*) from api_keys")).scalar_one() >= 1
        assert conn.execute(sa.text("select count(*) from intake_events")).scalar_one() >= 2
    with db.tenant_transaction(ravi) as conn:
        assert conn.execute(sa.text("select count(*) from api_keys")).scalar_one() == 0
        assert conn.execute(sa.text("select count(*) from intake_settings")).scalar_one() == 0
        assert list(conn.execute(sa.text("select lead_id from intake_events")).scalars()) == [own]
