"""Leadline's entry point: page config, database, sign-in and the role's navigation. Routing only."""

import streamlit as st

from ui import navigation, phone, session, sign_in

st.set_page_config(page_title="Leadline", page_icon="🏢", layout="wide")
session.prepared_database()
tenant_id = session.resolve_tenant()

authenticator = sign_in.authenticator(tenant_id)
user = sign_in.signed_in_user(authenticator, tenant_id)
if user is not None and sign_in.signed_out(authenticator, user):
    user = None
if user is None:
    user = sign_in.sign_in_form(authenticator, tenant_id)
if user is None:
    st.stop()

st.session_state["user"] = user
phone.fit_phones()
page = navigation.choose_page(user.role)
sign_in.write_pending_cookie(authenticator)
page.run()
