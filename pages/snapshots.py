"""Snapshots: every reporting view as a CSV named for what it holds, in one ZIP, as filtered or whole,
with a manifest."""

import streamlit as st

from data.domain.validation import ValidationError
from data.exports import snapshot
from ui import filter_bar, forms, session

st.title("Snapshots")
scope = session.current_scope()
filters = filter_bar.filter_bar(scope, "snapshot")
st.write(
    "One ZIP with a CSV of every reporting view, ready for a spreadsheet: names beside ids, Yes/No, "
    "percentages, times in India time, and a `manifest.json` saying what each file holds, which filters "
    "it applied and which it could not. The same file comes from "
    "`python -m data snapshot --tenant SLUG --out DIR` for scheduled exports."
)
rows = st.radio("Rows", ["As filtered in the sidebar", "Whole history"], horizontal=True, key="snapshot-scope")
if st.button("Prepare snapshot", type="primary", key="snapshot-build"):
    if "snapshot" in st.session_state:
        snapshot.discard(st.session_state.pop("snapshot"))
    try:
        built = snapshot.build_snapshot(
            scope.tenant_id,
            session.current_user().user_id,
            session.current_tenant_slug(),
            filters if rows.startswith("As filtered") else None,
        )
    except ValidationError as error:
        forms.show_errors(error)
        st.stop()
    st.session_state["snapshot"] = built
built = st.session_state.get("snapshot")
if built is not None:
    st.download_button(
        f"Download {built.filename}",
        # Read from disk only when clicked: the page does not hold the ZIP between reruns.
        built.path.read_bytes,
        file_name=built.filename,
        mime="application/zip",
        icon=":material/download:",
        on_click="ignore",
        key="snapshot-download",
    )
    st.caption(", ".join(f"{item['file']}: {item['rows']:,} rows" for item in built.manifest["files"]))
    skipped = snapshot.filters_not_applied(built.manifest)
    if skipped:
        with st.expander("Filters some files cannot take"):
            st.text("\n".join(skipped))
