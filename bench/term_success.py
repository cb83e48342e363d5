"""Term success rate on the seeds with the tiny random-weight test checkpoints, both engines.

    python bench/term_success.py

Builds the tiny checkpoints the tests use (SentencePiece on the seed texts, a Marian
model of a few dimensions, random weights), takes every seed sentence that holds a
glossary term, translates it with term enforcement on each engine, and prints the
README's table: occurrences, matched and rate per direction and overall, then the
same with enforcement off and, on CTranslate2, without the placement step. Random
weights never write a term by themselves, so the figures measure the enforcement
mechanism alone, not translation quality.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

DIRECTIONS = (("vi-en", "vi", "vi", "en"), ("en-vi", "en-mt", "en", "vi"))


def seed_segments(kind: str, lang: str, glossary) -> list[str]:
    """Every seed sentence of this kind that holds a glossary term."""
    from workbench.documents.segment import split_sentences

    return [sentence for path in sorted((REPO / "seeds").glob(f"*_{kind}_*.txt"))
            for sentence in split_sentences(path.read_text(encoding="utf-8"), lang)
            if glossary.match(sentence, lang)]


def main() -> None:
    from workbench.glossary import EnforcementSettings, load_glossary, term_success_rate, translate_with_terms
    from workbench.mt.factory import new_translator
    from workbench.mt.random_checkpoint import build_random_marian

    glossary = load_glossary(REPO / "glossaries")
    texts = {kind: [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob(f"*_{kind}_*.txt"))]
             for kind in ("vi", "en-mt")}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["WORKBENCH_CT2_CACHE"] = str(Path(scratch) / "ct2")
        checkpoints = {
            "vi-en": build_random_marian(Path(scratch) / "vi-en", texts["vi"], texts["en-mt"]),
            "en-vi": build_random_marian(Path(scratch) / "en-vi", texts["en-mt"], texts["vi"],
                                         language_tokens=[">>vie<<"]),
        }
        print("| engine | setting | direction | segments | occurrences | matched | rate |")
        print("|---|---|---|---|---|---|---|")
        for engine in ("transformers", "ctranslate2"):
            variants = [("enforcement on", True, None), ("enforcement off", False, None)]
            if engine == "ctranslate2":
                variants.append(("on, no replacement", True, EnforcementSettings(place_terms=False)))
            for label, enforce, settings in variants:
                reports = []
                for pair, kind, source, target in DIRECTIONS:
                    translator = new_translator(engine, pair, str(checkpoints[pair]), device="cpu")
                    segments = seed_segments(kind, source, glossary)
                    results = translate_with_terms(translator, segments, glossary, source, target,
                                                   enforce=enforce, settings=settings)
                    part = term_success_rate(r.report for r in results)
                    reports += [r.report for r in results]
                    print(f"| {engine} | {label} | {source}→{target} | {len(segments)} | {part['occurrences']} | "
                          f"{part['matched']} | {part['success_rate']:.3f} |", flush=True)
                overall = term_success_rate(reports)
                print(f"| {engine} | {label} | overall | | {overall['occurrences']} | {overall['matched']} | "
                      f"**{overall['success_rate']:.3f}** |", flush=True)


if __name__ == "__main__":
    main()
