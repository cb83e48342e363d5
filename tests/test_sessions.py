"""Sign-in sessions, throttling and drafts in the review store (`workbench.review.sessions`, `drafts`)."""

from __future__ import annotations

import pytest

from workbench import actions
from workbench.accounts import add_account, change_account, remove_account
from workbench.authority import Actor, check
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import NotAllowed, SignInFailed, SignInThrottled
from workbench.review import sessions
from workbench.review.drafts import draft, drafted_segments
from workbench.review.store import ReviewStore


@pytest.fixture
def setup(tmp_path, monkeypatch):
    users = tmp_path / "users.json"
    add_account(users, "lan", "approver", "lan's password")
    add_account(users, "minh", "reviewer", "minh's password")
    add_account(users, "gabi", "glossary-editor", "gabi's password")
    monkeypatch.setenv("WORKBENCH_USERS", str(users))
    store = ReviewStore(tmp_path / "store.db")
    yield store, users
    store.close()


def test_a_session_is_kept_as_a_hash_and_lasts_until_it_ends(setup):
    store, users = setup
    account, token = sessions.sign_in(store, users, "lan", "lan's password")
    assert account.role == "approver" and len(token) >= 43
    rows = [tuple(r) for r in store.conn.execute("SELECT * FROM sign_in_sessions")]
    assert token not in repr(rows) and sessions.token_hash(token) in repr(rows)
    found, session_id = sessions.session_account(store, token, users)
    assert found == account
    assert sessions.session_account(store, token + "x", users) is None
    sessions.end_session(store, session_id)
    assert sessions.session_account(store, token, users) is None


@pytest.mark.parametrize("change", [
    lambda users: change_account(users, "lan", role="reviewer"),
    lambda users: change_account(users, "lan", password="a new password"),
    lambda users: remove_account(users, "lan"),
], ids=["role", "password", "removal"])
def test_a_role_or_password_change_or_a_removal_ends_the_session(setup, change):
    store, users = setup
    _, token = sessions.sign_in(store, users, "lan", "lan's password")
    _, other = sessions.sign_in(store, users, "minh", "minh's password")
    change(users)
    assert sessions.session_account(store, token, users) is None
    assert sessions.session_account(store, other, users) is not None  # another account's goes on


def test_an_expired_session_is_refused_and_the_library_refuses_its_changes(setup):
    store, users = setup
    _, token = sessions.sign_in(store, users, "lan", "lan's password")
    session_id = sessions.token_hash(token)
    actor = Actor("lan", "approver", session_id)
    assert check(actor, "segment.save", store=store).role == "approver"
    with store.transaction() as conn:
        conn.execute("UPDATE sign_in_sessions SET expires_at = 0")
    assert sessions.session_account(store, token, users) is None
    with pytest.raises(NotAllowed, match="your sign-in has ended"):
        check(actor, "segment.save", store=store)


def test_the_eleventh_wrong_password_waits_even_if_it_is_right(setup):
    store, users = setup
    for attempt in range(1, sessions.FREE_FAILURES):
        with pytest.raises(SignInFailed) as failed:
            sessions.sign_in(store, users, "lan", f"guess {attempt}", client="10.0.0.5")
        assert not isinstance(failed.value, SignInThrottled)
    with pytest.raises(SignInThrottled) as tenth:
        sessions.sign_in(store, users, "lan", "guess 10", client="10.0.0.5")
    assert tenth.value.wait_seconds == sessions.FIRST_WAIT
    with pytest.raises(SignInThrottled, match="wait"):
        sessions.sign_in(store, users, "lan", "lan's password", client="10.0.0.6")  # another client too
    # Other accounts from another client are not held up by lan's failures.
    assert sessions.sign_in(store, users, "minh", "minh's password", client="10.0.0.6")[0].name == "minh"
    # Once the wait is over the right password works and clears the count; the next wait doubles before that.
    with store.transaction() as conn:
        conn.execute("UPDATE sign_in_failures SET wait_until = 0")
    with pytest.raises(SignInThrottled) as eleventh:
        sessions.sign_in(store, users, "lan", "guess 11", client="10.0.0.5")
    assert eleventh.value.wait_seconds == 2 * sessions.FIRST_WAIT
    with store.transaction() as conn:
        conn.execute("UPDATE sign_in_failures SET wait_until = 0")
    assert sessions.sign_in(store, users, "lan", "lan's password", client="10.0.0.5")[0].name == "lan"
    assert sessions.sign_in_wait(store, "lan", None) == 0


def test_one_client_guessing_many_accounts_waits_too(setup):
    store, users = setup
    for attempt in range(sessions.FREE_FAILURES_PER_CLIENT - 1):
        with pytest.raises(SignInFailed) as failed:
            sessions.sign_in(store, users, f"name{attempt}", "guess", client="10.0.0.9")
        assert not isinstance(failed.value, SignInThrottled)
    with pytest.raises(SignInThrottled):
        sessions.sign_in(store, users, "someone", "guess", client="10.0.0.9")
    with pytest.raises(SignInThrottled):
        sessions.sign_in(store, users, "minh", "minh's password", client="10.0.0.9")
    assert sessions.sign_in(store, users, "minh", "minh's password", client="10.0.0.10")[0].name == "minh"


def test_drafts_are_per_account_and_cleared_by_the_save(setup, tmp_path):
    store, _ = setup
    document = parse_document("Hội nghị biên phòng. Đảng ủy họp.\n".encode(), path=str(tmp_path / "d.txt"))
    document_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
    first = store.segments(document_id)[0]
    actions.save_draft(store, Actor("minh", "reviewer"), first.id, first.version, "Minh's half sentence")
    assert draft(store, "minh", first.id).text == "Minh's half sentence"
    assert draft(store, "lan", first.id) is None and drafted_segments(store, "lan", document_id) == set()
    assert drafted_segments(store, "minh", document_id) == {first.id}
    with pytest.raises(NotAllowed, match="may not edit segments"):  # an account that may not edit keeps no draft
        actions.save_draft(store, Actor("gabi", "glossary-editor"), first.id, first.version, "text")
    actions.save_segment(store, Actor("minh", "reviewer"), first.id, "The conference.", "translated",
                         expected_version=first.version)
    assert draft(store, "minh", first.id) is None
