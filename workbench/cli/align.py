"""`python -m workbench align SRC TGT`: align a document with its translation.

With `--presplit` both files hold one sentence per line and the output is one
link per line, `[i, j]:[k]` with 0-based line numbers, the format of the public
gold sets. Without it both files are documents: they are read and split into
sentences as the batch script imports them, and each output line is
`[i, j]:[k]`, the confidence, the source text and the target text, separated
by tabs.
"""

from __future__ import annotations

import argparse
import sys

from workbench.cli.common import add_model_option


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `align` subcommand to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "align",
        help="align the sentences of a document with those of its translation",
        description=__doc__.split("\n\n", 1)[1],
    )
    parser.add_argument("source", metavar="SRC", help="source document")
    parser.add_argument("target", metavar="TGT", help="target document")
    parser.add_argument("--src-lang", metavar="L", help="language of SRC (default: detected, as for the batch script)")
    parser.add_argument("--tgt-lang", metavar="L", help="language of TGT (default: detected, as for the batch script)")
    parser.add_argument(
        "--presplit", action="store_true", help="inputs are one sentence per line; print only the links"
    )
    parser.add_argument("--out", metavar="FILE", help="write the links to FILE instead of standard output")
    parser.add_argument("--confirmed", metavar="FILE",
                        help="links a reviewer confirmed, one `[i]:[j]` per line; only the rest is aligned")
    parser.add_argument("--glossary", metavar="PATH",
                        help="glossary whose term pairs serve as anchors (default: WORKBENCH_GLOSSARY or "
                             "glossaries/ when it exists)")
    add_model_option(parser)
    parser.add_argument("--no-mt", action="store_true", help="never use machine translation as a signal")
    parser.set_defaults(func=run_align)
    return parser


def run_align(args: argparse.Namespace) -> int:
    """Run `align`; bad input raises a WorkbenchError naming the file."""
    from workbench.alignment import align, format_link
    from workbench.alignment.formats import read_links
    from workbench.alignment.sentences import read_sentence_lines, read_sentences
    from workbench.alignment.terms import load_term_pairs
    from workbench.alignment.translation import machine_translation

    read = read_sentence_lines if args.presplit else read_sentences
    from workbench.config import parse_model_options

    models = parse_model_options(args.model)  # before reading: a malformed option is a usage error at once
    source, target = read(args.source, lang=args.src_lang), read(args.target, lang=args.tgt_lang)
    confirmed = read_links(args.confirmed) if args.confirmed else ()
    pair = f"{source.lang}-{target.lang}" if source.lang and target.lang else None
    for unused in sorted(set(models) - {pair}):
        why = f"this alignment is {pair}" if pair else "give --src-lang and --tgt-lang"
        print(f"note: --model {unused}=... is not used: {why}", file=sys.stderr)
    # The MT of SRC into TGT gives the aligner a chrF signal; the pair's checkpoint as everywhere.
    mt = machine_translation(None if args.no_mt else source.lang, target.lang, checkpoint=models.get(pair))
    if mt.note:
        print(f"note: {mt.note}", file=sys.stderr)
    links = align(source.sentences, target.sentences, confirmed=confirmed,
                  term_pairs=load_term_pairs(args.glossary, source.lang, target.lang), translate=mt.translate)
    if args.presplit:
        lines = [format_link(link) for link in links]
    else:
        lines = ["\t".join((format_link(link), f"{link.confidence:.3f}",
                            " ".join(source.sentences[i] for i in link.source),
                            " ".join(target.sentences[j] for j in link.target)))
                 for link in links]
    output = "".join(line + "\n" for line in lines)
    if args.out:
        from workbench.files import write_atomic

        write_atomic(args.out, output)
    else:
        sys.stdout.write(output)
    return 0
