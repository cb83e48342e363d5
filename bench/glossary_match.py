"""Benchmark: glossary loading/compiling and matching speed on a large synthetic glossary.

Builds a 10,000-entry synthetic glossary (plus the real one in glossaries/),
writes it as TSV, loads and checks it, compiles the matchers, and matches
about 1 MB of Vietnamese and of English text made from seed sentences with
glossary terms mixed in. Prints entries, MB, seconds and MB/s; asserts nothing
about time.

    python bench/glossary_match.py [--entries 10000] [--megabytes 1]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.glossary import load_glossary  # noqa: E402
from workbench.glossary.files import COLUMNS  # noqa: E402

SYLLABLES = ("biên phòng đồn trạm tuần tra kiểm soát cửa khẩu mốc giới đường an ninh quốc gia "
             "chủ quyền lãnh thổ tỉnh huyện xã đảng ủy ban nhân dân hội đồng quân đội công an "
             "dân tộc kinh tế văn hóa xã hội chính trị phát triển bảo vệ tổ chức lực lượng").split()
WORDS = ("border guard station patrol control gate marker line security national sovereignty "
         "territory province district commune party committee council people army police "
         "ethnic economy culture society politics development protection force unit").split()


def synthetic_rows(count: int, rng: random.Random) -> list[list[str]]:
    """Rows of unique synthetic entries with 2-5 word terms and a variant each."""
    rows, seen = [], set()
    while len(rows) < count:
        length = rng.randint(2, 5)
        vi = " ".join(rng.choice(SYLLABLES) for _ in range(length))
        en = " ".join(rng.choice(WORDS) for _ in range(length)) + f" {len(rows)}"
        if vi in seen:
            continue
        seen.add(vi)
        cells = dict.fromkeys(COLUMNS, "")
        cells.update(id=f"syn-{len(rows)}", vi=vi + f" {len(rows)}", en=en,
                     vi_variants=vi.upper() + f" {len(rows)}", en_variants=f"the {en}")
        rows.append([cells[column] for column in COLUMNS])
    return rows


def make_text(sentences: list[str], terms: list[str], megabytes: float, rng: random.Random) -> str:
    """About `megabytes` MB of text: seed sentences with glossary terms inserted."""
    pieces, size, target = [], 0, int(megabytes * 1_000_000)
    while size < target:
        sentence = rng.choice(sentences)
        piece = f"{sentence} {rng.choice(terms)}, {rng.choice(terms)}."
        pieces.append(piece)
        size += len(piece.encode("utf-8")) + 1
    return "\n".join(pieces)


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--megabytes", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=0)
    options = parser.parse_args()
    rng = random.Random(options.seed)

    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for source in sorted((REPO / "glossaries").glob("*.tsv")):
            (folder / source.name).write_bytes(source.read_bytes())
        rows = synthetic_rows(options.entries, rng)
        (folder / "zz-synthetic.tsv").write_text(
            "\t".join(COLUMNS) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n",
            encoding="utf-8")
        started = time.perf_counter()
        glossary = load_glossary(folder)
        load_seconds = time.perf_counter() - started

    started = time.perf_counter()
    for lang in ("vi", "en"):
        glossary.matcher(lang)
    compile_seconds = time.perf_counter() - started
    print(f"entries: {len(glossary)} ({options.entries} synthetic + the real glossary)")
    print(f"load and check: {load_seconds:.2f} s; compile vi+en matchers: {compile_seconds:.2f} s")

    seeds = sorted((REPO / "seeds").glob("*.txt"))
    for lang, kind in (("vi", "_vi_"), ("en", "_en-mt_")):
        sentences = [line.strip() for path in seeds if kind in path.name
                     for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        terms = [form for entry in glossary for form in entry.forms(lang)]
        text = make_text(sentences, terms, options.megabytes, rng)
        megabytes = len(text.encode("utf-8")) / 1_000_000
        started = time.perf_counter()
        matches = glossary.match(text, lang)
        seconds = time.perf_counter() - started
        print(f"match {lang}: {megabytes:.2f} MB, {len(matches)} matches, {seconds:.2f} s, "
              f"{megabytes / seconds:.2f} MB/s")


if __name__ == "__main__":
    main()
