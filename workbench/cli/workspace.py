"""`init`, `ui`, `serve`, `backup`, `restore`: set up a workspace, start the reviewer UI, keep the store safe."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from workbench.cli.common import PORT, UPLOAD_MB, add_db_option, add_model_option, store_path


def register(commands) -> None:
    """Add the workspace and server commands to the main parser's subcommands."""
    init = commands.add_parser(
        "init", help="create a workspace: workbench.toml, a copy of the shipped glossary, data/",
        description="Create a workspace in DIR (made if missing): a commented workbench.toml, the shipped "
                    "glossary copied into glossaries/, and data/ for the review store. Commands run in DIR or "
                    "below it (or with WORKBENCH_HOME=DIR) use it.")
    init.add_argument("folder", metavar="DIR", help="the workspace folder")
    init.set_defaults(func=run_init)

    ui = commands.add_parser(
        "ui", help="start the reviewer UI for yourself, on this machine",
        description="Start the reviewer UI (Streamlit) on 127.0.0.1 with the workspace's store, glossary, "
                    "users file and models, and open it in a browser when there is a display.")
    _server_options(ui)
    ui.add_argument("--no-browser", action="store_true", help="only print the address, open no browser")
    ui.set_defaults(func=run_ui)

    serve = commands.add_parser(
        "serve", help="serve the reviewer UI to a team",
        description="Serve the reviewer UI for a team: listens on 127.0.0.1 unless told otherwise (put a TLS "
                    "reverse proxy in front, docs/deployment.md), shows reviewers no error details, applies the "
                    "upload limit, prints the address. Without a users file (single-team mode) an address other "
                    "than the loopback is refused unless --allow-anyone.")
    _server_options(serve)
    serve.add_argument("--address", metavar="ADDRESS",
                       help="address to listen on (default: address in [server] of workbench.toml, else 127.0.0.1)")
    serve.add_argument("--allow-anyone", action="store_true",
                       help="serve single-team mode (no sign-in) on a non-loopback address anyway")
    serve.set_defaults(func=run_serve)

    backup = commands.add_parser(
        "backup", help="copy the review store safely while it is in use",
        description="Copy the review store with SQLite's online backup API (consistent while reviewers save), "
                    "check the copy, then move it into place.")
    backup.add_argument("destination", metavar="FILE_OR_DIR",
                        help="the backup file to create, or a folder for a time-stamped NAME-YYYYmmdd-HHMMSS.db")
    add_db_option(backup)
    backup.set_defaults(func=run_backup)

    restore = commands.add_parser(
        "restore", help="put a backup in place of the review store",
        description="Check a backup, keep the current store as NAME.before-restore-TIMESTAMP.db, and copy the "
                    "backup into the store (an older schema is upgraded). Stop `serve` and batch runs first.")
    restore.add_argument("backup", metavar="BACKUP", help="a file written by `workbench backup`")
    add_db_option(restore)
    restore.add_argument("--yes", action="store_true", help="do it (without it, say what would happen)")
    restore.set_defaults(func=run_restore)


def _server_options(parser) -> None:
    parser.add_argument("--port", type=PORT, metavar="PORT",
                        help="port to listen on (default: port in [server] of workbench.toml, else 8501)")
    parser.add_argument("--max-upload-mb", type=UPLOAD_MB, metavar="MIB",
                        help="largest upload in MiB (default: max_upload_mb in [server], else 20)")
    add_model_option(parser)


def run_init(args) -> int:
    """`init DIR`: create a workspace."""
    from workbench.workspace import init_workspace

    written = init_workspace(args.folder)
    print(f"created a workspace in {Path(args.folder).resolve()}:")
    for path in written:
        print(f"  {path}")
    print(f"next: cd {args.folder} && workbench translate PATH_TO_DOCUMENTS && workbench ui")
    return 0


def _start(args, *, team: bool, address: str | None, allow_anyone: bool = False) -> int:
    from workbench.config import parse_model_options
    from workbench.serving import (
        check_exposure,
        describe,
        server_environment,
        settings_from,
        streamlit_command,
    )

    settings = settings_from(address, args.port, args.max_upload_mb, team=team,
                             models=parse_model_options(args.model), allow_anyone=allow_anyone)
    check_exposure(settings)
    command, env = streamlit_command(settings), server_environment(settings)
    print(describe(settings), flush=True)
    has_display = sys.platform != "linux" or os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    if not team and not args.no_browser and has_display:
        _open_browser_when_ready(settings.url)
    # The server becomes this process: Ctrl+C and a service manager's signals reach Streamlit itself.
    os.execve(command[0], command, env)
    return 0  # not reached


_OPENER = """
import sys, time, urllib.request, webbrowser
url, deadline = sys.argv[1], time.monotonic() + 120
while time.monotonic() < deadline:
    try:
        with urllib.request.urlopen(url + "/_stcore/health", timeout=2):
            webbrowser.open(url)
            break
    except OSError:
        time.sleep(0.5)
"""


def _open_browser_when_ready(url: str) -> None:
    """A detached helper opens the browser once the UI answers (this process becomes the server)."""
    import subprocess

    subprocess.Popen([sys.executable, "-c", _OPENER, url], start_new_session=True,
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run_ui(args) -> int:
    """`ui`: the reviewer UI on this machine."""
    return _start(args, team=False, address="127.0.0.1")


def run_serve(args) -> int:
    """`serve`: the reviewer UI for a team."""
    return _start(args, team=True, address=args.address, allow_anyone=args.allow_anyone)


def run_backup(args) -> int:
    """`backup`: an online copy of the store."""
    from workbench.review.backup import backup_store

    written = backup_store(store_path(args), args.destination)
    print(f"backed up {store_path(args)} to {written}")
    return 0


def run_restore(args) -> int:
    """`restore`: a backup in place of the store (the current one kept aside)."""
    from workbench.review.backup import check_store_file, restore_store

    target = store_path(args)
    version = check_store_file(Path(args.backup))
    if not args.yes:
        print(f"{args.backup} is a good backup (schema {version}). `workbench restore {args.backup} --yes` "
              f"replaces {target}" + (", keeping the current store beside it" if target.exists() else "")
              + "; stop the UI and batch runs first.")
        return 0
    kept = restore_store(args.backup, target)
    print(f"restored {target} from {args.backup}" + (f"; the previous store is kept as {kept}" if kept else ""))
    return 0
