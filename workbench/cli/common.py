"""Options and helpers every command shares: the review store, the glossary, output files."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.text import SUPPORTED_LANGUAGES

LANGUAGE_CHOICES = SUPPORTED_LANGUAGES


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """The `--db FILE` option, with the same help everywhere."""
    parser.add_argument("--db", metavar="FILE",
                        help="review store (default: WORKBENCH_DB, else db in workbench.toml, else data/workbench.db)")


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """The repeatable `--model PAIR=ID_OR_DIR` option, the same wherever a model is used."""
    parser.add_argument("--model", action="append", metavar="PAIR=ID_OR_DIR",
                        help="checkpoint for a language pair (vi-en, en-vi, zh-en): a hub id or a local "
                             "folder; repeatable, e.g. --model vi-en=./models/opus-mt-vi-en (default: "
                             "WORKBENCH_MODEL_VI_EN..., else [models] in workbench.toml, else "
                             "Helsinki-NLP/opus-mt-PAIR)")


def store_path(args) -> Path:
    """The store named by --db, else WORKBENCH_DB, else the workspace's (`workspace.store_location`)."""
    from workbench.workspace import store_location

    return store_location(getattr(args, "db", None)).path


def open_store(args, *, create: bool = False):
    """Open the review store of a command (`workspace.open_review_store` decides about a missing one).

    Only commands that write new documents (`translate`) pass `create`; for every other
    command a missing store named by --db is an error, because opening would silently
    create an empty store and hide a typo.
    """
    from workbench.workspace import open_review_store

    return open_review_store(getattr(args, "db", None), create=create)


def glossary_path(value: str | None) -> Path:
    """The glossary file or folder given, else the configured one (WORKBENCH_GLOSSARY, workbench.toml, glossaries/)."""
    from workbench.glossary import default_glossary_path

    return Path(value) if value else Path(default_glossary_path())


def load_optional_glossary(value: str | None):
    """The glossary given; without one, the default glossary if it exists, else None."""
    from workbench.glossary import load_glossary

    path = glossary_path(value)
    if value or path.exists():
        return load_glossary(path)
    return None


def positive_int(value: str) -> int:
    """argparse type: a whole number of at least 1 (the message says so, never the function's name)."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return number


def bounded_int(low: int, high: int):
    """argparse type: an integer from `low` to `high`; outside, a usage error (exit 2) naming the range."""
    def parse(value: str) -> int:
        try:
            number = int(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be a whole number, got {value!r}") from None
        if not low <= number <= high:
            raise argparse.ArgumentTypeError(f"must be from {low} to {high}, got {value}")
        return number

    return parse


#: Sane ranges of the numeric options: beyond them a run crashes the engine or exhausts memory.
THREADS = bounded_int(1, 256)
BEAMS = bounded_int(1, 32)
BATCH_SIZE = bounded_int(1, 1024)
BATCH_TOKENS = bounded_int(1, 1_000_000)
LIMIT = bounded_int(1, 1_000_000)
PORT = bounded_int(1, 65535)
UPLOAD_MB = bounded_int(1, 10_000)


def write_output(data: bytes, out: str | None) -> None:
    """Write bytes to the file named by --out (whole or not at all), or to standard output."""
    if out:
        from workbench.files import write_atomic

        write_atomic(out, data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
