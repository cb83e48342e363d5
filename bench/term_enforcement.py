"""Does term enforcement spoil what the model got right? Plain vs enforced, both engines.

Runs a checkpoint that reads its input (the proxy of `bench/proxy_data.py` and
`bench/proxy_train.py`, whose right answer is known) through the pipeline's own
`translate_chunk` (what `python -m workbench translate` runs, with and without
`--no-terms`), over Vietnamese sentences holding glossary terms, and prints per
engine and mode:

- chrF++ and BLEU (sacrebleu, signatures printed) against the glossary reference:
  the proxy's rendering with each matched glossary term in the glossary's form, i.e.
  what a perfectly enforced output equals;
- term success counted here, independently of the workbench's report: a term
  counts where the output holds it as often as the reference does; duplicated terms
  (more often than the reference), and the workbench report's own success rate;
- repetition loops (a run of 1-4 words repeated 3 times in a row that the
  reference lacks), truncations (under half the reference's words, or the final
  punctuation lost), outputs over twice the reference's length;
- "right sentences damaged": of the sentences whose plain output equals the proxy's
  own rendering, how many enforced outputs differ from the glossary reference
  outside the terms (terms masked in both);
- wall time of the run, plain and enforced taking turns chunk by chunk so a shared
  machine's load hits both alike, and the ratio.

    WORKBENCH_CT2_CACHE=/tmp/ct2 python bench/term_enforcement.py CHECKPOINT EVAL.txt [--show 5]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bench.proxy_data import _TOKEN, _detokenise, translate  # noqa: E402

CHUNK = 64  # the pipeline's WRITE_CHUNK: sentences per translate_chunk call


def glossary_reference(sentence: str, glossary) -> tuple[str, list[tuple[str, str]]]:
    """The proxy's rendering with the matched enforced terms in the glossary's form; (term, own) pairs."""
    overrides, terms = {}, []
    for match in glossary.match(sentence, "vi"):
        entry = glossary[match.entry_id]
        if not entry.enforce or not entry.term("en"):
            continue
        key = _detokenise(_TOKEN.findall(match.surface.lower()))
        overrides[key] = entry.terms["en"]
        terms.append((entry.terms["en"], translate(match.surface)))
    return translate(sentence, overrides), terms


def _count(text: str, phrase: str) -> int:
    return len(re.findall(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", text, flags=re.IGNORECASE))


def _masked(text: str, terms: list[tuple[str, str]]) -> str:
    for form in sorted({f for pair in terms for f in pair if f}, key=len, reverse=True):
        text = re.sub(r"(?<!\w)" + re.escape(form) + r"(?!\w)", "<T>", text, flags=re.IGNORECASE)
    return " ".join(text.split())


_LOOP = re.compile(r"(?<!\S)((?:\S+ ){0,3}\S+)(?: \1){2,}(?!\S)")


def has_loop(output: str, reference: str) -> bool:
    """A run of 1-4 words repeated three times in a row that the reference does not have."""
    return any(found.group(0) not in reference for found in _LOOP.finditer(output))


def is_truncated(output: str, reference: str) -> bool:
    """Under half the reference's words, or the reference's final punctuation lost."""
    lost_end = reference[-1:] in ".!?" and output[-1:] not in ".!?"
    return len(output.split()) < len(reference.split()) / 2 or lost_end


def run(translator, sentences, glossary, enforce, beams):
    from workbench.pipeline import BatchOptions, translate_chunk

    options = BatchOptions(glossary=glossary, enforce_terms=enforce, beams=beams)
    return lambda chunk: translate_chunk(translator, chunk, options)


def measure(engine: str, checkpoint: str, sentences, glossary, beams: int, threads: int | None):
    """Plain and enforced outputs, reports and seconds of one engine."""
    from workbench.mt.factory import get_translator

    translator = get_translator("vi-en", checkpoint, engine=engine, threads=threads)
    translator.load()
    translator.translate_best(sentences[:4])  # warm up
    modes = {"plain": run(translator, sentences, glossary, False, beams),
             "enforced": run(translator, sentences, glossary, True, beams)}
    out = {mode: {"texts": [], "reports": [], "seconds": 0.0} for mode in modes}
    for start in range(0, len(sentences), CHUNK):
        chunk = sentences[start:start + CHUNK]
        for mode, call in modes.items():
            began = time.perf_counter()
            texts, reports = call(chunk)
            out[mode]["seconds"] += time.perf_counter() - began
            out[mode]["texts"] += texts
            out[mode]["reports"] += reports
    return translator, out


def figures(texts, reports, references, own, term_lists, plain_right):
    import sacrebleu

    from workbench.glossary import term_success_rate

    bleu = sacrebleu.metrics.BLEU()
    chrf = sacrebleu.metrics.CHRF(word_order=2)
    required = rendered = duplicated = 0
    for text, reference, terms in zip(texts, references, term_lists, strict=True):
        for term in dict.fromkeys(t for t, _ in terms):
            wanted = _count(reference, term)
            written = _count(text, term)
            required += wanted
            rendered += min(written, wanted) if written <= wanted else 0
            duplicated += written > wanted
    damaged = sum(1 for i in plain_right
                  if _masked(texts[i], term_lists[i]) != _masked(references[i], term_lists[i]))
    report = term_success_rate(reports)
    notes: dict[str, int] = {}
    for one in reports:
        for occurrence in (one or {}).get("occurrences", []):
            if occurrence.get("note"):
                notes[occurrence["note"]] = notes.get(occurrence["note"], 0) + 1
    return {
        "flagged": notes,
        "chrF++": round(chrf.corpus_score(texts, [references]).score, 1),
        "BLEU": round(bleu.corpus_score(texts, [references]).score, 1),
        "signatures": {"BLEU": str(bleu.get_signature()), "chrF++": str(chrf.get_signature())},
        "term_success": f"{rendered}/{required} ({rendered / max(required, 1):.2f})",
        "report_success": report["success_rate"], "report_duplicated": report["duplicated"],
        "duplicated_terms": duplicated,
        "loops": sum(has_loop(t, r) for t, r in zip(texts, references, strict=True)),
        "truncations": sum(is_truncated(t, r) for t, r in zip(texts, references, strict=True)),
        "over_twice_reference": sum(len(t.split()) > 2 * len(r.split())
                                    for t, r in zip(texts, references, strict=True)),
        "equal_to_reference": sum(t == r for t, r in zip(texts, references, strict=True)),
        "right_damaged": damaged,
        "models": report["models"],
    }


def use_settings(overrides: dict[str, str]) -> None:
    """Make translate_with_terms's default EnforcementSettings carry these values."""
    import dataclasses
    import functools

    from workbench.glossary import enforce

    fields = {f.name: f for f in dataclasses.fields(enforce.EnforcementSettings)}
    values = {}
    for name, text in overrides.items():
        kind = type(fields[name].default)
        values[name] = (text.lower() in ("1", "true", "yes")) if kind is bool else kind(text)
    print(f"settings: {values}")
    enforce.EnforcementSettings = functools.partial(enforce.EnforcementSettings, **values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkpoint")
    parser.add_argument("sentences", type=Path, help="Vietnamese sentences, one per line")
    parser.add_argument("--engines", default="ctranslate2,transformers")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--show", type=int, default=3, help="examples of enforced outputs to print")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--setting", action="append", default=[], metavar="NAME=VALUE",
                        help="an EnforcementSettings field for this run (to sweep thresholds)")
    args = parser.parse_args()
    if args.setting:
        use_settings(dict(s.split("=", 1) for s in args.setting))

    from workbench.glossary import load_glossary

    glossary = load_glossary(REPO / "glossaries")
    sentences = [s for s in args.sentences.read_text(encoding="utf-8").splitlines() if s.strip()][:args.limit]
    references, term_lists = zip(*(glossary_reference(s, glossary) for s in sentences), strict=True)
    own = [translate(s) for s in sentences]
    config = json.loads((Path(args.checkpoint) / "config.json").read_text(encoding="utf-8"))
    print(f"model: {args.checkpoint}; random weights: {bool(config.get('workbench_random_weights'))}; "
          f"proxy: {json.dumps(config.get('workbench_proxy'))}")
    print(f"{len(sentences)} sentences, {sum(len(t) for t in term_lists)} enforced term occurrences; "
          f"beams {args.beams}")
    results = {}
    for engine in args.engines.split(","):
        translator, out = measure(engine, args.checkpoint, sentences, glossary, args.beams, args.threads)
        plain_right = [i for i, text in enumerate(out["plain"]["texts"]) if text == own[i]]
        for mode in ("plain", "enforced"):
            row = figures(out[mode]["texts"], out[mode]["reports"], references, own, term_lists, plain_right)
            row.update(seconds=round(out[mode]["seconds"], 1), right_sentences=len(plain_right))
            results[f"{engine} {mode}"] = row
        results[f"{engine} enforced"]["time_ratio"] = round(
            out["enforced"]["seconds"] / max(out["plain"]["seconds"], 1e-9), 2)
        print(f"\n{engine} ({getattr(translator, 'signature', engine)}):")
        for i in [i for i, t in enumerate(out["enforced"]["texts"]) if t != references[i]][:args.show]:
            print(f"  source:    {sentences[i]}\n  plain:     {out['plain']['texts'][i]}\n"
                  f"  enforced:  {out['enforced']['texts'][i]}\n  reference: {references[i]}")
    first = next(iter(results.values()))
    print(f"\nBLEU {first['signatures']['BLEU']}\nchrF++ {first['signatures']['chrF++']}\n")
    print("| engine / mode | chrF++ | BLEU | term success | report's success | duplicated terms "
          "| loops | truncations | > 2x reference | right sentences damaged | seconds |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, row in results.items():
        damaged = f"{row['right_damaged']} of {row['right_sentences']}" if name.endswith("enforced") else "–"
        seconds = f"{row['seconds']}" + (f" ({row['time_ratio']}x)" if "time_ratio" in row else "")
        print(f"| {name} | {row['chrF++']} | {row['BLEU']} | {row['term_success']} | {row['report_success']} "
              f"| {row['duplicated_terms']} | {row['loops']} | {row['truncations']} | {row['over_twice_reference']} "
              f"| {damaged} | {seconds} |")
    for name, row in results.items():
        for note, count in sorted(row["flagged"].items(), key=lambda kv: -kv[1]):
            print(f"{name}: {count} flagged: {note}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")


if __name__ == "__main__":
    main()
