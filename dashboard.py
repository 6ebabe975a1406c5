"""Leadline's entry point: page config, the database and tenant, and the navigation. Routing only."""

import streamlit as st

from ui import session

st.set_page_config(page_title="Leadline", page_icon="🏢", layout="wide")
session.prepared_database()
session.resolve_tenant()

navigation = st.navigation([st.Page("pages/overview.py", title="Overview", icon="📊", default=True)])
navigation.run()
