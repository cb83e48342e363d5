"""`python -m workbench glossary ...`: check, match, report, export-tbx, import-tbx.

A thin layer over the library: each command calls one library function and
turns a library error into `file:line: reason` lines and an `Error: ...`
summary on stderr, with exit code 1. Success exits 0.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.errors import GlossaryError, WorkbenchError

LANGUAGE_CHOICES = ("vi", "en", "zh")


def add_glossary_parser(subparsers) -> argparse.ArgumentParser:
    """Add the `glossary` command and its subcommands to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "glossary", help="check, search and measure the terminology glossary",
        description="Work with the curated glossary (default: $WORKBENCH_GLOSSARY or glossaries/).")
    commands = parser.add_subparsers(dest="glossary_command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="report every problem in a glossary file or folder")
    check.add_argument("path", nargs="?", help="glossary file or folder (default: glossaries/)")

    match = commands.add_parser("match", help="show which glossary entries a text contains")
    match.add_argument("--lang", required=True, choices=LANGUAGE_CHOICES, help="language of the text")
    source = match.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the text to search")
    source.add_argument("--file", help="read the text from this UTF-8 file")
    match.add_argument("--json", action="store_true", help="print JSON")
    match.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")

    report = commands.add_parser("report", help="term success rate of the review store")
    report.add_argument("--db", help="review store (default: $WORKBENCH_DB or data/workbench.db)")
    report.add_argument("--json", action="store_true", help="print JSON")

    export = commands.add_parser("export-tbx", help="write the glossary as TBX-Basic")
    export.add_argument("output", help="TBX file to write ('-' for standard output)")
    export.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")

    imported = commands.add_parser("import-tbx", help="convert a TBX file to a glossary TSV file")
    imported.add_argument("tbx", help="TBX file to read")
    imported.add_argument("output", help="TSV file to write")
    imported.add_argument("--force", action="store_true", help="overwrite an existing file")
    return parser


def run_glossary(args) -> int:
    """Run a `glossary` subcommand; return the exit code."""
    handlers = {"check": _check, "match": _match, "report": _report,
                "export-tbx": _export_tbx, "import-tbx": _import_tbx}
    try:
        return handlers[args.glossary_command](args)
    except GlossaryError as exc:
        for problem in exc.problems:
            print(problem.location_message(), file=sys.stderr)
        count = len(exc.problems)
        print(f"Error: the glossary has {count} problem(s); fix them and run again", file=sys.stderr)
        return 1
    except WorkbenchError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


def _glossary_path(value: str | None) -> Path:
    from workbench.glossary import default_glossary_path

    return Path(value) if value else default_glossary_path()


def _check(args) -> int:
    from workbench.glossary import read_glossary

    path = _glossary_path(args.path)
    glossary, problems = read_glossary(path)
    if problems:
        raise GlossaryError(problems)
    files = len(glossary.sources)
    print(f"{path}: {len(glossary)} entries in {files} file{'s' if files != 1 else ''}, "
          f"version {glossary.version}: OK")
    return 0


def _match(args) -> int:
    from workbench.glossary import load_glossary

    if args.file:
        try:
            text = Path(args.file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"Error: cannot read {args.file}: {exc}", file=sys.stderr)
            return 1
    else:
        text = args.text
    glossary = load_glossary(_glossary_path(args.glossary))
    matches = glossary.match(text, args.lang)
    if args.json:
        rows = []
        for match in matches:
            entry = glossary[match.entry_id]
            rows.append({**match.to_dict(), "terms": dict(entry.terms), "enforce": entry.enforce})
        print(json.dumps({"glossary_version": glossary.version, "lang": args.lang,
                          "matches": rows}, ensure_ascii=False, indent=2))
        return 0
    for match in matches:
        entry = glossary[match.entry_id]
        others = ", ".join(f"{lang}: {term}" for lang, term in entry.terms.items()
                           if lang != args.lang)
        kind = "" if match.kind == "term" else f" ({match.kind} of '{entry.term(args.lang)}')"
        print(f"{match.start}-{match.end}\t{match.entry_id}\t{match.surface!r}{kind}\t{others}")
    print(f"{len(matches)} match{'es' if len(matches) != 1 else ''}", file=sys.stderr)
    return 0


def _report(args) -> int:
    from workbench.config import default_db_path
    from workbench.glossary.report import term_success_by_document
    from workbench.review.store import ReviewStore

    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        print(f"Error: no review store at {path}", file=sys.stderr)
        return 1
    store = ReviewStore(path)
    try:
        result = term_success_by_document(store.iter_term_reports())
    finally:
        store.close()
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return 0
    print(format_report(result))
    return 0


def format_report(result: dict) -> str:
    """Human-readable term success table with the missing terms listed."""
    def rate(value) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    documents = result["documents"]
    width = max([len("overall")] + [len(name) for name in documents])
    lines = [f"{'document':<{width}}  occurrences  matched  success"]
    for name, figures in documents.items():
        lines.append(f"{name:<{width}}  {figures['occurrences']:>11}  {figures['matched']:>7}  "
                     f"{rate(figures['success_rate']):>7}")
    lines.append(f"{'overall':<{width}}  {result['occurrences']:>11}  {result['matched']:>7}  "
                 f"{rate(result['success_rate']):>7}")
    if result["missing"]:
        lines.append("")
        lines.append("Missing terms:")
        for name, figures in documents.items():
            for missing in figures["missing"]:
                lines.append(f"  {name}: {missing['entry_id']} -> {missing['required_target']!r} "
                             f"({missing['count']}x)")
    return "\n".join(lines)


def _export_tbx(args) -> int:
    from workbench.glossary import load_glossary
    from workbench.glossary.tbx import export_tbx

    glossary = load_glossary(_glossary_path(args.glossary))
    data = export_tbx(glossary)
    if args.output == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    else:
        Path(args.output).write_bytes(data)
        print(f"{args.output}: {len(glossary)} entries, glossary version {glossary.version}")
    return 0


def _import_tbx(args) -> int:
    from workbench.glossary.tbx import import_tbx, write_tsv

    output = Path(args.output)
    if output.suffix.lower() != ".tsv":
        print(f"Error: {output}: the output must be a .tsv file", file=sys.stderr)
        return 1
    if output.exists() and not args.force:
        print(f"Error: {output} exists; use --force to overwrite it", file=sys.stderr)
        return 1
    glossary = import_tbx(args.tbx)
    write_tsv(glossary, output)
    print(f"{output}: {len(glossary)} entries imported from {args.tbx}")
    return 0
