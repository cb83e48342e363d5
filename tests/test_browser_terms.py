"""The Terms page in a real browser: accept a candidate into a chosen file, dismiss one, QA links, concordance.

`streamlit run app.py` on a store holding the seeds (ingested, not translated)
and a copy of the glossary, driven by Playwright in Debian's Chromium. A
reviewer picks the candidate BTL, chooses the glossary file, reviews the row
(the Vietnamese long form is filled in, the English term is typed), writes it;
the test then reads the file back through the glossary checker. Dismissing a
candidate is checked in the store; the consistency view links to the Review
page at `?doc=&seg=`; the concordance finds "Đảng uỷ" for "dang uy".

Needs the `playwright` package and /usr/bin/chromium; skipped without them
unless WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes them mandatory.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
from ui_support import BROWSER_TIMEOUT_MS, REPO, chromium, require_browser, streamlit_server

from workbench.glossary import load_glossary, read_glossary
from workbench.glossary.candidates import find_candidates, segments_from_store
from workbench.pipeline import BatchOptions, run_batch
from workbench.review.store import ReviewStore
from workbench.review.term_statistics import candidate_list, list_state

playwright_api = require_browser()


@pytest.fixture
def served(tmp_path):
    """The seeds (ingested only) and a glossary copy served by `streamlit run app.py`."""
    db = tmp_path / "data" / "workbench.db"
    db.parent.mkdir()
    with ReviewStore(db) as store:
        assert not run_batch([REPO / "seeds"], store, BatchOptions(translate=False)).failures
        # One reviewed inconsistency for the consistency view: a number left out of the target.
        document = next(d for d in store.documents() if d.name.startswith("003_"))
        segment = next(s for s in store.segments(document.id) if "4440" in s.source_text)
        store.save_target(segment.id, "After one year of the Decision, the movement went on.", "approved",
                          reviewer="Lan", expected_version=segment.version)
    glossary = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    with streamlit_server(db, glossary, {}, tmp_path) as url:  # no checkpoints: no machine translation
        yield url, db, glossary, (document.id, segment.id)


@pytest.fixture
def page():
    with chromium(playwright_api) as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1800})
        tab.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield tab


def test_accept_dismiss_consistency_and_concordance_in_a_real_browser(served, page, tmp_path):
    try:
        drive_terms_page(served, page)
    except Exception:
        page.screenshot(path=str(tmp_path / "failure.png"), full_page=True)  # for the post-mortem
        raise


def choose(page, key: str, text: str) -> None:
    """Pick the option of a selectbox that contains `text`, by typing into it."""
    chooser = page.locator(f".st-key-{key}").get_by_role("combobox")
    chooser.click()
    chooser.fill(text)
    page.get_by_role("option").filter(has_text=text).first.click()


def drive_terms_page(served, page):
    url, db, glossary_folder, (document_id, segment_id) = served
    with ReviewStore(db) as store:
        found = find_candidates(segments_from_store(store), load_glossary(glossary_folder))
    btl = next(c for c in found if c.form == "BTL")  # its id is the same in the page's stored list
    target = glossary_folder / "vn-government.tsv"
    original = target.read_bytes()

    page.goto(url + "/terms")
    name = page.locator(".st-key-reviewer input")
    name.fill("Lan")
    name.press("Enter")
    page.locator(".st-key-terms_candidate").wait_for()
    choose(page, "terms_candidate", f"[{btl.id}]")
    choose(page, f"terms_file_{btl.id}", "vn-government.tsv")
    page.get_by_text("Adds a new row in vn-government.tsv").wait_for()
    # Review the row: the long form and the acronym are proposed; the English term is typed in.
    vi_cell = page.locator("[class*='st-key-terms_vi_'] input").first
    # The row's cells are drawn after the file choice reruns the page: wait for their values.
    from playwright.sync_api import expect

    expect(vi_cell).to_have_value("Bộ Tư lệnh")
    expect(page.locator("[class*='st-key-terms_vi_variants_'] input").first).to_have_value("BTL")
    en_cell = page.locator("[class*='st-key-terms_en_'] input").first
    en_cell.click()
    page.keyboard.type("Command")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Write to glossary").click()
    page.get_by_text("Wrote vn-btl to vn-government.tsv").wait_for()

    written = target.read_bytes()
    assert written.startswith(original)  # the other rows, byte for byte
    glossary, problems = read_glossary(glossary_folder)
    assert not problems
    assert glossary["vn-btl"].terms == {"vi": "Bộ Tư lệnh", "en": "Command"}
    assert glossary["vn-btl"].variants["vi"] == ("BTL",)
    assert Path(glossary["vn-btl"].path).name == "vn-government.tsv"

    # The accepted candidate is gone; dismiss the one now shown first.
    page.wait_for_function("id => !document.body.innerText.includes(id)", arg=f"[{btl.id}]")
    # Writing the glossary made the page rank again on a background job: wait for the new list.
    deadline = time.monotonic() + 180
    while True:
        with ReviewStore(db) as store:
            remaining = candidate_list(store)
            listed_for = list_state(store).get("glossary_version")
        if btl.id not in {c.id for c in remaining} and listed_for == glossary.version:
            break
        assert time.monotonic() < deadline, "the candidate list was not ranked again after the glossary changed"
        page.wait_for_timeout(500)
    first = remaining[0]
    choose(page, "terms_candidate", f"[{first.id}]")
    page.locator(f".st-key-terms_dismiss_{first.id} button").click()
    page.get_by_text(f"Dismissed {first.form} ({first.id})").wait_for()
    with ReviewStore(db) as store:
        assert [(r.candidate_id, r.dismissed_by) for r in store.dismissed_term_candidates()] == [
            (first.id, "Lan")]

    page.locator(".st-key-terms_view").get_by_text("Consistency", exact=True).click()
    finding = page.locator(".terms-finding").filter(has_text="numbers differ").first
    finding.wait_for()
    link = finding.locator("a").first
    assert link.get_attribute("href") == f"review?doc={document_id}&seg={segment_id}"

    page.locator(".st-key-terms_view").get_by_text("Concordance", exact=True).click()
    search = page.locator(".st-key-terms_concordance input")
    search.fill("dang uy")
    search.press("Enter")
    table = page.locator("table.terms-concordance")
    table.wait_for()
    marks = set(table.locator("mark").all_inner_texts())
    assert {"Đảng uỷ", "Đảng ủy"} <= marks

    page.locator(".st-key-terms_view").get_by_text("Consistency", exact=True).click()
    link.click()  # the finding's link opens the Review page at that segment
    page.wait_for_url(f"**/review?*doc={document_id}*")
    assert f"seg={segment_id}" in page.url

    # The Review page's concordance link: /terms?q=TEXT opens the concordance on TEXT.
    page.goto(url + "/terms?q=B%C4%90BP%20t%E1%BB%89nh")
    page.locator("table.terms-concordance").wait_for()
    from playwright.sync_api import expect

    expect(page.locator(".st-key-terms_concordance input")).to_have_value("BĐBP tỉnh")
    assert set(page.locator("table.terms-concordance mark").all_inner_texts()) == {"BĐBP tỉnh"}
