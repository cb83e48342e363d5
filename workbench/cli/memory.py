"""`python -m workbench import-tmx FILE`: a team's translation memory (TMX) into the store.

    python -m workbench import-tmx FILE --reviewer NAME [--db FILE] [--name LABEL]

The units join the translation memory the Review page searches, labelled with the
file's name (or LABEL). A file with any problem is refused with its file:line and
nothing is stored; importing the same file again adds only the units it did not have.
"""

from __future__ import annotations

import sys
from pathlib import Path

from workbench.cli.common import add_db_option, open_store
from workbench.errors import WorkbenchError


def register(subparsers) -> None:
    """Add `import-tmx` to the main parser's subcommands."""
    parser = subparsers.add_parser(
        "import-tmx", help="import a TMX translation memory (OmegaT, MateCat, Trados) into the store",
        description="Read a TMX 1.4 file and add its vi, en and zh units to the translation memory, for every "
                    "direction between the languages it holds (vi-VN, en-US... are read as vi, en). The whole "
                    "file is checked first: a broken file is refused with file:line and nothing is stored.")
    parser.add_argument("file", metavar="FILE", help="the .tmx file")
    parser.add_argument("--reviewer", required=True, metavar="NAME",
                        help="who imports it (recorded; with a users file, an account that may approve)")
    parser.add_argument("--name", metavar="LABEL", help="the origin shown beside its matches (default: the file name)")
    add_db_option(parser)
    parser.set_defaults(func=run_import_tmx)


def run_import_tmx(args) -> int:
    """Import the file; print what was stored, or every problem with its line."""
    from workbench.actions import import_tmx
    from workbench.authority import command_line_actor
    from workbench.exchange.tmx_import import MAX_TMX_BYTES, TmxImportError

    path = Path(args.file)
    actor = command_line_actor(args.reviewer)
    try:
        if path.stat().st_size > MAX_TMX_BYTES:
            raise TmxImportError(f"the file is {path.stat().st_size / 2**20:.1f} MiB, above the "
                                 f"{MAX_TMX_BYTES // 2**20} MiB limit of one TMX import; nothing was stored", path)
        data = path.read_bytes()
    except OSError as exc:
        raise WorkbenchError(f"{path}: cannot read ({exc.strerror})") from None
    with open_store(args) as store:
        try:
            result = import_tmx(store, actor, data, name=args.name or path.name, path=path)
        except TmxImportError as exc:
            for line, reason in exc.problems[1:]:
                print(f"{path}:{line}: {reason}" if line else f"{path}: {reason}", file=sys.stderr)
            raise
    print(result.summary())
    return 0
