"""Shared fixtures: seeds, temporary stores, and tiny random-weight Marian checkpoints.

No test touches the network: the session sets HF_HUB_OFFLINE=1 before anything
imports transformers. The checkpoints are built once per test session
(SentencePiece trained on the seed texts, a MarianConfig of a few dimensions)
and loaded through the same `MarianTranslator` code as real opus-mt checkpoints.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# The test models are tiny: thread start-up and spin-waits cost more than the work,
# several times over on a shared 2-core machine (measured 9 s vs 65 s for 20 sentences).
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"
os.environ.pop("WORKBENCH_DB", None)
os.environ.pop("WORKBENCH_GLOSSARY", None)
os.environ.pop("WORKBENCH_USERS", None)  # tests that need accounts set their own users file

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"
DATA = Path(__file__).resolve().parent / "data"


def seed_texts(kind: str) -> list[str]:
    """Texts of the seeds whose file name contains `_{kind}_` ("vi" or "en-mt")."""
    return [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob(f"*_{kind}_*.txt"))]


@pytest.fixture(scope="session", autouse=True)
def ct2_conversion_cache(tmp_path_factory):
    """Converted CTranslate2 models of this session go to a temporary folder, not ~/.cache."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("WORKBENCH_CT2_CACHE", str(tmp_path_factory.mktemp("ct2-conversions")))
        yield


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    """The repository's seeds/ folder (five documents)."""
    return SEEDS


@pytest.fixture(scope="session")
def tiny_checkpoints(tmp_path_factory) -> dict[str, Path]:
    """Random-weight Marian checkpoints for vi-en, en-vi (with >>vie<<) and zh-en."""
    from workbench.mt.random_checkpoint import build_random_marian

    root = tmp_path_factory.mktemp("checkpoints")
    vietnamese, english = seed_texts("vi"), seed_texts("en-mt")
    chinese = [(DATA / "zh_sample.txt").read_text(encoding="utf-8")]
    return {
        "vi-en": build_random_marian(root / "vi-en", vietnamese, english),
        "en-vi": build_random_marian(root / "en-vi", english, vietnamese, language_tokens=[">>vie<<"]),
        "zh-en": build_random_marian(root / "zh-en", chinese, english, vocab_size=200),
    }


@pytest.fixture
def store(tmp_path):
    """An empty review store in a temporary file."""
    from workbench.review.store import ReviewStore

    with ReviewStore(tmp_path / "store.db") as opened:
        yield opened


def pytest_collection_modifyitems(config, items):
    """Mark every test of a `test_browser*.py` file `browser`, so the fast tier can leave Chromium out.

    Fast tier: `pytest -m "not slow and not browser"`; the full suite (CI) runs everything.
    """
    for item in items:
        if item.path.name.startswith("test_browser"):
            item.add_marker(pytest.mark.browser)
