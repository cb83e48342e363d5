"""Sign-in and roles for the UI, when a users file is configured (see `workbench.accounts`).

`require_sign_in()` runs in app.py before any page: with a users file it shows
the sign-in form until a name and password match, then keeps the account in
`st.session_state["auth_account"]` and makes it the reviewer name recorded in
the history. Pages ask `can(action)` before offering a change. Without a users
file every action is allowed (single-team mode), and the sidebar says so.
The file is read again on every run, so a removed account or a changed role
takes effect at once; a broken file stops the UI rather than letting anyone in.
"""

from __future__ import annotations

import streamlit as st

from app_pages.messages import show_error
from workbench.accounts import (
    Account,
    allowed_statuses,
    authenticate,
    load_users,
    may_save,
    role_can,
    users_file_path,
)
from workbench.errors import SignInFailed, WorkbenchError

ACCOUNT_KEY = "auth_account"  # the signed-in Account, or None
NOTICE_KEY = "auth_notice"  # a message for the sign-in form (wrong password...)


def _init() -> None:
    st.session_state.setdefault(ACCOUNT_KEY, None)
    st.session_state.setdefault(NOTICE_KEY, None)


def accounts_enabled() -> bool:
    """Whether a users file is configured (then signing in is required)."""
    return users_file_path() is not None


def account() -> Account | None:
    """The signed-in account (None in single-team mode or before signing in)."""
    _init()
    return st.session_state[ACCOUNT_KEY]


def can(action: str) -> bool:
    """Whether the person at this page may do `action` (always, in single-team mode)."""
    if not accounts_enabled():
        return True
    signed_in = account()
    return signed_in is not None and signed_in.can(action)


def statuses_allowed(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses this person may set (all of them in single-team mode)."""
    signed_in = account()
    if not accounts_enabled():
        return tuple(statuses)
    return allowed_statuses(signed_in.role, statuses) if signed_in else ()


def can_save(current_status: str, new_status: str) -> bool:
    """Whether this person may save a segment now in `current_status` as `new_status`."""
    if not accounts_enabled():
        return True
    signed_in = account()
    return signed_in is not None and may_save(signed_in.role, current_status, new_status)


def save_refusal(current_status: str, new_status: str) -> str | None:
    """Why this person may not save a segment now `current_status` as `new_status`; None if they may."""
    if can_save(current_status, new_status):
        return None
    signed_in = account()
    who = f"your account ({signed_in.role})" if signed_in else "nobody signed in"
    if signed_in is not None and not signed_in.can("edit"):
        return f"{who} may not edit segments"
    if current_status in ("approved", "rejected") and new_status not in ("approved", "rejected"):
        return f"{who} may not change a segment that is {current_status}; ask an approver"
    return f"{who} may not mark a segment {new_status}; ask an approver"


def glossary_refusal() -> str | None:
    """Why this person may not change the glossary files; None if they may."""
    if can("edit-glossary"):
        return None
    signed_in = account()
    return (f"your account ({signed_in.role}) may not change the glossary; ask a glossary editor"
            if signed_in else "nobody is signed in")


def _sign_in(path) -> None:
    name = (st.session_state.get("auth_name") or "").strip()
    password = st.session_state.get("auth_password") or ""
    st.session_state["auth_password"] = ""  # never kept in the session after the attempt
    try:
        st.session_state[ACCOUNT_KEY] = authenticate(path, name, password)
        st.session_state[NOTICE_KEY] = None
    except SignInFailed:
        st.session_state[NOTICE_KEY] = "Sign-in failed: unknown account or wrong password."
    except WorkbenchError as exc:
        st.session_state[NOTICE_KEY] = f"Sign-in failed: {exc}"


def _sign_out() -> None:
    st.session_state[ACCOUNT_KEY] = None
    st.session_state["reviewer"] = ""


def require_sign_in() -> None:
    """With a users file: stop the page at the sign-in form until someone signs in."""
    _init()
    path = users_file_path()
    if path is None:
        return
    try:
        users = load_users(path)
    except WorkbenchError as exc:
        show_error(exc, "The users file is broken, so nobody can sign in")
        st.stop()
    signed_in = st.session_state[ACCOUNT_KEY]
    if signed_in is not None:
        current = users.get(signed_in.name)
        if current is None:  # the account was removed since sign-in
            _sign_out()
            signed_in = None
        else:
            st.session_state[ACCOUNT_KEY] = signed_in = current[0]
    if signed_in is None:
        st.title("Sign in")
        st.caption("This workbench has reviewer accounts: sign in to see and change its documents.")
        notice = st.session_state[NOTICE_KEY]
        if notice:
            st.error(notice)
        with st.form("sign_in"):
            st.text_input("Account name", key="auth_name")
            st.text_input("Password", type="password", key="auth_password")
            st.form_submit_button("Sign in", type="primary", on_click=_sign_in, args=(path,))
        st.stop()
    # The account is the reviewer recorded in the history; nobody types another name.
    st.session_state["reviewer"] = signed_in.name


def sidebar() -> None:
    """Who is signed in, with a sign-out button; or that the workbench is in single-team mode."""
    with st.sidebar:
        signed_in = account()
        if not accounts_enabled():
            st.caption("Single-team mode: no users file is configured, so there is no sign-in and "
                       "everyone may do everything (set WORKBENCH_USERS to use accounts).")
        elif signed_in is not None:
            st.markdown(f"Signed in as **{_plain(signed_in.name)}** ({_plain(signed_in.role)})")
            st.button("Sign out", key="auth_sign_out", on_click=_sign_out)


def _plain(text: str) -> str:
    # Account names are restricted to letters, digits and . _ @ -; escape the Markdown ones.
    return "".join("\\" + ch if ch in "\\_.-@" else ch for ch in text)


__all__ = ["accounts_enabled", "account", "can", "can_save", "glossary_refusal", "require_sign_in", "role_can",
           "save_refusal", "sidebar", "statuses_allowed"]
