"""The reviewer's tools in a real browser: a readable grid, checks in view, spelling, TMX memories, scans.

One `streamlit run app.py` server over a store of its own (documents imported here,
no model needed), driven by Playwright in Debian's Chromium at 1440x900; each test
reads the store (or the team's files) afterwards:

- every grid row shows its whole source and target and its check labels in words;
- the checks, terms and memory of a typical segment are on screen without scrolling;
- a misspelled word is underlined, and "accept for the team" writes the accepted-words file;
- a TMX file uploaded on the Export page gives a match that Ctrl+1 inserts and Ctrl+Enter saves;
- a scanned PDF read by OCR shows its text in the Review page, marked as OCR;
- "Go to #" out of range says so; a term inserted mid-text gets its spaces;
- an error notice takes the open segment's fixed notice slot, so the editor does not move;
- a spelling suggestion clicked replaces the misspelled word in the editor, and the save stores it;
- times are shown in the browser's time zone, not in UTC;
- no filter label or button of the Review page is cut; a long target opens at its first line.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from ui_support import REPO, VIEWPORT, chromium, editor_selector, require_browser, streamlit_server, wait_focused

from workbench.documents.readers import ocr
from workbench.pipeline import BatchOptions, import_uploads
from workbench.review.store import ReviewStore

playwright_api = require_browser()

LONG = ("Trong nhiều năm qua, công tác phối hợp, lãnh đạo, chỉ đạo thực hiện nhiệm vụ công tác biên phòng trên địa "
        "bàn tỉnh được Tỉnh uỷ, UBND tỉnh phối hợp với Đảng uỷ, Bộ Tư lệnh Bộ đội Biên phòng thường xuyên thông tin, "
        "trao đổi tình hình và thống nhất chủ trương, biện pháp trong lãnh đạo, chỉ đạo thực hiện nhiệm vụ quản lý, "
        "bảo vệ chủ quyền an ninh quốc gia ở khu vực biên giới cuối cùng.")
TYPICAL = "Đồn Biên phòng Thanh Thủy tổ chức hội nghị sơ kết 5 năm thực hiện Chỉ thị số 01."
MISSPELT = "Bộ đội Biên phòng tuần tra đường biên giới cùng nhân dân."
TM_SOURCE = "Lực lượng vũ trang tỉnh tổ chức diễn tập phòng chống thiên tai."
TM_TARGET = "The provincial armed forces held a disaster-prevention exercise."
DOCUMENT = "\n".join([LONG, TYPICAL, MISSPELT, TM_SOURCE, "Hội nghị kết thúc lúc 11 giờ."]) + "\n"
TMX = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4"><header creationtool="OmegaT" srclang="vi-VN" adminlang="EN-US" datatype="plaintext"
 segtype="sentence" o-tmf="OmegaT TMX"/><body>
<tu><tuv xml:lang="vi-VN"><seg>{TM_SOURCE}</seg></tuv><tuv xml:lang="en-US"><seg>{TM_TARGET}</seg></tuv></tu>
</body></tmx>
"""


@dataclass
class Served:
    url: str
    db: Path
    glossary: Path
    document_id: int
    scan_id: int | None
    folder: Path

    def store(self) -> ReviewStore:
        return ReviewStore(self.db)


def _scan_pdf() -> bytes:
    from test_ocr import scanned_page_pdf

    return scanned_page_pdf()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-review-tools")
    db = folder / "data" / "workbench.db"
    db.parent.mkdir(parents=True)
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    files = [("nhiem-vu.txt", DOCUMENT.encode())]
    if ocr.ocr_available():
        files.append(("scan.pdf", _scan_pdf()))
    with ReviewStore(db) as store:
        summary = import_uploads(store, files, BatchOptions(lang=None, translate=False))
        assert not summary.failures, summary.failures
        by_name = {row.name: row.id for row in store.documents()}
        segments = store.segments(by_name["nhiem-vu.txt"])
        # A reviewer's targets: one with a misspelling, one whose numbers differ from its source.
        store.save_target(segments[2].id, "The Border Guard patroled the borderline with the people.", "translated",
                          reviewer="Lan", expected_version=1)
        store.save_target(segments[4].id, "The conference ended at 12 o'clock.", "translated", reviewer="Lan",
                          expected_version=1)
    with streamlit_server(db, glossary, {}, folder) as url:
        yield Served(url, db, glossary, by_name["nhiem-vu.txt"], by_name.get("scan.pdf"), folder)


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright_api) as opened:
        yield opened


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(30_000)
    try:
        yield tab
    finally:
        tab.screenshot(path=str(tmp_path / "last.png"))
        context.close()


def segment_ids(served) -> list[int]:
    with served.store() as store:
        return [s.id for s in store.segments(served.document_id)]


def open_review(page, served, segment_id: int, reviewer: str = "Lan") -> None:
    page.goto(f"{served.url}/review?reviewer={reviewer}&doc={served.document_id}&seg={segment_id}")
    page.locator(".wb-grid").wait_for()


def test_every_row_shows_its_whole_segment_and_its_check_labels(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[1])
    long_row = page.locator(f'tr[data-wb-seg="{ids[0]}"]')
    assert LONG in long_row.inner_text().replace("\n", " ")  # the whole source, not its first 22 characters
    box = long_row.locator("td").nth(1).bounding_box()
    assert box["height"] > 60  # wrapped over several lines, not cut
    numbers_row = page.locator(f'tr[data-wb-seg="{ids[4]}"]')
    assert "The conference ended at 12 o'clock." in numbers_row.inner_text()
    assert numbers_row.locator(".wb-label", has_text="numbers differ").is_visible()  # readable without hovering


def test_the_checks_terms_and_memory_of_a_typical_segment_are_in_view(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[1])
    wait_focused(page, editor_selector(ids[1], 1))
    for text in ("Checks", "Glossary terms", "Translation memory"):
        block = page.locator(".wb-panel-block", has_text=text).first
        block.wait_for()
        bottom = block.bounding_box()["y"] + block.bounding_box()["height"]
        assert bottom <= VIEWPORT["height"], f"{text} ends at {bottom:.0f} px, below the 900 px fold"
    assert page.evaluate("() => window.scrollY") == 0
    # The editor opens with the cursor at the start of its text.
    assert page.evaluate("sel => document.querySelector(sel).selectionStart", editor_selector(ids[1], 1)) == 0


def test_a_misspelling_is_marked_and_accepted_for_the_team(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[2])
    marked = page.locator(f'tr[data-wb-seg="{ids[2]}"] .wb-misspelt')
    marked.wait_for()
    assert marked.inner_text() == "patroled"
    page.locator(".wb-panel-block", has_text="possible misspelling").first.wait_for()
    page.locator(f".st-key-accept_{ids[2]}_patroled").get_by_role("button", name="patroled").click()
    page.get_by_text("is now an accepted word of the team").wait_for()
    accepted = (served.glossary / "accepted-words.txt").read_text(encoding="utf-8")
    assert "patroled" in accepted.splitlines()
    page.wait_for_function("id => !document.querySelector(`tr[data-wb-seg=\"${id}\"] .wb-misspelt`)", arg=ids[2])


def test_a_tmx_import_gives_a_match_inserted_with_ctrl_1(served, page, tmp_path):
    upload = tmp_path / "team-memory.tmx"
    upload.write_text(TMX, encoding="utf-8")
    page.goto(f"{served.url}/export?reviewer=Lan")
    page.get_by_text("Import a translation memory (TMX)").click()
    page.locator(".st-key-tmx_upload input[type=file]").set_input_files(str(upload))
    page.locator(".st-key-tmx_import button").click()
    page.get_by_text("team-memory.tmx: 1 translation units read; 2 memory entries added").wait_for()

    ids = segment_ids(served)
    open_review(page, served, ids[3])
    editor = editor_selector(ids[3], 1)
    wait_focused(page, editor)
    page.locator(".wb-tm-origin", has_text="imported from team-memory.tmx").wait_for()
    page.keyboard.press("Control+1")
    assert page.locator(editor).input_value() == TM_TARGET
    page.keyboard.press("Control+Enter")
    wait_focused(page, editor_selector(ids[4], 2))
    with served.store() as store:
        saved = store.segment(ids[3])
    assert (saved.target_text, saved.status, saved.updated_by) == (TM_TARGET, "approved", "Lan")


def test_a_broken_tmx_is_refused_with_its_line(served, page, tmp_path):
    upload = tmp_path / "broken.tmx"
    upload.write_text(TMX.replace('<tuv xml:lang="en-US">', "<tuv>"), encoding="utf-8")
    page.goto(f"{served.url}/export?reviewer=Lan")
    page.get_by_text("Import a translation memory").click()
    page.locator(".st-key-tmx_upload input[type=file]").set_input_files(str(upload))
    page.locator(".st-key-tmx_import button").click()
    page.get_by_text("broken.tmx:5: <tuv> without xml:lang").wait_for()
    with served.store() as store:
        origins = {row["origin"] for row in store.conn.execute("SELECT origin FROM memory_units")}
    assert "broken.tmx" not in origins


@pytest.mark.skipif(not ocr.ocr_available(), reason=f"OCR part not installed ({ocr.OCR_PACKAGES})")
def test_a_scanned_pdf_is_read_in_the_review_page(served, page):
    with served.store() as store:
        first = store.segments(served.scan_id)[0]
    page.goto(f"{served.url}/review?reviewer=Lan&doc={served.scan_id}&seg={first.id}")
    page.locator(".wb-grid").wait_for()
    page.get_by_text("source text read by OCR from a scan").wait_for()
    assert "border guard held a meeting" in page.locator(".wb-grid").inner_text()


def test_go_to_a_number_the_document_does_not_have_says_so(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[0])
    box = page.locator(".st-key-review_goto input")
    box.fill("5000")
    box.press("Enter")
    page.get_by_text("There is no segment #5000 in this document: its segments are numbered 1 to 5.").wait_for()
    box.fill("0")
    box.press("Enter")
    page.get_by_text("There is no segment #0 in this document").wait_for()


def test_a_term_inserted_in_the_middle_of_a_text_gets_its_spaces(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[1])
    editor = editor_selector(ids[1], 1)
    wait_focused(page, editor)
    page.keyboard.type("The held a conference.")
    page.evaluate("sel => { const box = document.querySelector(sel); box.setSelectionRange(3, 3); }", editor)
    insert = page.locator('[data-wb-action="insert-term"]').first
    insert.click()
    value = page.locator(editor).input_value()
    term = value[4:value.index(" held")]
    assert term and value == f"The {term} held a conference."


FRENCH = ("Le poste de garde-frontière a organisé une réunion avec les habitants du village pour parler de la "
          "sécurité de la frontière et de la protection des bornes pendant toute l'année.\n")


def test_an_old_doc_and_a_french_file_are_refused_in_the_pages_words(served, page, tmp_path):
    old_word, french = tmp_path / "bao-cao.doc", tmp_path / "rapport.txt"
    old_word.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512)
    french.write_text(FRENCH, encoding="utf-8")
    with served.store() as store:
        before = len(store.documents())
    page.goto(f"{served.url}/?reviewer=Lan")
    page.locator(".st-key-import_files input[type=file]").set_input_files([str(old_word), str(french)])
    page.get_by_text("bao-cao.doc").first.wait_for()
    page.locator(".st-key-import_submit button").click()
    errors = page.locator('[data-testid="stAlertContentError"]')
    errors.filter(has_text="bao-cao.doc").wait_for()
    assert "save it as .docx" in errors.filter(has_text="bao-cao.doc").inner_text()  # not "msword not allowed"
    refused = errors.filter(has_text="rapport.txt").inner_text()
    assert "French" in refused and "choose its language under “Language”" in refused and "--lang" not in refused
    with served.store() as store:
        assert len(store.documents()) == before  # nothing stored


@pytest.mark.parametrize("path, heading", [("documents", "Documents"), ("quality", "Quality")])
def test_pages_opened_by_their_address_show_no_page_not_found(served, page, path, heading):
    page.goto(f"{served.url}/{path}?reviewer=Lan")
    page.get_by_role("heading", name=heading, exact=True).first.wait_for()
    assert page.get_by_text("Page not found").count() == 0


def test_a_reviewer_whose_document_was_archived_is_told(served, page):
    with served.store() as store:
        summary = import_uploads(store, [("luu-tru.txt", "Đồn Biên phòng lưu trữ tài liệu.\n".encode())],
                                 BatchOptions(lang="vi", translate=False))
        assert not summary.failures
        archived = store.documents()[-1].id
        store.archive_document(archived)
    page.goto(f"{served.url}/review?reviewer=Lan&doc={archived}")
    page.get_by_text(f"Document {archived} is archived or no longer in the store").wait_for()


def add_document(served, name: str, source: str, target: str | None = None) -> int:
    """A new one-segment document (with a reviewer's target when given); its segment's id."""
    with served.store() as store:
        summary = import_uploads(store, [(name, (source + "\n").encode())], BatchOptions(lang="vi", translate=False))
        assert not summary.failures, summary.failures
        segment = store.segments(store.documents()[-1].id)[0]
        if target is not None:
            store.save_target(segment.id, target, "translated", reviewer="Lan", expected_version=1)
        return segment.id


def open_segment(page, served, segment_id: int) -> None:
    with served.store() as store:
        document_id = store.segment(segment_id).document_id
    page.goto(f"{served.url}/review?reviewer=Lan&doc={document_id}&seg={segment_id}")
    page.locator(".wb-grid").wait_for()


def test_an_error_notice_does_not_move_the_editor(served, page):
    segment_id = add_document(served, "loi.txt", "Đồn Biên phòng tổ chức hội nghị tổng kết năm.")
    open_segment(page, served, segment_id)
    editor = editor_selector(segment_id, 1)
    wait_focused(page, editor)
    before = page.locator(editor).bounding_box()
    page.keyboard.press("Control+Enter")  # an empty target cannot be approved
    refusal = page.locator(".wb-notice-error", has_text="Not saved: an empty target cannot be approved.")
    refusal.wait_for()
    assert page.locator(editor).bounding_box() == before
    with served.store() as store:
        kept = store.segment(segment_id)
    assert (kept.status, kept.version, kept.target_text) == ("new", 1, None)


def test_a_spelling_suggestion_replaces_the_word_and_is_saved(served, page):
    segment_id = add_document(served, "chinh-ta.txt", "Đồn Biên phòng họp với dân bản.",
                              "The station held a meetnig with the villagers.")
    open_segment(page, served, segment_id)
    editor = editor_selector(segment_id, 2)
    wait_focused(page, editor)
    suggestion = page.locator('.wb-spelling [data-wb-action="replace-word"][data-wb-word="meetnig"]',
                              has_text="meeting")
    suggestion.click()
    assert page.locator(editor).input_value() == "The station held a meeting with the villagers."
    page.keyboard.press("Control+Enter")
    page.wait_for_function("sel => !document.querySelector(sel)", arg=editor)  # saved: version 3 opened
    with served.store() as store:
        saved = store.segment(segment_id)
    assert (saved.target_text, saved.status, saved.version) == (
        "The station held a meeting with the villagers.", "approved", 3)


def test_times_are_shown_in_the_reviewers_time_zone(served, browser):
    ids = segment_ids(served)
    with served.store() as store:
        changed = store.segment(ids[4])  # saved by Lan when the module started
    moment = datetime.fromisoformat(changed.updated_at)
    local = moment.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%Y-%m-%d %H:%M")
    raw = moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M")
    context = browser.new_context(viewport=VIEWPORT, timezone_id="Asia/Ho_Chi_Minh")
    try:
        tab = context.new_page()
        tab.set_default_timeout(30_000)
        open_review(tab, served, ids[4])
        line = tab.locator(".wb-slot .wb-line", has_text="last change by")
        line.wait_for()
        assert f"at {local} +07" in line.inner_text() and raw not in line.inner_text()
        tab.get_by_text("History (").click()
        tab.get_by_text(f"{local} +07").first.wait_for()
    finally:
        context.close()


CUT_TEXTS = """() => {
  // Labels and buttons of the main area whose text does not fit: clipped or ended with "…" ("Flag…", "S…").
  const cut = [];
  const main = document.querySelector('[data-testid="stMain"]') || document.body;
  for (const el of main.querySelectorAll('label, label *, button, button *')) {
    const style = getComputedStyle(el);
    const clips = style.overflowX === "hidden" || style.overflowX === "clip" || style.textOverflow === "ellipsis";
    if (clips && el.textContent.trim() && el.scrollWidth > el.clientWidth + 1) cut.push(el.textContent.trim());
  }
  return cut;
}"""


def test_the_review_controls_and_buttons_are_not_cut(served, page):
    ids = segment_ids(served)
    open_review(page, served, ids[1])
    wait_focused(page, editor_selector(ids[1], 1))
    for label in ("Flagged only", "Go to #", "Approve, next", "Translated, next", "Save", "Keys"):
        page.get_by_text(label, exact=True).first.wait_for()
    assert page.evaluate(CUT_TEXTS) == []


def test_a_long_target_opens_at_its_first_line(served, page):
    target = " ".join(f"Sentence {n} of a long translation, written by the reviewer." for n in range(1, 30))
    segment_id = add_document(served, "dai.txt", "Đồn Biên phòng tổ chức nhiều hoạt động trong năm.", target)
    open_segment(page, served, segment_id)
    editor = editor_selector(segment_id, 2)
    wait_focused(page, editor)
    scroll_top, cursor, overflows = page.evaluate(
        "sel => { const box = document.querySelector(sel); "
        "return [box.scrollTop, box.selectionStart, box.scrollHeight > box.clientHeight]; }", editor)
    assert (scroll_top, cursor, overflows) == (0, 0, True)  # longer than the editor, shown from its start
