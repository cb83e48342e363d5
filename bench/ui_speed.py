"""How fast the Review page answers a reviewer: Chromium driving `streamlit run app.py` over 1,000 segments.

    .venv/bin/python bench/ui_speed.py [--segments 1000] [--tries 5]

Builds a store in a temporary folder with one Vietnamese document of 1,000
segments (sentences of the seeds, numbered), each with a plausible English
machine translation (words of an English seed, so the editor starts from it
and every check runs), serves it with the repository's glossary, and times in
headless Debian Chromium (Playwright), as medians of 5 tries:

- open: loading `/review?doc=..&seg=..` until the open segment's editor has the cursor;
- save-and-next: Ctrl+Enter until the next segment's editor has the cursor;
- jump to #900: typing 900 in "Go to #" and Enter, until segment 900's editor has the cursor;
- filter: typing a search text and Enter, until the grid shows the filtered rows.

Targets on the 2-core development machine: open < 1.0 s, save-and-next < 0.3 s,
the others < 0.5 s. It prints a table; it asserts nothing.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from ui_support import VIEWPORT, chromium, editor_selector, require_browser, streamlit_server, wait_focused  # noqa: E402

from workbench.documents.ingest import read_document  # noqa: E402
from workbench.documents.segment import segment_document  # noqa: E402
from workbench.pipeline import BatchOptions, import_uploads  # noqa: E402
from workbench.review.store import ReviewStore  # noqa: E402

TARGETS = {"open": 1.0, "save-and-next": 0.3, "jump to #900": 0.5, "filter": 0.5}


def build_store(folder: Path, segments: int) -> tuple[Path, int]:
    """A store with one document of `segments` Vietnamese sentences, each with a plausible English MT."""
    sentences = [segment.text for path in sorted((REPO / "seeds").glob("*_vi_*.txt"))
                 for segment in segment_document(read_document(path)) if len(segment.text) > 30]
    words = (REPO / "seeds" / "001_en-mt_inner-mongolia-three-norths-2023.txt").read_text(encoding="utf-8").split()
    text = "".join(f"[{index + 1}] {sentences[index % len(sentences)]}\n\n" for index in range(segments))
    db = folder / "data" / "workbench.db"
    db.parent.mkdir(parents=True)
    with ReviewStore(db) as store:
        summary = import_uploads(store, [("bench-1000.txt", text.encode())], BatchOptions(translate=False))
        assert not summary.failures, summary.failures
        document_id = store.documents()[-1].id
        records = []
        for offset, segment in enumerate(store.segments(document_id)):
            length = max(3, len(segment.source_text.split()))
            mt = " ".join(words[(offset * 7 + i) % len(words)] for i in range(length)).rstrip(".,;:") + "."
            records.append({"segment_id": segment.id, "source_text": segment.source_text, "source_lang": "vi",
                            "target_lang": "en", "checkpoint": "opus-mt-vi-en", "engine": "marian", "text": mt})
        store.record_translations(records)
        count = len(store.segments(document_id))
    assert count == segments, f"the document split into {count} segments, not {segments}"
    return db, document_id


def timed(action, until) -> float:
    start = time.perf_counter()
    action()
    until()
    return time.perf_counter() - start


def measure(url: str, db: Path, document_id: int, tries: int, playwright_api) -> dict[str, list[float]]:
    with ReviewStore(db) as store:
        ids = [segment.id for segment in store.segments(document_id)]
    times: dict[str, list[float]] = {name: [] for name in TARGETS}
    with chromium(playwright_api) as browser:
        context = browser.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(60_000)
        # One warm-up load: the first run of a fresh server imports the page modules.
        page.goto(f"{url}/review?reviewer=Bench&doc={document_id}&seg={ids[0]}")
        wait_focused(page, editor_selector(ids[0], 1))
        for attempt in range(tries):
            segment = ids[10 * attempt]
            times["open"].append(timed(
                lambda segment=segment: page.goto(f"{url}/review?reviewer=Bench&doc={document_id}&seg={segment}"),
                lambda segment=segment: wait_focused(page, editor_selector(segment, 1))))
            following = ids[10 * attempt + 1]
            times["save-and-next"].append(timed(
                lambda: page.keyboard.press("Control+Enter"),
                lambda following=following: wait_focused(page, editor_selector(following, 1))))
        for attempt in range(tries):
            page.goto(f"{url}/review?reviewer=Bench&doc={document_id}&seg={ids[100 + attempt]}")
            wait_focused(page, editor_selector(ids[100 + attempt], 1))
            box = page.locator(".st-key-review_goto input")
            box.fill("900")
            times["jump to #900"].append(timed(
                lambda box=box: box.press("Enter"),
                lambda: wait_focused(page, editor_selector(ids[899], 1))))
        search = page.locator(".st-key-review_search input")
        for attempt in range(tries):
            needle = f"[{500 + attempt}]"
            search.fill(needle)
            times["filter"].append(timed(
                lambda: search.press("Enter"),
                lambda: page.wait_for_function(
                    "() => document.querySelectorAll('tr[data-wb-seg]').length === 1")))
            search.fill("")
            search.press("Enter")
            page.wait_for_function("() => document.querySelectorAll('tr[data-wb-seg]').length > 1")
        context.close()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=1000)
    parser.add_argument("--tries", type=int, default=5)
    args = parser.parse_args()
    playwright_api = require_browser()
    folder = Path(tempfile.mkdtemp(prefix="ui-speed-"))
    try:
        db, document_id = build_store(folder, args.segments)
        glossary = folder / "glossaries"
        shutil.copytree(REPO / "glossaries", glossary)
        with streamlit_server(db, glossary, {}, folder) as url:
            times = measure(url, db, document_id, args.tries, playwright_api)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"Review page over a {args.segments}-segment document, medians of {args.tries} tries "
          "(headless Chromium, Playwright):")
    print("| action | median (s) | min (s) | max (s) | target (s) | met |")
    print("|---|---|---|---|---|---|")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"| {name} | {median:.2f} | {min(values):.2f} | {max(values):.2f} | < {TARGETS[name]:.1f} | "
              f"{'yes' if median < TARGETS[name] else 'no'} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
