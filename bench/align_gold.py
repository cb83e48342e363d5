"""Score the aligner and a length-only Gale-Church baseline against the public gold sets.

Runs both on Text+Berg German-French test0..test6 (micro-averaged over the
seven documents) and on the Bible English-Chinese, and prints strict and lax
precision, recall and F1 beside the published figures. The aligner uses no
machine translation and no dictionary: length, anchors and the word list it
learns from the documents. Its weights were tuned on Text+Berg `dev` only.

    python bench/align_gold.py [--data DIR]

DIR defaults to $WORKBENCH_ALIGN_DATA, then /work/shared/bench/align.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workbench.alignment import (  # noqa: E402
    LENGTH_ONLY,
    AlignerSettings,
    AlignmentScore,
    Link,
    align,
    read_links,
    score_alignments,
)

DEFAULT_DATA = "/work/shared/bench/align"

#: Published strict and lax F1 on the same data and metric (the data's README:
#: Vecalign README for Text+Berg, Bertalign README for the Bible).
PUBLISHED = {
    "Text+Berg test": {
        "Vecalign (multilingual embeddings)": (0.902, 0.986),
        "Bertalign (LaBSE)": (0.936, 0.989),
    },
    "Bible en-zh": {
        "Gale-Church (length only)": (0.821, 0.931),
        "Hunalign (224k-entry dictionary)": (0.895, 0.972),
        "Bleualign (MT of the source)": (0.788, 0.919),
        "Vecalign (multilingual embeddings)": (0.978, 1.000),
        "Bertalign (LaBSE)": (0.979, 1.000),
    },
}


def read_sentences(path: Path) -> list[str]:
    """One sentence per line; only the newline is removed (indices must match the gold)."""
    lines = path.read_text(encoding="utf-8").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


Document = tuple[list[str], list[str], list[Link]]


def textberg_documents(data: Path, names: list[str]) -> list[Document]:
    """(German sentences, French sentences, gold links) of each named Text+Berg document."""
    folder = data / "textberg-defr"
    return [
        (
            read_sentences(folder / f"{name}.de"),
            read_sentences(folder / f"{name}.fr"),
            read_links(folder / f"{name}.defr"),
        )
        for name in names
    ]


def bible_documents(data: Path) -> list[Document]:
    """(English sentences, Chinese sentences, gold links) of the Bible."""
    folder = data / "bible-enzh"
    return [
        (
            read_sentences(folder / "en" / "001"),
            read_sentences(folder / "zh" / "001"),
            read_links(folder / "gold" / "001.align"),
        )
    ]


def evaluate(documents: list[Document], settings: AlignerSettings) -> tuple[AlignmentScore, float]:
    """Align every document with `settings`; return the micro-averaged score and the seconds taken."""
    started = time.perf_counter()
    predicted = [align(source, target, settings=settings) for source, target, _ in documents]
    elapsed = time.perf_counter() - started
    return score_alignments([gold for _, _, gold in documents], predicted), elapsed


ALIGNERS = {
    "workbench (length+anchors+learnt)": AlignerSettings(),
    "Gale-Church baseline (ours)": LENGTH_ONLY,
}


def main(argv: list[str] | None = None) -> int:
    """Print the comparison table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("WORKBENCH_ALIGN_DATA", DEFAULT_DATA))
    args = parser.parse_args(argv)
    data = Path(args.data)
    if not (data / "textberg-defr").is_dir() or not (data / "bible-enzh").is_dir():
        print(f"Error: no gold sets under {data} (expected textberg-defr/ and bible-enzh/)", file=sys.stderr)
        return 1
    sets = {
        "Text+Berg test": textberg_documents(data, [f"test{k}" for k in range(7)]),
        "Bible en-zh": bible_documents(data),
    }
    header = (
        f"{'set':<15} {'aligner':<46} {'strict P':>8} {'R':>6} {'F1':>6}"
        f"   {'lax P':>6} {'R':>6} {'F1':>6} {'seconds':>8}"
    )
    print(header)
    print("-" * len(header))
    for set_name, documents in sets.items():
        for label, settings in ALIGNERS.items():
            score, elapsed = evaluate(documents, settings)
            print(
                f"{set_name:<15} {label:<46} {score.strict_precision:8.3f} {score.strict_recall:6.3f} "
                f"{score.strict_f1:6.3f}   {score.lax_precision:6.3f} {score.lax_recall:6.3f} "
                f"{score.lax_f1:6.3f} {elapsed:8.2f}"
            )
        for label, (strict, lax) in PUBLISHED[set_name].items():
            published = f"published: {label}"
            print(f"{set_name:<15} {published:<46} {'':>8} {'':>6} {strict:6.3f}   {'':>6} {'':>6} {lax:6.3f}")
        print()
    print(f"metric: {score.signature}; Text+Berg micro-averaged over test0..test6 (tuned on dev only)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
