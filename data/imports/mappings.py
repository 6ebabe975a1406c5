"""Saved column mappings: how a source's export (a portal's, an old CRM's) names the canonical
columns of an import kind, so that its next file maps in one click."""

from __future__ import annotations

import json

import sqlalchemy as sa

from data import db
from data.domain.permissions import Action, authorise
from data.domain.rules import NAME_MAX, check_text, control_character
from data.domain.validation import require
from data.imports.kinds import KINDS
from data.imports.source import MAX_CELL_CHARS
from data.writes import audit


def saved_mappings(tenant_id: int, kind: str) -> dict[str, dict[str, str]]:
    """The tenant's saved mappings for a kind: name → {canonical column: the file's heading}."""
    with db.tenant_transaction(tenant_id) as conn:
        rows = conn.execute(
            sa.text("select name, columns from import_mappings where kind = :kind order by name"), {"kind": kind}
        ).all()
    return {row.name: row.columns for row in rows}


def save_mapping(tenant_id: int, user_id: int, kind: str, name: str, columns: dict[str, str]) -> None:
    """Save (or replace) a named mapping for a kind."""
    errors: dict[str, str] = {}
    name = check_text(name, "name", errors, max_length=NAME_MAX, label="mapping's name")
    if name is None and "name" not in errors:
        errors["name"] = "Name the mapping, e.g. after the portal whose exports it reads."
    if kind not in KINDS:
        errors["kind"] = "Choose what the file holds."
    elif unknown := set(columns) - set(KINDS[kind].names):
        errors["columns"] = f"Not columns of {kind}: {', '.join(sorted(unknown))}."
    elif any(not isinstance(heading, str) or len(heading) > MAX_CELL_CHARS for heading in columns.values()):
        errors["columns"] = f"Give each column's heading as text of up to {MAX_CELL_CHARS:,} characters."
    elif any(control_character(heading, multiline=True) for heading in columns.values()):
        # The file's own headings are refused with such a character, so no file could match it.
        errors["columns"] = "A heading holds an invisible control character; choose the file's headings again."
    require(errors)
    with db.tenant_transaction(tenant_id) as conn:
        authorise(conn, user_id, Action.IMPORT_MAPPING)
        conn.execute(
            sa.text(
                """
                insert into import_mappings (tenant_id, name, kind, columns, created_by)
                values (:tenant_id, :name, :kind, cast(:columns as jsonb), :user_id)
                on conflict (tenant_id, kind, name) do update set columns = excluded.columns
                """
            ),
            {"tenant_id": tenant_id, "name": name, "kind": kind, "columns": json.dumps(columns), "user_id": user_id},
        )
        audit.record(
            conn,
            tenant_id=tenant_id,
            user_id=user_id,
            action="import.mapping_saved",
            table_name="import_mappings",
            row_key={"kind": kind, "name": name},
            after=columns,
        )
