"""`evaluate`: quality of the machine translation against the approved targets."""

from __future__ import annotations

import json
import sys

from workbench.cli.common import add_db_option, open_store


def register(subparsers) -> None:
    """Add `evaluate` to the main parser's subcommands."""
    evaluate = subparsers.add_parser(
        "evaluate", help="score the machine translation against approved targets",
        description="BLEU, chrF and TER (sacrebleu) per document, language pair and "
                    "checkpoint; edit rates; term success; reviewer progress.")
    add_db_option(evaluate)
    evaluate.add_argument("--format", choices=("table", "json", "csv"), default="table",
                          help="output format (default: table)")
    evaluate.add_argument("--raw", action="store_true",
                          help="csv: write cells as they are, without neutralising those a spreadsheet "
                               "would evaluate as formulas (leading = + - @)")
    evaluate.set_defaults(func=run_evaluate)


def run_evaluate(args) -> int:
    """`evaluate`: print the quality report as a table, JSON or CSV."""
    from workbench.evaluation.scores import evaluate, format_csv, format_table

    with open_store(args) as store:
        report = evaluate(store)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(format_csv(report, raw=args.raw))
    else:
        sys.stdout.write(format_table(report))
    return 0
