"""Does the plausibility check catch a broken model, and leave real text alone?

    python bench/plausibility.py [--sentences 40] [--show 3]

Two measurements in one run:

1. Noise: random-weight Marian checkpoints of several sizes (the builder the tests
   use, `workbench.mt.random_checkpoint`, with different widths, depths, vocabularies
   and seeds) translate seed sentences vi→en, en→vi and zh→en. Each output is checked
   by `check_plausibility` *without* the random-weights flag, as if the checkpoint
   were a real one that broke: every output that passes is a miss.
2. Real text: every sentence of the seeds' English texts (target English) and
   Vietnamese texts (target Vietnamese) is checked as if it were machine translation;
   every sentence flagged is a false alarm. There is no parallel text, so these are
   checked without their source (the length and copy checks need one and stay silent).

Prints a table per checkpoint, the two totals and a few examples of each kind.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ["HF_HUB_OFFLINE"] = "1"
REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

#: (name, builder keyword arguments): small to about opus-mt's width, different seeds.
SIZES = (
    ("tiny", dict(vocab_size=400, d_model=16, layers=1, heads=2, ffn_dim=32, seed=0)),
    ("small", dict(vocab_size=800, d_model=64, layers=2, heads=4, ffn_dim=128, seed=1)),
    ("medium", dict(vocab_size=1500, d_model=256, layers=2, heads=8, ffn_dim=512, seed=2)),
    ("wide", dict(vocab_size=2000, d_model=512, layers=1, heads=8, ffn_dim=1024, seed=3)),
)
DIRECTIONS = (("vi-en", "vi", "en"), ("en-vi", "en", "vi"), ("zh-en", "zh", "en"))


def seed_sentences(kind: str, lang: str) -> list[str]:
    """Every sentence of the seeds of one kind ("vi", "en-mt")."""
    from workbench.documents.segment import split_sentences

    return [sentence for path in sorted((REPO / "seeds").glob(f"*_{kind}_*.txt"))
            for sentence in split_sentences(path.read_text(encoding="utf-8"), lang) if sentence.strip()]


def chinese_sentences() -> list[str]:
    """The Chinese sample the tests use, as sentences."""
    from workbench.documents.segment import split_sentences

    text = (REPO / "tests" / "data" / "zh_sample.txt").read_text(encoding="utf-8")
    return [s for s in split_sentences(text, "zh") if s.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=40, help="source sentences per checkpoint and direction")
    parser.add_argument("--show", type=int, default=3, help="examples of misses and false alarms to print")
    args = parser.parse_args()

    from workbench.mt.base import DecodingSettings
    from workbench.mt.factory import new_translator
    from workbench.mt.plausibility import check_plausibility
    from workbench.mt.random_checkpoint import build_random_marian

    texts = {"vi": seed_sentences("vi", "vi"), "en": seed_sentences("en-mt", "en"), "zh": chinese_sentences()}
    training = {lang: ["\n".join(sentences)] for lang, sentences in texts.items()}
    settings = DecodingSettings(beams=1)
    outputs_checked = outputs_passed = 0
    misses: list[tuple[str, str]] = []
    print("| checkpoint | direction | outputs | passed (missed) |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        for name, size in SIZES:
            for pair, source_lang, target_lang in DIRECTIONS:
                vocab = min(size["vocab_size"], 300) if "zh" in pair else size["vocab_size"]
                checkpoint = build_random_marian(
                    Path(scratch) / f"{name}-{pair}", training[source_lang], training[target_lang],
                    **(size | {"vocab_size": vocab}),
                    language_tokens=[">>vie<<"] if target_lang == "vi" else ())
                translator = new_translator("transformers", pair, str(checkpoint), device="cpu")
                sources = texts[source_lang][:args.sentences]
                outputs = translator.translate_best(sources, settings)
                passed = [(source, output) for source, output in zip(sources, outputs, strict=True)
                          if not check_plausibility(source, output, source_lang, target_lang)]
                outputs_checked += len(outputs)
                outputs_passed += len(passed)
                misses += [(f"{name} {pair}", output) for _, output in passed]
                print(f"| {name} (d={size['d_model']}, vocab {vocab}) | {pair} | {len(outputs)} | {len(passed)} |",
                      flush=True)

    good_checked = good_flagged = 0
    alarms: list[tuple[str, str, list[str]]] = []
    for lang in ("en", "vi"):
        for sentence in texts[lang]:
            reasons = check_plausibility("", sentence, "vi" if lang == "en" else "en", lang)
            good_checked += 1
            if reasons:
                good_flagged += 1
                alarms.append((lang, sentence, reasons))

    print()
    print(f"random-weight outputs passed: {outputs_passed} of {outputs_checked}")
    print(f"real target-language sentences flagged: {good_flagged} of {good_checked}")
    for label, output in misses[:args.show]:
        print(f"  missed ({label}): {output[:160]!r}")
    for lang, sentence, reasons in alarms[:args.show]:
        print(f"  flagged ({lang}): {sentence[:160]!r}: {'; '.join(reasons)}")


if __name__ == "__main__":
    main()
