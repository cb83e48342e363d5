"""`export` and `import-xliff`: reviewed work out to other tools, and back from a CAT tool.

    python -m workbench export [--db FILE] [--doc ID_OR_NAME ...] [--all-statuses]
                               --format tmx|tsv|jsonl|xliff [--out FILE]
    python -m workbench export [--db FILE] [--doc ID_OR_NAME ...] --format txt|docx|html
                               [--bilingual] [--glossary PATH] --out DIR
    python -m workbench import-xliff FILE [--reviewer NAME] [--confirm] [--db FILE]

The formats are those of `workbench.exchange.formats.FORMATS`, the registry the
Export page uses too.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.common import add_db_option, open_store, write_output
from workbench.errors import UsageError


def register(subparsers) -> None:
    """Add `export` and `import-xliff` to the main parser's subcommands."""
    from workbench.exchange.formats import FORMATS

    export = subparsers.add_parser(
        "export", help="write reviewed segments or translated documents as "
                       + ", ".join(name.upper() for name in FORMATS),
        description="Write the segments of the chosen documents. TMX, TSV and JSONL hold "
                    "approved segments with a target unless --all-statuses is given; XLIFF "
                    "holds every live segment, with its state, for a CAT tool (one file per "
                    "language pair: with several pairs, --out work.xlf writes work-vi-en.xlf, ...). "
                    "TXT, DOCX and HTML write the translated document itself, one file per document "
                    "into the folder --out DIR (NAME.en.docx; with --bilingual NAME.vi-en.bilingual.html): "
                    "the reviewer's target where there is one, else the machine translation marked as "
                    "unreviewed, else the source marked as untranslated.")
    add_db_option(export)
    export.add_argument("--doc", action="append", metavar="ID_OR_NAME",
                        help="document id, file name or path (repeatable; default: all "
                             "non-archived documents)")
    export.add_argument("--all-statuses", action="store_true",
                        help="TMX/TSV/JSONL: every segment with a target, not only approved ones")
    export.add_argument("--format", required=True, choices=list(FORMATS))
    export.add_argument("--out", metavar="FILE_OR_DIR",
                        help="output file (default: standard output); for txt/docx/html a folder "
                             "(created if missing; one txt or html document may go to standard output)")
    export.add_argument("--bilingual", action="store_true",
                        help="docx/html: source and translation side by side, glossary terms marked, "
                             "each segment's status shown")
    export.add_argument("--glossary", metavar="PATH",
                        help="docx/html --bilingual: glossary whose terms are marked "
                             "(default: WORKBENCH_GLOSSARY or glossaries/, if there)")
    export.add_argument("--raw", action="store_true",
                        help="tsv: write cells as they are, without neutralising those a spreadsheet would "
                             "evaluate as formulas (by default a leading = + - @ gets a ' before it)")
    export.set_defaults(func=run_export)

    importer = subparsers.add_parser(
        "import-xliff", help="apply the targets and states of an XLIFF 2.0 file from a CAT tool",
        description="Check every unit of the file, then apply the changed targets and states "
                    "as the given reviewer; a broken file changes nothing.")
    importer.add_argument("file", metavar="FILE", help="XLIFF 2.0 file exported by `export`")
    importer.add_argument("--reviewer", metavar="NAME",
                          help="who imports: recorded in the history of every changed segment (default: the "
                               "operating-system user); with a users file, an account whose role decides")
    importer.add_argument("--confirm", action="store_true",
                          help="go on when the file alters reviewed or approved segments (needs a role that "
                               "may change approved work); without it such an import is refused")
    add_db_option(importer)
    importer.set_defaults(func=run_import_xliff)


def run_export(args) -> int:
    """`export`: write the chosen documents' segments in the chosen format."""
    from workbench.exchange.export import resolve_documents
    from workbench.exchange.formats import export_format

    fmt = export_format(args.format)
    if fmt.per_document:
        return _export_documents(args, fmt)
    if args.bilingual:
        raise UsageError(f"--bilingual applies to the document formats (docx, html), not {fmt.name}")
    with open_store(args) as store:
        document_ids = resolve_documents(store, args.doc)
        approved_only = not args.all_statuses
        files = fmt.write(store, document_ids, approved_only, raw=args.raw)
    if len(files) > 1 and not args.out:
        raise UsageError(f"the chosen documents hold {len(files)} language pairs, one {fmt.name} file each; "
                         "give --out FILE (then FILE-vi-en.xlf, ... are written) or choose documents with --doc")
    written = []
    for exported in files:
        out = args.out
        if out and exported.name_suffix:
            path = Path(out)
            out = str(path.with_name(path.stem + exported.name_suffix + path.suffix))
        write_output(exported.data, out)
        written.append((out, exported.segments))
    count = sum(exported.segments for exported in files)
    if count == 0:
        hint = "approved segments with a target" if approved_only else "segments with a target"
        print(f"warning: no {hint} to export; the file is empty"
              + ("" if args.all_statuses else " (--all-statuses exports unapproved ones too)"),
              file=sys.stderr)
    elif args.out:
        for out, segments in written:
            print(f"wrote {segments} segment(s) to {out}", file=sys.stderr)
    return 0


def _export_documents(args, fmt) -> int:
    """`export --format txt|docx|html`: one translated document per chosen document, into --out DIR."""
    from workbench.cli.common import load_optional_glossary
    from workbench.exchange.documents import write_document_files
    from workbench.exchange.export import resolve_documents
    from workbench.exchange.formats import write_export

    if args.bilingual and not fmt.bilingual_applies:
        raise UsageError(f"--bilingual applies to docx and html, not {fmt.name}")
    glossary = load_optional_glossary(args.glossary) if args.bilingual else None
    with open_store(args) as store:
        files = write_export(store, resolve_documents(store, args.doc), fmt.name, bilingual=args.bilingual,
                             glossary=glossary)
    if not files:
        print("warning: no documents to export", file=sys.stderr)
        return 0
    if not args.out:
        if len(files) > 1 or fmt.name == "docx":
            raise UsageError(f"{fmt.name} writes one file per document ({len(files)} chosen): give --out DIR")
        write_output(files[0].data, None)
        return 0
    for path, exported in zip(write_document_files(files, Path(args.out)), files, strict=True):
        print(f"wrote {path} ({exported.segments} segment(s))", file=sys.stderr)
    return 0


def run_import_xliff(args) -> int:
    """`import-xliff`: apply an edited XLIFF file; print what changed and what was skipped."""
    from workbench.actions import import_xliff
    from workbench.authority import command_line_actor
    from workbench.exchange.xliff import read_xliff_file

    path = Path(args.file)
    actor = command_line_actor(args.reviewer)
    data = read_xliff_file(path)
    with open_store(args) as store:
        result = import_xliff(store, actor, data, path=str(path), confirm=args.confirm)
    for skipped in result.skipped:
        where = f"{path}:{skipped.line}" if skipped.line else str(path)
        print(f"skipped: {where}: {skipped.unit_id}: {skipped.reason}", file=sys.stderr)
    print(result.summary())
    return 0
