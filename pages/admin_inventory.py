"""Inventory (admins): projects, towers and units; change prices and block units with an expiry."""

import datetime as dt

import streamlit as st

from data import reports
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import SETTABLE_UNIT_STATUSES, UNIT_TYPES, label, labeller
from data.writes import catalog
from ui import forms, session, tables
from ui.text import md

st.title("Inventory setup")
forms.show_flash()
admin = session.current_user()
projects = reports.filter_options(admin.tenant_id).projects
towers = reports.list_towers(admin.tenant_id)
project_labels = {int(r.project_id): r.name for r in projects.itertuples()}
tower_labels = {int(r.tower_id): f"{r.project_name} · {r.tower_name}" for r in towers.itertuples()}

units_tab, unit_tab, project_tab = st.tabs(["Units", "Add a unit", "Projects and towers"])
with units_tab:
    project_id = st.selectbox(
        "Project",
        [None, *project_labels],
        key="inventory-project",
        format_func=lambda value: "All projects" if value is None else project_labels[value],
    )
    units = reports.list_units(admin.tenant_id, project_id)
    tables.show_table(
        units,
        {
            "project_name": ("Project", "text"),
            "tower_name": ("Tower", "text"),
            "floor": ("Floor", "count"),
            "unit_number": ("Unit", "text"),
            "unit_type": ("Type", "code:unit_type"),
            "carpet_area_sqft": ("Sq ft", "count"),
            "list_price": ("List price", "inr"),
            "status": ("Status", "code:unit_status"),
            "hold_expires_at": ("Held until", "moment"),
        },
        "units",
        key="units",
        height=350,
    )
    unit_labels = {
        int(r.unit_id): f"{r.project_name} · {r.tower_name} · {r.unit_number} ({label('unit_status', r.status)})"
        for r in units.itertuples()
    }
    with st.form("change-unit"):
        unit_id = st.selectbox("Unit", list(unit_labels), format_func=unit_labels.get, key="change-unit-id")
        left, middle, right = st.columns(3)
        price = left.text_input("List price (₹)", max_chars=SHORT_TEXT_MAX, key="change-unit-price")
        status = middle.selectbox(
            "Status", SETTABLE_UNIT_STATUSES, format_func=labeller("unit_status"), key="change-unit-status"
        )
        hold_days = right.number_input(
            "Hold for days (when blocked)", min_value=1, max_value=90, value=7, key="change-unit-hold"
        )
        if st.form_submit_button("Save unit", type="primary") and unit_id is not None:
            expires = dt.datetime.now(dt.UTC) + dt.timedelta(days=int(hold_days)) if status == "blocked" else None
            try:
                catalog.update_unit(
                    admin.tenant_id, admin.user_id, unit_id, list_price=price, status=status, hold_expires_at=expires
                )
                forms.succeeded(f"Saved {md(unit_labels[unit_id])}.")
            except ValidationError as error:
                forms.show_errors(error)
with unit_tab, st.form("add-unit", clear_on_submit=True):
    tower_id = st.selectbox("Tower", list(tower_labels), format_func=tower_labels.get, key="unit-tower")
    left, middle, right = st.columns(3)
    floor = left.number_input("Floor", min_value=-5, max_value=200, value=1, key="unit-floor")
    number = middle.text_input("Unit number", max_chars=SHORT_TEXT_MAX, key="unit-number")
    unit_type = right.selectbox("Type", UNIT_TYPES, index=2, format_func=labeller("unit_type"), key="unit-type")
    area = left.text_input("Carpet area (sq ft)", max_chars=SHORT_TEXT_MAX, key="unit-area")
    list_price = middle.text_input("List price (₹)", max_chars=SHORT_TEXT_MAX, key="unit-price")
    if st.form_submit_button("Add unit", type="primary"):
        try:
            catalog.add_unit(
                admin.tenant_id,
                admin.user_id,
                tower_id=tower_id,
                floor=floor,
                unit_number=number,
                unit_type=unit_type,
                carpet_area_sqft=area,
                list_price=list_price,
            )
            forms.succeeded(f"Added unit {md(number.strip())}.")
        except ValidationError as error:
            forms.show_errors(error)
with project_tab:
    left, right = st.columns(2)
    with left.form("add-project", clear_on_submit=True):
        name = st.text_input("Project name", max_chars=NAME_MAX, key="project-name")
        city = st.text_input("City", max_chars=SHORT_TEXT_MAX, key="project-city")
        locality = st.text_input("Locality", max_chars=SHORT_TEXT_MAX, key="project-locality")
        if st.form_submit_button("Add project", type="primary"):
            try:
                catalog.add_project(admin.tenant_id, admin.user_id, name, city, locality)
                forms.succeeded(f"Added {md(name.strip())}.")
            except ValidationError as error:
                forms.show_errors(error)
    with right.form("add-tower", clear_on_submit=True):
        tower_project = st.selectbox(
            "Project", list(project_labels), format_func=project_labels.get, key="tower-project"
        )
        tower_name = st.text_input("Tower or phase", max_chars=NAME_MAX, key="tower-name")
        if st.form_submit_button("Add tower", type="primary") and tower_project is not None:
            try:
                catalog.add_tower(admin.tenant_id, admin.user_id, tower_project, tower_name)
                forms.succeeded(f"Added {md(tower_name.strip())} to {md(project_labels[tower_project])}.")
            except ValidationError as error:
                forms.show_errors(error)
