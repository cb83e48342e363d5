"""The Review page in a real browser: `streamlit run app.py`, driven by Playwright in Debian's Chromium.

One server per module, on a copy of the seeded store (plus a hostile document);
each test works on its own document and reads the database afterwards:

- five consecutive segments corrected and approved from the keyboard only
  (typing, Ctrl+Enter; an already correct one with one key; Ctrl+I; Alt+Up/Down),
  at least 12 grid rows visible at 1440x900;
- an unsaved edit kept as a draft (in the store, for this reviewer) across a page switch and a reload;
- two reviewers in two browser contexts saving the same segment;
- a hostile document shown as text, none of it run.

Screenshots go to the test's temporary folder only. Needs the `playwright`
package and /usr/bin/chromium; skipped without them unless WORKBENCH_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from ui_support import (
    BROWSER_TIMEOUT_MS,
    REPO,
    VIEWPORT,
    chromium,
    copy_store,
    editor_selector,
    english_like,
    open_page,
    record_plausible_mt,
    require_browser,
    seeded_store_file,
    streamlit_server,
    wait_focused,
)

from workbench.pipeline import BatchOptions, import_uploads
from workbench.review.drafts import draft
from workbench.review.store import ReviewStore

playwright_api = require_browser()

HOSTILE = ("Bộ đội Biên phòng <script>window.__injected = 1</script> tuần tra.\n"
           "Đồn <img src=x onerror=\"window.__injected = 2\"> giữ vững đường biên.\n")


@dataclass
class Served:
    url: str
    db: Path
    hostile_id: int
    vietnamese: list[int]  # the Vietnamese documents, longest first: one per test that needs its own

    def store(self) -> ReviewStore:
        return ReviewStore(self.db)


@pytest.fixture(scope="module")
def served(tiny_checkpoints, tmp_path_factory):
    """A copy of the seeded store (plus a hostile document) served by `streamlit run app.py`."""
    folder = tmp_path_factory.mktemp("browser-review")
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), folder / "data" / "workbench.db")
    with ReviewStore(db) as store:
        summary = import_uploads(store, [("hostile.txt", HOSTILE.encode())], BatchOptions(lang="vi", translate=False))
        assert not summary.failures
        hostile_id = store.documents()[-1].id
        summaries = [d for d in store.document_summaries() if d["lang"] == "vi" and d["id"] != hostile_id]
        vietnamese = [d["id"] for d in sorted(summaries, key=lambda d: -d["segments"])]  # the longest first
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    with streamlit_server(db, glossary, tiny_checkpoints, folder) as url:
        yield Served(url, db, hostile_id, vietnamese)


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright_api) as opened:
        yield opened


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        yield tab
    finally:
        tab.screenshot(path=str(tmp_path / "last.png"), full_page=True)  # the test's folder, for a post-mortem
        context.close()


def give_name(page, name: str) -> None:
    box = page.locator(".st-key-reviewer input")
    box.fill(name)
    box.press("Enter")


def test_correct_and_approve_five_segments_with_the_keyboard_only(served, page, tmp_path):
    document_id = served.vietnamese[0]
    with served.store() as store:
        segments = store.segments(document_id)[:6]
        # Two segments have a plausible machine translation: one to correct, one already right.
        corrected, correct = english_like(segments[1].source_text), english_like(segments[3].source_text)
        record_plausible_mt(store, segments[1], corrected)
        record_plausible_mt(store, segments[3], correct)
    page.goto(f"{served.url}/review?doc={document_id}&seg={segments[0].id}")
    page.locator(".wb-grid").wait_for()
    # Whole segments (wrapped, never cut), so fewer rows than a one-line grid: still the open one's context.
    visible = page.evaluate("""() => [...document.querySelectorAll('tr[data-wb-seg]')].filter(row => {
        const box = row.getBoundingClientRect(); return box.top >= 0 && box.bottom <= innerHeight; }).length""")
    assert visible >= 4, f"only {visible} grid rows visible at 1440x900"
    give_name(page, "Lan")

    wait_focused(page, editor_selector(segments[0].id, 1))  # the open segment's editor has the cursor
    page.keyboard.type("February 2020")  # translated from scratch: the MT was noise
    page.keyboard.press("Control+Enter")
    wait_focused(page, editor_selector(segments[1].id, 1))
    assert page.locator(editor_selector(segments[1].id, 1)).input_value() == corrected
    page.keyboard.press("Control+End")  # the editor opens at the start of its text
    page.keyboard.type(" No. 01")  # corrected: typing plus one key
    page.keyboard.press("Control+Enter")
    wait_focused(page, editor_selector(segments[2].id, 1))
    # The notice is a toast over the page, not a block above the editor that pushes it down.
    page.locator('[data-testid="stToast"]', has_text="Saved segment #2 as approved").wait_for()
    assert page.locator(".stAlert", has_text="Saved segment").count() == 0
    page.keyboard.type("Scene of the conference.")
    page.keyboard.press("Control+Enter")
    wait_focused(page, editor_selector(segments[3].id, 1))
    page.keyboard.press("Control+Enter")  # already correct: one key
    wait_focused(page, editor_selector(segments[4].id, 1))
    page.keyboard.type("Draft, not approved yet")
    page.keyboard.press("Control+Shift+Enter")  # saved as translated
    wait_focused(page, editor_selector(segments[5].id, 1))
    page.keyboard.press("Alt+ArrowUp")  # back without saving
    wait_focused(page, editor_selector(segments[4].id, 2))
    assert page.locator(editor_selector(segments[4].id, 2)).input_value() == "Draft, not approved yet"
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.press("Alt+ArrowUp")
    wait_focused(page, editor_selector(segments[3].id, 2))
    page.keyboard.press("Control+a")
    page.keyboard.press("Delete")
    page.keyboard.press("Control+i")  # the machine translation back in
    assert page.locator(editor_selector(segments[3].id, 2)).input_value() == correct
    page.keyboard.press("Alt+ArrowDown")
    wait_focused(page, editor_selector(segments[4].id, 2))
    page.wait_for_url(f"**seg={segments[4].id}**")
    page.screenshot(path=str(tmp_path / "review-grid.png"))  # the test's folder, not the repository

    with served.store() as store:
        saved = [store.segment(s.id) for s in segments[:5]]
        assert [(s.target_text, s.status) for s in saved] == [
            ("February 2020", "approved"),
            (corrected + " No. 01", "approved"),
            ("Scene of the conference.", "approved"),
            (correct, "approved"),
            ("Draft, not approved yet", "translated")]
        assert all(s.updated_by == "Lan" and s.version == 2 for s in saved)  # each saved once
        assert store.segment(segments[5].id).version == 1  # moving on did not save


def test_an_unsaved_edit_survives_a_page_switch_and_a_reload(served, page):
    document_id = served.vietnamese[1]
    with served.store() as store:
        segment = store.segments(document_id)[2]
    page.goto(f"{served.url}/review?reviewer=Minh&doc={document_id}&seg={segment.id}")
    editor = editor_selector(segment.id, 1)
    wait_focused(page, editor)
    page.keyboard.type("A draft that must not be lost")
    open_page(page, "Glossary")
    open_page(page, "Review")
    wait_focused(page, editor)
    assert page.locator(editor).input_value() == "A draft that must not be lost"
    page.get_by_text("Your unsaved draft of this segment is back in the editor.").wait_for()
    page.wait_for_url(f"**seg={segment.id}**")
    deadline = time.monotonic() + 60
    while True:  # the draft reaches the store, under the reviewer's name, without a save
        with served.store() as store:
            kept = draft(store, "Minh", segment.id)
        if kept is not None or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert kept is not None and kept.text == "A draft that must not be lost"

    page.reload()  # reviewer, document and open segment come back from the URL, the draft from the store
    wait_focused(page, editor)
    assert page.locator(".st-key-reviewer input").input_value() == "Minh"
    assert page.locator(editor).input_value() == "A draft that must not be lost"
    with served.store() as store:
        assert store.segment(segment.id).version == 1  # a draft is not a save

    page.keyboard.press("Control+Enter")
    page.get_by_text("Saved segment #3 as approved").wait_for()
    with served.store() as store:
        assert draft(store, "Minh", segment.id) is None  # saved: no draft
        assert page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('wb-draft:'))") == []
        saved = store.segment(segment.id)
        assert (saved.target_text, saved.status, saved.updated_by) == (
            "A draft that must not be lost", "approved", "Minh")


def test_two_reviewers_save_the_same_segment(served, browser):
    document_id = served.vietnamese[2]
    with served.store() as store:
        segment = store.segments(document_id)[1]
    editor = editor_selector(segment.id, 1)
    lan_context, minh_context = browser.new_context(viewport=VIEWPORT), browser.new_context(viewport=VIEWPORT)
    try:
        lan, minh = lan_context.new_page(), minh_context.new_page()
        for tab, name in ((lan, "Lan"), (minh, "Minh")):
            tab.set_default_timeout(BROWSER_TIMEOUT_MS)
            tab.goto(f"{served.url}/review?reviewer={name}&doc={document_id}&seg={segment.id}")
            wait_focused(tab, editor)
        lan.keyboard.type("Lan's translation")
        minh.keyboard.type("Minh's translation")
        lan.keyboard.press("Control+Enter")
        lan.get_by_text("Saved segment #2 as approved").wait_for()

        minh.keyboard.press("Control+Enter")  # based on version 1: refused, nothing overwritten
        minh.get_by_text("Nothing was overwritten").wait_for()
        minh.get_by_text("Lan's translation").first.wait_for()
        mine = minh.locator('[data-testid="stCode"]')
        assert "Minh's translation" in mine.inner_text()
        minh.get_by_role("button", name="Continue from the newer version").click()
        newer = editor_selector(segment.id, 2)
        wait_focused(minh, newer)
        assert minh.locator(newer).input_value() == "Lan's translation"
        assert "Minh's translation" in minh.locator('[data-testid="stCode"]').inner_text()  # still copyable
        minh.keyboard.press("Control+End")
        minh.keyboard.type(", checked by Minh")
        minh.keyboard.press("Control+Enter")
        minh.get_by_text("Saved segment #2 as approved (version 3)").wait_for()
    finally:
        lan_context.close()
        minh_context.close()
    with served.store() as store:
        saved = store.segment(segment.id)
        assert saved.target_text == "Lan's translation, checked by Minh"
        assert [h.reviewer for h in store.history(segment.id)] == ["Lan", "Minh"]


def test_a_hostile_document_is_shown_as_text_and_nothing_of_it_runs(served, page):
    page.goto(f"{served.url}/review?reviewer=Lan&doc={served.hostile_id}")
    page.locator(".wb-grid").wait_for()
    page.get_by_text("<script>window.__injected = 1</script>", exact=False).first.wait_for()
    page.get_by_text('<img src=x onerror="window.__injected = 2">', exact=False).first.wait_for()
    assert page.evaluate("window.__injected === undefined")
    assert page.locator("img[src='x']").count() == 0
    # A term's hover text is there (the glossary note never removes it).
    titles = page.evaluate("[...document.querySelectorAll('mark[title]')].map(m => m.title)")
    assert any("Border Guard" in title for title in titles), titles
