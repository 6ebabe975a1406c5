"""Leadline's entry point. Routing only: the HTTP API under /api, the dashboard's pages at /.

``streamlit run dashboard.py`` finds the ``st.App`` below and serves it with uvicorn: one process
and one port for both (issue 14). Uvicorn imports this file as the module ``dashboard`` and takes
``app``; Streamlit then runs the same file as ``__main__`` for every browser session, which routes
to the signed-in role's page.
"""

import streamlit as st

if __name__ != "__main__":
    from streamlit.runtime.pages_manager import PagesManager

    from api.app import lifespan, mounted

    # The router (st.navigation) decides the pages from the first run on. Until it had run once,
    # Streamlit took pages/ for an old-style page folder: it listed the files on the sign-in page
    # and ran a page named in the address by itself, before anyone had signed in.
    PagesManager.uses_pages_directory = False

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
