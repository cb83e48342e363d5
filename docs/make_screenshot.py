"""Take docs/review-page.png: the Review page of a store holding the seeds, in headless Chromium.

    python docs/make_screenshot.py [--out docs/review-page.png]

The seeds are translated by tiny random-weight test checkpoints (no model is
downloaded), so the page labels their output as not a translation; three segments
are approved by a reviewer, one is open in the editor. Needs the development
install (`pip install -r requirements.txt`) and /usr/bin/chromium.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "tests")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(REPO / "docs" / "review-page.png"))
    args = parser.parse_args()

    import playwright.sync_api as playwright_api
    from ui_support import VIEWPORT, chromium, streamlit_server

    from workbench.mt.random_checkpoint import build_random_marian
    from workbench.pipeline import BatchOptions, run_batch
    from workbench.review.store import ReviewStore

    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        os.environ["WORKBENCH_CT2_CACHE"] = str(folder / "ct2")
        texts = {kind: [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob(f"*_{kind}_*.txt"))]
                 for kind in ("vi", "en-mt")}
        checkpoints = {
            "vi-en": build_random_marian(folder / "vi-en", texts["vi"], texts["en-mt"]),
            "en-vi": build_random_marian(folder / "en-vi", texts["en-mt"], texts["vi"], language_tokens=[">>vie<<"]),
        }
        db = folder / "data" / "workbench.db"
        glossary = folder / "glossaries"
        shutil.copytree(REPO / "glossaries", glossary)
        with ReviewStore(db) as store:
            run_batch([REPO / "seeds"], store, BatchOptions(models={k: str(v) for k, v in checkpoints.items()},
                                                           beams=1))
            document = next(d for d in store.documents() if d.name.startswith("002_vi"))
            segments = store.segments(document.id)
            # A reviewer's own translations of the first three segments.
            for segment, text in zip(segments[:3], (
                    "date 2020-02",
                    "BHG - On 19 February, the Party Committee of the Thanh Thuy International Border Gate Border "
                    "Guard Station and the Party Committees of the 5 border communes of Vi Xuyen district held a "
                    "conference reviewing 5 years of implementing Directive No. 01 of the Prime Minister on the "
                    "movement of all people taking part in protecting territorial sovereignty and border security "
                    "in the new situation.",
                    "An overview of the conference."), strict=True):
                store.save_target(segment.id, text, "approved", reviewer="Lan", expected_version=segment.version)
            focus = segments[3].id
        with streamlit_server(db, glossary, checkpoints, folder) as url, chromium(playwright_api) as browser:
            page = browser.new_context(viewport=VIEWPORT).new_page()
            page.set_default_timeout(120_000)
            page.goto(f"{url}/review?reviewer=Lan&doc={document.id}&seg={focus}")
            page.locator(f".st-key-target_{focus}_1 textarea").wait_for()
            page.get_by_role("heading", name="Review", exact=True).first.wait_for()
            page.wait_for_load_state("networkidle")
            page.screenshot(path=args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
