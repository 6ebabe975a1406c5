"""Import: bring a customer's history in from CSV or XLSX — map the file's columns (or pick a
saved mapping), preview with the problems marked, dry run, import, and download the rejected rows."""

import tempfile
from pathlib import Path

import streamlit as st

from data import imports
from data.domain.validation import ValidationError
from data.domain.vocabulary import label, labeller
from data.imports import mappings
from ui import forms, session
from ui.text import md, md_line

NOT_IN_FILE = "— not in the file —"
BY_NAME = "Match columns by name"

st.title("Import")
forms.show_flash()
user = session.current_user()
kind_name = st.selectbox(
    "What the file holds", list(imports.KINDS), format_func=labeller("import_kind"), key="import-kind"
)
kind = imports.KINDS[kind_name]
st.caption(
    f"{kind.description} Import in this order: {', '.join(label('import_kind', k).lower() for k in imports.KINDS)}. "
    "Columns marked * are required; formats are in docs/import.md."
)
upload = st.file_uploader("CSV (UTF-8) or XLSX file", type=["csv", "xlsx"], key="import-file")
if upload is None:
    st.stop()

# The import reads a file row by row; keep the upload as one for this session.
stored = st.session_state.get("import-file-copy")
if stored is None or stored[0] != upload.file_id:
    if stored is not None:
        Path(stored[1]).unlink(missing_ok=True)
    with tempfile.NamedTemporaryFile(suffix=Path(upload.name).suffix, delete=False) as handle:
        handle.write(upload.getbuffer())
    stored = st.session_state["import-file-copy"] = (upload.file_id, handle.name)
path = Path(stored[1])
try:
    headers = imports.file_headers(path)
except imports.FileProblem as problem:
    # The message quotes the file's own headers or name: user text.
    st.error(f"{md(problem)} Nothing was imported.")
    st.stop()

saved = mappings.saved_mappings(user.tenant_id, kind_name)
chosen = st.selectbox("Column mapping", [BY_NAME, *saved], key=f"import-mapping-{kind_name}")
base = saved.get(chosen, {})
mapping: dict[str, str] = {}
with st.expander("Which column of the file is which", expanded=chosen == BY_NAME):
    by_name = {imports.header_name(header): header for header in headers}
    for column in kind.columns:
        guess = base.get(column.name) or by_name.get(column.name)
        options = [NOT_IN_FILE, *headers]
        picked = st.selectbox(
            md(f"{column.name}{' *' if column.required else ''}"),
            options,
            index=options.index(guess) if guess in options else 0,
            key=f"map-{kind_name}-{chosen}-{column.name}",
        )
        if picked != NOT_IN_FILE:
            mapping[column.name] = picked
    name_column, button_column = st.columns([3, 1], vertical_alignment="bottom")
    mapping_name = name_column.text_input(
        "Save this mapping as", placeholder="e.g. 99acres export", key="import-mapping-name"
    )
    if button_column.button("Save mapping", key="import-save-mapping"):
        try:
            mappings.save_mapping(user.tenant_id, user.user_id, kind_name, mapping_name, mapping)
        except ValidationError as error:
            forms.show_errors(error)
        else:
            forms.succeeded(f"Saved the mapping '{md_line(mapping_name, 80)}'.")

try:
    shown = imports.preview(kind_name, path, mapping)
except imports.FileProblem as problem:
    st.error(f"{md(problem)} Map the missing columns above.")
    st.stop()
st.subheader("First rows")
st.caption("Rows with problems are marked; checks against what Leadline already holds come with the dry run.")
st.dataframe(
    shown.style.apply(lambda row: ["background-color: #fdecea" if row["problems"] else "" for _ in row], axis=1),
    hide_index=True,
)

dry_column, import_column = st.columns(2)
dry_run = dry_column.button("Dry run", key="import-dry-run", width="stretch")
do_import = import_column.button("Import", key="import-run", type="primary", width="stretch")
if dry_run or do_import:
    try:
        with st.spinner("Reading the file…"):
            st.session_state["import-result"] = imports.import_file(
                user.tenant_id, user.user_id, kind_name, path, mapping=mapping, dry_run=dry_run
            )
    except imports.ImportRefused as refused:  # unusable file, another import running, lost connection
        st.session_state.pop("import-result", None)
        st.error(md(refused.message()), icon=":material/error:")


def _summary(result: imports.ImportResult) -> str:
    """What the import did, as ``ImportResult.summary`` says it, with the file's names escaped."""
    verb = "would create" if result.is_dry_run else "created"
    text = (
        f"{label('import_kind', result.kind).lower()}: {result.rows_read} rows read, {verb} {result.created}, "
        f"{result.unchanged} already there, {len(result.rejected_lines)} rejected"
    )
    if result.created_names:
        text += f"; {verb} " + ", ".join(md_line(name, 80) for name in result.created_names)
    if result.ignored_columns:
        text += "; ignored columns: " + ", ".join(md_line(name, 80) for name in result.ignored_columns)
    return text


result = st.session_state.get("import-result")
if result is not None and result.kind == kind_name:
    prefix = "Dry run, nothing saved: " if result.is_dry_run else ""
    (st.warning if result.problems else st.success)(prefix + _summary(result))
    if result.problems:
        st.dataframe(
            [{"line": p.line, "column": p.column, "reason": p.reason} for p in result.problems],
            hide_index=True,
            key="import-problems",
        )
        st.download_button(
            "Download the rejected rows",
            imports.report_csv(result).encode("utf-8-sig"),
            file_name=f"{kind_name}-rejected.csv",
            mime="text/csv",
            key="import-report",
            on_click="ignore",
        )
