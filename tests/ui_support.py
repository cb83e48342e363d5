"""Shared by the UI tests: one review store holding the seeds, translated once per session.

Translating the five seeds with the tiny random-weight checkpoints is the slow
part of the UI tests, so it happens once; each test works on its own copy.
"""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
_SEEDED: dict[str, Path] = {}


def seeded_store_file(tiny_checkpoints: dict, tmp_path_factory) -> Path:
    """A store file with the seeds translated by the tiny checkpoints (built on first use)."""
    if "seeds" not in _SEEDED:
        from workbench.pipeline import BatchOptions, run_batch
        from workbench.review.store import ReviewStore

        folder = tmp_path_factory.mktemp("seeded-store")
        with ReviewStore(folder / "store.db") as store:
            summary = run_batch([REPO / "seeds"], store, BatchOptions(
                models={"vi-en": str(tiny_checkpoints["vi-en"]),
                        "en-vi": str(tiny_checkpoints["en-vi"])}, beams=1))
        assert not summary.failures and summary.untranslated == 0, summary
        _SEEDED["seeds"] = folder / "store.db"
    return _SEEDED["seeds"]


def copy_store(template: Path, target: Path) -> Path:
    """Copy a closed store file to `target` (its folder created)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return target
