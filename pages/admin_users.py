"""Users (admins): who can sign in, with which role; create, change role, deactivate, reset password."""

import streamlit as st

from data import reports
from data.domain.rules import NAME_MAX, SHORT_TEXT_MAX
from data.domain.validation import ValidationError
from data.domain.vocabulary import ROLES, label, labeller
from data.writes import auth
from ui import forms, session, tables
from ui.text import md

st.title("Users")
forms.show_flash()
admin = session.current_user()
users = reports.list_users(admin.tenant_id)
tables.show_table(
    users,
    {
        "username": ("Username", "text"),
        "display_name": ("Name", "text"),
        "role": ("Role", "code:role"),
        "is_active": ("Active", "yes_no"),
        "locked_until": ("Locked until", "moment"),
        "last_signed_in_at": ("Last sign-in", "moment"),
    },
    "users",
    key="users",
)


st.subheader("Add a user")
with st.form("add-user", clear_on_submit=True):
    username = st.text_input("Username", max_chars=SHORT_TEXT_MAX, key="new-username")
    display_name = st.text_input("Name", max_chars=NAME_MAX, key="new-display-name")
    role = st.selectbox("Role", ROLES, format_func=labeller("role"), key="new-role")
    password = st.text_input(
        "Password", type="password", key="new-password", help=f"At least {auth.MIN_PASSWORD_LENGTH} characters."
    )
    if st.form_submit_button("Add user", type="primary"):
        try:
            created = auth.create_user(admin.tenant_id, username, display_name, role, password, admin.user_id)
            forms.succeeded(f"Added {md(created.display_name)} ({label('role', created.role)}).")
        except ValidationError as error:
            forms.show_errors(error)

st.subheader("Change a user")
labels = {
    int(row.user_id): f"{row.display_name} ({row.username}, {label('role', row.role)})" for row in users.itertuples()
}
user_id = st.selectbox("User", list(labels), format_func=labels.get, key="change-user")
action = st.radio(
    "Change", ["Role", "Deactivate", "Reactivate", "Reset password"], horizontal=True, key="change-action"
)
with st.form("change-user-form", clear_on_submit=True):
    new_role = (
        st.selectbox("New role", ROLES, format_func=labeller("role"), key="change-role") if action == "Role" else None
    )
    new_password = (
        st.text_input("New password", type="password", key="change-password") if action == "Reset password" else None
    )
    if st.form_submit_button("Apply", type="primary"):
        try:
            if action == "Role":
                auth.set_role(admin.tenant_id, user_id, new_role, admin.user_id)
            elif action == "Reset password":
                auth.change_password(admin.tenant_id, user_id, new_password, admin.user_id)
            else:
                auth.set_active(admin.tenant_id, user_id, action == "Reactivate", admin.user_id)
            forms.succeeded(f"Done: {action.lower()} for {md(labels[user_id])}. Their open sessions have ended.")
        except ValidationError as error:
            forms.show_errors(error)
