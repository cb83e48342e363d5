"""Recall and precision at 20 of the term candidates on the seeds, per language.

    python bench/term_candidates.py [--gold tests/data/term_candidates_gold.tsv] [--glossary glossaries]

Ingests seeds/ into a temporary review store (`python -m workbench translate seeds/ --ingest-only
--db TMP`), lists the candidates against the shipped glossary and compares the first 20 of each
language with the hand-made list of what the seeds contain and the glossary lacks. A candidate
is a hit when one of its forms (form, long form, grouped variants) folds (case, tone marks,
plurals, punctuation) to one of a gold item's forms; recall@20 counts gold items found, precision@20
counts listed candidates that are hits. Also prints the same figures with an empty glossary
against the gold list plus the shipped glossary's own entries (terms and variants of the languages),
which is what a fresh project would be offered.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.glossary import load_glossary  # noqa: E402
from workbench.glossary.candidates import find_candidates, segments_from_store  # noqa: E402
from workbench.glossary.matching import _Folder, tokenize  # noqa: E402
from workbench.review.store import ReviewStore  # noqa: E402

TOP = 20


def fold(form: str, lang: str) -> tuple[str, ...]:
    """Token keys without punctuation: what counts as the same form."""
    return tuple(k.removesuffix("'s") for k in tokenize(form.replace("’", "'"), _Folder(lang)).keys
                 if k[:1].isalnum())


def read_gold(path: Path) -> list[dict]:
    """Gold items: lang, kind, forms (folded), label."""
    items, header = [], None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if header is None:
            header = cells
            continue
        row = dict(zip(header, cells, strict=False))
        forms = [f.strip() for f in row["forms"].split("|") if f.strip()]
        items.append({"lang": row["lang"], "kind": row["kind"], "label": forms[0],
                      "keys": {fold(f, row["lang"]) for f in forms}})
    return items


def glossary_items(glossary, lang: str) -> list[dict]:
    """Each entry with a form in `lang` as a gold item (for the empty-glossary run)."""
    return [{"lang": lang, "kind": "entry", "label": entry.id, "keys": {fold(f, lang) for f in entry.forms(lang)}}
            for entry in glossary if entry.forms(lang)]


def measure(candidates, gold: list[dict], lang: str) -> dict:
    """Recall and precision at TOP for one language."""
    shown = [c for c in candidates if c.lang == lang][:TOP]
    wanted = [g for g in gold if g["lang"] == lang]
    found, hits = set(), 0
    for candidate in shown:
        keys = {fold(f, lang) for f in candidate.forms()}
        matched = [i for i, g in enumerate(wanted) if keys & g["keys"]]
        hits += bool(matched)
        found.update(matched)
    return {"listed": len(shown), "gold": len(wanted), "hits": hits, "found": len(found),
            "recall": len(found) / len(wanted) if wanted else 0.0,
            "precision": hits / len(shown) if shown else 0.0,
            "shown": shown, "missed": [g["label"] for i, g in enumerate(wanted) if i not in found]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", default=str(REPO / "tests" / "data" / "term_candidates_gold.tsv"))
    parser.add_argument("--glossary", default=str(REPO / "glossaries"))
    parser.add_argument("--show", action="store_true", help="print the first 20 of each language")
    args = parser.parse_args()
    gold = read_gold(Path(args.gold))
    glossary = load_glossary(args.glossary)
    with tempfile.TemporaryDirectory(prefix="term-bench-") as folder:
        db = Path(folder) / "seeds.db"
        subprocess.run([sys.executable, "-m", "workbench", "translate", str(REPO / "seeds"), "--ingest-only",
                        "--db", str(db)], check=True, cwd=REPO, capture_output=True)
        with ReviewStore(db) as store:
            segments = segments_from_store(store)
    runs = [("shipped glossary", glossary, gold),
            ("empty glossary", None, gold + glossary_items(glossary, "vi") + glossary_items(glossary, "en"))]
    print(f"{'glossary':<18} {'lang':<4} {'gold':>4} {'listed':>6} {'hits':>4} {'recall@20':>9} {'precision@20':>12}")
    for name, used, wanted in runs:
        candidates = find_candidates(segments, used)
        for lang in ("vi", "en"):
            figures = measure(candidates, wanted, lang)
            print(f"{name:<18} {lang:<4} {figures['gold']:>4} {figures['listed']:>6} {figures['hits']:>4} "
                  f"{figures['recall']:>9.3f} {figures['precision']:>12.3f}")
            if args.show:
                for rank, candidate in enumerate(figures["shown"], 1):
                    keys = {fold(f, lang) for f in candidate.forms()}
                    hit = any(keys & g["keys"] for g in wanted if g["lang"] == lang)
                    print(f"    {rank:>2} {'+' if hit else ' '} {candidate.kind:<8} {candidate.form}"
                          + (f" = {candidate.long_form}" if candidate.long_form else "")
                          + (f" (variant of {candidate.variant_of})" if candidate.variant_of else ""))
                if name == "shipped glossary":
                    print(f"    missed: {'; '.join(figures['missed'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
