"""Meta Lead Ads: the webhook Meta calls when someone submits a lead form on Facebook or
Instagram, and the subscription handshake that sets it up.

Meta's calls carry no API key. The handshake (``verify_subscription``) is answered when its
verify token is a tenant's; a delivery (``receive_meta``) is taken only when its
``X-Hub-Signature-256`` is the HMAC-SHA256 of the raw body under the app secret of the page it
names — anything else stores nothing at all. The tenant is found by the page's id through the
definer function ``meta_intake_for`` (before the tenant is known the app role sees no settings),
and the leads are added as the setting's account (an intake key's).

Each ``leadgen`` change becomes a lead through ``receive_lead``: the setting names its source and
subsource, ``external_ref`` is Meta's ``leadgen_id`` (a second delivery of one lead replays the
first answer), and the answers come from the change's ``field_data`` when Meta includes it,
otherwise from the Graph API (``{graph_url}/{leadgen_id}?access_token=…``). Meta's standard
questions fill the lead (``full_name`` or ``first_name`` and ``last_name``, ``phone_number``,
``email``); every other answer goes into its notes as "question: answer". A lead that cannot be
made — the Graph API out of reach, a refused phone — is kept in the intake log with why, to be
processed again (``data.intake.reprocess``); Meta is still answered 200, since it would otherwise
send the whole delivery again for days.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import http.client
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from data import db
from data.domain.rules import NOTES_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.intake.leads import log_rejection, receive_lead
from data.intake.webhooks import parse_json

# How long the Graph API may take to answer, and the most of its answer read: Meta waits for
# our answer too, and a delivery may hold several leads.
GRAPH_TIMEOUT_SECONDS = 5
GRAPH_MAX_BYTES = 1_000_000
DEFAULT_GRAPH_URL = "https://graph.facebook.com/v21.0"
# Distinct pages one delivery may name; Meta batches a few, more is not Meta.
MAX_PAGES = 50
# Meta's standard lead-form questions that fill a lead's own fields.
META_FIELDS = {"full_name": "name", "phone_number": "phone", "email": "email"}
# What Meta's ids (pages, leads) look like: digits, in practice; nothing that needs escaping.
ID_PATTERN = re.compile(r"[0-9A-Za-z_-]{1,100}")
_log = logging.getLogger(__name__)


class BadSignature(Exception):
    """A delivery not signed with the app secret of any page it names (or not signed at all)."""


@dataclass(frozen=True)
class Setting:
    """A tenant's Meta Lead Ads setting for one page (the secrets never in its repr)."""

    tenant_id: int
    intake_setting_id: int
    page_id: str
    source: str
    subsource: str
    user_id: int
    graph_url: str
    app_secret: str = field(repr=False)
    access_token: str | None = field(repr=False)


@dataclass(frozen=True)
class Delivered:
    """What became of one leadgen change: created, reengaged, replayed or rejected (with why)."""

    leadgen_id: str | None
    outcome: str
    lead_id: int | None = None
    errors: dict[str, str] | None = None


@dataclass(frozen=True)
class Attempt:
    """A leadgen change read for ``receive_lead``: its fields, the payload the log keeps, and
    why it cannot be a lead (None when it may be)."""

    fields: dict[str, Any]
    kept: dict[str, Any]
    problems: dict[str, str] | None = None


def verify_subscription(mode: str | None, verify_token: str | None, challenge: str | None) -> str | None:
    """The challenge to answer Meta's subscription handshake with, or None when the verify token
    is no tenant's (or the request is not a handshake)."""
    if mode != "subscribe" or not verify_token or challenge is None or len(challenge) > SHORT_TEXT_MAX:
        return None
    if len(verify_token) > SHORT_TEXT_MAX or "\x00" in verify_token:  # no setting's; PostgreSQL refuses NUL
        return None
    with db.app_engine().connect() as conn:
        found = conn.execute(
            sa.text("select tenant_id from meta_intake_for(cast(null as text), :token)"), {"token": verify_token}
        ).first()
    return challenge if found else None


def receive_meta(raw: bytes, signature: str | None) -> list[Delivered]:
    """Every leadgen change of a signed delivery, each as a lead (or kept with why it is not one).

    Raises ``BadSignature`` — storing nothing — when the body is not signed with the app secret of
    a page it names; changes of pages whose secret does not verify it are left out."""
    if not signature or not signature.strip().lower().startswith("sha256="):
        raise BadSignature("Sign the body: X-Hub-Signature-256: sha256=<HMAC-SHA256 of the body>.")
    try:
        body = parse_json(raw)
    except ValueError as error:
        raise BadSignature("The signature cannot be checked: the body is not Meta's JSON.") from error
    changes, pages = _leadgen_changes(body)
    settings: dict[str, Setting] = {}
    for page_id in sorted(pages)[:MAX_PAGES]:
        setting = _setting_for_page(page_id)
        if setting is not None and _signed(raw, signature, setting.app_secret):
            settings[page_id] = setting
    if not settings:
        raise BadSignature("The signature does not match the app secret of any page set up here.")
    return [_deliver(settings[page_id], value) for page_id, value in changes if page_id in settings]


def _leadgen_changes(body: Any) -> tuple[list[tuple[str, Any]], set[str]]:
    """(page id, change value) of every leadgen change, and every page the body names."""
    changes: list[tuple[str, Any]] = []
    pages: set[str] = set()
    entries = body.get("entry") if isinstance(body, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        entry_page = _page_id(entry.get("id"))
        if entry_page:
            pages.add(entry_page)
        entry_changes = entry.get("changes")
        for change in entry_changes if isinstance(entry_changes, list) else []:
            if not isinstance(change, dict) or change.get("field") != "leadgen":
                continue
            value = change.get("value")
            page_id = (_page_id(value.get("page_id")) if isinstance(value, dict) else None) or entry_page
            if page_id:
                pages.add(page_id)
                changes.append((page_id, value))
    return changes, pages


def _page_id(value: Any) -> str | None:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    return value if isinstance(value, str) and ID_PATTERN.fullmatch(value) else None


def _signed(raw: bytes, signature: str, app_secret: str) -> bool:
    expected = "sha256=" + hmac.new(app_secret.encode(), raw, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode())


_SETTING = """
    select tenant_id, intake_setting_id, meta_page_id, source, subsource, user_id, meta_graph_url,
        meta_app_secret, meta_access_token
    from intake_settings
    where channel = 'meta' and meta_page_id = :page_id
"""


def _setting_for_page(page_id: str) -> Setting | None:
    """The page's setting in whichever tenant set it up, or None."""
    with db.app_engine().connect() as conn:
        found = conn.execute(
            sa.text("select tenant_id from meta_intake_for(:page_id, cast(null as text))"), {"page_id": page_id}
        ).first()
    if found is None:
        _log.info("Meta delivery for page %s, which no tenant set up", page_id)
        return None
    return setting_in(found.tenant_id, page_id)


def setting_in(tenant_id: int, page_id: str) -> Setting | None:
    """The tenant's setting for the page, or None."""
    with db.tenant_transaction(tenant_id) as conn:
        row = conn.execute(sa.text(_SETTING), {"page_id": page_id}).one_or_none()
    if row is None:
        return None
    return Setting(
        tenant_id=row.tenant_id,
        intake_setting_id=row.intake_setting_id,
        page_id=row.meta_page_id,
        source=row.source,
        subsource=row.subsource,
        user_id=row.user_id,
        graph_url=(row.meta_graph_url or DEFAULT_GRAPH_URL).rstrip("/"),
        app_secret=row.meta_app_secret,
        access_token=row.meta_access_token,
    )


def _deliver(setting: Setting, value: Any) -> Delivered:
    attempt = read_change(setting, value)
    leadgen_id = attempt.fields.get("external_ref")
    if attempt.problems:
        _keep(setting, attempt, attempt.problems)
        return Delivered(leadgen_id, "rejected", errors=attempt.problems)
    try:
        received = receive_lead(
            setting.tenant_id, setting.user_id, attempt.fields, channel="meta", payload=attempt.kept
        )
    except ValidationError as error:
        if "user" in error.errors:
            # receive_lead keeps nothing when its caller may not add leads; Meta sends a lead
            # once, so it is kept here, to be processed again once the setting names a live key.
            errors = {
                "user": "This page's leads are added as an account that may not add leads (a revoked key?); "
                "choose a live intake key for the page under Integrations, then process this again."
            }
            _keep(setting, attempt, errors)
            return Delivered(leadgen_id, "rejected", errors=errors)
        return Delivered(leadgen_id, "rejected", errors=error.errors)  # receive_lead kept it
    outcome = "replayed" if received.is_replay else received.status
    return Delivered(leadgen_id, outcome, lead_id=received.lead_id)


def _keep(setting: Setting, attempt: Attempt, errors: Mapping[str, str]) -> None:
    log_rejection(setting.tenant_id, channel="meta", fields=attempt.fields, payload=attempt.kept, errors=errors)


def read_change(setting: Setting, value: Any) -> Attempt:
    """A leadgen change as ``receive_lead``'s fields, its answers fetched from the Graph API when
    the change does not carry them."""
    if not isinstance(value, dict):
        return Attempt(_address(setting), {"value": value}, {"value": "Meta's leadgen change holds no lead."})
    kept = {**value, "page_id": setting.page_id}
    leadgen_id = _page_id(value.get("leadgen_id"))
    if leadgen_id is None:
        return Attempt(_address(setting), kept, {"leadgen_id": "Meta's leadgen change names no lead (leadgen_id)."})
    fields = {**_address(setting), "external_ref": leadgen_id}
    field_data, created_time = value.get("field_data"), value.get("created_time")
    if not isinstance(field_data, list):
        fetched, problem = fetch_lead(setting, leadgen_id)
        if problem is not None:
            return Attempt(fields, kept, {"field_data": problem})
        field_data = fetched.get("field_data")
        created_time = created_time if created_time is not None else fetched.get("created_time")
        kept["field_data"] = field_data  # so that processing it again needs no second fetch
        if created_time is not None:
            kept["created_time"] = created_time
    return Attempt({**fields, **answers(field_data), "generated_at": _moment(created_time)}, kept)


def _address(setting: Setting) -> dict[str, Any]:
    return {"source": setting.source, "subsource": setting.subsource}


def answers(field_data: list[Any]) -> dict[str, str]:
    """Meta's ``field_data`` (``[{"name": "full_name", "values": ["Asha Rao"]}, …]``) as a
    lead's name, phone and email, and every other answer in its notes."""
    given: dict[str, str] = {}
    for item in field_data:
        if not isinstance(item, dict) or not isinstance(item.get("name"), str):
            continue
        values = item.get("values")
        values = values if isinstance(values, list) else [values]
        given[item["name"]] = ", ".join(str(part) for part in values if isinstance(part, str | int | float)).strip()
    fields = {lead_field: given.pop(question, "") for question, lead_field in META_FIELDS.items()}
    if not fields["name"]:
        fields["name"] = " ".join(given.pop(part, "") for part in ("first_name", "last_name")).strip()
    notes = "\n".join(f"{question}: {answer}" for question, answer in given.items() if answer)
    fields["notes"] = notes[:NOTES_MAX]  # the answers are kept whole in the payload
    return {lead_field: text for lead_field, text in fields.items() if text}


def _moment(value: Any) -> Any:
    """Meta's created_time: a Unix time in a webhook, ISO 8601 text from the Graph API (which
    ``receive_lead`` reads itself, or refuses in words)."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return dt.datetime.fromtimestamp(value, dt.UTC)
        except (OverflowError, OSError, ValueError):
            return str(value)
    return value


def fetch_lead(setting: Setting, leadgen_id: str) -> tuple[dict[str, Any], str | None]:
    """The lead Meta holds (``{"id", "created_time", "field_data"}``) from the Graph API, or why it
    could not be had; the reason never holds the address (it carries the access token)."""
    if not setting.access_token:
        return {}, "The change holds no answers, and no access token to fetch them is set up under Integrations."
    query = urllib.parse.urlencode({"access_token": setting.access_token})
    url = f"{setting.graph_url}/{urllib.parse.quote(leadgen_id, safe='')}?{query}"
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    unreachable = "Could not fetch the lead from Meta's Graph API"
    try:
        with urllib.request.urlopen(request, timeout=GRAPH_TIMEOUT_SECONDS) as response:
            answer = response.read(GRAPH_MAX_BYTES + 1)
    except urllib.error.HTTPError as error:
        error.close()
        return {}, f"{unreachable}: it answered HTTP {error.code}."
    except TimeoutError:
        return {}, f"{unreachable}: no answer within {GRAPH_TIMEOUT_SECONDS} s."
    except urllib.error.URLError as error:
        if isinstance(error.reason, TimeoutError):
            return {}, f"{unreachable}: no answer within {GRAPH_TIMEOUT_SECONDS} s."
        reason = error.reason if isinstance(error.reason, str) else type(error.reason).__name__
        return {}, f"{unreachable}: {reason[:100]}."
    except (OSError, ValueError, http.client.HTTPException) as error:
        # ValueError is a malformed address, whose message would hold the token: only the kind is said.
        return {}, f"{unreachable}: {type(error).__name__}."
    if len(answer) > GRAPH_MAX_BYTES:
        return {}, f"{unreachable}: its answer is larger than {GRAPH_MAX_BYTES:,} bytes."
    try:
        lead = parse_json(answer)
    except ValueError:
        return {}, f"{unreachable}: its answer is not JSON."
    if not isinstance(lead, dict) or not isinstance(lead.get("field_data"), list):
        return {}, f"{unreachable}: its answer holds no field_data."
    return lead, None
