"""A portal's or website's webhook: any flat JSON object or form-encoded body, posted to
``/api/v1/intake/{source}/{subsource}``, turned into a lead by the source's saved field mapping.

The mapping is the import screen's own (an ``import_mappings`` row of kind ``leads``: Leadline's
column → the sender's field name), chosen for a source and subsource by an ``intake_settings``
row of channel ``webhook``. Names are matched as the import matches headings (any case, spaces
or hyphens for underscores); a column the mapping leaves out is looked for under its own name,
and the sender's other fields are kept in the payload but not used. The import's ``lead_ref`` is
the sender's lead id (``external_ref``: a second delivery of it replays the first answer); its
``source``, ``subsource``, ``status`` and ``lost_reason`` do not apply (the address names the
source; a new lead is open). With no mapping the sender's fields are taken by Leadline's own
names, and any other field is refused by name.

Whatever cannot become a lead — a body that is not a flat object, an unknown field, a refused
value — is kept in the intake log with its reasons, to be processed again
(``data.intake.reprocess``) once the mapping is fixed.
"""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from data import db
from data.domain.permissions import Action, authorise
from data.domain.rules import SHORT_TEXT_MAX, check_text
from data.domain.validation import ValidationError
from data.imports.kinds import KINDS
from data.imports.source import header_name
from data.intake.leads import FIELDS, Received, log_rejection, receive_lead

# The lead fields a webhook's body fills, by Leadline's own names (the address gives the source).
LEAD_FIELDS = tuple(field for field in FIELDS if field not in ("source", "subsource"))
# The import column (kind 'leads') a saved mapping names a field by, where it is not the field's own name.
IMPORT_COLUMN = {"external_ref": "lead_ref"}
# Form fields a body may hold (python's default is unlimited); more is not a lead.
MAX_FORM_FIELDS = 1_000
# The key a body that is not a flat object is kept under, as the text received.
RECEIVED = "received"
_SURROGATE = re.compile("[\ud800-\udfff]")
_FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class Body:
    """A webhook's body as read: its fields when it is a flat object, what the log keeps, and
    otherwise why it cannot be a lead."""

    fields: dict[str, Any] | None
    kept: dict[str, Any]
    problem: str | None = None


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number JSON allows")


def parse_json(raw: bytes) -> Any:
    """The JSON value of ``raw`` with no text PostgreSQL would refuse: a lone surrogate (a broken
    "\\ud83d" escape) becomes U+FFFD; NaN, Infinity and numbers too large for a double are refused
    (``ValueError``, as for text that is not JSON at all, or nested deeper than Python reads)."""
    try:
        value = json.loads(raw, parse_constant=_refuse_constant)
        # Once more through text: surrogates replaced in keys and values alike, however deep,
        # and an overflowing number (read as infinity) refused by parse_constant.
        text = _SURROGATE.sub("\ufffd", json.dumps(value, ensure_ascii=False))
        return json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as error:
        raise ValueError("nested too deeply") from error


def read_body(raw: bytes, content_type: str | None) -> Body:
    """The body as a form (``application/x-www-form-urlencoded``) or, whatever else it says it
    is, as JSON."""
    media_type = (content_type or "").split(";")[0].strip().lower()
    return _form_body(raw) if media_type == _FORM else _json_body(raw)


def _not_flat(raw: bytes, problem: str) -> Body:
    return Body(None, {RECEIVED: raw.decode("utf-8", "replace")}, problem)


def _json_body(raw: bytes) -> Body:
    try:
        value = parse_json(raw)
    except ValueError:  # UnicodeDecodeError too: bytes that are not UTF-8
        return _not_flat(raw, "Send a JSON object (Content-Type: application/json) or a form-encoded body.")
    if not isinstance(value, dict):
        return _not_flat(raw, "Send one JSON object of fields, not a list or a single value.")
    nested = sorted(key for key, item in value.items() if isinstance(item, dict | list))
    if nested:
        verb = "holds" if len(nested) == 1 else "hold"
        return _not_flat(raw, f"Send a flat object: {_names(nested)} {verb} more fields.")
    return Body(value, value)


def _form_body(raw: bytes) -> Body:
    try:
        pairs = urllib.parse.parse_qsl(
            raw.decode("utf-8"), keep_blank_values=True, errors="strict", max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:  # not UTF-8, or too many fields
        return _not_flat(raw, f"Send form fields as UTF-8 text, at most {MAX_FORM_FIELDS:,} of them.")
    fields: dict[str, str] = {}
    repeated: set[str] = set()
    for name, value in pairs:
        name, value = _SURROGATE.sub("\ufffd", name), _SURROGATE.sub("\ufffd", value)
        if name in fields:
            repeated.add(name)
        fields[name] = value
    if repeated:
        return _not_flat(raw, f"Send each field once: {_names(sorted(repeated))} came more than once.")
    return Body(fields, fields)


def _label(name: str) -> str:
    """A sender's field name as a message may show it: control characters escaped (the log's
    jsonb refuses a NUL), at most 60 characters."""
    return json.dumps(name, ensure_ascii=False)[1:-1][:60]


def _names(names: list[str]) -> str:
    shown = [_label(name) for name in names[:5]]
    return ", ".join(shown) + (f" and {len(names) - 5} more" if len(names) > 5 else "")


def mapping_for(tenant_id: int, source: str, subsource: str) -> dict[str, str] | None:
    """The saved mapping the source's webhook setting names (Leadline's column → the sender's
    field), or None when the source has no setting or its setting no mapping."""
    with db.tenant_transaction(tenant_id) as conn:
        columns = conn.execute(
            sa.text(
                """
                select import_mappings.columns
                from intake_settings
                inner join import_mappings
                    on import_mappings.tenant_id = intake_settings.tenant_id
                    and import_mappings.import_mapping_id = intake_settings.import_mapping_id
                where intake_settings.channel = 'webhook'
                    and lower(intake_settings.source) = lower(:source)
                    and lower(intake_settings.subsource) = lower(:subsource)
                """
            ),
            {"source": source, "subsource": subsource},
        ).scalar()
    if not isinstance(columns, dict):
        return None
    return {column: heading for column, heading in columns.items() if isinstance(heading, str) and heading.strip()}


def lead_fields(
    body: Mapping[str, Any], columns: Mapping[str, str] | None, source: str, subsource: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields ``receive_lead`` takes, read from a flat body by the mapping (or, with none, by
    Leadline's own names), and a message per field the body gets wrong."""
    keys_by_name: dict[str, list[str]] = {}
    for key in body:
        keys_by_name.setdefault(header_name(key), []).append(key)
    fields: dict[str, Any] = {}
    problems: dict[str, str] = {}
    if columns is None:
        wanted = {field: field for field in LEAD_FIELDS}
        for name, keys in keys_by_name.items():
            if name in ("source", "subsource"):
                address = (source if name == "source" else subsource).strip().lower()
                if any(body[key] not in (None, "") and str(body[key]).strip().lower() != address for key in keys):
                    problems[_label(keys[0])] = (
                        f"This address takes leads of {source} / {subsource}; leave {name} out of the body."
                    )
            elif name not in wanted:
                for key in keys:
                    problems[_label(key)] = (
                        f"Unknown field: {source} / {subsource} has no saved mapping, so fields go by "
                        f"Leadline's names ({', '.join(LEAD_FIELDS)}); an admin can map this sender's "
                        "names under Integrations."
                    )
    else:
        lead_columns = set(KINDS["leads"].names)
        wanted = {}
        for field in LEAD_FIELDS:
            column = IMPORT_COLUMN.get(field, field)
            wanted[field] = (columns.get(column) if column in lead_columns else None) or field
    for field, heading in wanted.items():
        keys = keys_by_name.get(header_name(heading), [])
        if len(keys) > 1:
            problems[field] = f"The body has {_names(keys)}: send the {field.replace('_', ' ')} once."
        elif keys:
            fields[field] = _as_text(body[keys[0]]) if field != "budget" else body[keys[0]]
    fields["source"], fields["subsource"] = source, subsource
    return fields, problems


def _as_text(value: Any) -> Any:
    """A whole number as its digits: portals send phones and lead ids as JSON numbers."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def receive_webhook(
    tenant_id: int,
    user_id: int,
    source: str,
    subsource: str,
    raw: bytes,
    content_type: str | None,
    *,
    idempotency_key: str | None = None,
    api_key_id: int | None = None,
) -> Received:
    """Turn one webhook delivery into a lead (or a re-enquiry, or a replay); a refusal raises
    ``ValidationError`` after keeping the delivery in the intake log with its reasons."""
    body = read_body(raw, content_type)
    address = {"source": source, "subsource": subsource}
    problems: dict[str, str] = {}
    # The address is checked before it is looked up: PostgreSQL refuses a NUL character outright.
    check_text(source, "source", problems, max_length=SHORT_TEXT_MAX, required=True)
    check_text(subsource, "subsource", problems, max_length=SHORT_TEXT_MAX, required=True)
    if body.problem is not None:
        problems["body"] = body.problem
    if problems:
        _refuse(tenant_id, user_id, address, body.kept, problems, api_key_id)
    fields, problems = lead_fields(body.fields or {}, mapping_for(tenant_id, source, subsource), source, subsource)
    if problems:
        _refuse(tenant_id, user_id, address, body.kept, problems, api_key_id)
    return receive_lead(
        tenant_id,
        user_id,
        fields,
        channel="webhook",
        payload=body.kept,
        idempotency_key=idempotency_key,
        api_key_id=api_key_id,
    )


def _refuse(tenant_id, user_id, address, kept, problems, api_key_id) -> None:
    """Keep the delivery with its reasons and refuse it; a caller whose role may not add leads is
    refused without keeping anything (nothing about the delivery is wrong)."""
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.LEAD_CREATE)
    log_rejection(tenant_id, channel="webhook", fields=address, payload=kept, errors=problems, api_key_id=api_key_id)
    raise ValidationError(problems)
