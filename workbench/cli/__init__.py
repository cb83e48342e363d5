"""Command-line interface: `python -m workbench COMMAND ...`.

Thin over the library. Each command lives in the module of its concept
(`batch`: translate, status, models; `glossary`; `align`; `exchange`: export,
import-xliff; `evaluate`), adds its parser in `register(subparsers)` and names
its runner with `set_defaults(func=...)`. Runners return an exit status and raise
`WorkbenchError` for anything that went wrong; `main` is the one place that turns
an error into `Error: ...` on stderr.

Exit codes: 0 success, 1 something failed, 2 usage error (argparse's own, and
`UsageError`), 130 interrupted.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from workbench.errors import GlossaryError, UsageError, WorkbenchError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from workbench.cli import align, batch, concordance, evaluate, exchange, glossary, memory, spelling, users

    parser = argparse.ArgumentParser(
        prog="python -m workbench",
        description="Translation and alignment workbench for border-defence press reports.")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (batch, glossary, align, exchange, evaluate, users, concordance, memory, spelling):
        module.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GlossaryError as exc:
        for problem in exc.problems:
            print(problem.location_message(), file=sys.stderr)
        print(f"Error: the glossary has {len(exc.problems)} problem(s); fix them and run again",
              file=sys.stderr)
        return 1
    except UsageError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 2
    except WorkbenchError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except sqlite3.DatabaseError as exc:  # damage the open-time check could not see
        from workbench.cli.common import store_path
        from workbench.review.integrity import database_error_message

        print(f"Error: {database_error_message(store_path(args), exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("Interrupted; work stored so far is kept.", file=sys.stderr)
        return 130
