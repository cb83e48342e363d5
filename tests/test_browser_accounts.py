"""Accounts in a real browser: a sign-in that lasts, each role's keys, drafts per account, refusals.

`streamlit run app.py` with a users file (WORKBENCH_USERS) holding one account of each role
(and two spares), driven by Playwright in Debian's Chromium. Every test acts as a reviewer would
(keys, clicks, links, reloads) and then reads the review store, the users file or the glossary:
the history names the signed-in account, refused actions changed nothing. One server serves the
module; each test works on its own document (`?doc=N`) or its own account.

Needs the `playwright` package and /usr/bin/chromium; skipped without them unless
WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes them mandatory.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from ui_support import REPO, chromium, copy_store, require_browser, seeded_store_file, streamlit_server

from workbench import actions
from workbench.accounts import add_account, change_account
from workbench.alignment.sentences import stored_sentences
from workbench.authority import Actor
from workbench.review.drafts import draft
from workbench.review.store import ReviewStore

ACCOUNTS = {"rita": "reviewer", "alex": "approver", "gabi": "glossary-editor", "ada": "admin",
            "wendy": "reviewer", "vera": "reviewer"}

playwright_api = require_browser()


def password(name: str) -> str:
    return f"password of {name}"


@pytest.fixture(scope="module")
def served(tiny_checkpoints, tmp_path_factory):
    """The seeded store, a glossary copy and a users file, served by `streamlit run app.py`."""
    folder = tmp_path_factory.mktemp("accounts")
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), folder / "data" / "workbench.db")
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    users = folder / "users.json"
    for name, role in ACCOUNTS.items():
        add_account(users, name, role, password(name))
    with streamlit_server(db, glossary, tiny_checkpoints, folder, {"WORKBENCH_USERS": str(users)}) as url:
        yield url, db, glossary, users


@pytest.fixture
def browser(tmp_path):
    with chromium(playwright_api) as launched:
        yield launched


@pytest.fixture
def context(browser, tmp_path):
    """One browser profile: its tabs share its cookies."""
    profile = browser.new_context(viewport={"width": 1440, "height": 900})
    yield profile
    profile.close()


def new_tab(context):
    tab = context.new_page()
    tab.set_default_timeout(60_000)
    return tab


def sign_in(tab, url: str, name: str, *, page: str = "review", secret: str | None = None) -> None:
    tab.goto(f"{url}/{page}")
    tab.get_by_label("Account name").fill(name)
    tab.get_by_label("Password", exact=True).fill(secret or password(name))
    tab.get_by_role("button", name="Sign in").click()


def signed_in_as(tab, name: str) -> None:
    tab.get_by_text("Signed in as").wait_for()
    assert name in tab.locator('[data-testid="stSidebar"]').inner_text()
    tab.get_by_role("button", name="Sign in").wait_for(state="detached")


def segments(db: Path, document_id: int):
    with ReviewStore(db) as store:
        return store.segments(document_id)


def editor(tab, segment):
    return tab.locator(f".st-key-target_{segment.id}_{segment.version} textarea")


def wait_for(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)


def wait_focused(tab, segment) -> None:
    selector = f".st-key-target_{segment.id}_{segment.version} textarea"
    tab.wait_for_function("sel => document.activeElement === document.querySelector(sel)", arg=selector)


def test_reload_new_tab_and_links_keep_the_sign_in(served, context):
    url, db, _, _ = served
    tab = new_tab(context)
    sign_in(tab, url, "rita", page="terms")
    signed_in_as(tab, "rita")
    tab.wait_for_function("() => document.cookie.includes('wb_session=')")
    assert "password" not in tab.evaluate("() => document.cookie")

    tab.reload()
    signed_in_as(tab, "rita")

    other = new_tab(context)
    other.goto(f"{url}/glossary")
    signed_in_as(other, "rita")
    other.get_by_role("heading", name="Glossary").wait_for()

    # A link from the Terms page (a full page load) opens the Review page, still signed in.
    tab.get_by_role("heading", name="Terms").wait_for()
    link = tab.get_by_role("link", name="open").first
    link.wait_for()
    href = link.get_attribute("href")
    link.click()
    tab.wait_for_url(f"**/{href}")
    tab.get_by_role("heading", name="Review").wait_for()
    signed_in_as(tab, "rita")

    # A shared link opened in another browser profile is not signed in: the sign-in is per browser.
    stranger = new_tab(context.browser.new_context())
    stranger.goto(f"{url}/{href}")
    stranger.get_by_role("button", name="Sign in").wait_for()

    # Signing out ends the session in every tab of the profile.
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Sign in").wait_for()
    other.reload()
    other.get_by_role("button", name="Sign in").wait_for()


def test_a_reviewers_approve_key_saves_as_reviewed_and_the_glossary_is_read_only(served, context):
    url, db, glossary, _ = served
    first, second = segments(db, 1)[:2]
    before = {p.name: p.read_bytes() for p in glossary.glob("*.tsv")}
    tab = new_tab(context)
    sign_in(tab, url, "rita", page="review?doc=1")
    signed_in_as(tab, "rita")
    wait_focused(tab, first)
    editor(tab, first).fill("The border conference, reviewed by Rita.")
    editor(tab, first).press("Control+Enter")
    tab.get_by_text("Saved segment #1 as reviewed").wait_for()
    wait_focused(tab, second)  # the next segment is open, the cursor in its editor
    saved = segments(db, 1)[0]
    assert (saved.status, saved.updated_by, saved.target_text) == (
        "reviewed", "rita", "The border conference, reviewed by Rita.")

    tab.locator('[data-testid="stSidebarNav"]').get_by_role("link", name="Glossary", exact=True).click()
    tab.get_by_text("may not change the glossary").first.wait_for()
    assert tab.get_by_role("button", name="Save entry").is_disabled()
    assert {p.name: p.read_bytes() for p in glossary.glob("*.tsv")} == before


def test_a_demoted_approvers_next_approve_key_is_refused(served, context):
    url, db, _, users = served
    first = segments(db, 2)[0]
    tab = new_tab(context)
    sign_in(tab, url, "alex", page="review?doc=2")
    signed_in_as(tab, "alex")
    wait_focused(tab, first)
    editor(tab, first).fill("Approved before the demotion?")
    change_account(users, "alex", role="reviewer")  # the page is open; nothing on it has changed
    editor(tab, first).press("Control+Enter")
    tab.get_by_text("your sign-in has ended").wait_for()
    wait_focused(tab, first)  # after the refusal the cursor is back in the editor, the text still there
    assert editor(tab, first).input_value() == "Approved before the demotion?"
    assert segments(db, 2)[0].version == first.version  # nothing saved
    with ReviewStore(db) as store:
        assert store.history(first.id) == []


def test_drafts_belong_to_the_account_not_the_browser(served, context, browser):
    url, db, _, _ = served
    first = segments(db, 3)[0]
    typed = "Vera's unsaved sentence about the border."
    tab = new_tab(context)
    sign_in(tab, url, "vera", page="review?doc=3")
    signed_in_as(tab, "vera")
    wait_focused(tab, first)
    editor(tab, first).type(typed)

    def stored_draft(name):
        with ReviewStore(db) as store:
            return draft(store, name, first.id)

    wait_for(lambda: stored_draft("vera") is not None and stored_draft("vera").text == typed, "Vera's draft")
    tab.get_by_role("button", name="Sign out").click()
    tab.get_by_role("button", name="Sign in").wait_for()

    # Another account on the same browser sees none of it.
    sign_in(tab, url, "ada", page="review?doc=3")
    signed_in_as(tab, "ada")
    wait_focused(tab, first)
    assert editor(tab, first).input_value() != typed
    assert typed not in tab.content()
    assert stored_draft("ada") is None

    # Vera finds her draft in another browser.
    elsewhere = new_tab(browser.new_context(viewport={"width": 1440, "height": 900}))
    sign_in(elsewhere, url, "vera", page="review?doc=3")
    signed_in_as(elsewhere, "vera")
    elsewhere.get_by_text("Your unsaved draft of this segment is back in the editor.").wait_for()
    selector = f".st-key-target_{first.id}_{first.version} textarea"
    elsewhere.wait_for_function("([sel, text]) => document.querySelector(sel)?.value === text", arg=[selector, typed])
    # Saving clears it.
    editor(elsewhere, first).press("Control+Shift+Enter")
    elsewhere.get_by_text("Saved segment #1 as translated").wait_for()
    assert stored_draft("vera") is None
    assert segments(db, 3)[0].target_text == typed


def test_a_reviewers_align_resave_over_approved_segments_is_refused(served, context):
    url, db, _, _ = served
    with ReviewStore(db) as store:
        documents = [d.id for d in store.documents()]
        source_id, target_id = documents[0], documents[1]
        source, target = stored_sentences(store, source_id), stored_sentences(store, target_id)
        pairs = [(sentence, f"earlier alignment {i}") for i, sentence in enumerate(source.sentences)]
        saved = actions.save_alignment(store, Actor("ada", "admin"), source_id, target.name, target.lang, pairs)
        first = store.segments(saved)[0]
        store.save_target(first.id, "Approved by Alex.", "approved", reviewer="alex", expected_version=first.version)
    tab = new_tab(context)
    sign_in(tab, url, "rita", page="align")
    signed_in_as(tab, "rita")
    tab.locator(".st-key-align_run").get_by_role("button").click()
    tab.get_by_text("approved by alex").first.wait_for()  # said before anyone clicks Save
    tab.locator(".st-key-align_save").get_by_role("button").click()
    tab.get_by_text("Not saved:").wait_for()
    assert "may not change reviewed or approved work" in tab.get_by_text("Not saved:").inner_text()
    with ReviewStore(db) as store:
        kept = store.segment(first.id)
        assert (kept.target_text, kept.status, kept.updated_by) == ("Approved by Alex.", "approved", "alex")
        assert store.is_aligned_pair(saved) and len(store.segments(saved)) == len(pairs)


def test_the_eleventh_wrong_password_waits(served, context):
    url, db, _, _ = served
    tab = new_tab(context)
    tab.goto(url)

    def failures():
        with ReviewStore(db) as store:
            row = store.conn.execute("SELECT failures FROM sign_in_failures WHERE key = 'account:wendy'").fetchone()
            return row["failures"] if row else 0

    for attempt in range(1, 11):
        tab.get_by_label("Account name").fill("wendy")
        tab.get_by_label("Password", exact=True).fill(f"wrong guess {attempt}")
        tab.get_by_role("button", name="Sign in").click()
        wait_for(lambda attempt=attempt: failures() == attempt, f"failure {attempt}")
    tab.get_by_text("too many failed attempts. Wait").wait_for()
    # The eleventh try waits, even with the right password: it is not checked during the wait.
    tab.get_by_label("Account name").fill("wendy")
    tab.get_by_label("Password", exact=True).fill(password("wendy"))
    tab.get_by_role("button", name="Sign in").click()
    tab.get_by_text("too many failed attempts. Wait").wait_for()
    assert "Signed in as" not in tab.content()
    assert failures() == 10
    with ReviewStore(db) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM sign_in_sessions WHERE account = 'wendy'").fetchone()[0] == 0
