"""The `export`, `import-xliff` and `evaluate` subcommands, thin over the library.

    python -m workbench export [--db FILE] [--doc ID_OR_NAME ...] [--all-statuses]
                               --format tmx|tsv|jsonl|xliff [--out FILE]
    python -m workbench import-xliff FILE --reviewer NAME [--db FILE]
    python -m workbench evaluate [--db FILE] [--format table|json|csv]

`register_commands(subparsers)` adds them to the main parser; `run_command(args)`
runs one and returns its exit status, or None for a command that is not one of
these. A WorkbenchError becomes one `Error: ...` line on stderr and exit status 1.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from workbench.errors import StoreError, WorkbenchError

COMMANDS = ("export", "import-xliff", "evaluate")
EXPORT_FORMATS = ("tmx", "tsv", "jsonl", "xliff")


def _add_db_option(parser) -> None:
    parser.add_argument("--db", metavar="FILE",
                        help="review store (default: WORKBENCH_DB or data/workbench.db)")


def register_commands(subparsers) -> None:
    """Add `export`, `import-xliff` and `evaluate` to an argparse subparsers object."""
    export = subparsers.add_parser(
        "export", help="write reviewed segments as TMX, TSV, JSONL or XLIFF 2.0",
        description="Write the segments of the chosen documents. TMX, TSV and JSONL hold "
                    "approved segments with a target unless --all-statuses is given; XLIFF "
                    "holds every live segment, with its state, for a CAT tool.")
    _add_db_option(export)
    export.add_argument("--doc", action="append", metavar="ID_OR_NAME",
                        help="document id, file name or path (repeatable; default: all "
                             "non-archived documents)")
    export.add_argument("--all-statuses", action="store_true",
                        help="TMX/TSV/JSONL: every segment with a target, not only approved ones")
    export.add_argument("--format", required=True, choices=EXPORT_FORMATS)
    export.add_argument("--out", metavar="FILE", help="output file (default: standard output)")

    importer = subparsers.add_parser(
        "import-xliff", help="apply the targets and states of an XLIFF 2.0 file from a CAT tool",
        description="Check every unit of the file, then apply the changed targets and states "
                    "as the given reviewer; a broken file changes nothing.")
    importer.add_argument("file", metavar="FILE", help="XLIFF 2.0 file exported by `export`")
    importer.add_argument("--reviewer", required=True, metavar="NAME",
                          help="name recorded in the history of every changed segment")
    _add_db_option(importer)

    evaluate = subparsers.add_parser(
        "evaluate", help="score the machine translation against approved targets",
        description="BLEU, chrF and TER (sacrebleu) per document, language pair and "
                    "checkpoint; edit rates; term success; reviewer progress.")
    _add_db_option(evaluate)
    evaluate.add_argument("--format", choices=("table", "json", "csv"), default="table",
                          help="output format (default: table)")


def run_command(args) -> int | None:
    """Run `export`, `import-xliff` or `evaluate`; None when args.command is another command."""
    runners = {"export": run_export, "import-xliff": run_import_xliff, "evaluate": run_evaluate}
    runner = runners.get(getattr(args, "command", None))
    if runner is None:
        return None
    try:
        return runner(args)
    except WorkbenchError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1


def _open_store(args):
    from workbench.config import default_db_path
    from workbench.review.store import ReviewStore

    path = Path(args.db) if args.db else default_db_path()
    if not path.exists():
        # Opening would create an empty store; for these read-mostly commands that hides a typo.
        raise StoreError(f"no review store at {path} (give --db FILE, or run `translate` first)")
    return ReviewStore(path)


def _write(data: bytes, out: str | None) -> None:
    if out:
        try:
            Path(out).write_bytes(data)
        except OSError as exc:
            raise WorkbenchError(f"{out}: cannot write ({exc.strerror})") from None
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()


def run_export(args) -> int:
    """`export`: write the chosen documents' segments in the chosen format."""
    from workbench.exchange.export import WRITERS, collect_segments, resolve_documents
    from workbench.exchange.xliff import export_xliff

    with _open_store(args) as store:
        document_ids = resolve_documents(store, args.doc)
        approved_only = not args.all_statuses
        if args.format == "xliff":
            data = export_xliff(store, document_ids)
            count = data.count(b"<unit ")
        else:
            rows = collect_segments(store, document_ids, approved_only=approved_only)
            data, count = WRITERS[args.format](rows), len(rows)
    _write(data, args.out)
    if count == 0:
        hint = "approved segments with a target" if approved_only else "segments with a target"
        print(f"warning: no {hint} to export; the file is empty"
              + ("" if args.all_statuses else " (--all-statuses exports unapproved ones too)"),
              file=sys.stderr)
    elif args.out:
        print(f"wrote {count} segment(s) to {args.out}", file=sys.stderr)
    return 0


def run_import_xliff(args) -> int:
    """`import-xliff`: apply an edited XLIFF file; print what changed and what was skipped."""
    from workbench.exchange.xliff import import_xliff

    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbenchError(f"{path}: cannot read ({exc.strerror})") from None
    with _open_store(args) as store:
        result = import_xliff(store, data, reviewer=args.reviewer, path=str(path))
    for skipped in result.skipped:
        where = f"{path}:{skipped.line}" if skipped.line else str(path)
        print(f"skipped: {where}: {skipped.unit_id}: {skipped.reason}", file=sys.stderr)
    print(result.summary())
    return 0


def run_evaluate(args) -> int:
    """`evaluate`: print the quality report as a table, JSON or CSV."""
    from workbench.evaluation.scores import evaluate, format_csv, format_table

    with _open_store(args) as store:
        report = evaluate(store)
    if args.format == "json":
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    elif args.format == "csv":
        sys.stdout.write(format_csv(report))
    else:
        sys.stdout.write(format_table(report))
    return 0
