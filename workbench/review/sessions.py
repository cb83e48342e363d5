"""Sign-in sessions that last, and sign-in throttling, kept in the review store.

`sign_in` checks a name and password against the users file and opens a session: a random
token (`secrets.token_urlsafe`, 256 bits) that the browser keeps and presents again on a reload,
a new tab or a link; the store keeps only its SHA-256 hash, the role and a fingerprint of the
password hash it was granted under, and its expiry. `session_account` accepts a token only while
its session has not ended or expired and its account still exists with the same role and the
same password: a sign-out (`end_session`), a password change, a role change and a removal all end
it, the last three without anyone touching the store (the users file is read on each check).

Throttling: failed sign-ins are counted per account name and per client address. The first
`FREE_FAILURES` - 1 for an account (`FREE_FAILURES_PER_CLIENT` - 1 for a client) cost nothing;
from then on each failure makes the next attempt wait, twice as long each time (from `FIRST_WAIT`
seconds up to `MAX_WAIT`), and an attempt during the wait is refused before the password is even
checked (`SignInThrottled` says how long): the eleventh try of a wrong password waits. A successful sign-in
clears the account's count; counts are forgotten a day after the last failure.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time
from pathlib import Path

from workbench.accounts import Account, authenticate, load_users
from workbench.errors import SignInFailed, SignInThrottled

#: How long a session lasts after sign-in (seconds); WORKBENCH_SESSION_HOURS changes it.
DEFAULT_SESSION_HOURS = 12.0
#: Sessions kept per account: signing in on more browsers ends the oldest.
MAX_SESSIONS_PER_ACCOUNT = 20
FREE_FAILURES = 10
#: A client address may be shared (an office behind one gateway): it gets more free failures.
FREE_FAILURES_PER_CLIENT = 30
FIRST_WAIT = 30.0
MAX_WAIT = 3600.0
FORGET_FAILURES_AFTER = 86400.0


def session_seconds() -> float:
    """The lifetime of a new session: WORKBENCH_SESSION_HOURS (default 12) in seconds."""
    try:
        hours = float(os.environ.get("WORKBENCH_SESSION_HOURS") or DEFAULT_SESSION_HOURS)
    except ValueError:
        hours = DEFAULT_SESSION_HOURS
    return max(60.0, hours * 3600.0)


def token_hash(token: str) -> str:
    """What the store keeps of a token (and the session's id everywhere else)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def password_fingerprint(password_hash: str) -> str:
    """A short digest of an account's password hash: changes when the password does."""
    return hashlib.sha256(password_hash.encode("utf-8")).hexdigest()[:32]


# -- throttling ----------------------------------------------------------------------------------
def _keys(name: str, client: str | None) -> list[str]:
    keys = [f"account:{(name or '').strip()[:64]}"]
    if client:
        keys.append(f"client:{client[:64]}")
    return keys


def sign_in_wait(store, name: str, client: str | None, *, now: float | None = None) -> float:
    """Seconds before this account, from this client, may try again (0 when it may now)."""
    now = time.time() if now is None else now
    waits = [row["wait_until"] - now for key in _keys(name, client)
             for row in store.conn.execute("SELECT wait_until FROM sign_in_failures WHERE key = ?", (key,))]
    return max([0.0, *waits])


def record_failure(store, name: str, client: str | None, *, now: float | None = None) -> float:
    """Count one failed sign-in for the account and the client; the wait it starts (0 if none)."""
    now = time.time() if now is None else now
    longest = 0.0
    with store.transaction() as conn:
        conn.execute("DELETE FROM sign_in_failures WHERE last_failure_at < ?", (now - FORGET_FAILURES_AFTER,))
        for key in _keys(name, client):
            row = conn.execute("SELECT failures FROM sign_in_failures WHERE key = ?", (key,)).fetchone()
            failures = (row["failures"] if row else 0) + 1
            free = FREE_FAILURES_PER_CLIENT if key.startswith("client:") else FREE_FAILURES
            wait = 0.0 if failures < free else min(MAX_WAIT, FIRST_WAIT * 2 ** (failures - free))
            conn.execute("INSERT OR REPLACE INTO sign_in_failures (key, failures, last_failure_at, wait_until) "
                         "VALUES (?, ?, ?, ?)", (key, failures, now, now + wait))
            longest = max(longest, wait)
    return longest


def clear_failures(store, name: str) -> None:
    """Forget the failed sign-ins of an account (after it signed in)."""
    with store.transaction() as conn:
        conn.execute("DELETE FROM sign_in_failures WHERE key = ?", (_keys(name, None)[0],))


# -- sessions ------------------------------------------------------------------------------------
def sign_in(store, users_path: str | Path, name: str, password: str, *, client: str | None = None
            ) -> tuple[Account, str]:
    """Check the password (unless throttled) and open a session: (account, token for the browser).

    SignInThrottled while a wait runs, SignInFailed for a wrong name or password.
    """
    name = (name or "").strip()
    wait = sign_in_wait(store, name, client)
    if wait > 0:
        raise SignInThrottled(wait)
    try:
        account = authenticate(users_path, name, password)
    except SignInFailed:
        wait = record_failure(store, name, client)
        if wait > 0:
            raise SignInThrottled(wait) from None
        raise
    clear_failures(store, name)
    return account, open_session(store, users_path, account)


def open_session(store, users_path: str | Path, account: Account) -> str:
    """A new session for `account`; returns the token (the store keeps only its hash)."""
    token = secrets.token_urlsafe(32)
    hashed = load_users(users_path)[account.name][1]
    now = time.time()
    with store.transaction() as conn:
        conn.execute("DELETE FROM sign_in_sessions WHERE expires_at < ? OR ended_at IS NOT NULL", (now,))
        conn.execute(
            "INSERT INTO sign_in_sessions (token_hash, account, role, password_fingerprint, created_at, "
            "expires_at) VALUES (?, ?, ?, ?, ?, ?)",
            (token_hash(token), account.name, account.role, password_fingerprint(hashed), now,
             now + session_seconds()))
        conn.execute(
            "DELETE FROM sign_in_sessions WHERE account = ? AND token_hash NOT IN (SELECT token_hash FROM "
            "sign_in_sessions WHERE account = ? ORDER BY created_at DESC LIMIT ?)",
            (account.name, account.name, MAX_SESSIONS_PER_ACCOUNT))
    return token


def _live_row(store, session_id: str, users_path: str | Path, now: float):
    row = store.conn.execute("SELECT * FROM sign_in_sessions WHERE token_hash = ?", (session_id,)).fetchone()
    if row is None or row["ended_at"] is not None or row["expires_at"] <= now:
        return None, None
    entry = load_users(users_path).get(row["account"])
    if (entry is None or entry[0].role != row["role"]
            or password_fingerprint(entry[1]) != row["password_fingerprint"]):
        _end(store, session_id, now)  # removed, demoted or promoted, or a new password: sign in again
        return None, None
    return row, entry[0]


def session_account(store, token: str | None, users_path: str | Path) -> tuple[Account, str] | None:
    """(account, session id) for a token the browser presented, or None when it is not (or no longer) valid."""
    if not isinstance(token, str) or not token:
        return None
    session_id = token_hash(token)
    row, account = _live_row(store, session_id, users_path, time.time())
    return (account, session_id) if row is not None else None


def session_live(store, session_id: str, users_path: str | Path) -> bool:
    """Whether the session with this id is still valid (see `session_account`)."""
    return _live_row(store, session_id, users_path, time.time())[0] is not None


def session_expires_at(store, session_id: str) -> float | None:
    """When the session ends (epoch seconds), None if unknown."""
    row = store.conn.execute("SELECT expires_at FROM sign_in_sessions WHERE token_hash = ?",
                             (session_id,)).fetchone()
    return row["expires_at"] if row else None


def _end(store, session_id: str, now: float) -> None:
    if store.read_only:
        return
    with store.transaction() as conn:
        conn.execute("UPDATE sign_in_sessions SET ended_at = ? WHERE token_hash = ? AND ended_at IS NULL",
                     (now, session_id))


def end_session(store, session_id: str | None) -> None:
    """Sign out: the session's token is refused from now on, in every tab."""
    if session_id:
        _end(store, session_id, time.time())


def end_account_sessions(store, name: str) -> int:
    """End every session of an account (e.g. from the command line); how many were open."""
    with store.transaction() as conn:
        cursor = conn.execute("UPDATE sign_in_sessions SET ended_at = ? WHERE account = ? AND ended_at IS NULL",
                              (time.time(), name))
    return cursor.rowcount
