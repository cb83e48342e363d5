"""docs/cli.md, written from the argument parser itself so that it cannot drift.

    python -m workbench.cli.reference > docs/cli.md

tests/test_docs.py checks that the committed page is what this prints.
"""

from __future__ import annotations

import os
import sys

WIDTH = "100"  # argparse wraps help to $COLUMNS: fixed, so the page is the same on every terminal

INTRO = """\
# The `workbench` command

Every command and option, as `workbench COMMAND --help` prints them. This page is generated from
the parser (`python -m workbench.cli.reference > docs/cli.md`); a test fails when it is out of date.

Settings that an option does not give come from the environment, then the workspace's
`workbench.toml`, then the defaults ([configuration.md](configuration.md)). Exit status: 0 success,
1 something failed (`Error: ...`, or `failed: ...` lines), 2 a usage error (the command's usage and
what is wrong), 130 interrupted, 141 standard output was closed early (`workbench status --json | head`),
quietly.
"""


def render() -> str:
    """The Markdown page: an index of the commands, then each command's help."""
    from workbench.cli import build_parser, iter_parsers

    previous = os.environ.get("COLUMNS")
    os.environ["COLUMNS"] = WIDTH
    try:
        parsers = list(iter_parsers(build_parser()))
        lines = [INTRO, "| command | what it does |", "|---|---|"]
        helps = _help_lines(parsers)
        for words, _ in parsers[1:]:
            name = " ".join(words)
            lines.append(f"| [`workbench {name}`](#workbench-{'-'.join(words)}) | {helps.get(words, '')} |")
        for words, parser in parsers:
            lines += ["", f"## workbench{''.join(' ' + w for w in words)}", "", "```", parser.format_help().rstrip(),
                      "```"]
        return "\n".join(lines) + "\n"
    finally:
        if previous is None:
            os.environ.pop("COLUMNS", None)
        else:
            os.environ["COLUMNS"] = previous


def _help_lines(parsers) -> dict[tuple[str, ...], str]:
    """The one-line help each command was registered with."""
    import argparse

    found = {}
    for words, parser in parsers:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for choice in action._choices_actions:
                    found[(*words, choice.dest)] = (choice.help or "").replace("|", "\\|")
    return found


if __name__ == "__main__":
    sys.stdout.write(render())
