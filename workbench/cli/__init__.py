"""Command-line interface: `workbench COMMAND ...` (or `python -m workbench COMMAND ...`).

Thin over the library. Each command lives in the module of its concept
(`workspace`: init, ui, serve, backup, restore; `batch`: translate, status, models;
`glossary`; `align`; `exchange`: export, import-xliff; `evaluate`; `users`;
`concordance`), adds its parser in `register(subparsers)` and names
its runner with `set_defaults(func=...)`. Runners return an exit status and raise
`WorkbenchError` for anything that went wrong; `main` is the one place that turns
an error into `Error: ...` on stderr.

Exit codes: 0 success, 1 something failed, 2 usage error (argparse's own, and
`UsageError`; argparse's own with the command's usage), 130 interrupted, 141 the
reader of standard output went away (`| head`), quietly.
"""

from __future__ import annotations

import argparse
import sqlite3
import sys

from workbench.errors import GlossaryError, UsageError, WorkbenchError

PROG = "workbench"
# Commands that read no workspace setting: no note about defaults.
_NO_WORKSPACE_NOTE = {"init", "align", "models"}


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with every subcommand."""
    from workbench import __version__
    from workbench.cli import (
        align,
        batch,
        concordance,
        evaluate,
        exchange,
        glossary,
        memory,
        spelling,
        users,
        workspace,
    )

    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Translation and alignment workbench for border-defence press reports. "
                    "Settings come from the workspace (workbench.toml here or in a parent folder, or "
                    "WORKBENCH_HOME); `workbench init DIR` creates one.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in (workspace, batch, glossary, align, exchange, evaluate, users, concordance, memory, spelling):
        module.register(commands)
    _remember_parsers(parser)
    return parser


def _remember_parsers(parser: argparse.ArgumentParser) -> None:
    """Let every (sub)command know its own parser, so an error shows that command's usage."""
    parser.set_defaults(command_parser=parser)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for subparser in action.choices.values():
                _remember_parsers(subparser)


def iter_parsers(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every command's parser with its words (("glossary", "check"), ...), the top one first."""
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                yield from iter_parsers(subparser, (*path, name))


def main(argv: list[str] | None = None) -> int:
    """Run one command; return its exit status."""
    parser = build_parser()
    args, unknown = parser.parse_known_args(argv)
    if unknown:
        # argparse would blame the top-level usage; the command's own usage says what it takes.
        args.command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    try:
        _note_defaults(args)
        return args.func(args)
    except GlossaryError as exc:
        for problem in exc.problems:
            print(problem.location_message(), file=sys.stderr)
        if len(exc.problems) == 1:
            print("Error: the glossary cannot be used; fix the problem above and run again", file=sys.stderr)
        else:
            print(f"Error: the glossary has {len(exc.problems)} problems; fix them and run again", file=sys.stderr)
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
    except BrokenPipeError:
        # `workbench status --json | head`: the reader has what it wanted; no traceback.
        _silence_stdout()
        return 141
    except KeyboardInterrupt:
        print("Interrupted; work stored so far is kept.", file=sys.stderr)
        return 130


def _note_defaults(args) -> None:
    """Outside any workspace, say once which store and glossary the command falls back to."""
    if args.command in _NO_WORKSPACE_NOTE:
        return
    from workbench.config import defaults_note

    note = defaults_note(store_given=bool(getattr(args, "db", None)))
    if note:
        print(note, file=sys.stderr)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that Python's exit flush raises nothing more."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
