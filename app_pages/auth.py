"""Sign-in for the UI when a users file is configured: a session that lasts, and the acting account.

`require_sign_in()` runs in app.py before any page. With a users file it accepts the sign-in
session the browser presents (the `wb_session` cookie, read through `st.context.cookies`, so a
reload, a new tab, a shared link and every link inside the app keep the reviewer signed in),
else shows the sign-in form. Signing in, the sessions, their expiry and the throttling of failed
attempts are the library's (`workbench.review.sessions`); this module only moves the token
between the browser and the library: a tiny components.v2 script sets the cookie after sign-in
and clears it after sign-out.

With `[auth]` in `.streamlit/secrets.toml`, the form also offers Streamlit's OpenID Connect sign-in
(`st.login`): an identity whose email (else preferred_username, else sub) is an account of the users
file gets a session like a password sign-in, with that account's role; any other identity is refused.

Who may do what is decided by `workbench.authority`: pages ask `allowed(action)` to hide or
disable what would be refused and `refusal(action)` to say why; the changes themselves go through
`workbench.actions` with `actor()`, which checks again. Without a users file every action is
allowed (single-team mode) and the actor is the name typed in the sidebar.
"""

from __future__ import annotations

import streamlit as st

from workbench import authority
from workbench.accounts import Account, load_users, users_file_path
from workbench.authority import Actor
from workbench.errors import SignInFailed, SignInThrottled, WorkbenchError, format_wait
from workbench.review import sessions

ACCOUNT_KEY = "auth_account"  # the signed-in Account, or None
SESSION_KEY = "auth_session"  # (session id, token) of the signed-in account, or None
NOTICE_KEY = "auth_notice"  # a message for the sign-in form (wrong password, wait...)
COOKIE = "wb_session"

_COOKIE_JS = """
export default function (component) {
  const { data } = component;
  const secure = window.location.protocol === "https:" ? "; Secure" : "";
  if (data && data.token) {
    const current = document.cookie.split("; ").find((c) => c.startsWith(data.name + "="));
    if (current !== data.name + "=" + data.token) {
      document.cookie = `${data.name}=${data.token}; Path=/; Max-Age=${data.max_age}; SameSite=Lax${secure}`;
    }
  } else if (data && data.clear && document.cookie.split("; ").some((c) => c.startsWith(data.name + "="))) {
    document.cookie = `${data.name}=; Path=/; Max-Age=0; SameSite=Lax${secure}`;
  }
}
"""


@st.cache_resource(show_spinner=False)
def _cookie_component():
    return st.components.v2.component("workbench_session_cookie", js=_COOKIE_JS)


def _init() -> None:
    st.session_state.setdefault(ACCOUNT_KEY, None)
    st.session_state.setdefault(SESSION_KEY, None)
    st.session_state.setdefault(NOTICE_KEY, None)


def accounts_enabled() -> bool:
    """Whether a users file is configured (then signing in is required)."""
    return users_file_path() is not None


def account() -> Account | None:
    """The signed-in account (None in single-team mode or before signing in)."""
    _init()
    return st.session_state[ACCOUNT_KEY]


def actor() -> Actor | None:
    """Who acts on this page: the signed-in account with its session, or the typed name; None if nobody."""
    _init()
    if accounts_enabled():
        signed_in, session = st.session_state[ACCOUNT_KEY], st.session_state[SESSION_KEY]
        return Actor(signed_in.name, signed_in.role, session[0] if session else None) if signed_in else None
    name = (st.session_state.get("reviewer") or "").strip()
    return Actor(name) if name else None


def allowed(action: str, resource: object = None) -> bool:
    """Whether the person at this page may do `action` (the authority's answer, for hiding and disabling)."""
    return authority.permission_allowed(actor(), action, resource)


def refusal(action: str, resource: object = None) -> str | None:
    """Why the person at this page may not do `action`; None if they may."""
    return authority.refusal(actor(), action, resource)


def statuses_allowed(statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses this person may set (all of them in single-team mode)."""
    if not accounts_enabled():
        return tuple(statuses)
    return authority.statuses_allowed(actor(), statuses)


def oidc_configured() -> bool:
    """Whether Streamlit's OpenID Connect sign-in (`st.login`) is configured: `[auth]` in secrets.toml."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all: Streamlit raises rather than answering False
        return False


def _identity_name() -> str | None:
    """The account name an identity provider vouches for: its email, else preferred_username, else sub."""
    try:
        if not st.user.is_logged_in:
            return None
    except Exception:  # headless runs and servers without [auth]
        return None
    for claim in ("email", "preferred_username", "sub"):
        value = st.user.get(claim)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def _sign_in_by_identity(store, path) -> None:
    """An identity from the provider whose name is an account of the users file: open a session for it."""
    name = _identity_name()
    if name is None:
        return
    entry = load_users(path).get(name)
    if entry is None:
        st.session_state[NOTICE_KEY] = (f"The identity provider signed you in as {name}, but the users file has "
                                        "no such account: ask an administrator to add it "
                                        "(`python -m workbench users add`).")
        return
    token = sessions.open_session(store, path, entry[0])
    st.session_state[ACCOUNT_KEY] = entry[0]
    st.session_state[SESSION_KEY] = (sessions.token_hash(token), token)
    st.session_state[NOTICE_KEY] = None


def _client() -> str:
    # Behind a reverse proxy this is the proxy's address: see docs/accounts.md.
    return st.context.ip_address or "localhost"


def _sign_in(path, store) -> None:
    name = (st.session_state.get("auth_name") or "").strip()
    password = st.session_state.get("auth_password") or ""
    st.session_state["auth_password"] = ""  # never kept in the session after the attempt
    try:
        signed_in, token = sessions.sign_in(store, path, name, password, client=_client())
    except SignInThrottled as exc:
        st.session_state[NOTICE_KEY] = (f"Sign-in refused: too many failed attempts. Wait "
                                        f"{format_wait(exc.wait_seconds)} before trying again.")
    except SignInFailed:
        st.session_state[NOTICE_KEY] = "Sign-in failed: unknown account or wrong password."
    except WorkbenchError as exc:
        st.session_state[NOTICE_KEY] = f"Sign-in failed: {exc}"
    else:
        st.session_state[ACCOUNT_KEY] = signed_in
        st.session_state[SESSION_KEY] = (sessions.token_hash(token), token)
        st.session_state[NOTICE_KEY] = None


def _forget(notice: str | None = None) -> None:
    st.session_state[ACCOUNT_KEY] = None
    st.session_state[SESSION_KEY] = None
    st.session_state["reviewer"] = ""
    st.session_state[NOTICE_KEY] = notice


def _sign_out(store) -> None:
    session = st.session_state.get(SESSION_KEY)
    sessions.end_session(store, session[0] if session else None)
    _forget()
    st.session_state["_auth_cookie_ignored"] = True  # the browser may still send the old cookie once
    if _identity_name() is not None:
        st.logout()  # also forget the identity provider's sign-in, or the next page load would sign in again


def _cookie(token: str | None) -> None:
    data = ({"name": COOKIE, "token": token, "max_age": int(sessions.session_seconds())} if token
            else {"name": COOKIE, "clear": True})
    _cookie_component()(data=data, key="auth_cookie")


def require_sign_in(store) -> None:
    """With a users file: stop the page at the sign-in form until a session is presented or opened."""
    _init()
    path = users_file_path()
    if path is None:
        return
    try:
        load_users(path)
    except WorkbenchError as exc:
        st.error("The users file is broken, so nobody can sign in:")
        st.code(str(exc), language=None, wrap_lines=True)
        st.stop()
    session = st.session_state[SESSION_KEY]
    if session is not None:
        found = sessions.session_account(store, session[1], path)
        if found is None:
            _forget("Your sign-in ended (signed out elsewhere, expired, or your password or role changed). "
                    "Sign in again.")
        else:
            st.session_state[ACCOUNT_KEY] = found[0]
    elif not st.session_state.get("_auth_cookie_ignored"):
        token = st.context.cookies.get(COOKIE)
        token = token if isinstance(token, str) else None  # headless runs (AppTest) have no real cookies
        found = sessions.session_account(store, token, path) if token else None
        if found is not None:
            st.session_state[ACCOUNT_KEY] = found[0]
            st.session_state[SESSION_KEY] = (found[1], token)
    if st.session_state[ACCOUNT_KEY] is None and oidc_configured():
        _sign_in_by_identity(store, path)
    session = st.session_state[SESSION_KEY]
    with st.sidebar:
        _cookie(session[1] if session else None)
    if st.session_state[ACCOUNT_KEY] is None:
        _sign_in_form(store, path)
        st.stop()
    # The account is the reviewer recorded in the history; nobody types another name.
    st.session_state["reviewer"] = st.session_state[ACCOUNT_KEY].name


def _sign_in_form(store, path) -> None:
    st.title("Sign in")
    st.caption("This workbench has reviewer accounts: sign in to see and change its documents.")
    notice = st.session_state[NOTICE_KEY]
    if notice:
        st.error(notice)
    wait = sessions.sign_in_wait(store, "", _client())
    if wait > 0:
        st.warning(f"Too many failed sign-ins from here: the next attempt is accepted in {format_wait(wait)}.")
    if oidc_configured():
        st.button("Sign in with your organisation's identity provider", key="auth_oidc", on_click=st.login)
        if _identity_name() is not None:
            st.button("Sign out of the identity provider", key="auth_oidc_out", on_click=st.logout)
        st.caption("Or with an account name and password of the users file:")
    with st.form("sign_in"):
        st.text_input("Account name", key="auth_name")
        st.text_input("Password", type="password", key="auth_password")
        st.form_submit_button("Sign in", type="primary", on_click=_sign_in, args=(path, store))


def sidebar(store) -> None:
    """Who is signed in, with a sign-out button; or that the workbench is in single-team mode."""
    with st.sidebar:
        signed_in = account()
        if not accounts_enabled():
            st.caption("Single-team mode: no users file is configured, so there is no sign-in and "
                       "everyone may do everything (set WORKBENCH_USERS to use accounts).")
        elif signed_in is not None:
            st.markdown(f"Signed in as **{_plain(signed_in.name)}** ({_plain(signed_in.role)})")
            st.button("Sign out", key="auth_sign_out", on_click=_sign_out, args=(store,))


def _plain(text: str) -> str:
    # Account names are restricted to letters, digits and . _ @ -; escape the Markdown ones.
    return "".join("\\" + ch if ch in "\\_.-@" else ch for ch in text)


__all__ = ["accounts_enabled", "account", "actor", "allowed", "oidc_configured", "refusal", "require_sign_in",
           "sidebar", "statuses_allowed"]
