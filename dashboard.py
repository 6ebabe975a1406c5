"""Leadline's entry point: page config, the database and tenant, and the navigation. Routing only."""

import streamlit as st

from ui import session

st.set_page_config(page_title="Leadline", page_icon="🏢", layout="wide")
session.prepared_database()
session.resolve_tenant()

pages = {
    "Analysis": [
        st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
        st.Page("pages/funnel.py", title="Funnel", icon=":material/filter_alt:"),
        st.Page("pages/sources.py", title="Sources", icon=":material/hub:"),
        st.Page("pages/campaigns.py", title="Campaigns", icon=":material/campaign:"),
        st.Page("pages/bookings.py", title="Bookings & inventory", icon=":material/apartment:"),
    ],
    "Customers and leads": [
        st.Page("pages/ledger.py", title="Customer ledger", icon=":material/account_balance:"),
        st.Page("pages/timeline.py", title="Lead timeline", icon=":material/timeline:"),
    ],
    "Exports": [st.Page("pages/snapshots.py", title="Snapshots", icon=":material/folder_zip:")],
}
st.navigation(pages).run()
