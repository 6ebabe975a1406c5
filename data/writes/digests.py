"""My profile's write: a person's own e-mail address and which digests they get.

Every person may change only their own (``Action.OWN_PROFILE``); the kinds are checked against
what their role may get (``DIGEST_KINDS_BY_ROLE``). Saving stores a choice for every kind the role
may get, ticked or not, so from then on the role's default no longer applies to them; saving the
same again changes nothing but the audit trail.
"""

from __future__ import annotations

from collections.abc import Collection

import sqlalchemy as sa

from data import db
from data.domain.permissions import Action, authorise
from data.domain.validation import require
from data.domain.vocabulary import DIGEST_KINDS, DIGEST_KINDS_BY_ROLE, label
from data.writes import audit
from data.writes.leads import normalise_email

EMAIL_MAX = 254  # the longest address SMTP carries

_SAVE_CHOICE = """
    insert into digest_choices (tenant_id, user_id, digest_kind, is_enabled)
    values (:tenant_id, :user_id, :kind, :is_enabled)
    on conflict (tenant_id, user_id, digest_kind) do update set is_enabled = excluded.is_enabled
"""


def save_digest_choices(tenant_id: int, user_id: int, *, email: str | None, kinds: Collection[str]) -> tuple[str, ...]:
    """Save the person's e-mail address and the digests they get (the rest of their role's: off).

    Returns the kinds now ticked. Refuses a kind their role may not get, and any kind without an
    address to send it to."""
    errors: dict[str, str] = {}
    try:
        email = normalise_email(email)
    except ValueError as error:
        errors["email"] = f"This is not an e-mail address: {error}"
    if email is not None and len(email) > EMAIL_MAX:
        errors["email"] = f"Use at most {EMAIL_MAX} characters."
    chosen = set(kinds)
    if chosen - set(DIGEST_KINDS):
        errors["kinds"] = "Choose among the digests offered."
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        role = authorise(conn, user_id, Action.OWN_PROFILE)
        offered = DIGEST_KINDS_BY_ROLE[role]
        if chosen - set(offered):
            names = ", ".join(label("digest_kind", kind) for kind in sorted(chosen - set(offered)))
            errors["kinds"] = f"Your role does not get: {names}."
        if chosen and email is None:
            errors["email"] = "Give the e-mail address the digests go to."
        require(errors)
        before = conn.execute(
            sa.text(
                """
                select app_users.email,
                    array(
                        select digest_kind from digest_choices
                        where digest_choices.tenant_id = app_users.tenant_id
                            and digest_choices.user_id = app_users.user_id and is_enabled
                        order by digest_kind
                    ) as kinds
                from app_users where user_id = :user_id
                """
            ),
            {"user_id": user_id},
        ).one()
        conn.execute(
            sa.text("update app_users set email = :email where user_id = :user_id"),
            {"email": email, "user_id": user_id},
        )
        for kind in offered:
            conn.execute(
                sa.text(_SAVE_CHOICE),
                {"tenant_id": tenant_id, "user_id": user_id, "kind": kind, "is_enabled": kind in chosen},
            )
        ticked = tuple(kind for kind in offered if kind in chosen)
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="profile.digests_saved",
            table_name="digest_choices",
            row_key={"user_id": user_id},
            before={"email": before.email, "kinds": list(before.kinds)},
            after={"email": email, "kinds": sorted(ticked)},
        )
    return ticked
