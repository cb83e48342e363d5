"""Accounts in a real browser: sign-in, a wrong password, and what each role may do.

`streamlit run app.py` with a users file (WORKBENCH_USERS) holding a reviewer, an
approver and a glossary editor, driven by Playwright in Debian's Chromium. The test
signs in as each, tries what the role allows and what it does not, and then reads the
review store and the glossary file: the history names the signed-in account, refused
actions changed nothing.

Needs the `playwright` package and /usr/bin/chromium; skipped without them unless
WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes them mandatory.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ui_support import (
    BROWSER_TIMEOUT_MS,
    REPO,
    chromium,
    copy_store,
    require_browser,
    seeded_store_file,
    streamlit_server,
)

from workbench.accounts import add_account
from workbench.review.store import ReviewStore

PASSWORDS = {"minh": "reviewer-password", "lan": "approver-password", "thu": "glossary-password"}
ROLES = {"minh": "reviewer", "lan": "approver", "thu": "glossary-editor"}

playwright_api = require_browser()


@pytest.fixture
def served(tiny_checkpoints, tmp_path_factory, tmp_path):
    """The seeded store, a glossary copy and a users file, served by `streamlit run app.py`."""
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), tmp_path / "data" / "workbench.db")
    glossary = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    users = tmp_path / "users.json"
    for name, role in ROLES.items():
        add_account(users, name, role, PASSWORDS[name])
    with streamlit_server(db, glossary, tiny_checkpoints, tmp_path, {"WORKBENCH_USERS": str(users)}) as url:
        yield url, db, glossary


@pytest.fixture
def browser():
    with chromium(playwright_api) as launched:
        yield launched


def new_tab(browser):
    """A fresh browser context (no cookies, no session) and its page."""
    tab = browser.new_context(viewport={"width": 1400, "height": 1600}).new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    return tab


def sign_in(tab, url: str, name: str, password: str, *, page: str = "review") -> None:
    tab.goto(f"{url}/{page}")
    tab.get_by_label("Account name").fill(name)
    tab.get_by_label("Password", exact=True).fill(password)
    tab.get_by_role("button", name="Sign in").click()


def open_page(tab, title: str) -> None:
    """Follow the sidebar link (a reload would start a new session, signed out)."""
    tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    tab.get_by_role("heading", name=title, exact=True).first.wait_for()


def first_segment(db: Path):
    with ReviewStore(db) as store:
        return store.segments(store.documents()[0]["id"])[0]


def save_with_keys(tab, segment, text: str, keys: str) -> None:
    """Type a target into the open segment's editor and save it from the keyboard.

    Ctrl+Enter approves and opens the next segment; Ctrl+Shift+Enter saves it as translated.
    """
    selector = f".st-key-target_{segment.id}_{segment.version} textarea"
    box = tab.locator(selector)
    try:  # the page puts the cursor in the editor once its keyboard handler is ready
        tab.wait_for_function("sel => document.activeElement === document.querySelector(sel)", arg=selector,
                              timeout=15_000)
    except playwright_api.TimeoutError:
        box.click()  # after a refused save the notice took the focus
    box.fill(text)
    box.press(keys)


def test_accounts_and_roles_in_a_real_browser(served, browser, tmp_path):
    tabs = []
    try:
        accounts_and_roles(served, browser, tabs)
    except Exception:
        for index, tab in enumerate(tabs):
            tab.screenshot(path=str(tmp_path / f"failure-{index}.png"), full_page=True)
        raise


def accounts_and_roles(served, browser, tabs):
    url, db, glossary = served
    segment = first_segment(db)
    glossary_before = {p.name: p.read_text(encoding="utf-8") for p in glossary.glob("*.tsv")}

    # Before signing in nothing of the workbench shows; a wrong password is refused.
    tab = new_tab(browser)
    tabs.append(tab)
    sign_in(tab, url, "lan", "not-the-password")
    tab.get_by_text("Sign-in failed: unknown account or wrong password.").wait_for()
    assert tab.get_by_role("heading", name="Review").count() == 0
    assert tab.locator(f".st-key-target_{segment.id}_{segment.version} textarea").count() == 0

    # A reviewer edits and marks translated, but may not approve.
    tab.get_by_label("Account name").fill("minh")
    tab.get_by_label("Password", exact=True).fill(PASSWORDS["minh"])
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_text("Signed in as").wait_for()
    save_with_keys(tab, segment, "The border conference, reviewed by Minh.", "Control+Enter")
    tab.get_by_text("may not mark a segment approved").wait_for()
    with ReviewStore(db) as store:
        assert store.segment(segment.id).version == segment.version
        assert store.history(segment.id) == []
    save_with_keys(tab, segment, "The border conference, reviewed by Minh.", "Control+Shift+Enter")
    tab.get_by_text("Saved segment #1 as translated").wait_for()
    with ReviewStore(db) as store:
        saved = store.segment(segment.id)
        assert (saved.status, saved.updated_by) == ("translated", "minh")
        assert [h["reviewer"] for h in store.history(segment.id)] == ["minh"]

    # ... and may not change the glossary.
    open_page(tab, "Glossary")
    form = tab.locator("[data-testid=stForm]")
    form.get_by_label("id", exact=True).fill("test-post")
    form.get_by_label("vi", exact=True).fill("đồn thử nghiệm")
    form.get_by_label("en", exact=True).fill("test post")
    form.get_by_role("button", name="Save entry").click()
    tab.get_by_text("may not change the glossary").wait_for()
    assert {p.name: p.read_text(encoding="utf-8") for p in glossary.glob("*.tsv")} == glossary_before

    # An approver approves; the history names the account, not a typed name.
    approver = new_tab(browser)
    tabs.append(approver)
    sign_in(approver, url, "lan", PASSWORDS["lan"])
    approver.get_by_text("Signed in as").wait_for()
    current = first_segment(db)
    save_with_keys(approver, current, "The border defence conference.", "Control+Enter")
    approver.get_by_text("Saved segment #1 as approved").wait_for()
    with ReviewStore(db) as store:
        assert (store.segment(segment.id).status, store.segment(segment.id).updated_by) == ("approved", "lan")
        assert [h["reviewer"] for h in store.history(segment.id)] == ["minh", "lan"]

    # A glossary editor changes the glossary but may not edit segments.
    editor = new_tab(browser)
    tabs.append(editor)
    sign_in(editor, url, "thu", PASSWORDS["thu"], page="glossary")
    editor.get_by_text("Signed in as").wait_for()
    form = editor.locator("[data-testid=stForm]")
    form.get_by_label("id", exact=True).fill("test-post")
    form.get_by_label("vi", exact=True).fill("đồn thử nghiệm")
    form.get_by_label("en", exact=True).fill("test post")
    form.get_by_role("button", name="Save entry").click()
    editor.get_by_text("Saved test-post").wait_for()
    assert any("test-post\tđồn thử nghiệm\ttest post" in p.read_text(encoding="utf-8") for p in glossary.glob("*.tsv"))
    open_page(editor, "Review")
    approved = first_segment(db)
    assert editor.locator(f".st-key-target_{approved.id}_{approved.version} textarea").count() == 0

    # Signing out brings the sign-in form back.
    editor.get_by_role("button", name="Sign out").click()
    editor.get_by_role("button", name="Sign in").wait_for()
