"""My profile (everyone): the e-mail address the digests go to, which digests to get (those the
role may), and a preview of each digest as it would be sent now."""

import streamlit as st

from data import digests
from data.domain.filters import today_in_india
from data.domain.validation import ValidationError
from data.domain.vocabulary import WEEKLY_DIGEST_KINDS, label
from data.writes.digests import EMAIL_MAX, save_digest_choices
from ui import forms, session

st.title("My profile")
forms.show_flash()
user = session.current_user()
me = digests.recipient(user.tenant_id, user.user_id)
offered = digests.kinds_for_role(user.role)

st.subheader("Digests by e-mail")
st.caption(
    "Morning digests come each day at the time your administrator set; the Monday digest on Mondays. "
    "Each says what it covers, its period and when it was read."
)
with st.form("digest-choices"):
    email = st.text_input("E-mail address", value=me.email or "", max_chars=EMAIL_MAX, key="profile-email")
    ticked = [
        kind
        for kind in offered
        if st.checkbox(label("digest_kind", kind), value=kind in me.kinds, key=f"profile-digest-{kind}")
    ]
    if st.form_submit_button("Save", type="primary"):
        try:
            saved = save_digest_choices(user.tenant_id, user.user_id, email=email, kinds=ticked)
            forms.succeeded(f"Saved: {len(saved)} of {len(offered)} digests on." if saved else "Saved: no digests.")
        except ValidationError as error:
            forms.show_errors(error, {"email": "E-mail address", "kinds": "Digests"})

st.subheader("Preview")
kind = st.selectbox("Digest", offered, format_func=lambda code: label("digest_kind", code), key="profile-preview")
today = today_in_india()
if kind in WEEKLY_DIGEST_KINDS and not digests.is_due(kind, today):
    st.caption("Sent on Mondays; this is what it would say if today were one.")
preview = digests.build_digest(me, kind, today, with_attachments=False)
st.caption(f"Subject: {preview.subject}")
# The plain-text body in a code block: names show exactly as typed, never as Markdown or HTML.
st.code(preview.text, language=None, wrap_lines=True)
