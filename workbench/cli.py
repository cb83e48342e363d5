"""Command-line interface: `python -m workbench COMMAND ...`.

Thin over the library: each command parses options, calls the library, and
turns a WorkbenchError into one `Error: ...` line on stderr and a non-zero
exit status. Exit codes: 0 success, 1 something failed, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.errors import GlossaryError, WorkbenchError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m workbench",
        description="Translation and alignment workbench for border-defence press reports.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    translate = commands.add_parser(
        "translate", help="ingest documents (files or folders) and machine-translate them")
    translate.add_argument("paths", nargs="+", metavar="PATH", help="document files or folders")
    _add_db_option(translate)
    translate.add_argument("--model", action="append", metavar="PAIR=ID_OR_DIR",
                           help="checkpoint for a pair, a hub id or a local directory "
                                "(repeatable), e.g. --model vi-en=./models/opus-mt-vi-en")
    translate.add_argument("--batch-size", type=_positive_int, default=None,
                           help="most sentences per model batch (default 32)")
    translate.add_argument("--batch-tokens", type=_positive_int, default=None,
                           help="token budget per batch, source tokens x beams (default 4096)")
    translate.add_argument("--beams", type=_positive_int, default=None,
                           help="beam size (default 4)")
    translate.add_argument("--lang", choices=["vi", "en", "zh"],
                           help="language of every given document (default: detected per file)")
    translate.add_argument("--mt-from", choices=["zh", "vi", "en"], dest="mt_from",
                           help="mark every given document as a machine translation from this "
                                "language (per file: sidecar NAME.meta.json)")
    translate.add_argument("--glossary", metavar="PATH",
                           help="glossary file or folder (default: WORKBENCH_GLOSSARY or glossaries/)")
    translate.add_argument("--no-terms", action="store_true",
                           help="translate without terminology enforcement")
    translate.add_argument("--engine", choices=["transformers", "ctranslate2", "ray"], default=None,
                           help="translation engine (default: ctranslate2; see README, Performance)")
    translate.add_argument("--threads", type=_positive_int, default=None,
                           help="CPU threads per loaded model (default: the engine's own)")
    translate.add_argument("--ray-address", metavar="ADDRESS",
                           help="with --engine ray: the cluster to join, e.g. ray://head:10001 "
                                "(default: RAY_ADDRESS, else a local Ray instance)")
    translate.add_argument("--ingest-only", action="store_true",
                           help="store the documents without translating them")

    status = commands.add_parser("status", help="show what the review store holds")
    _add_db_option(status)
    status.add_argument("--json", action="store_true", help="print a JSON list of documents")

    models = commands.add_parser("models", help="manage translation checkpoints")
    model_commands = models.add_subparsers(dest="models_command", required=True, metavar="ACTION")
    pull = model_commands.add_parser("pull", help="download the default checkpoints (needs a connection)")
    pull.add_argument("pairs", nargs="*", metavar="PAIR", help="pairs to download (default: all)")
    model_commands.add_parser("list", help="show which checkpoint serves each pair and whether it loads")

    for register in _optional_command_registrars():
        register(commands)
    return parser


def _optional_command_registrars():
    """Subcommands that live with their own package (glossary, align, exchange)."""
    from workbench.alignment.cli import add_align_parser
    from workbench.exchange.cli import register_commands as add_exchange_parsers
    from workbench.glossary.cli import add_glossary_parser

    return [add_glossary_parser, add_align_parser, add_exchange_parsers]


def _add_db_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", metavar="FILE",
                        help="review store (default: WORKBENCH_DB or data/workbench.db)")


def _positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "translate":
            return run_translate(args)
        if args.command == "status":
            return run_status(args)
        if args.command == "models":
            return run_models(args)
        if args.command == "glossary":
            from workbench.glossary.cli import run_glossary

            return run_glossary(args)
        if args.command == "align":
            from workbench.alignment.cli import run_align

            return run_align(args)
        from workbench.exchange.cli import run_command

        code = run_command(args)
        if code is not None:
            return code
    except GlossaryError as exc:
        for problem in exc.problems:
            print(problem.location_message(), file=sys.stderr)
        print(f"Error: the glossary has {len(exc.problems)} problem(s); fix them and run again",
              file=sys.stderr)
        return 1
    except WorkbenchError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; work stored so far is kept.", file=sys.stderr)
        return 130
    parser.error(f"unknown command {args.command}")
    return 2


def open_store(args):
    """Open the review store named by --db, or the default one."""
    from workbench.config import default_db_path
    from workbench.review.store import ReviewStore

    return ReviewStore(Path(args.db) if getattr(args, "db", None) else default_db_path())


def load_run_glossary(path: str | None):
    """The glossary for a run: the given path, else the default one if it exists, else None."""
    from workbench.glossary import default_glossary_path, load_glossary

    if path:
        return load_glossary(path)
    default = Path(default_glossary_path())
    return load_glossary(default) if default.exists() else None


def run_translate(args) -> int:
    """`translate`: ingest, store and translate; print a summary."""
    from workbench.config import (
        DEFAULT_BATCH_TOKENS,
        DEFAULT_BEAMS,
        DEFAULT_ENGINE,
        DEFAULT_MAX_BATCH_SENTENCES,
        parse_model_options,
    )
    from workbench.pipeline import BatchOptions, run_batch

    glossary = None if args.ingest_only else load_run_glossary(args.glossary)
    options = BatchOptions(
        lang=args.lang, machine_translated_from=args.mt_from,
        models=parse_model_options(args.model),
        beams=args.beams or DEFAULT_BEAMS,
        batch_tokens=args.batch_tokens or DEFAULT_BATCH_TOKENS,
        max_batch_sentences=args.batch_size or DEFAULT_MAX_BATCH_SENTENCES,
        glossary=glossary, enforce_terms=not args.no_terms, translate=not args.ingest_only,
        engine=args.engine or DEFAULT_ENGINE, threads=args.threads, ray_address=args.ray_address,
    )
    bar = _ProgressBar()
    with open_store(args) as store:
        summary = run_batch(args.paths, store, options, progress=bar.update,
                            report=bar.write)
    bar.close()
    for message in summary.failures:
        print(f"failed: {message}", file=sys.stderr)
    for message in summary.missing_models:
        print(f"missing model: {message}", file=sys.stderr)
    print(
        f"documents: {summary.documents} ({summary.documents_changed} new or changed), "
        f"segments: {summary.segments}, translated: {summary.translated}, "
        f"reused from cache: {summary.reused}, already done: {summary.already_done}, "
        f"untranslated (model missing): {summary.untranslated}, failed: {summary.failed}")
    if glossary is not None:
        print(f"glossary version: {glossary.version}")
    return 1 if summary.failed else 0


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
    """`status`: documents in the store with their counts."""
    with open_store(args) as store:
        summaries = store.document_summaries()
    if args.json:
        print(json.dumps(summaries, ensure_ascii=False, indent=2))
        return 0
    if not summaries:
        print("The review store holds no documents yet. Add some with "
              "`python -m workbench translate PATH`.")
        return 0
    header = f"{'file':<58} {'lang':<5} {'kind':<7} {'segs':>5} {'mt':>5}  statuses"
    print(header)
    for item in summaries:
        kind = "mt:" + item["mt_source_lang"] if item["kind"] == "machine_translation" else "orig"
        statuses = " ".join(f"{k}={v}" for k, v in item["statuses"].items() if v)
        print(f"{item['name'][:58]:<58} {item['lang']:<5} {kind:<7} {item['segments']:>5} "
              f"{item['translated']:>5}  {statuses}")
    return 0


def run_models(args) -> int:
    """`models pull` / `models list`."""
    from workbench.config import DEFAULT_CHECKPOINTS, resolve_checkpoint
    from workbench.errors import ModelUnavailable
    from workbench.mt.transformers_engine import get_translator, pull_checkpoint

    if args.models_command == "list":
        for pair in DEFAULT_CHECKPOINTS:
            checkpoint = resolve_checkpoint(pair)
            try:
                translator = get_translator(pair, checkpoint)
                translator.load()
                state = "loads" + (" (random weights: tests only)" if translator.is_random_weights else "")
            except ModelUnavailable as exc:
                state = f"missing: {exc.reason}"
            print(f"{pair}  {checkpoint}  {state}")
        return 0
    pairs = args.pairs or list(DEFAULT_CHECKPOINTS)
    failed = 0
    for pair in pairs:
        if pair not in DEFAULT_CHECKPOINTS:
            print(f"Error: unknown pair '{pair}' (known: {', '.join(DEFAULT_CHECKPOINTS)})",
                  file=sys.stderr)
            failed += 1
            continue
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
