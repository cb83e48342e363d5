"""`python -m workbench glossary ...`: check, match, report, export-tbx, import-tbx.

A thin layer over the library: each command calls one library function; a
broken glossary raises `GlossaryError`, which `workbench.cli.main` prints as
`file:line: reason` lines and an `Error: ...` summary (exit 1).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from workbench.cli.common import LANGUAGE_CHOICES, add_db_option, glossary_path, open_store
from workbench.errors import DocumentError, GlossaryError, UsageError


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `glossary` command and its subcommands to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "glossary", help="check, search and measure the terminology glossary",
        description="Work with the curated glossary (default: $WORKBENCH_GLOSSARY or glossaries/).")
    commands = parser.add_subparsers(dest="glossary_command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="report every problem in a glossary file or folder")
    check.add_argument("path", nargs="?", help="glossary file or folder (default: glossaries/)")
    check.set_defaults(func=_check)

    match = commands.add_parser("match", help="show which glossary entries a text contains")
    match.add_argument("--lang", required=True, choices=LANGUAGE_CHOICES, help="language of the text")
    source = match.add_mutually_exclusive_group(required=True)
    source.add_argument("text", nargs="?", help="the text to search")
    source.add_argument("--file", help="read the text from this UTF-8 file")
    match.add_argument("--json", action="store_true", help="print JSON")
    match.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")
    match.set_defaults(func=_match)

    report = commands.add_parser("report", help="term success rate of the review store")
    add_db_option(report)
    report.add_argument("--json", action="store_true", help="print JSON")
    report.set_defaults(func=_report)

    export = commands.add_parser("export-tbx", help="write the glossary as TBX-Basic")
    export.add_argument("output", help="TBX file to write ('-' for standard output)")
    export.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")
    export.set_defaults(func=_export_tbx)

    imported = commands.add_parser("import-tbx", help="convert a TBX file to a glossary TSV file")
    imported.add_argument("tbx", help="TBX file to read")
    imported.add_argument("output", help="TSV file to write")
    imported.add_argument("--force", action="store_true", help="overwrite an existing file")
    imported.set_defaults(func=_import_tbx)
    return parser


def _check(args) -> int:
    from workbench.glossary import read_glossary

    path = glossary_path(args.path)
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
        except OSError as exc:
            raise DocumentError(f"cannot read: {exc.strerror}", args.file) from None
        except UnicodeDecodeError:
            raise DocumentError("not UTF-8; convert it to UTF-8", args.file) from None
    else:
        text = args.text
    glossary = load_glossary(glossary_path(args.glossary))
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
    from workbench.glossary.report import term_success_by_document

    with open_store(args) as store:
        result = term_success_by_document(store.iter_term_reports())
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

    glossary = load_glossary(glossary_path(args.glossary))
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
        raise UsageError(f"{output}: the output must be a .tsv file")
    if output.exists() and not args.force:
        raise UsageError(f"{output} exists; use --force to overwrite it")
    glossary = import_tbx(args.tbx)
    write_tsv(glossary, output)
    print(f"{output}: {len(glossary)} entries imported from {args.tbx}")
    return 0
