"""`python -m workbench concordance TEXT`: a word or phrase in context across the store's documents."""

from __future__ import annotations

import argparse
import json
import sys

from workbench.cli.common import LIMIT, add_db_option, open_store
from workbench.errors import UsageError


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `concordance` command to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "concordance", help="search a word or phrase in every document's sources and targets",
        description="Keyword-in-context lines for TEXT in the sources and targets of the review store's "
                    "documents; Vietnamese without diacritics finds the text with them (dang uy: Đảng uỷ).")
    parser.add_argument("text", help="the word or phrase")
    add_db_option(parser)
    parser.add_argument("--limit", type=LIMIT, default=500, help="most lines to show (default 500)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_concordance)
    return parser


def run_concordance(args) -> int:
    """Print the concordance lines; exit 0 even when nothing is found (a search, not a check)."""
    from workbench.review.concordance import concordance, format_lines

    if not args.text.strip():
        raise UsageError("give a word or phrase to search for")
    with open_store(args) as store:
        found = concordance(store, args.text, limit=args.limit)
    lines = found.lines
    if args.json:
        print(json.dumps({"query": args.text, "total": found.total, "lines": [line.to_dict() for line in lines]},
                         ensure_ascii=False, indent=2))
        return 0
    if lines:
        print(format_lines(lines))
    shown = f" ({len(lines)} shown)" if len(lines) < found.total else ""
    print(f"{found.total} occurrence{'s' if found.total != 1 else ''} of {args.text!r}{shown}", file=sys.stderr)
    return 0
