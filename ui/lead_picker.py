"""Finding the lead a page is about: by name or phone, or straight from ``?lead=<id>`` in the URL
(the follow-up list, a saved form's timeline link, a shared link)."""

from __future__ import annotations

import streamlit as st

from data import reports
from data.db import Scope


def _wanted_lead() -> int | None:
    wanted = st.query_params.get("lead", "")
    return int(wanted) if wanted.isdigit() else None


def pick_lead(scope: Scope, key: str = "lead", *, choose_first: bool = False) -> int | None:
    """The chosen lead's id, or None. Forms pass ``choose_first=False`` so that a search with
    several results never silently picks one to write on."""
    wanted = _wanted_lead()
    query = st.text_input("Find a lead by name or phone", key=f"{key}-search", placeholder="e.g. Sharma or 98765 43210")
    found = reports.search_leads(scope, query)
    labels = {
        int(row.lead_id): f"{row.name} · {row.phone} · {row.project_name or 'no project'} · {row.status}"
        for row in found.itertuples()
    }
    if wanted is not None and wanted not in labels:
        lead = reports.lead_timeline(scope, wanted).lead
        if not lead.empty:
            row = lead.iloc[0]
            labels = {wanted: f"{row['name']} · {row['phone']} · {row['project_name'] or 'no project'}", **labels}
    if not labels:
        if query:
            st.info("No lead matches. Try part of the name, or the last digits of the phone.")
        return None
    options = list(labels)
    index = options.index(wanted) if wanted in labels else 0 if choose_first or len(options) == 1 else None
    lead_id = st.selectbox(
        "Lead", options, format_func=labels.get, index=index, placeholder="Choose the lead", key=f"{key}-pick"
    )
    if lead_id is not None and lead_id != wanted:
        st.query_params["lead"] = str(lead_id)
    return lead_id
