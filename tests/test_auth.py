"""Users, sign-in, lockout, sessions and the audit trail of each, against real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import sqlalchemy as sa

from data import db
from data.__main__ import main
from data.domain.validation import ValidationError
from data.writes import auth, lead_admin
from tests.support.world import PASSWORD, World, add_people, build_world

T0 = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.UTC)


@pytest.fixture(scope="module")
def world() -> World:
    built = build_world("auth")
    add_people(built)
    return built


def audit_actions(world: World, username: str | None = None, since: dt.datetime | None = None) -> list[str]:
    with db.tenant_transaction(world.alpha) as conn:
        return (
            conn.execute(
                sa.text(
                    "select action from audit_log "
                    "where (cast(:username as text) is null or row_key->>'username' = :username) "
                    "and occurred_at >= coalesce(cast(:since as timestamptz), '-infinity') order by audit_log_id"
                ),
                {"username": username, "since": since},
            )
            .scalars()
            .all()
        )


def user_count(world: World) -> int:
    with db.tenant_transaction(world.alpha) as conn:
        return conn.execute(sa.text("select count(*) from app_users")).scalar_one()


@pytest.mark.parametrize(
    ("username", "role", "password", "field"),
    [
        ("Bad Name!", "rep", "long-enough-pw", "username"),
        ("newbie", "owner", "long-enough-pw", "role"),
        ("newbie", "rep", "short", "password"),
        ("boss", "rep", "long-enough-pw", "username"),  # taken
    ],
)
def test_create_user_refuses_bad_input_and_writes_nothing(world, username, role, password, field) -> None:
    before = user_count(world)
    with pytest.raises(ValidationError) as refused:
        auth.create_user(world.alpha, username, "New Person", role, password)
    assert field in refused.value.errors
    assert user_count(world) == before


def test_five_failures_lock_the_account_for_fifteen_minutes(world: World) -> None:
    for minute in range(4):
        result = auth.attempt_sign_in(world.alpha, "lena", "wrong", now=T0 + dt.timedelta(minutes=minute))
        assert (result.user, result.message) == (None, auth.WRONG_CREDENTIALS)
    fifth = auth.attempt_sign_in(world.alpha, "lena", "wrong", now=T0 + dt.timedelta(minutes=4))
    assert "locked after 5 failed sign-ins" in fifth.message
    # Even the right password is refused while locked ...
    during = auth.attempt_sign_in(world.alpha, "lena", PASSWORD, now=T0 + dt.timedelta(minutes=10))
    assert during.user is None and "locked" in during.message
    # ... and accepted once the fifteen minutes are over.
    after = auth.attempt_sign_in(world.alpha, "lena", PASSWORD, now=T0 + dt.timedelta(minutes=20))
    assert after.user is not None and after.user.role == "leadership"
    assert audit_actions(world, "lena") == [
        *["sign_in.failed"] * 5,
        "sign_in.locked",
        "sign_in.refused_locked",
        "sign_in",
    ]


def test_failures_spread_beyond_the_window_do_not_lock(world: World) -> None:
    for step in range(6):
        result = auth.attempt_sign_in(world.alpha, "mona", "wrong", now=T0 + dt.timedelta(minutes=4 * step))
    assert result.message == auth.WRONG_CREDENTIALS  # at most four failures in any 15 minutes


def test_unknown_usernames_get_the_same_answer_and_are_recorded(world: World) -> None:
    result = auth.attempt_sign_in(world.alpha, "nobody", "whatever")
    assert (result.user, result.message) == (None, auth.WRONG_CREDENTIALS)
    assert audit_actions(world, "nobody") == ["sign_in.failed"]


def test_signing_out_ends_every_earlier_session(world: World) -> None:
    signed_in_at = dt.datetime.now(dt.UTC)
    assert auth.session_user(world.alpha, "sara", signed_in_at) is not None
    auth.sign_out(world.alpha, world.ids["sara"])
    assert auth.session_user(world.alpha, "sara", signed_in_at) is None  # the old cookie
    assert auth.session_user(world.alpha, "sara", dt.datetime.now(dt.UTC)) is not None  # a new sign-in


def test_a_password_change_ends_sessions_and_is_audited_without_the_hash(world: World) -> None:
    before = dt.datetime.now(dt.UTC)
    auth.change_password(world.alpha, world.ids["mona"], "another-password-2", changed_by=world.ids["boss"])
    assert auth.session_user(world.alpha, "mona", before) is None
    assert auth.attempt_sign_in(world.alpha, "mona", "another-password-2").user is not None
    with db.tenant_transaction(world.alpha) as conn:
        row = conn.execute(
            sa.text(
                "select user_id, before_values, after_values from audit_log where action = 'user.password_changed' "
                "and row_key->>'user_id' = :id"
            ),
            {"id": str(world.ids["mona"])},
        ).one()
    assert row.user_id == world.ids["boss"]
    assert "password_hash" not in row.after_values and "password_hash" not in row.before_values


def test_deactivation_ends_sessions_and_blocks_sign_in(world: World) -> None:
    rep = auth.create_user(world.alpha, "temp", "Temp Rep", "rep", PASSWORD)
    started = dt.datetime.now(dt.UTC)
    auth.set_active(world.alpha, rep.user_id, False, changed_by=world.ids["boss"])
    assert auth.session_user(world.alpha, "temp", started) is None
    assert auth.session_user(world.alpha, "temp", dt.datetime.now(dt.UTC)) is None
    assert "deactivated" in auth.attempt_sign_in(world.alpha, "temp", PASSWORD).message
    assert "temp" not in auth.credentials(world.alpha)["usernames"]


def test_role_changes_are_audited_with_before_and_after(world: World) -> None:
    rep = auth.create_user(world.alpha, "promoted", "Promoted Rep", "rep", PASSWORD, created_by=world.ids["boss"])
    auth.set_role(world.alpha, rep.user_id, "manager", changed_by=world.ids["boss"])
    with db.tenant_transaction(world.alpha) as conn:
        rows = conn.execute(
            sa.text(
                "select action, before_values->>'role' as before_role, after_values->>'role' as after_role "
                "from audit_log where row_key->>'user_id' = :id order by audit_log_id"
            ),
            {"id": str(rep.user_id)},
        ).all()
    assert [tuple(row) for row in rows] == [("user.created", None, "rep"), ("user.role_changed", "rep", "manager")]
    with pytest.raises(ValidationError, match="own role"):
        auth.set_role(world.alpha, world.ids["boss"], "rep", changed_by=world.ids["boss"])


def test_reassigning_leads_moves_them_and_audits_each(world: World) -> None:
    ids = world.ids
    moved = lead_admin.reassign_leads(world.alpha, [ids["l3"], ids["l4"]], ids["sara"], changed_by=ids["mona"])
    assert moved == 2
    with db.tenant_transaction(world.alpha) as conn:
        owners = (
            conn.execute(
                sa.text("select owner_user_id from leads where lead_id = any(:ids)"), {"ids": [ids["l3"], ids["l4"]]}
            )
            .scalars()
            .all()
        )
        audited = conn.execute(
            sa.text(
                "select count(*) from audit_log where action = 'lead.reassigned' "
                "and (before_values->>'owner_user_id')::bigint = :rep "
                "and (after_values->>'owner_user_id')::bigint = :sara"
            ),
            {"rep": ids["rep"], "sara": ids["sara"]},
        ).scalar_one()
    assert owners == [ids["sara"], ids["sara"]] and audited == 2
    with pytest.raises(ValidationError, match="active rep or manager"):
        lead_admin.reassign_leads(world.alpha, [ids["l3"]], ids["lena"], changed_by=ids["mona"])


def test_a_rep_scope_sees_only_the_reps_leads_in_the_database(world: World) -> None:
    sara = db.Scope(world.alpha, world.ids["sara"])
    with db.tenant_transaction(sara) as conn:
        leads = conn.execute(sa.text("select owner_user_id from leads")).scalars().all()
        funnel = conn.execute(sa.text("select coalesce(sum(leads), 0) from v_lead_funnel_analysis")).scalar_one()
        visible_bookings = conn.execute(sa.text("select lead_id from bookings")).scalars().all()
        updated = conn.execute(
            sa.text("update leads set name = name where owner_user_id <> :sara"), {"sara": world.ids["sara"]}
        ).rowcount
    assert set(leads) == {world.ids["sara"]} and funnel == len(leads)
    assert set(visible_bookings) <= {world.ids["l3"], world.ids["l4"]}
    assert updated == 0


def test_create_admin_command_makes_an_admin_who_can_sign_in(monkeypatch, capsys) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("first-admin-password\n"))
    status = main(
        [
            "create-admin",
            "--tenant",
            "fresh-co",
            "--tenant-name",
            "Fresh Co",
            "--username",
            "founder",
            "--password-stdin",
        ]
    )
    assert status == 0 and "created admin 'founder'" in capsys.readouterr().out
    tenant_id = db.tenant_id_for("fresh-co")
    signed_in = auth.attempt_sign_in(tenant_id, "founder", "first-admin-password")
    assert signed_in.user is not None and signed_in.user.role == "admin"
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["create-admin", "--tenant", "fresh-co", "--username", "second", "--password-stdin"]) == 2
