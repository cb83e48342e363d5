"""`translate`, `status` and `models`: the batch script and its checkpoints."""

from __future__ import annotations

import itertools
import json
import re
import sys
from pathlib import Path

from workbench.cli.common import (
    BATCH_SIZE,
    BATCH_TOKENS,
    BEAMS,
    LANGUAGE_CHOICES,
    THREADS,
    add_db_option,
    add_model_option,
    glossary_path,
    load_optional_glossary,
    open_store,
)
from workbench.config import DEFAULT_ENGINE, ENGINES
from workbench.errors import UsageError


def register(commands) -> None:
    """Add `translate`, `status` and `models` to the main parser's subcommands."""
    from workbench.exchange.formats import document_format_names

    translate = commands.add_parser(
        "translate", help="ingest documents (files or folders) and machine-translate them")
    translate.add_argument("paths", nargs="+", metavar="PATH", help="document files or folders")
    add_db_option(translate)
    add_model_option(translate)
    translate.add_argument("--batch-size", type=BATCH_SIZE, default=None, metavar="N",
                           help="most sentences per model batch (default: batch_size in [translate], else 32)")
    translate.add_argument("--batch-tokens", type=BATCH_TOKENS, default=None, metavar="N",
                           help="token budget per batch, source tokens x beams (default: batch_tokens in "
                                "[translate], else 4096)")
    translate.add_argument("--beams", type=BEAMS, default=None, metavar="N",
                           help="beam size (default: beams in [translate], else 4)")
    translate.add_argument("--lang", choices=LANGUAGE_CHOICES,
                           help="language of every given document (default: detected per file)")
    translate.add_argument("--mt-from", choices=LANGUAGE_CHOICES, dest="mt_from",
                           help="mark every given document as a machine translation from this "
                                "language (per file: sidecar NAME.meta.json)")
    translate.add_argument("--glossary", metavar="PATH",
                           help="glossary file or folder (default: WORKBENCH_GLOSSARY, else glossary in "
                                "workbench.toml, else glossaries/)")
    translate.add_argument("--no-terms", action="store_true",
                           help="translate without terminology enforcement")
    translate.add_argument("--engine", choices=ENGINES, default=None,
                           help=f"translation engine (default: engine in [translate], else {DEFAULT_ENGINE}; "
                                "docs/benchmarks.md compares them)")
    translate.add_argument("--threads", type=THREADS, default=None, metavar="N",
                           help="CPU threads per loaded model (default: threads in [translate], else the "
                                "engine's own)")
    translate.add_argument("--follow-symlinks", action="store_true",
                           help="read symbolic links inside the given folders that lead outside them "
                                "(default: skipped, each named)")
    translate.add_argument("--ray-address", metavar="ADDRESS",
                           help="with --engine ray: the cluster to join, e.g. ray://head:10001 "
                                "(default: RAY_ADDRESS, else a local Ray instance)")
    translate.add_argument("--out", metavar="DIR",
                           help="when the run ends, write every document of the run translated into DIR, "
                                "mirroring the input folders (a folder outside the inputs)")
    translate.add_argument("--out-format", choices=["auto", *document_format_names()], default="auto",
                           help="with --out: format of the translated documents (default auto: Word and PDF "
                                "in, Word out; HTML in, HTML out; text in, text out)")
    translate.add_argument("--bilingual", action="store_true",
                           help="with --out: docx/html side by side with the source, terms and statuses shown")
    translate.set_defaults(func=run_translate)
    translate.add_argument("--ingest-only", action="store_true",
                           help="store the documents without translating them")
    translate.add_argument("--retire-reviewed", action="store_true",
                           help="import a changed file even when that retires reviewed or approved segments "
                                "(kept, hidden, with their history); without it such a file is refused")

    status = commands.add_parser("status", help="show what the review store holds")
    add_db_option(status)
    status.add_argument("--json", action="store_true", help="print a JSON list of documents")
    status.set_defaults(func=run_status)

    models = commands.add_parser("models", help="manage translation checkpoints")
    model_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    pull = model_commands.add_parser("pull", help="download the default checkpoints (needs a connection)")
    pull.add_argument("pairs", nargs="*", metavar="PAIR", help="pairs to download (default: all)")
    pull.set_defaults(func=run_models_pull)
    listing = model_commands.add_parser("list", help="show which checkpoint serves each pair and whether it loads")
    add_model_option(listing)
    listing.set_defaults(func=run_models_list)


def run_translate(args) -> int:
    """`translate`: ingest, store and translate; print a summary."""
    from workbench.config import parse_model_options, setting
    from workbench.pipeline import BatchOptions, run_batch

    models = parse_model_options(args.model)
    glossary = None if args.ingest_only else load_optional_glossary(args.glossary)
    if glossary is None and not args.ingest_only and not args.no_terms:
        print(f"warning: no glossary at {glossary_path(args.glossary)}: translating without terminology "
              "enforcement (give --glossary PATH, or set glossary in workbench.toml)", file=sys.stderr)
    options = BatchOptions(
        lang=args.lang, machine_translated_from=args.mt_from, models=models,
        beams=args.beams or setting("translate.beams"),
        batch_tokens=args.batch_tokens or setting("translate.batch_tokens"),
        max_batch_sentences=args.batch_size or setting("translate.batch_size"),
        glossary=glossary, enforce_terms=not args.no_terms, translate=not args.ingest_only,
        engine=args.engine or setting("translate.engine"), threads=args.threads or setting("translate.threads"),
        ray_address=args.ray_address, retire_reviewed=args.retire_reviewed, follow_symlinks=args.follow_symlinks,
    )
    if args.out:
        from workbench.exchange.documents import check_output_folder

        check_output_folder(Path(args.out), args.paths)
    bar = _ProgressBar()
    with open_store(args, create=True) as store:
        summary = run_batch(args.paths, store, options, progress=bar.update,
                            report=bar.write)
        bar.close()
        out_report = _write_translated_documents(args, store, glossary) if args.out else None
    for message in summary.failures:
        print(f"failed: {message}", file=sys.stderr)
    for message in summary.warnings:
        print(f"warning: {message}", file=sys.stderr)
    for message in summary.missing_models:
        # "model vi-en unavailable: cannot load ..." reads "missing model: vi-en: cannot load ...".
        print("missing model: " + re.sub(r"^model (\S+) unavailable: ", r"\1: ", message), file=sys.stderr)
    print(
        f"documents: {summary.documents} ({summary.documents_changed} new or changed), "
        f"segments: {summary.segments}, translated: {summary.translated}, "
        f"reused from cache: {summary.reused}, already done: {summary.already_done}, "
        f"untranslated (model missing): {summary.untranslated}, failed: {summary.failed}"
        + (f" ({summary.failed_segments} segment(s) left untranslated by engine errors)"
           if summary.failed_segments else ""))
    if glossary is not None:
        print(f"glossary version: {glossary.version}")
    if out_report:
        print(out_report)
    if summary.documents:
        print("next: `workbench ui` opens the reviewer UI on this store")
    return 1 if summary.failed else 0


def _write_translated_documents(args, store, glossary) -> str:
    """`translate --out DIR`: write every document of the run, translated, in the input's folder layout."""
    from workbench.exchange.run_output import write_run_documents

    if args.bilingual and glossary is None:
        glossary = load_optional_glossary(args.glossary)
    written, skipped = write_run_documents(store, args.paths, Path(args.out), fmt=args.out_format,
                                           bilingual=args.bilingual, glossary=glossary,
                                           follow_symlinks=args.follow_symlinks)
    for message in skipped:
        print(f"not written: {message}", file=sys.stderr)
    return f"translated documents: {len(written)} written to {args.out}"


class _ProgressBar:
    """A tqdm bar on stderr, created on the first update so no-op runs print none."""

    def __init__(self):
        self._bar = None

    def update(self, done: int, total: int) -> None:
        if self._bar is None:
            from tqdm import tqdm

            self._bar = tqdm(total=total, unit="seg", desc="translating", file=sys.stderr,
                             leave=False, disable=None)
        self._bar.total = total
        self._bar.n = done
        self._bar.refresh()

    def write(self, message: str) -> None:
        if self._bar is not None:
            self._bar.write(message, file=sys.stderr)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def run_status(args) -> int:
    """`status`: documents in the store with their counts (two reads of the store, printed as they come)."""
    from workbench.review.document_list import every_summary

    with open_store(args) as store:
        summaries = every_summary(store)
        if args.json:
            print(json.dumps(list(summaries), ensure_ascii=False, indent=2))
            return 0
        first = next(summaries, None)
        if first is None:
            print("The review store holds no documents yet. Add some with `workbench translate PATH`.")
            return 0
        header = f"{'file':<58} {'lang':<5} {'kind':<7} {'segs':>5} {'mt':>5}  statuses"
        print(header)
        for item in itertools.chain([first], summaries):
            kind = "mt:" + item["mt_source_lang"] if item["kind"] == "machine_translation" else "orig"
            statuses = " ".join(f"{k}={v}" for k, v in item["statuses"].items() if v)
            print(f"{item['name'][:58]:<58} {item['lang']:<5} {kind:<7} {item['segments']:>5} "
                  f"{item['translated']:>5}  {statuses}")
    return 0


def run_models_list(args) -> int:
    """`models list`: which checkpoint serves each pair, and whether it loads with the default engine."""
    from workbench.config import DEFAULT_CHECKPOINTS, DEFAULT_ENGINE, parse_model_options, resolve_checkpoint
    from workbench.errors import ModelUnavailable
    from workbench.mt.factory import get_translator

    overrides = parse_model_options(args.model)
    for pair in DEFAULT_CHECKPOINTS:
        checkpoint = resolve_checkpoint(pair, overrides)
        try:
            translator = get_translator(pair, checkpoint)
            translator.load()
            state = f"loads ({DEFAULT_ENGINE})" + (
                " (random weights: tests only)" if translator.is_random_weights else "")
        except ModelUnavailable as exc:
            state = f"missing: {exc.reason}"
        print(f"{pair}  {checkpoint}  {state}")
    return 0


def run_models_pull(args) -> int:
    """`models pull`: download the checkpoints of the given pairs into the Hugging Face cache."""
    from workbench.config import DEFAULT_CHECKPOINTS, resolve_checkpoint
    from workbench.errors import ModelUnavailable
    from workbench.mt.checkpoints import pull_checkpoint

    unknown = [pair for pair in args.pairs if pair not in DEFAULT_CHECKPOINTS]
    if unknown:
        raise UsageError(f"unknown pair '{unknown[0]}' (known: {', '.join(DEFAULT_CHECKPOINTS)})")
    failed = 0
    for pair in args.pairs or list(DEFAULT_CHECKPOINTS):
        checkpoint = resolve_checkpoint(pair)
        if Path(checkpoint).exists():
            print(f"{pair}: {checkpoint} is a local directory; nothing to download")
            continue
        try:
            folder = pull_checkpoint(pair, checkpoint)
            print(f"{pair}: {checkpoint} downloaded to {folder}")
        except ModelUnavailable as exc:
            print(f"Error: {exc.pair}: {exc.reason}", file=sys.stderr)
            failed += 1
    return 1 if failed else 0
