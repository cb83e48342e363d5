"""Reviewer accounts: the users file, argon2 passwords, roles, and the `users` command."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from workbench.accounts import (
    ROLES,
    add_account,
    allowed_statuses,
    authenticate,
    change_account,
    list_accounts,
    load_users,
    may_save,
    remove_account,
    role_can,
    users_file_path,
)
from workbench.cli import main
from workbench.errors import SignInFailed, UserFileError
from workbench.review.store import STATUSES


@pytest.fixture
def users_file(tmp_path):
    path = tmp_path / "users.json"
    add_account(path, "lan", "approver", "correct horse")
    add_account(path, "minh", "reviewer", "battery staple")
    return path


def test_passwords_are_stored_only_as_salted_argon2_hashes(users_file):
    text = users_file.read_text()
    assert "correct horse" not in text and "battery staple" not in text
    hashes = [entry["password"] for entry in json.loads(text)["users"].values()]
    assert all(h.startswith("$argon2id$") for h in hashes)
    add_account(users_file, "thu", "reviewer", "correct horse")  # same password, other salt
    again = json.loads(users_file.read_text())["users"]
    assert again["thu"]["password"] != again["lan"]["password"]
    assert users_file.stat().st_mode & 0o077 == 0


def test_sign_in_with_the_right_password_only(users_file):
    assert authenticate(users_file, "lan", "correct horse").role == "approver"
    for name, password in [("lan", "battery staple"), ("lan", ""), ("nobody", "correct horse")]:
        with pytest.raises(SignInFailed, match="unknown account or wrong password"):
            authenticate(users_file, name, password)


def test_change_password_role_and_remove(users_file):
    change_account(users_file, "minh", password="a new password")
    with pytest.raises(SignInFailed):
        authenticate(users_file, "minh", "battery staple")
    assert authenticate(users_file, "minh", "a new password").name == "minh"
    change_account(users_file, "minh", role="glossary-editor")
    remove_account(users_file, "lan")
    assert [(a.name, a.role) for a in list_accounts(users_file)] == [("minh", "glossary-editor")]


@pytest.mark.parametrize("role, allowed", [
    ("reviewer", ("new", "draft", "translated", "reviewed")),
    ("approver", STATUSES),
    ("glossary-editor", ()),
    ("admin", STATUSES),
])
def test_what_each_role_may_set(role, allowed):
    assert allowed_statuses(role, STATUSES) == allowed
    assert role_can(role, "edit-glossary") == (role in ("glossary-editor", "admin"))
    # Changing an approved segment needs the right to approve.
    assert may_save(role, "approved", "translated") == (role in ("approver", "admin"))
    assert may_save(role, "translated", "reviewed") == (role != "glossary-editor")


@pytest.mark.parametrize("content, message", [
    ("{not json", "users.json:1: not valid JSON"),
    ('{"users": {"lan": {"role": "boss", "password": "$argon2id$x"}}}', "unknown role 'boss'"),
    ('{"users": {"lan": {"role": "reviewer", "password": "plain"}}}', "must be an argon2 hash"),
    ('{"users": {"bad name": {"role": "reviewer", "password": "$argon2id$x"}}}', "invalid account name"),
    ('["lan"]', 'expected a JSON object with a "users" object'),
])
def test_a_broken_users_file_is_refused_with_its_line(tmp_path, content, message):
    path = tmp_path / "users.json"
    path.write_text(content)
    with pytest.raises(UserFileError, match=message.replace("(", r"\(")):
        load_users(path)
    with pytest.raises(UserFileError):
        add_account(path, "thu", "reviewer", "long enough")  # never rewrites a broken file
    assert path.read_text() == content


def test_users_file_from_environment_or_config(tmp_path, monkeypatch):
    monkeypatch.delenv("WORKBENCH_USERS", raising=False)
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "workbench.toml"))
    assert users_file_path() is None
    (tmp_path / "workbench.toml").write_text('users = "team/users.json"\n')
    assert users_file_path() == tmp_path / "team" / "users.json"  # relative to the workspace folder
    monkeypatch.setenv("WORKBENCH_USERS", str(tmp_path / "env.json"))
    assert users_file_path() == tmp_path / "env.json"


def test_users_command(tmp_path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    monkeypatch.setenv("WORKBENCH_USERS", str(path))
    monkeypatch.setattr("sys.stdin", io.StringIO("s3cret-password\n"))
    assert main(["users", "add", "lan", "--role", "approver", "--password-stdin"]) == 0
    asked = iter(["another password", "another password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(asked))
    assert main(["users", "add", "minh", "--role", "reviewer"]) == 0
    assert main(["users", "role", "minh", "--role", "glossary-editor"]) == 0
    capsys.readouterr()
    assert main(["users", "list"]) == 0
    assert capsys.readouterr().out == "lan\tapprover\nminh\tglossary-editor\n"
    assert authenticate(path, "minh", "another password").role == "glossary-editor"

    differ = iter(["one password", "other password"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(differ))
    assert main(["users", "passwd", "lan"]) == 1
    assert "the two passwords differ" in capsys.readouterr().err
    assert authenticate(path, "lan", "s3cret-password").name == "lan"

    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["users", "add", "thu", "--role", "reviewer", "--password-stdin"]) == 1
    assert "at least 8 characters" in capsys.readouterr().err
    assert main(["users", "remove", "nobody"]) == 1
    assert "no account 'nobody'" in capsys.readouterr().err
    assert main(["users", "remove", "minh"]) == 0
    assert [a.name for a in list_accounts(path)] == ["lan"]


def test_users_command_without_a_file_says_how_to_configure_one(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("WORKBENCH_USERS", raising=False)
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "none.toml"))
    assert main(["users", "list"]) == 2
    assert "no users file configured" in capsys.readouterr().err


def test_every_role_is_offered_by_the_command():
    from workbench.cli import build_parser

    parser = build_parser()
    for role in ROLES:
        args = parser.parse_args(["users", "add", "x", "--role", role])
        assert args.role == role


# -- the UI, headless (the real-browser test is tests/test_browser_accounts.py) -------------------
def _app(monkeypatch, tmp_path, users: Path | None):
    from streamlit.testing.v1 import AppTest
    from ui_support import APP, REPO

    from workbench.pipeline import BatchOptions, run_batch
    from workbench.review.store import ReviewStore

    monkeypatch.chdir(tmp_path)
    db = tmp_path / "data" / "workbench.db"
    with ReviewStore(db) as store:
        run_batch([REPO / "seeds" / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"], store,
                  BatchOptions(translate=False))
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(REPO / "glossaries"))
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "none.toml"))
    if users is None:
        monkeypatch.delenv("WORKBENCH_USERS", raising=False)
    else:
        monkeypatch.setenv("WORKBENCH_USERS", str(users))
    return AppTest.from_file(str(APP), default_timeout=60).run()


def test_the_ui_asks_to_sign_in_when_a_users_file_is_configured(users_file, tmp_path, monkeypatch):
    at = _app(monkeypatch, tmp_path, users_file)
    assert [t.value for t in at.title] == ["Sign in"]
    at.text_input(key="auth_name").input("lan")
    at.text_input(key="auth_password").input("wrong password")
    at.button[0].click().run()
    assert [e.value for e in at.error] == ["Sign-in failed: unknown account or wrong password."]
    assert [t.value for t in at.title] == ["Sign in"]
    at.text_input(key="auth_name").input("lan")
    at.text_input(key="auth_password").input("correct horse")
    at.button[0].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Sign in" not in [t.value for t in at.title]
    assert at.session_state["reviewer"] == "lan"
    assert at.session_state["auth_password"] == ""  # the password is not kept in the session
    assert any("Signed in as" in m.value for m in at.sidebar.markdown)


def test_without_a_users_file_the_ui_says_it_is_in_single_team_mode(tmp_path, monkeypatch):
    at = _app(monkeypatch, tmp_path, None)
    assert "Sign in" not in [t.value for t in at.title]
    assert any("Single-team mode" in c.value for c in at.sidebar.caption)


def test_the_review_page_checks_the_role_before_it_saves(users_file, tmp_path, monkeypatch):
    """A reviewer may edit, but not change what an approver approved: the store keeps it as it was."""
    from workbench.review.store import ReviewStore

    at = _app(monkeypatch, tmp_path, users_file)
    with ReviewStore(tmp_path / "data" / "workbench.db") as store:
        first, second = store.segments(store.documents()[0].id)[:2]
        store.save_target(first.id, "The border gate", "approved", reviewer="lan", expected_version=1)
    at.text_input(key="auth_name").input("minh")
    at.text_input(key="auth_password").input("battery staple")
    at.button[0].click().run()
    at.switch_page("app_pages/review.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["review_focus"] == first.id
    at.text_area(key=f"target_{first.id}_2").input("The border crossing")
    at.button(key=f"translated_next_{first.id}_2").click().run()
    from ui_support import review_notices

    assert review_notices(at) == [
        "Not saved: your account (reviewer) may not change a segment that is approved; ask an approver."]
    # What the role allows is saved: the refusal is about the approved segment, not about this reviewer.
    at.session_state["review_focus"] = second.id
    at.run()
    at.text_area(key=f"target_{second.id}_1").input("Border guards patrol.")
    at.button(key=f"translated_next_{second.id}_1").click().run()
    assert not at.error
    with ReviewStore(tmp_path / "data" / "workbench.db") as store:
        kept = store.segment(first.id)
        assert (kept.target_text, kept.status, kept.version, kept.updated_by) == (
            "The border gate", "approved", 2, "lan")
        saved = store.segment(second.id)
        assert (saved.target_text, saved.status, saved.version, saved.updated_by) == (
            "Border guards patrol.", "translated", 2, "minh")


def test_the_documents_page_lists_translations_not_a_term_candidate_update(tmp_path, monkeypatch):
    """A finished candidate update (its result is a count) beside the page's translation jobs."""
    import time

    from workbench.jobs import JOBS

    job = JOBS.start("Updating term candidates", lambda progress: 3, kind="term-candidates")
    deadline = time.monotonic() + 120
    while job.running and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.state == "done"
    at = _app(monkeypatch, tmp_path, None)
    assert not at.exception, [e.value for e in at.exception]
    assert "Updating term candidates" not in " ".join(s.value for s in at.success)
