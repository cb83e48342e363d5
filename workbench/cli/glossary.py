"""`python -m workbench glossary ...`: check, match, report, export-tbx, import-tbx, candidates, consistency.

A thin layer over the library: each command calls one library function; a
broken glossary raises `GlossaryError`, which `workbench.cli.main` prints as
`file:line: reason` lines and an `Error: ...` summary (exit 1).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

from workbench.cli.common import (
    LANGUAGE_CHOICES,
    LIMIT,
    add_db_option,
    glossary_path,
    load_optional_glossary,
    open_store,
)
from workbench.errors import DocumentError, GlossaryError, UsageError


def register(subparsers) -> argparse.ArgumentParser:
    """Add the `glossary` command and its subcommands to an argparse subparsers object."""
    parser = subparsers.add_parser(
        "glossary", help="check, search and measure the terminology glossary",
        description="Work with the curated glossary (default: $WORKBENCH_GLOSSARY or glossaries/).")
    commands = parser.add_subparsers(dest="glossary_command", metavar="COMMAND", required=True)

    check = commands.add_parser("check", help="report every problem in a glossary file or folder")
    check.add_argument("path", nargs="?", help="glossary file or folder (default: glossaries/)")
    check.add_argument("--corpus", action="append", default=[], metavar="PATH",
                       help="documents (files or folders) in which to look for forms that are ordinary "
                            "phrases of the language (repeatable); --db looks in the store's documents")
    check.add_argument("--lang", choices=("vi", "zh", "en"), default="vi",
                       help="source language of the forms to look at (default vi)")
    add_db_option(check)
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

    candidates = commands.add_parser(
        "candidates", help="terms, acronyms and variants the documents use and the glossary lacks",
        description="List term candidates from the review store's source texts; --accept ID shows the "
                    "glossary row a candidate becomes (--yes writes it), --dismiss ID hides it for good.")
    add_db_option(candidates)
    candidates.add_argument("--lang", choices=("vi", "en"), help="only documents in this language")
    candidates.add_argument("--json", action="store_true", help="print JSON")
    candidates.add_argument("--limit", type=LIMIT, default=20, help="how many to list (default 20)")
    candidates.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")
    action = candidates.add_mutually_exclusive_group()
    action.add_argument("--accept", metavar="ID", help="show the glossary row this candidate becomes")
    action.add_argument("--dismiss", metavar="ID", help="never propose this candidate again")
    action.add_argument("--restore", metavar="ID", help="forget a dismissal")
    action.add_argument("--dismissed", action="store_true", help="list the dismissed candidates")
    candidates.add_argument("--file", help="with --accept: the glossary file to write into (a new entry "
                            "goes where you say; a variant goes into its entry's file)")
    candidates.add_argument("--set", action="append", default=[], metavar="COLUMN=VALUE",
                            help="with --accept: set a cell of the row, e.g. --set en='Border Guard Command'")
    candidates.add_argument("--yes", action="store_true", help="with --accept: write the row")
    candidates.add_argument("--reviewer", help="with --accept, --dismiss, --restore: who acts (default: the "
                            "operating-system user); with a users file, an account whose role decides")
    candidates.add_argument("--rebuild", action="store_true",
                            help="count every document again (otherwise only the documents changed since the "
                                 "last count are read)")
    candidates.add_argument("--workers", type=int, default=2,
                            help="with --rebuild: processes that count (default %(default)s; never more than "
                                 "the CPUs)")
    candidates.set_defaults(func=_candidates)

    consistency = commands.add_parser(
        "consistency", help="inconsistent translations across approved and reviewed segments",
        description="Xbench-style QA over the store's approved and reviewed segments: one source "
                    "translated differently, one target for different sources, glossary terms not "
                    "rendered as the glossary says, numbers that differ.")
    add_db_option(consistency)
    consistency.add_argument("--json", action="store_true", help="print JSON")
    consistency.add_argument("--glossary", help="glossary file or folder (default: glossaries/)")
    consistency.set_defaults(func=_consistency)
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
    if not (args.corpus or args.db):
        return 0
    from workbench.glossary.ordinary import ordinary_forms

    result = ordinary_forms(glossary, _corpus_texts(args), args.lang)
    if not result.enough_text:
        print(f"note: only {result.corpus_words:,} {args.lang} words to compare against; too few to tell "
              "ordinary phrases from terms (give --corpus with more documents)")
    for warning in result.warnings:
        print(f"warning: {warning.message()}")
    return 0


def _corpus_texts(args):
    """Texts in `args.lang`: the --corpus documents, then the documents of the --db store."""
    from workbench.documents.discover import discover_documents
    from workbench.documents.ingest import read_document

    files, problems = discover_documents(args.corpus)
    for problem in problems:
        print(f"warning: {problem}", file=sys.stderr)
    for file in files:
        try:
            document = read_document(file)
        except DocumentError as exc:
            print(f"warning: {exc}", file=sys.stderr)
            continue
        if document.lang == args.lang:
            yield "\n".join(p.text for p in document.paragraphs)
    if args.db:
        with open_store(args) as store:
            for row in store.documents():
                if row.lang == args.lang:
                    yield "\n".join(s.source_text for s in store.segments(row.id))


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
        random_weight, translated = _random_weight_segments(store)
    if args.json:
        print(json.dumps({**result, "random_weight_segments": random_weight, "translated_segments": translated},
                         ensure_ascii=False, indent=2))
        return 0
    print(format_report(result))
    if random_weight:
        print(f"\nnote: {random_weight} of the {translated} machine-translated segments come from a random-weight "
              "test model: these figures measure the terminology enforcement, not a translation.")
    return 0


def _random_weight_segments(store) -> tuple[int, int]:
    """How many live machine-translated segments a random-weight test model wrote, and how many there are."""
    random_weight = translated = 0
    for document in store.documents():
        for row in store.translation_settings(document.id):
            translated += row.segments
            random_weight += row.segments if row.random_weights else 0
    return random_weight, translated


def format_report(result: dict) -> str:
    """Human-readable term success table, headed by the models that wrote the outputs; missing terms listed."""
    def rate(value) -> str:
        return "n/a" if value is None else f"{value:.3f}"

    documents = result["documents"]
    width = max([len("overall")] + [len(name) for name in documents])
    models = result.get("models") or ["no translations with term reports"]
    lines = [f"figures from: {model}" for model in models]
    lines.append(f"{'document':<{width}}  occurrences  matched  success  duplicated")
    for name, figures in documents.items():
        lines.append(f"{name:<{width}}  {figures['occurrences']:>11}  {figures['matched']:>7}  "
                     f"{rate(figures['success_rate']):>7}  {figures['duplicated']:>10}")
    lines.append(f"{'overall':<{width}}  {result['occurrences']:>11}  {result['matched']:>7}  "
                 f"{rate(result['success_rate']):>7}  {result['duplicated']:>10}")
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
    if args.output == "-":
        sys.stdout.buffer.write(export_tbx(glossary))
        sys.stdout.flush()
    else:
        export_tbx(glossary, args.output)  # written whole or not at all
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


def _candidates(args) -> int:
    from workbench.review.term_statistics import current_candidates

    glossary = load_optional_glossary(args.glossary)
    with open_store(args) as store:
        if args.dismissed:
            dismissed = store.dismissed_term_candidates()
            if args.json:
                print(json.dumps([dataclasses.asdict(row) for row in dismissed], ensure_ascii=False, indent=2))
            for row in dismissed if not args.json else ():
                print(f"{row.candidate_id}\t{row.lang}\t{row.kind}\t{row.form}\t"
                      f"{row.dismissed_by}\t{row.dismissed_at}")
            return 0
        if args.restore:
            from workbench.actions import restore_candidate
            from workbench.authority import command_line_actor

            if not restore_candidate(store, command_line_actor(args.reviewer), args.restore):
                raise UsageError(f"candidate {args.restore} was not dismissed")
            print(f"{args.restore}: will be proposed again")
            return 0
        dismissed = {row.candidate_id for row in store.dismissed_term_candidates()}
        wanted = args.accept or args.dismiss
        def progress(done: int, total: int) -> None:
            what = "document readings (two passes)" if args.rebuild else "changed documents"
            print(f"\rcounting term statistics: {done} of {total} {what}", end="", file=sys.stderr, flush=True)
            if done == total:
                print(file=sys.stderr)

        workers = max(1, min(args.workers, os.cpu_count() or 1))
        found = current_candidates(store, glossary, lang=args.lang, dismissed=() if wanted else dismissed,
                                   rebuild=args.rebuild, progress=progress, workers=workers)
        if wanted:
            candidate = next((c for c in found if c.id == wanted), None)
            if candidate is None:
                raise UsageError(f"no term candidate {wanted} in this store (list them with "
                                 "`glossary candidates`)")
            if args.dismiss:
                from workbench.actions import dismiss_candidate
                from workbench.authority import command_line_actor

                actor = command_line_actor(args.reviewer)
                dismiss_candidate(store, actor, candidate)
                print(f"{candidate.id}: {candidate.form!r} dismissed by {actor.name}; it will not be proposed again")
                return 0
    if args.accept:
        return _accept(args, candidate, glossary)
    shown = found[:args.limit]
    if args.json:
        print(json.dumps({"glossary_version": glossary.version if glossary else None, "total": len(found),
                          "candidates": [c.to_dict() for c in shown]}, ensure_ascii=False, indent=2))
        return 0
    print(format_candidates(shown))
    print(f"{len(shown)} of {len(found)} candidates; accept with --accept ID --file FILE, "
          "dismiss with --dismiss ID", file=sys.stderr)
    return 0


def format_candidates(candidates) -> str:
    """A plain-text table of candidates, each with its contexts."""
    lines = []
    for rank, candidate in enumerate(candidates, 1):
        what = candidate.form + (f" = {candidate.long_form}" if candidate.long_form else "")
        if candidate.variants:
            what += " | " + " | ".join(candidate.variants)
        lines.append(f"{rank:>3}. {candidate.id}  {candidate.lang}  {candidate.kind:<8} {what}")
        lines.append(f"     {candidate.count}x in {', '.join(candidate.documents)}; becomes: {candidate.becomes}; "
                     f"score {candidate.score:.2f}")
        for context in candidate.contexts():
            lines.append(f"     doc {context['document_id']} seg {context['segment_id']}: {context['context']}")
    return "\n".join(lines)


def _accept(args, candidate, glossary) -> int:
    from workbench.actions import accept_candidate
    from workbench.authority import command_line_actor
    from workbench.glossary.candidates import entry_file, proposed_row

    cells, replacing = proposed_row(candidate, glossary)
    for assignment in args.set:
        column, separator, value = assignment.partition("=")
        if not separator or not column.strip():
            raise UsageError(f"--set {assignment!r}: write COLUMN=VALUE")
        cells[column.strip().lower()] = value.strip()
    if replacing:
        path = Path(args.file) if args.file else entry_file(glossary, replacing)
    elif args.file:
        path = Path(args.file)
    else:
        raise UsageError("--accept needs --file FILE: the glossary file the new entry goes into")
    print(f"{path}: {'replace ' + replacing if replacing else 'add'} row")
    for column, value in cells.items():
        if value:
            print(f"  {column}: {value}")
    if not args.yes:
        print("Review the row; run again with --yes to write it (--set COLUMN=VALUE to change a cell).",
              file=sys.stderr)
        return 0
    scope = glossary_path(args.glossary)
    updated = accept_candidate(command_line_actor(args.reviewer), path, cells, replacing=replacing,
                               scope=scope if scope.is_dir() and path.resolve().parent == scope.resolve() else None)
    row = updated.row(cells["id"])
    print(f"{path}:{row.line if row else '?'}: written")
    return 0


def _consistency(args) -> int:
    from workbench.review.consistency import check_consistency, format_findings

    glossary = load_optional_glossary(args.glossary)
    with open_store(args) as store:
        findings = check_consistency(store, glossary)
    if args.json:
        print(json.dumps({"findings": [f.to_dict() for f in findings]}, ensure_ascii=False, indent=2))
        return 0
    print(format_findings(findings) if findings else "No inconsistency found.")
    return 0
