"""The Documents, Glossary, Export and Quality pages in a real browser (Playwright, Debian's Chromium).

One `streamlit run app.py` server for the module, on a copy of the seeded
store and glossary; each test drives one workflow click by click and then
checks what the store (or the glossary file, or the downloaded file) holds:

- upload a good and a bad file: the bad one is an error naming the file, the
  good one is imported and translated in the background;
- a translation cancelled: the page no longer says "translating in the background";
- glossary: add an entry, edit it, and an invalid edit that is refused;
- every export format downloaded and parsed;
- the Quality page before and after approvals made on the Review page.

Skipped without Playwright or /usr/bin/chromium unless WORKBENCH_REQUIRE_BROWSER=1.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from ui_support import (
    BROWSER_TIMEOUT_MS,
    REPO,
    VIEWPORT,
    choose_option,
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
    wait_idle,
)

from workbench.review.store import ReviewStore

playwright_api = require_browser()


@dataclass
class Served:
    url: str
    db: Path
    glossary: Path

    def store(self) -> ReviewStore:
        return ReviewStore(self.db)


@pytest.fixture(scope="module")
def served(tiny_checkpoints, tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser-workflows")
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), folder / "data" / "workbench.db")
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    with streamlit_server(db, glossary, tiny_checkpoints, folder) as url:
        yield Served(url, db, glossary)


@pytest.fixture(scope="module")
def browser():
    with chromium(playwright_api) as opened:
        yield opened


@pytest.fixture
def page(browser, tmp_path):
    context = browser.new_context(viewport=VIEWPORT, accept_downloads=True)
    tab = context.new_page()
    tab.set_default_timeout(BROWSER_TIMEOUT_MS)
    try:
        yield tab
    finally:
        tab.screenshot(path=str(tmp_path / "last.png"), full_page=True)  # the test's folder, for a post-mortem
        context.close()


def test_upload_a_good_and_a_bad_file(served, page, tmp_path):
    good = tmp_path / "tuan-tra.txt"
    good.write_text("".join(f"Đồn Biên phòng tuần tra đoạn {i} của đường biên giới.\n\n" for i in range(70)),
                    encoding="utf-8")
    bad = tmp_path / "empty.txt"
    bad.write_text("  \n", encoding="utf-8")
    with served.store() as store:
        before = len(store.documents())
    page.goto(f"{served.url}/?reviewer=Lan")
    page.locator(".st-key-import_files input[type=file]").set_input_files([str(good), str(bad)])
    page.get_by_text("tuan-tra.txt").first.wait_for()
    page.locator(".st-key-import_submit button").click()
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="empty.txt")
    error.wait_for()
    assert error.inner_text().strip() == "Not imported: empty.txt: file holds only whitespace"
    assert str(served.db.parent) not in page.content()  # no server path on the page
    page.get_by_text("Imported: documents: 1").wait_for()
    page.get_by_text(re.compile(r"Translating 1 imported document\(s\): finished")).wait_for(timeout=120_000)

    with served.store() as store:
        documents = store.documents()
        assert len(documents) == before + 1
        imported = documents[-1]
        assert imported.name == "tuan-tra.txt"
        segments = store.segments(imported.id)
        assert len(segments) == 70 and all(s.mt_text for s in segments)
    assert not (served.db.parent / "uploads" / "empty.txt").exists()


def test_a_cancelled_translation_no_longer_says_translating_in_the_background(served, page, tmp_path):
    # Long enough for the tiny model to be still at work when Cancel is clicked.
    upload = tmp_path / "huy-bo.txt"
    upload.write_text("".join(f"Tổ công tác số {i} kiểm tra mốc quốc giới thứ {i + 7} cùng dân bản.\n\n"
                              for i in range(600)), encoding="utf-8")
    page.goto(f"{served.url}/?reviewer=Lan")
    page.locator(".st-key-import_files input[type=file]").set_input_files(str(upload))
    page.get_by_text("huy-bo.txt").first.wait_for()
    page.locator(".st-key-import_submit button").click()
    page.get_by_text("translating in the background").wait_for()
    page.locator('[class*="st-key-cancel_job_"] button').first.click()
    page.get_by_text(re.compile(r"Translating 1 imported document\(s\): cancelled after \d+ of 600")).wait_for()
    page.get_by_text("translating in the background").wait_for(state="detached")
    page.get_by_text("Imported: documents: 1").wait_for()  # the import's line stays, without the claim
    with served.store() as store:
        imported = store.documents()[-1]
        segments = store.segments(imported.id)
    assert imported.name == "huy-bo.txt" and len(segments) == 600
    assert sum(1 for s in segments if s.mt_text) < 600  # stopped: the rest was not translated


def test_glossary_add_edit_and_an_invalid_entry(served, page):
    path = served.glossary / "vn-border-guard.tsv"
    page.goto(f"{served.url}/glossary?reviewer=Lan")
    page.get_by_role("heading", name="Glossary").wait_for()
    choose_option(page, "glossary_choice", "vn-border-guard.tsv")
    page.get_by_text("entries in vn-border-guard.tsv").wait_for()
    wait_idle(page)  # a run still under way would redraw the form under the typing

    def field(column: str):
        return page.locator('[data-testid="stForm"]').get_by_role("textbox", name=column, exact=True)

    def save():
        page.locator('[class*="st-key-glossary_save_"] button').click()

    field("id").fill("vn-don-truong")
    field("vi").fill("Đồn trưởng")
    field("en").fill("Station Commander")
    save()
    page.get_by_text("Saved vn-don-truong to vn-border-guard.tsv.").wait_for()
    assert "vn-don-truong\tĐồn trưởng\tStation Commander\t" in path.read_text(encoding="utf-8")

    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"en\"]')]"
                           ".some(box => box.value === 'Station Commander')")  # the new entry is open
    wait_idle(page)  # the run that opened it must end, or it redraws the form over the typing
    field("en").fill("Station Chief")
    save()
    page.get_by_text("Saved vn-don-truong to vn-border-guard.tsv.").wait_for()
    page.wait_for_function("() => [...document.querySelectorAll('input[aria-label=\"en\"]')]"
                           ".some(box => box.value === 'Station Chief')")
    # The notice of the first save may still be on screen: wait for the file itself.
    deadline = time.monotonic() + 60
    while "Station Chief" not in path.read_text(encoding="utf-8") and time.monotonic() < deadline:
        time.sleep(0.2)
    text = path.read_text(encoding="utf-8")
    assert "vn-don-truong\tĐồn trưởng\tStation Chief\t" in text and "Station Commander" not in text

    before = path.read_bytes()
    wait_idle(page)
    field("en").fill("")  # an entry without its English term breaks the glossary
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stForm\"] input[aria-label=\"en\"]')]"
                           ".every(box => box.value === '')")
    save()
    page.get_by_text("Not saved: the change would break the glossary.").wait_for()
    page.get_by_text("missing term in column 'en'", exact=False).first.wait_for()
    assert path.read_bytes() == before


def test_every_export_format_downloads_and_parses(served, page, tmp_path):
    from lxml import etree

    from workbench.exchange import read_tsv
    from workbench.exchange.xliff import parse_xliff_bytes

    with served.store() as store:
        vietnamese = next(d for d in store.documents() if d.lang == "vi")
        segments = store.segments(vietnamese.id)[:3]
        for index, segment in enumerate(segments[:2]):
            store.save_target(segment.id, f"Approved <{index}> & kept", "approved", reviewer="Lan",
                              expected_version=segment.version)
        approved = {segment.id: f"Approved <{index}> & kept" for index, segment in enumerate(segments[:2])}
        pairs = {(d.lang, d.target_lang) for d in store.documents()}
    page.goto(f"{served.url}/export?reviewer=Lan")
    page.get_by_role("heading", name="Export").wait_for()
    downloaded = {}
    for fmt, label in (("tmx", "TMX 1.4"), ("tsv", "TSV (tab-separated)"),
                       ("jsonl", "JSONL (one JSON object per line)"),
                       ("xliff", "XLIFF 2.0 (every segment, with its state; one file per language pair)")):
        choose_option(page, "export_format", label)
        # The last format's button goes: it would download the last format's file.
        page.locator(".st-key-export_download").wait_for(state="detached")
        page.locator(".st-key-export_prepare button").click()
        button = page.locator(".st-key-export_download button")
        button.wait_for()
        with page.expect_download() as download:
            button.click()
        target = tmp_path / download.value.suggested_filename
        download.value.save_as(target)
        downloaded[fmt] = target

    units = etree.parse(str(downloaded["tmx"])).findall(".//tu")
    found = {unit.get("tuid"): [seg.text for seg in unit.iter("seg")][1] for unit in units}
    assert {f"seg-{i}": text for i, text in approved.items()}.items() <= found.items()
    rows = {int(row["segment_id"]): row for row in read_tsv(downloaded["tsv"].read_bytes())}
    assert {i: rows[i]["target"] for i in approved} == approved
    assert all(row["mt"] == "" for row in rows.values())  # the test model's noise is never exported as MT
    lines = [json.loads(line) for line in downloaded["jsonl"].read_text(encoding="utf-8").splitlines()]
    assert {x["segment_id"]: x["target"] for x in lines if x["segment_id"] in approved} == approved
    assert all("/" not in x["document"] for x in lines)  # the document's name, not a server path
    assert downloaded["xliff"].suffix == ".zip"  # several language pairs: one file each
    with zipfile.ZipFile(io.BytesIO(downloaded["xliff"].read_bytes())) as archive:
        roots = [parse_xliff_bytes(archive.read(name)) for name in archive.namelist()]
    assert {(root.get("srcLang"), root.get("trgLang")) for root in roots} == pairs
    states = {unit.get("id"): unit.find(".//{*}segment").get("state") for root in roots
              for unit in root.iter("{*}unit")}
    assert all(states[f"seg-{i}"] == "final" for i in approved)


def test_quality_page_before_and_after_approvals(served, page):
    with served.store() as store:
        document = next(d for d in store.document_summaries() if d["lang"] == "vi" and d["statuses"]["approved"] == 0)
        segments = store.segments(document["id"])[:3]
        for segment in segments:
            record_plausible_mt(store, segment, english_like(segment.source_text))

    def scored() -> int:
        page.get_by_role("heading", name="Quality").wait_for()
        caption = page.get_by_text(re.compile(r"scored against the approved targets")).first.inner_text()
        return int(re.search(r"(\d+) approved segment\(s\) with a plausible", caption).group(1))

    page.goto(f"{served.url}/quality?reviewer=Lan")
    before = scored()
    page.goto(f"{served.url}/review?reviewer=Lan&doc={document['id']}&seg={segments[0].id}")
    for index, segment in enumerate(segments):
        wait_focused(page, editor_selector(segment.id, 1))
        if index == 1:
            page.keyboard.press("Control+End")
            page.keyboard.type(" (corrected)")
        page.keyboard.press("Control+Enter")
        page.get_by_text(f"Saved segment #{index + 1} as approved").wait_for()
    open_page(page, "Quality")
    assert scored() == before + 3
    bleu = page.locator('[data-testid="stMetric"]').filter(has_text="BLEU").locator('[data-testid="stMetricValue"]')
    assert re.fullmatch(r"\d+\.\d", bleu.inner_text().strip())
    # The median edit rate, not a mean that one rewritten short segment drives past 600 %; never "None".
    median = page.locator('[data-testid="stMetric"]').filter(has_text="Median edit rate (%)")
    assert re.fullmatch(r"\d+\.\d", median.locator('[data-testid="stMetricValue"]').inner_text().strip())
    assert not any("None" in text for text in page.locator('[data-testid="stMetric"]').all_inner_texts())
    with served.store() as store:
        assert [store.segment(s.id).status for s in segments] == ["approved"] * 3


def test_a_crafted_upload_is_named_and_the_others_are_imported(served, page, tmp_path):
    from bench.hostile_files import billion_laughs_docx

    good = tmp_path / "don-bien-phong.txt"
    good.write_text("Đồn Biên phòng Lũng Cú tổ chức tuần tra đường biên giới sáng nay.\n", encoding="utf-8")
    bomb = tmp_path / "laughs.docx"
    bomb.write_bytes(billion_laughs_docx())
    page.goto(f"{served.url}/?reviewer=Lan")
    page.locator(".st-key-import_files input[type=file]").set_input_files([str(bomb), str(good)])
    page.get_by_text("don-bien-phong.txt").first.wait_for()
    page.locator(".st-key-import_submit button").click()
    error = page.locator('[data-testid="stAlertContentError"]').filter(has_text="laughs.docx")
    error.wait_for()
    assert error.inner_text().strip().startswith("Not imported: laughs.docx: the package part 'word/document.xml'")
    assert "Traceback" not in page.content() and str(served.db.parent) not in page.content()
    page.get_by_text("Imported: documents: 1").wait_for()
    with served.store() as store:
        names = [row.name for row in store.documents()]
    assert "don-bien-phong.txt" in names and "laughs.docx" not in names


def test_control_characters_typed_in_the_review_editor_are_refused(served, page):
    with served.store() as store:
        document = next(d for d in store.document_summaries() if d["lang"] == "vi")
        segment = next(s for s in store.segments(document["id"]) if s.status != "approved")
    page.goto(f"{served.url}/review?reviewer=Lan&doc={document['id']}&seg={segment.id}")
    wait_focused(page, editor_selector(segment.id, segment.version))
    page.keyboard.press("Control+a")
    page.keyboard.insert_text("Border\x0bguard\x01")  # as pasted from another program
    page.keyboard.press("Control+Enter")
    refusal = page.locator(".wb-notice-error").filter(has_text="control character")  # the notice slot
    refusal.wait_for()
    assert "Not saved" in refusal.inner_text() and "U+000B" in refusal.inner_text()
    with served.store() as store:
        after = store.segment(segment.id)
    assert (after.target_text, after.version) == (segment.target_text, segment.version)
