"""`python -m workbench align SRC TGT`: align a document with its translation.

With `--presplit` both files hold one sentence per line and the output is one
link per line, `[i, j]:[k]` with 0-based line numbers, the format of the public
gold sets. Without it both files are documents: they are split into sentences
first, and each output line is `[i, j]:[k]`, the confidence, the source text
and the target text, separated by tabs.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.errors import DocumentError


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `align` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "align",
        help="align the sentences of a document with those of its translation",
        description=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("source", metavar="SRC", help="source document (UTF-8)")
    parser.add_argument("target", metavar="TGT", help="target document (UTF-8)")
    parser.add_argument(
        "--src-lang", metavar="L", help="language of SRC for sentence splitting (default: zh if mostly Chinese)"
    )
    parser.add_argument(
        "--tgt-lang", metavar="L", help="language of TGT for sentence splitting (default: zh if mostly Chinese)"
    )
    parser.add_argument(
        "--presplit", action="store_true", help="inputs are one sentence per line; print only the links"
    )
    parser.add_argument("--out", metavar="FILE", help="write the links to FILE instead of standard output")
    parser.add_argument("--confirmed", metavar="FILE",
                        help="links a reviewer confirmed, one `[i]:[j]` per line; only the rest is aligned")
    parser.add_argument("--glossary", metavar="PATH",
                        help="glossary whose term pairs serve as anchors (default: WORKBENCH_GLOSSARY or "
                             "glossaries/ when it exists; needs --src-lang and --tgt-lang)")
    parser.add_argument("--model", metavar="ID_OR_DIR",
                        help="MarianMT checkpoint for SRC-TGT; its translations of SRC add a chrF signal "
                             "(default: the pair's configured checkpoint, when it loads)")
    parser.add_argument("--no-mt", action="store_true", help="never use machine translation as a signal")
    parser.set_defaults(func=run_align)
    return parser


def run_align(args: argparse.Namespace) -> int:
    """Run `align`; bad input raises a WorkbenchError naming the file."""
    source_text = read_text(args.source)
    target_text = read_text(args.target)
    if args.presplit:
        source, target = presplit_lines(source_text), presplit_lines(target_text)
    else:
        source = _split(source_text, args.src_lang)
        target = _split(target_text, args.tgt_lang)
    for path, sentences in ((args.source, source), (args.target, target)):
        if not any(sentence.strip() for sentence in sentences):
            raise DocumentError("no sentences to align", path)
    from workbench.alignment import align, format_link
    from workbench.alignment.formats import read_links

    confirmed = read_links(args.confirmed) if args.confirmed else ()
    links = align(source, target, confirmed=confirmed,
                  term_pairs=glossary_term_pairs(args.glossary, args.src_lang, args.tgt_lang),
                  translate=machine_translation(args, args.src_lang, args.tgt_lang))
    if args.presplit:
        lines = [format_link(link) for link in links]
    else:
        lines = [
            "\t".join((
                format_link(link),
                f"{link.confidence:.3f}",
                " ".join(source[i] for i in link.source),
                " ".join(target[j] for j in link.target),
            ))
            for link in links
        ]
    output = "".join(line + "\n" for line in lines)
    if args.out:
        try:
            Path(args.out).write_text(output, encoding="utf-8")
        except OSError as exc:
            raise DocumentError(f"cannot write: {exc.strerror}", args.out) from None
    else:
        sys.stdout.write(output)
    return 0


def glossary_term_pairs(path: str | None, src_lang: str | None, tgt_lang: str | None):
    """(source form, target form) pairs of every glossary entry, or None without a glossary."""
    if not src_lang or not tgt_lang:
        return None
    from workbench.glossary import default_glossary_path, load_glossary

    location = Path(path) if path else Path(default_glossary_path())
    if not path and not location.exists():
        return None
    glossary = load_glossary(location)
    return [(source, target) for entry in glossary.entries
            for source in entry.forms(src_lang) for target in entry.forms(tgt_lang)]


def machine_translation(args, src_lang: str | None, tgt_lang: str | None):
    """The translate function of the pair's checkpoint when one loads and is a real model, else None."""
    if args.no_mt or not src_lang or not tgt_lang:
        return None
    from workbench.config import ConfigError, resolve_checkpoint
    from workbench.errors import ModelUnavailable
    from workbench.mt.transformers_engine import get_translator

    pair = f"{src_lang}-{tgt_lang}"
    try:
        checkpoint = args.model or resolve_checkpoint(pair)
        translator = get_translator(pair, checkpoint)
        translator.load()
    except ConfigError:
        return None
    except ModelUnavailable as exc:
        print(f"note: aligning without machine translation ({exc.reason})", file=sys.stderr)
        return None
    if translator.is_random_weights:
        print("note: aligning without machine translation (the checkpoint has random weights)", file=sys.stderr)
        return None
    return translator.translate_best


def read_text(path: str) -> str:
    """The UTF-8 text of a file, or a DocumentError that names it."""
    try:
        raw = Path(path).read_bytes()
    except FileNotFoundError:
        raise DocumentError("no such file", path) from None
    except IsADirectoryError:
        raise DocumentError("is a directory, not a file", path) from None
    except OSError as exc:
        raise DocumentError(f"cannot read: {exc.strerror}", path) from None
    if not raw.strip():
        raise DocumentError("file is empty", path)
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DocumentError(
            f"not UTF-8 (byte 0x{raw[exc.start]:02X} at offset {exc.start}); convert it to UTF-8", path, line
        ) from None


def presplit_lines(text: str) -> list[str]:
    """One sentence per line; every line counts, so indices are line numbers."""
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return [line.rstrip("\r") for line in lines]


def _split(text: str, lang: str | None) -> list[str]:
    from workbench.documents.segment import split_sentences

    return split_sentences(text, lang or _guess_language(text))


def _guess_language(text: str) -> str:
    """"zh" for text that is mostly Chinese characters, else "und" (the generic splitter)."""
    from workbench.alignment.anchors import CJK_CHARACTER

    letters = [c for c in text if c.isalpha()]
    if letters and len(CJK_CHARACTER.findall(text)) > len(letters) / 2:
        return "zh"
    return "und"
