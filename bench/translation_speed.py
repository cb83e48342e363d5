"""Translation speed of the engines on a random-weight checkpoint shaped like opus-mt-vi-en.

The checkpoint has the exact architecture of Helsinki-NLP/opus-mt-vi-en
(d_model 512, 6 encoder + 6 decoder layers, 8 heads, FFN 2048, a 53,685-token
vocabulary, separate source and target SentencePiece models), built by
`workbench.mt.random_checkpoint` with random weights. Random weights never stop
by themselves, so every engine is made to write exactly one token per source
word (min = max new tokens; about what opus-mt-vi-en writes for a Vietnamese
sentence, whose words are syllables), which is what a real model costs.
SentencePiece models trained on the five seeds cut Vietnamese finer than the
real ones (about 2 pieces per word), so sources are longer than a real
checkpoint's; only the output length is set to the real one.

Measured, each engine in its own process (so peak memory is that of one
loaded model), on Vietnamese sentences of the seed documents handed over the
way the pipeline hands them to an engine (sorted by length, in chunks), at
beam 1 and beam 4:
- naive:  `transformers`, one `generate` call per sentence;
- batched: `transformers`, one `generate` call per batch the workbench plans;
- default engine: the workbench's CTranslate2 engine (int8 on CPU), which
  plans the same batches and decodes them side by side, one per core;
- at beam 4, a whole enforced run of each engine: the pipeline's `translate_chunk`
  with the repository glossary and enforcement on (plain pass, then scoring passes
  for sentences lacking a term), with the ratio of the two.
The engines take turns chunk by chunk (with more sentences than one chunk),
so that a shared machine's changing load hits all of them alike. Then the re-run cost: `run_batch` over seeds/
into a temporary store twice with the default engine (default glossary,
term enforcement off: see `run_rerun_worker`); the second run
finds everything cached by content.

    python bench/translation_speed.py [--sentences 64] [--chunk 64] [--quick] [--enforced-only] [--threads N]

Prints a table; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.pipeline import WRITE_CHUNK  # noqa: E402  (light: imports no model library)

# Helsinki-NLP/opus-mt-vi-en: config.json of the hub checkpoint.
OPUS_MT_VI_EN = dict(d_model=512, layers=6, heads=8, ffn_dim=2048, vocab=53685)
SPM_PIECES = 8000  # per side; the seeds are small, so fewer are learnt


OUTPUT_PER_SOURCE_TOKEN = 1.0  # set from --output-ratio: source words / source tokens


def output_tokens(source_tokens: int) -> int:
    """New tokens written for a source of this many tokens (the batch's longest for a batch)."""
    return max(1, round(source_tokens * OUTPUT_PER_SOURCE_TOKEN))


# -- the checkpoint and the sentences ----------------------------------------------------
def seed_sentences(lang: str = "vi") -> list[str]:
    """Sentences of the seed documents in `lang`, segmented as the workbench does."""
    from workbench.documents.ingest import read_document
    from workbench.documents.segment import segment_document

    sentences = []
    for path in sorted((REPO / "seeds").glob("*.txt")):
        document = read_document(path)
        if document.lang == lang:
            sentences.extend(s.text for s in segment_document(document))
    return sentences


def build_checkpoint(folder: Path) -> Path:
    """The opus-mt-vi-en-shaped random checkpoint in `folder` (built once, then reused)."""
    from workbench.mt.random_checkpoint import build_random_marian

    if (folder / "config.json").exists():
        return folder
    vietnamese = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*_vi_*.txt"))]
    english = [p.read_text(encoding="utf-8") for p in sorted((REPO / "seeds").glob("*_en-mt_*.txt"))]
    # A first, tiny build counts the SentencePiece pieces; the real one pads to the exact size.
    with tempfile.TemporaryDirectory() as scratch:
        probe = build_random_marian(scratch, vietnamese, english, vocab_size=SPM_PIECES, d_model=8,
                                    ffn_dim=8)
        learnt = len(json.loads((probe / "vocab.json").read_text(encoding="utf-8")))
    spec = OPUS_MT_VI_EN
    return build_random_marian(
        folder, vietnamese, english, vocab_size=SPM_PIECES, d_model=spec["d_model"], layers=spec["layers"],
        heads=spec["heads"], ffn_dim=spec["ffn_dim"], extra_vocab=spec["vocab"] - learnt)


# -- workers (one process per engine, fed batch by batch) ----------------------------------
def rss_mb() -> float:
    """Resident memory of this process now, in MB."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def peak_rss_mb() -> float:
    """Peak resident memory of this process, in MB.

    VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent across fork and exec.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def serve_worker(kind: str, checkpoint: str, beams: int, threads: int) -> None:
    """Load one engine, then translate each JSON list of sentences read from stdin.

    Answers one JSON line per request: seconds and output tokens; on EOF, peak memory.
    """
    # Libraries first, so that "model MB" is the memory of the loaded model alone.
    if kind == "ctranslate2":
        import ctranslate2  # noqa: F401
        from transformers import MarianTokenizer  # noqa: F401
    else:
        import torch  # noqa: F401
        from transformers import MarianMTModel, MarianTokenizer  # noqa: F401
    before = rss_mb()
    started = time.perf_counter()
    if kind == "ctranslate2":
        translate = _ctranslate2_engine(checkpoint, beams, threads)
    elif kind.startswith("enforced-"):
        translate = _enforced_engine(kind.removeprefix("enforced-"), checkpoint, beams, threads)
    else:
        translate = _transformers_engine(kind, checkpoint, beams, threads)
    load = time.perf_counter() - started
    translate(["Toàn cảnh hội nghị.", "Tỉnh uỷ Lạng Sơn."])  # warm-up, not timed
    print(json.dumps(dict(ready=True, load_seconds=load)), flush=True)
    for line in sys.stdin:
        sentences = json.loads(line)
        started = time.perf_counter()
        tokens = translate(sentences)
        print(json.dumps(dict(seconds=time.perf_counter() - started, tokens=tokens)), flush=True)
    peak = peak_rss_mb()
    print(json.dumps(dict(model_mb=peak - before, peak_mb=peak)), flush=True)


def _transformers_engine(kind: str, checkpoint: str, beams: int, threads: int):
    import torch

    from workbench.mt.base import DecodingSettings, plan_batches
    from workbench.mt.transformers_engine import MarianTranslator

    torch.set_num_threads(threads)
    translator = MarianTranslator("vi-en", checkpoint, device="cpu")
    settings = DecodingSettings(beams=beams)
    tokenizer, model = translator.tokenizer, translator.model
    model.generation_config.forced_eos_token_id = None  # exactly n tokens, no forced EOS

    def generate(token_ids: list[list[int]]) -> int:
        padded = tokenizer.pad({"input_ids": token_ids}, return_tensors="pt")
        n = output_tokens(max(len(ids) for ids in token_ids))
        with torch.inference_mode():
            out = model.generate(**padded, num_beams=beams, do_sample=False,
                                 min_new_tokens=n, max_new_tokens=n)
        return (out.shape[1] - 1) * len(token_ids)

    def translate(sentences: list[str]) -> int:
        token_ids = [tokenizer(s).input_ids for s in sentences]
        if kind == "naive":
            return sum(generate([ids]) for ids in token_ids)
        return sum(generate([token_ids[i] for i in batch])
                   for batch in plan_batches([len(ids) for ids in token_ids], settings))

    return translate


def _ctranslate2_engine(checkpoint: str, beams: int, threads: int):
    from workbench.mt.base import DecodingSettings
    from workbench.mt.ctranslate2_engine import CTranslate2Translator

    translator = CTranslate2Translator("vi-en", checkpoint, threads=threads)
    translator.fixed_output_length = output_tokens
    translator.load()
    settings = DecodingSettings(beams=beams)
    return lambda sentences: sum(len(h[0]) for h in translator.translate_token_ids(sentences, settings))


def _enforced_engine(engine: str, checkpoint: str, beams: int, threads: int):
    """The pipeline's `translate_chunk` with the repository glossary and enforcement on.

    Both engines write exactly `output_tokens` new tokens per batch, as in the other rows
    (random weights never stop by themselves); enforcement then costs what it costs on
    them: the plain pass plus two scoring passes for the sentences lacking a term.
    """
    from workbench.glossary import load_glossary
    from workbench.mt.factory import new_translator
    from workbench.pipeline import BatchOptions, translate_chunk

    translator = new_translator(engine, "vi-en", checkpoint, threads=threads, device="cpu")
    if engine == "ctranslate2":
        translator.fixed_output_length = output_tokens
    else:
        import torch

        torch.set_num_threads(threads)
        model = translator.model
        model.generation_config.forced_eos_token_id = None
        generate = model.generate

        def fixed_length_generate(**options):
            n = output_tokens(options["input_ids"].shape[1])
            return generate(**{**options, "min_new_tokens": n, "max_new_tokens": n})

        model.generate = fixed_length_generate
    options = BatchOptions(glossary=load_glossary(REPO / "glossaries"), enforce_terms=True, beams=beams)
    tokenizer = translator.tokenizer

    def translate(sentences: list[str]) -> int:
        texts, _ = translate_chunk(translator, sentences, options)
        return sum(len(tokenizer(text_target=text).input_ids) for text in texts)

    return translate


def measure_interleaved(kinds: list[str], checkpoint: str, chunks: list[list[str]], beams: int,
                        threads: int) -> list[dict]:
    """Time each engine on the same chunks of sentences, taking turns chunk by chunk.

    On a shared machine the load changes by the minute; taking turns makes every engine
    meet the same load, so the ratios hold even when the absolute figures move.
    """
    workers: dict[str, subprocess.Popen] = {}
    results = {kind: dict(kind=kind, beams=beams, sentences=0, tokens=0, seconds=0.0) for kind in kinds}
    try:
        for kind in kinds:  # started one at a time, so that load times are not shared
            workers[kind] = subprocess.Popen(
                [sys.executable, __file__, "--worker", kind, "--beams", str(beams), "--checkpoint", checkpoint,
                 "--threads", str(threads), "--output-ratio", str(OUTPUT_PER_SOURCE_TOKEN)],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
            results[kind]["load_seconds"] = _answer(workers[kind], kind)["load_seconds"]
        for turn, chunk in enumerate(chunks):
            order = kinds[turn % len(kinds):] + kinds[:turn % len(kinds)]
            for kind in order:
                workers[kind].stdin.write(json.dumps(chunk, ensure_ascii=False) + "\n")
                workers[kind].stdin.flush()
                answer = _answer(workers[kind], kind)
                results[kind]["seconds"] += answer["seconds"]
                results[kind]["tokens"] += answer["tokens"]
                results[kind]["sentences"] += len(chunk)
        for kind, worker in workers.items():
            worker.stdin.close()
            results[kind].update(_answer(worker, kind))
            worker.wait()
    finally:
        for worker in workers.values():
            if worker.poll() is None:
                worker.kill()
    return [results[kind] for kind in kinds]


def _answer(worker: subprocess.Popen, kind: str) -> dict:
    line = worker.stdout.readline()
    if not line:
        raise SystemExit(f"the {kind} worker stopped (exit status {worker.wait()})")
    return json.loads(line)


def run_rerun_worker(checkpoint: str, threads: int) -> dict:
    """run_batch over seeds/ twice into a temporary store with the default engine (CTranslate2)."""
    import workbench.pipeline as pipeline
    from workbench.glossary import default_glossary_path, load_glossary
    from workbench.mt.factory import get_translator
    from workbench.review.store import ReviewStore

    pairs = ("vi-en", "en-vi")
    for pair in pairs:  # the shared translators the pipeline will get from the factory
        get_translator(pair, checkpoint, engine="ctranslate2").fixed_output_length = output_tokens
    # Glossary on (term reports) but enforcement off: random weights never write a term, so
    # enforcement would place every one of them, a cost a real model does not pay. The first
    # run is then the cheapest it can be, and the ratio a lower bound.
    options = pipeline.BatchOptions(models={pair: checkpoint for pair in pairs}, engine="ctranslate2",
                                    glossary=load_glossary(REPO / default_glossary_path()), enforce_terms=False)
    runs = []
    with tempfile.TemporaryDirectory() as folder, ReviewStore(Path(folder) / "store.db") as store:
        for _ in range(2):
            started = time.perf_counter()
            summary = pipeline.run_batch([REPO / "seeds"], store, options)
            runs.append(dict(seconds=time.perf_counter() - started, translated=summary.translated,
                             reused=summary.reused, already_done=summary.already_done,
                             segments=summary.segments, failures=summary.failures + summary.missing_models))
    return dict(kind="rerun", runs=runs, peak_mb=peak_rss_mb())


def spawn(arguments: list[str]) -> dict:
    """Run this script as a one-shot worker process; return the JSON it prints last."""
    result = subprocess.run([sys.executable, __file__, *arguments], capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"worker {' '.join(arguments)} failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


# -- the report --------------------------------------------------------------------------
def machine() -> str:
    """CPU model, cores and library versions."""
    model = platform.processor() or "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import ctranslate2
    import torch
    import transformers

    return (f"{model}, {len(os.sched_getaffinity(0))} cores available, {platform.system()} {platform.machine()}; "
            f"Python {platform.python_version()}, torch {torch.__version__}, transformers "
            f"{transformers.__version__}, ctranslate2 {ctranslate2.__version__}")


def print_table(results: list[dict]) -> None:
    names = {"naive": "transformers, naive loop", "batched": "transformers, batched",
             "ctranslate2": "default engine (ctranslate2 int8)",
             "enforced-transformers": "transformers, terms enforced",
             "enforced-ctranslate2": "default engine, terms enforced"}
    by_key = {(r["kind"], r["beams"]): r for r in results}
    print(f"{'engine':<36}{'beam':>5}{'sent/s':>9}{'tok/s':>9}{'x naive':>9}{'x batched':>11}"
          f"{'load s':>8}{'model MB':>10}{'peak MB':>9}")
    for r in results:
        rate = r["sentences"] / r["seconds"]
        naive, batched = by_key.get(("naive", r["beams"])), by_key.get(("batched", r["beams"]))
        vs_naive = rate / (naive["sentences"] / naive["seconds"]) if naive else float("nan")
        vs_batched = rate / (batched["sentences"] / batched["seconds"]) if batched else float("nan")
        print(f"{names[r['kind']]:<36}{r['beams']:>5}{rate:>9.2f}{r['tokens'] / r['seconds']:>9.1f}"
              f"{vs_naive:>9.1f}{vs_batched:>11.1f}{r['load_seconds']:>8.1f}{r['model_mb']:>10.0f}"
              f"{r['peak_mb']:>9.0f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=64, help="sentences per measurement (default 64)")
    parser.add_argument("--quick", action="store_true", help="16 sentences, beam 4 only, no re-run measurement")
    parser.add_argument("--enforced-only", action="store_true",
                        help="only the whole enforced runs (beam 4), default engine against transformers")
    parser.add_argument("--chunk", type=int, default=WRITE_CHUNK,
                        help="sentences handed to an engine at a time, as the pipeline does; engines take "
                             f"turns chunk by chunk (default {WRITE_CHUNK}, the pipeline's)")
    parser.add_argument("--threads", type=int, default=len(os.sched_getaffinity(0)),
                        help="CPU threads per engine (default: all available cores)")
    parser.add_argument("--checkpoint-dir", help="keep the random checkpoint here between runs "
                                                 "(default: a temporary folder)")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--beams", type=int, default=4, help=argparse.SUPPRESS)
    parser.add_argument("--checkpoint", help=argparse.SUPPRESS)
    parser.add_argument("--output-ratio", type=float, default=1.0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    global OUTPUT_PER_SOURCE_TOKEN
    OUTPUT_PER_SOURCE_TOKEN = args.output_ratio

    if args.worker == "rerun":
        print(json.dumps(run_rerun_worker(args.checkpoint, args.threads)))
        return 0
    if args.worker:
        serve_worker(args.worker, args.checkpoint, args.beams, args.threads)
        return 0

    with tempfile.TemporaryDirectory() as scratch:
        os.environ.setdefault("WORKBENCH_CT2_CACHE", str(Path(scratch) / "ct2"))
        count = 16 if args.quick else args.sentences
        pool = seed_sentences("vi")
        sentences = [pool[i % len(pool)] for i in range(count)]

        started = time.perf_counter()
        checkpoint = build_checkpoint(Path(args.checkpoint_dir or Path(scratch) / "opus-mt-vi-en-random"))
        config = json.loads((checkpoint / "config.json").read_text())
        print(f"machine: {machine()}")
        print(f"checkpoint: random weights, d_model {config['d_model']}, {config['encoder_layers']}+"
              f"{config['decoder_layers']} layers, {config['encoder_attention_heads']} heads, FFN "
              f"{config['encoder_ffn_dim']}, vocabulary {config['vocab_size']}; built in "
              f"{time.perf_counter() - started:.0f} s")
        from workbench.mt.ctranslate2_engine import CTranslate2Translator
        from workbench.mt.transformers_engine import MarianTranslator

        started = time.perf_counter()
        CTranslate2Translator("vi-en", str(checkpoint), threads=args.threads).load()
        print(f"conversion to ctranslate2 int8 (once, then cached): {time.perf_counter() - started:.0f} s")
        lengths = [len(ids) for ids in MarianTranslator("vi-en", str(checkpoint)).tokenizer(sentences).input_ids]
        words = sum(len(s.split()) for s in sentences)
        print(f"{count} Vietnamese seed sentences ({len(set(sentences))} distinct), {words} words, "
              f"{sum(lengths)} source tokens; output: 1 token per source word, exactly "
              f"(min = max new tokens); {args.threads} threads per engine\n")

        OUTPUT_PER_SOURCE_TOKEN = words / sum(lengths)
        from workbench.mt.base import DecodingSettings, plan_batches

        results = []
        # Chunks as the pipeline hands them to an engine: sentences sorted by length, then cut.
        order = sorted(range(count), key=lambda i: (lengths[i], i))
        chunks = [[sentences[i] for i in order[k:k + args.chunk]] for k in range(0, count, args.chunk)]
        chunk_lengths = [[lengths[i] for i in order[k:k + args.chunk]] for k in range(0, count, args.chunk)]
        for beams in ([4] if args.quick or args.enforced_only else [1, 4]):
            planned = sum(len(plan_batches(chunk, DecodingSettings(beams=beams))) for chunk in chunk_lengths)
            started = time.perf_counter()
            kinds = ([] if args.enforced_only else ["naive", "batched", "ctranslate2"]) + (
                ["enforced-transformers", "enforced-ctranslate2"] if beams == 4 else [])
            results += measure_interleaved(kinds, str(checkpoint), chunks, beams, args.threads)
            print(f"  beam {beams}: {len(chunks)} chunks, {planned} batches, measured in "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr)
        print_table(results)
        enforced = {r["kind"]: r for r in results if r["kind"].startswith("enforced-")}
        if len(enforced) == 2:
            ratio = enforced["enforced-transformers"]["seconds"] / enforced["enforced-ctranslate2"]["seconds"]
            print(f"whole enforced run (pipeline translate_chunk, repository glossary, beam 4): default engine "
                  f"{ratio:.1f}x as fast as transformers")
        print("model MB: peak resident memory above that of the imported libraries (the loaded model and "
              "decoding); peak MB: the whole process (Python, libraries, model, decoding)")

        if not args.quick and not args.enforced_only:
            rerun = spawn(["--worker", "rerun", "--checkpoint", str(checkpoint), "--threads", str(args.threads),
                           "--output-ratio", str(OUTPUT_PER_SOURCE_TOKEN)])
            first, second = rerun["runs"]
            print(f"\nre-run cost, run_batch over seeds/ with the default engine (beam 4, glossary on, "
                  f"enforcement off): "
                  f"first run {first['seconds']:.1f} s ({first['translated']} segments translated), "
                  f"second run {second['seconds']:.2f} s ({second['already_done']} already done, "
                  f"{second['translated']} translated): {first['seconds'] / second['seconds']:.0f}x faster")
            for failure in first["failures"]:
                print(f"  problem: {failure}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
