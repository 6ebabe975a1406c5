"""Intake settings, saved by an admin on the Integrations screen: which saved field mapping a
source's webhook reads its bodies with, and a Facebook/Instagram page's Meta Lead Ads setting.

Each write validates first (one message per field, nothing written), then in one transaction
checks the admin's role, writes the ``intake_settings`` row and its audit entry, and clears the
tenant's cached reads. The app secret and the access token are never echoed: not in a message,
not in the audit log (which says only whether they changed). Saving a page's setting again with
the secret or the token left blank keeps the stored one.
"""

from __future__ import annotations

import urllib.parse

import sqlalchemy as sa

from data import db, reports
from data.domain.permissions import SYSTEM, Action, Actor, allowed, authorise, recorded_as
from data.domain.rules import NOTES_MAX, SHORT_TEXT_MAX, check_text
from data.domain.validation import ValidationError, require
from data.intake.meta import DEFAULT_GRAPH_URL, ID_PATTERN
from data.writes import audit
from data.writes.common import constraint_name

_SOURCE_TAKEN = "Another page's leads already arrive as that source and subsource; give each page its own."
# What a unique index means to the admin who broke it (two admins saving at one moment; the
# checks before the write say it in the usual case).
_DUPLICATES = {
    "index_intake_settings_on_meta_page_id": ("page_id", "Another Leadline account has set up this page."),
    "index_intake_settings_on_meta_verify_token": ("verify_token", "That verify token is taken; choose another."),
    "index_intake_settings_on_tenant_id_and_channel_and_source_and_subsource": ("subsource", _SOURCE_TAKEN),
}


def _authorise(conn: sa.Connection, actor: Actor) -> None:
    # SYSTEM is the command line (python -m data intake-meta), run by whoever runs the server.
    if actor is not SYSTEM:
        authorise(conn, actor, Action.INTAKE_SETUP)


def _row_id(value: object) -> bool:
    # A number past bigint binds as numeric and simply finds no row.
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _live_source(conn: sa.Connection, source: str | None, subsource: str | None, errors: dict[str, str]):
    """The source and subsource as an admin set them up, or a message on "source" (none when
    either was refused already)."""
    if source is None or subsource is None:
        return None
    found = conn.execute(
        sa.text(
            "select source, subsource from lead_sources where lower(source) = lower(:source) "
            "and lower(subsource) = lower(:subsource) and deleted_at is null"
        ),
        {"source": source, "subsource": subsource},
    ).one_or_none()
    if found is None:
        errors["source"] = f"There is no lead source {source} / {subsource}; add it under Lead sources first."
    return found


def _setting_of_source(conn: sa.Connection, channel: str, found):
    """The channel's setting for the source and subsource (locked), or None."""
    return conn.execute(
        sa.text(
            "select intake_setting_id, import_mapping_id from intake_settings where channel = :channel "
            "and lower(source) = lower(:source) and lower(subsource) = lower(:subsource) for update"
        ),
        {"channel": channel, "source": found.source, "subsource": found.subsource},
    ).one_or_none()


def _saved(tenant_id: int, write):
    """Run the write in one tenant transaction; a unique index broken by a concurrent save is a message."""
    try:
        with db.tenant_transaction(tenant_id) as conn:
            result = write(conn)
    except sa.exc.IntegrityError as error:
        if constraint_name(error) in _DUPLICATES:
            field, message = _DUPLICATES[constraint_name(error)]
            raise ValidationError({field: message}) from error
        error.hide_parameters = True  # the statement's parameters hold the secret and the token
        raise
    except sa.exc.StatementError as error:  # a timeout, a lost connection: said without the secrets
        error.hide_parameters = True
        raise
    reports.data_changed(tenant_id)
    return result


def save_webhook_mapping(
    tenant_id: int, actor: Actor, *, source: str, subsource: str, import_mapping_id: int | None
) -> int:
    """Have the source's webhook read bodies with a saved mapping of kind 'leads' (None: by
    Leadline's own field names); the setting's id."""
    errors: dict[str, str] = {}
    source = check_text(source, "source", errors, max_length=SHORT_TEXT_MAX, required=True)
    subsource = check_text(subsource, "subsource", errors, max_length=SHORT_TEXT_MAX, required=True)
    if import_mapping_id is not None and not _row_id(import_mapping_id):
        errors["import_mapping_id"] = "Choose a saved mapping of leads."

    # Every message at once: what the database must say is asked of the fields that passed on their own.
    def write(conn: sa.Connection) -> int:
        _authorise(conn, actor)
        found = _live_source(conn, source, subsource, errors)
        if import_mapping_id is not None and "import_mapping_id" not in errors:
            kind = conn.execute(
                sa.text("select kind from import_mappings where import_mapping_id = :id"), {"id": import_mapping_id}
            ).scalar()
            if kind != "leads":
                errors["import_mapping_id"] = "Choose a saved mapping of leads (one made on the import screen)."
        require(errors)
        before = _setting_of_source(conn, "webhook", found)
        setting_id = conn.execute(
            sa.text(
                """
                insert into intake_settings (tenant_id, channel, source, subsource, import_mapping_id, created_by)
                values (:tenant_id, 'webhook', :source, :subsource, :mapping, :actor)
                on conflict (tenant_id, channel, lower(source), lower(subsource))
                    do update set import_mapping_id = excluded.import_mapping_id
                returning intake_setting_id
                """
            ),
            {
                "tenant_id": tenant_id,
                "source": found.source,
                "subsource": found.subsource,
                "mapping": import_mapping_id,
                "actor": recorded_as(actor),
            },
        ).scalar_one()
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=recorded_as(actor),
            action="intake.setting_saved",
            table_name="intake_settings",
            row_key={"intake_setting_id": setting_id},
            before=None if before is None else {"import_mapping_id": before.import_mapping_id},
            after={
                "channel": "webhook",
                "source": found.source,
                "subsource": found.subsource,
                "import_mapping_id": import_mapping_id,
            },
        )
        return setting_id

    return _saved(tenant_id, write)


def _graph_url(value: str | None, errors: dict[str, str]) -> str | None:
    text = check_text(value, "graph_url", errors, max_length=SHORT_TEXT_MAX, label="Graph API address")
    if text is None:
        return None if "graph_url" in errors else DEFAULT_GRAPH_URL
    parts = urllib.parse.urlsplit(text)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment or parts.username:
        errors["graph_url"] = f"Give the Graph API's address with its version, e.g. {DEFAULT_GRAPH_URL}."
        return None
    return text.rstrip("/")


def save_meta_settings(
    tenant_id: int,
    actor: Actor,
    *,
    page_id: str,
    verify_token: str,
    app_secret: str | None,
    graph_url: str | None,
    access_token: str | None,
    source: str,
    subsource: str,
    user_id: int,
) -> int:
    """Set up (or change) Meta Lead Ads for one page: the verify token Meta's subscription
    handshake sends, the app secret its deliveries are signed with, the Graph API address and
    access token answers are fetched with when a delivery lacks them, the source and subsource
    its leads get, and the intake key whose account adds them; the setting's id.

    ``app_secret`` and ``access_token`` left blank keep the stored ones (the secret is required
    for a new page); ``graph_url`` left blank is ``DEFAULT_GRAPH_URL``."""
    errors: dict[str, str] = {}
    page_id = check_text(page_id, "page_id", errors, max_length=SHORT_TEXT_MAX, required=True, label="page's id")
    if page_id is not None and not ID_PATTERN.fullmatch(page_id):
        errors["page_id"] = "Give the page's id as Meta shows it: digits (the page's About, Page transparency)."
    verify_token = check_text(verify_token, "verify_token", errors, max_length=SHORT_TEXT_MAX, required=True)
    app_secret = check_text(app_secret, "app_secret", errors, max_length=SHORT_TEXT_MAX, label="app secret")
    access_token = check_text(access_token, "access_token", errors, max_length=NOTES_MAX, label="access token")
    graph_url = _graph_url(graph_url, errors)
    source = check_text(source, "source", errors, max_length=SHORT_TEXT_MAX, required=True)
    subsource = check_text(subsource, "subsource", errors, max_length=SHORT_TEXT_MAX, required=True)
    if not _row_id(user_id):
        errors["user_id"] = "Choose the intake key whose account adds this page's leads."

    # Every message at once: what the database must say is asked of the fields that passed on their own.
    def write(conn: sa.Connection) -> int:
        _authorise(conn, actor)
        found = _live_source(conn, source, subsource, errors)
        if "user_id" not in errors:
            account = conn.execute(
                sa.text(
                    "select role from app_users where user_id = :id and is_api_key and is_active and deleted_at is null"
                ),
                {"id": user_id},
            ).one_or_none()
            if account is None or not allowed(account.role, Action.LEAD_CREATE):
                errors["user_id"] = "Choose a live intake key: this page's leads are added as its account."
        if errors.keys() & {"page_id", "verify_token"}:
            require(errors)  # the rest looks them up
        before = conn.execute(
            sa.text(
                "select intake_setting_id, meta_page_id, source, subsource, meta_graph_url, user_id, "
                "meta_app_secret, meta_access_token, meta_verify_token "
                "from intake_settings where channel = 'meta' and meta_page_id = :page_id for update"
            ),
            {"page_id": page_id},
        ).one_or_none()
        if before is None and app_secret is None and "app_secret" not in errors:
            errors["app_secret"] = "Give the app secret (Meta's app dashboard, Settings, Basic)."
        _check_unique(conn, tenant_id, before, page_id, verify_token, found, errors)
        require(errors)
        values = {
            "page_id": page_id,
            "verify_token": verify_token,
            "app_secret": app_secret,
            "graph_url": graph_url,
            "access_token": access_token,
            "source": found.source,
            "subsource": found.subsource,
            "user_id": user_id,
        }
        if before is None:
            setting_id = conn.execute(
                sa.text(
                    """
                    insert into intake_settings (tenant_id, channel, source, subsource, meta_page_id,
                        meta_verify_token, meta_app_secret, meta_graph_url, meta_access_token, user_id, created_by)
                    values (:tenant_id, 'meta', :source, :subsource, :page_id, :verify_token, :app_secret,
                        :graph_url, :access_token, :user_id, :actor)
                    returning intake_setting_id
                    """
                ),
                {**values, "tenant_id": tenant_id, "actor": recorded_as(actor)},
            ).scalar_one()
        else:
            setting_id = before.intake_setting_id
            conn.execute(
                sa.text(
                    """
                    update intake_settings set source = :source, subsource = :subsource,
                        meta_verify_token = :verify_token, meta_app_secret = coalesce(:app_secret, meta_app_secret),
                        meta_graph_url = :graph_url, meta_access_token = coalesce(:access_token, meta_access_token),
                        user_id = :user_id
                    where intake_setting_id = :id
                    """
                ),
                {**values, "id": setting_id},
            )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=recorded_as(actor),
            action="intake.setting_saved",
            table_name="intake_settings",
            row_key={"intake_setting_id": setting_id},
            before=None if before is None else _visible(before._mapping),
            after={
                "channel": "meta",
                "meta_page_id": page_id,
                "source": found.source,
                "subsource": found.subsource,
                "meta_graph_url": graph_url,
                "user_id": user_id,
                # Whether the secrets changed, never what they are.
                "verify_token_changed": _changed(before, "meta_verify_token", verify_token),
                "app_secret_changed": _changed(before, "meta_app_secret", app_secret),
                "access_token_changed": _changed(before, "meta_access_token", access_token),
            },
        )
        return setting_id

    return _saved(tenant_id, write)


def _changed(before, column: str, given: str | None) -> bool:
    """Whether a save changes a secret (None: kept as stored)."""
    return given is not None and (before is None or before._mapping[column] != given)


def _visible(before) -> dict:
    """A stored setting as the audit log may show it: no token, no secret."""
    return {
        "meta_page_id": before["meta_page_id"],
        "source": before["source"],
        "subsource": before["subsource"],
        "meta_graph_url": before["meta_graph_url"],
        "user_id": before["user_id"],
    }


def _check_unique(conn, tenant_id, before, page_id, verify_token, found, errors) -> None:
    """Say which unique rule the setting would break: a page or verify token another setting
    holds (in any tenant: Meta's calls find their tenant by them), or a source and subsource
    another of this tenant's pages has."""
    own_id = None if before is None else before.intake_setting_id
    holders = {
        "page_id": ("select * from meta_intake_for(:value, cast(null as text))", page_id),
        "verify_token": ("select * from meta_intake_for(cast(null as text), :value)", verify_token),
    }
    for field, (sql, value) in holders.items():
        taken = conn.execute(sa.text(sql), {"value": value}).all()
        if any(row.tenant_id != tenant_id or row.intake_setting_id != own_id for row in taken):
            errors.setdefault(field, _DUPLICATES[f"index_intake_settings_on_meta_{field}"][1])
    if found is not None:
        clash = _setting_of_source(conn, "meta", found)
        if clash is not None and clash.intake_setting_id != own_id:
            errors["subsource"] = _SOURCE_TAKEN
