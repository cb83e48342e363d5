"""The Documents page with many documents, in a real browser: pages, search and filters, then archive.

120 documents (Vietnamese and English, three outlets, several years) are stored;
`streamlit run app.py` serves them and Playwright drives Debian's Chromium. The
reviewer sees the first of three pages, types a search without diacritics,
narrows it by language and outlet, opens the next page, and archives one of the
documents found; the test checks the counts the page shows against the store
and that the store holds the archived document afterwards.

Needs the `playwright` package and /usr/bin/chromium; skipped without them
unless WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes them mandatory.
"""

from __future__ import annotations

import hashlib

import pytest
from ui_support import BROWSER_TIMEOUT_MS, REPO, chromium, require_browser, streamlit_server

from workbench.documents.ingest import Document
from workbench.documents.segment import Segment
from workbench.review.document_list import DocumentQuery, list_documents
from workbench.review.store import ReviewStore

playwright_api = require_browser()

TITLES = ["Đồn Biên phòng Thanh Thủy tuần tra", "Border Defense Commission meets", "Hội nghị Đảng uỷ tỉnh"]
OUTLETS = ["Báo Hà Giang", "Inner Mongolia Daily", "Báo Lạng Sơn"]


@pytest.fixture
def served(tmp_path):
    db = tmp_path / "data" / "workbench.db"
    db.parent.mkdir()
    with ReviewStore(db) as store:
        for number in range(120):
            lang = "en" if number % 3 == 1 else "vi"
            path = f"/corpus/{number:03d}.txt"
            document = Document(path=path, name=f"{number:03d}.txt", lang=lang, machine_translated_from=None,
                                encoding="utf-8", content_hash=hashlib.sha256(path.encode()).hexdigest(),
                                paragraphs=[], title=f"{TITLES[number % 3]} số {number}",
                                date=f"20{12 + number % 10}-03-0{1 + number % 9}", outlet=OUTLETS[number % 4 % 3])
            store.upsert_document(document, [Segment(0, 0, f"Câu thứ {number}.", "body")],
                                  target_lang="vi" if lang == "en" else "en")
    with streamlit_server(db, REPO / "glossaries", {}, tmp_path) as url:
        yield url, db


@pytest.fixture
def page():
    with chromium(playwright_api) as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 2200})
        tab.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield tab


def choose(page, key: str, text: str) -> None:
    chooser = page.locator(f".st-key-{key}").get_by_role("combobox")
    chooser.scroll_into_view_if_needed()
    chooser.click()
    chooser.fill(text)
    option = page.get_by_role("option", name=text, exact=True)
    option.scroll_into_view_if_needed()
    option.click()


def test_search_filter_page_and_archive_in_a_real_browser(served, page, tmp_path):
    url, db = served
    try:
        page.goto(url + "/?reviewer=Lan")  # archiving records who did it: a name first (single-team mode)
        page.get_by_text("120 documents · page 1 of 3").wait_for()
        name = page.locator(".st-key-reviewer input")  # archiving is offered to a named reviewer
        name.fill("Lan")
        name.press("Enter")
        page.locator(".st-key-archive_choice").wait_for()

        search = page.locator(".st-key-documents_search input")
        search.fill("thanh thuy")
        search.press("Enter")
        with ReviewStore(db) as store:
            found = list_documents(store, DocumentQuery(text="thanh thuy"))
        assert found.total == 40
        page.get_by_text("40 documents · page 1 of 1").wait_for()

        choose(page, "documents_outlet", "Báo Hà Giang")
        with ReviewStore(db) as store:
            narrowed = list_documents(store, DocumentQuery(text="thanh thuy", outlet="Báo Hà Giang"))
        assert 0 < narrowed.total < 40
        page.get_by_text(f"{narrowed.total} documents · page 1 of 1").wait_for()

        # The archive chooser offers the documents found, and archiving one changes the store.
        chooser = page.locator(".st-key-archive_choice").get_by_role("combobox")
        chooser.click()
        page.get_by_role("option").first.wait_for()
        offered = page.get_by_role("option").all_inner_texts()  # the list may draw only what is in view
        assert offered and all("Thanh Thủy" in label for label in offered)
        chosen = narrowed.rows[-1]
        chooser.press("Escape")
        choose(page, "archive_choice", f"{chosen['id']}: {chosen['title']} (vi→en)")
        page.locator(".st-key-archive_start button").click()
        page.locator(".st-key-archive_confirm button").click()
        page.get_by_text(f"{narrowed.total - 1} documents · page 1 of 1").wait_for()
        with ReviewStore(db) as store:
            assert store.document(chosen["id"]).archived == 1
            assert sum(d.archived for d in store.documents(include_archived=True)) == 1

        # Clearing the search and choosing English: the second page of the English documents.
        search.fill("")
        search.press("Enter")
        choose(page, "documents_outlet", "any outlet")
        choose(page, "documents_lang", "English")
        page.get_by_text("40 documents · page 1 of 1").wait_for()
        choose(page, "documents_lang", "Vietnamese")
        page.get_by_text("79 documents · page 1 of 2").wait_for()
        page_number = page.locator(".st-key-documents_page input")
        page_number.fill("2")
        page_number.press("Enter")
        page.get_by_text("79 documents · page 2 of 2").wait_for()
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)
        raise
