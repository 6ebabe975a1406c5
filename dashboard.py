"""Leadline's entry point. Routing only: the HTTP API under /api, the dashboard's pages at /.

``streamlit run dashboard.py`` finds the ``st.App`` below and serves it with uvicorn: one process
and one port for both (issue 14). Uvicorn imports this file as the module ``dashboard`` and takes
``app``; Streamlit then runs the same file as ``__main__`` for every browser session, which routes
to the signed-in role's page.
"""

import streamlit as st

if __name__ != "__main__":
    from api.app import lifespan, mounted

    app = st.App(__file__, routes=[mounted("/api")], lifespan=lifespan)
else:
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
        navigation.no_menu()
        st.stop()

    st.session_state["user"] = user
    phone.fit_phones()
    page = navigation.choose_page(user.role)
    sign_in.write_pending_cookie(authenticator)
    page.run()
