"""`python -m workbench spelling`: the QA check of every reviewer's target against the Hunspell dictionaries.

    python -m workbench spelling [--db FILE] [--glossary PATH] [--accepted FILE] [--json]

The neighbour of `glossary consistency`: one line per segment whose target holds
words the target language's dictionary (English, Vietnamese) does not know; glossary
words and the team's accepted words (`accepted-words.txt` beside the glossary) are
never reported. Exit 0 either way: it is a report, not a gate.
"""

from __future__ import annotations

import json
import sys

from workbench.cli.common import add_db_option, glossary_path, load_optional_glossary, open_store


def register(subparsers) -> None:
    """Add `spelling` to the main parser's subcommands."""
    parser = subparsers.add_parser(
        "spelling", help="words of reviewers' targets that the English or Vietnamese dictionary does not know",
        description="Check every live segment's target against the Hunspell dictionary of its language "
                    "(en_US, vi_VN). Words of the glossary and the team's accepted words are never reported.")
    add_db_option(parser)
    parser.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")
    parser.add_argument("--accepted", metavar="FILE",
                        help="the team's accepted words (default: accepted-words.txt beside the glossary)")
    parser.add_argument("--json", action="store_true", help="print JSON")
    parser.set_defaults(func=run_spelling)


def run_spelling(args) -> int:
    """Print one line per segment with unknown words, and a count."""
    from workbench.review.spelling import accepted_words_path, check_store_spelling, read_accepted_words

    glossary = load_optional_glossary(args.glossary)
    accepted = read_accepted_words(args.accepted or accepted_words_path(glossary_path(args.glossary)))
    with open_store(args) as store:
        findings = check_store_spelling(store, glossary, accepted)
    if args.json:
        print(json.dumps({"findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2))
        return 0
    for finding in findings:
        print(f"{finding.document_name} #{finding.position + 1}: {', '.join(finding.words)}")
    print(f"{len(findings)} segment(s) with possible misspellings", file=sys.stderr)
    return 0
