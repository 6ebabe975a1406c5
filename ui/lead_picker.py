"""Finding the lead a page is about: by name or phone, or straight from ``?lead=<id>`` in the URL
(the follow-up list, a saved form's timeline link, a shared link).

The chosen lead is always one of the answers to the search text on screen. The list of answers
is a new widget for each search text (its key carries the text's digest), so typing a new search
drops any earlier choice, in the browser as well as on the server, and a form can never write on
a lead chosen for an earlier search. A ``?lead=`` link selects its lead only while the search box
is empty; searching drops it from the URL.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from data import reports
from data.db import Scope
from data.domain import vocabulary as labels
from data.domain.rules import SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from ui.text import md, md_line, shorten

NO_PROJECT = "no project"
NO_OWNER = "no owner"


@dataclass(frozen=True)
class ChosenLead:
    """The lead a form will write on, as the person sees it."""

    lead_id: int
    name: str
    phone: str
    project_name: str | None
    owner_name: str | None
    status: str | None

    @property
    def option_label(self) -> str:
        """One line for the picker's list (plain text: option lists render no Markdown)."""
        # What tells namesakes apart comes first: a phone's list cuts the end of a long line.
        status = [labels.label("lead_status", self.status)] if self.status else []
        place = [self.project_name or NO_PROJECT, self.owner_name or NO_OWNER]
        return " · ".join([shorten(self.name, 60), *status, self.phone, *place])


def _linked_lead() -> int | None:
    wanted = st.query_params.get("lead", "")
    return int(wanted) if wanted.isdigit() else None


def _forget_link() -> None:
    """A new search replaces whatever a link chose."""
    if "lead" in st.query_params:
        del st.query_params["lead"]


def _leads(frame: pd.DataFrame) -> dict[int, ChosenLead]:
    def text(value) -> str | None:
        return None if value is None or pd.isna(value) else str(value)

    return {
        int(row.lead_id): ChosenLead(
            lead_id=int(row.lead_id),
            name=str(row.name),
            phone=str(row.phone),
            project_name=text(row.project_name),
            owner_name=text(row.owner_name),
            status=text(getattr(row, "status", None)),
        )
        for row in frame.itertuples()
    }


def _answers(scope: Scope, query: str, linked: int | None) -> dict[int, ChosenLead] | None:
    """The leads to choose from: the search's answers, or the linked lead while nothing is typed."""
    if query.strip():
        try:
            return _leads(reports.search_leads(scope, query))
        except ValidationError as error:
            st.error(md(" ".join(error.errors.values())), icon=":material/error:")
            return None
    if linked is not None:
        return _leads(reports.lead_timeline(scope, linked).lead)
    return {}


def pick(scope: Scope, key: str = "lead", *, choose_first: bool = False) -> ChosenLead | None:
    """The chosen lead, or None. Forms leave ``choose_first`` off, so that nothing is chosen for
    the person: a search with one answer still waits for them to pick it."""
    query = st.text_input(
        "Find a lead by name or phone",
        key=f"{key}-search",
        placeholder="e.g. Sharma or 98765 43210",
        max_chars=SHORT_TEXT_MAX,
        on_change=_forget_link,
    )
    linked = None if query.strip() else _linked_lead()
    found = _answers(scope, query, linked)
    if not found:
        if query.strip() and found is not None:
            st.info("No lead matches. Try part of the name, or the last digits of the phone.")
        return None
    options = list(found)
    digest = hashlib.sha1(query.strip().casefold().encode()).hexdigest()[:10]
    preselect = linked is not None or choose_first
    lead_id = st.selectbox(
        "Lead",
        options,
        format_func=lambda lead_id: found[lead_id].option_label,
        index=0 if preselect else None,
        placeholder=f"Choose the lead ({len(options)} found)",
        key=f"{key}-pick-{digest}-{linked or ''}",
    )
    if lead_id is None:
        return None
    if query.strip() and st.query_params.get("lead") != str(lead_id):
        st.query_params["lead"] = str(lead_id)
    return found[lead_id]


def pick_lead(scope: Scope, key: str = "lead", *, choose_first: bool = False) -> int | None:
    """The chosen lead's id, or None (see ``pick``)."""
    lead = pick(scope, key, choose_first=choose_first)
    return None if lead is None else lead.lead_id


def show_chosen(lead: ChosenLead | None) -> None:
    """The lead a form will write on, right above its Save button: name, phone, project, owner."""
    with st.container(border=True):
        if lead is None:
            st.caption("No lead chosen yet: find it above, then choose it from the list.")
            return
        st.markdown(f"**{md_line(lead.name, 80)}**", help=md(lead.name) if len(lead.name) > 80 else None)
        st.caption(
            " · ".join(md(part) for part in (lead.phone, lead.project_name or NO_PROJECT, lead.owner_name or NO_OWNER))
        )


def save_label(action: str, lead: ChosenLead | None) -> str:
    """The Save button's words, naming the lead: "Save visit for Manish Bhat" (button labels are
    Markdown, so the name is escaped)."""
    return action if lead is None else f"{action} for {md_line(lead.name, 40)}"
