"""A bilingual HTML export opened in a real browser (Playwright driving Debian's Chromium).

A document whose text holds `<script>` and `<img onerror>` is ingested, one segment
gets a reviewer's target, and `export --format html --bilingual` writes the page.
In the browser: one row per paragraph with source and translation side by side
(same top, source left of the translation), the hostile text shown as text, no
script or image element in the page and nothing of it run. A screenshot goes to
the test's temporary folder.

Needs the `playwright` package and /usr/bin/chromium; skipped without them unless
WORKBENCH_REQUIRE_BROWSER=1 (CI), which makes them mandatory.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from ui_support import BROWSER_TIMEOUT_MS, chromium, require_browser

from workbench.cli import main
from workbench.pipeline import BatchOptions, run_batch
from workbench.review.store import ReviewStore

HOSTILE = ("Bộ đội Biên phòng tuần tra biên giới tỉnh Hà Giang\n"
           "Bộ đội Biên phòng <script>window.__injected = 1</script> tuần tra. Các tổ đã kiểm tra mốc.\n"
           "Đồn <img src=x onerror=\"window.__injected = 2\"> giữ vững đường biên.\n"
           "Nhân dân đã cung cấp nhiều nguồn tin có giá trị cho Đồn Biên phòng.\n")

playwright_api = require_browser()


@pytest.fixture
def page():
    with chromium(playwright_api) as browser:
        tab = browser.new_page(viewport={"width": 1300, "height": 1200})
        tab.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield tab


@pytest.fixture
def exported_page(tmp_path) -> tuple[Path, int, str]:
    """The bilingual HTML of the hostile document, one segment approved; (file, paragraphs, target)."""
    source = tmp_path / "in" / "hostile.txt"
    source.parent.mkdir()
    source.write_text(HOSTILE, encoding="utf-8")
    db = tmp_path / "store.db"
    target = "The border guards <b>patrolled</b> the line."
    with ReviewStore(db) as store:
        assert not run_batch([source], store, BatchOptions(translate=False)).failures
        document_id = store.documents()[0].id
        segments = store.segments(document_id)
        hostile = next(s for s in segments if "<script>" in s.source_text)
        store.save_target(hostile.id, target, "approved", reviewer="Lan", expected_version=hostile.version)
        paragraphs = len({s.paragraph for s in segments})
    out = tmp_path / "out"
    assert main(["export", "--db", str(db), "--format", "html", "--bilingual", "--out", str(out),
                 "--glossary", str(Path(__file__).resolve().parent.parent / "glossaries")]) == 0
    return out / "hostile.vi-en.bilingual.html", paragraphs, target


def test_bilingual_export_shows_paragraphs_side_by_side_and_runs_nothing(exported_page, page, tmp_path):
    path, paragraphs, target = exported_page
    page.goto(path.as_uri())
    rows = page.locator("tr.paragraph")
    assert rows.count() == paragraphs == 4
    for index in range(paragraphs):
        source_box = rows.nth(index).locator("td.source").bounding_box()
        target_box = rows.nth(index).locator("td.target").bounding_box()
        assert abs(source_box["y"] - target_box["y"]) < 1  # the same row: side by side
        assert source_box["x"] + source_box["width"] <= target_box["x"] + 1  # source on the left
    second = rows.nth(1)
    assert "<script>window.__injected = 1</script>" in second.locator("td.source").inner_text()
    assert target in second.locator("td.target").inner_text()  # the reviewer's markup shown as text
    assert "approved" in second.locator("td.target .status").first.inner_text()
    assert '<img src=x onerror="window.__injected = 2">' in rows.nth(2).locator("td.source").inner_text()
    assert page.evaluate("typeof window.__injected") == "undefined"
    assert page.evaluate("document.querySelectorAll('script, img, b').length") == 0
    assert page.locator("td.source mark.term").count() > 0  # "Bộ đội Biên phòng" is a glossary term
    page.screenshot(path=str(tmp_path / "bilingual.png"), full_page=True)
