"""Workspaces: `workbench init DIR` makes one; `open_review_store` opens its store for either front.

A workspace is the folder that holds a team's review store, glossary, users file
and model settings (`workbench.config` finds it). Creating one never overwrites:
an existing workbench.toml or glossary folder is an error naming it. The CLI and the
UI open the review store through `open_review_store`, so both follow one rule for a
store that does not exist yet.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from workbench.config import (
    CONFIG_FILE_NAME,
    DEFAULT_CHECKPOINTS,
    SETTINGS_BY_KEY,
    ConfigError,
    default_db_path,
    find_workspace,
)
from workbench.files import WriteFailed, write_atomic

CONFIG_TEMPLATE = """\
# The workbench's workspace: every command run in this folder (or below it, or with
# WORKBENCH_HOME={root}) uses these settings. Paths are relative to this folder.
# Every key, its environment variable and its command-line option: docs/configuration.md.
# An unknown key is an error that names this file and its line.

# The review store (one SQLite file; back it up with `workbench backup`).
db = "data/workbench.db"

# The glossary: a .tsv/.csv file or a folder of them (a copy of the shipped one to begin with).
glossary = "glossaries"

# Reviewer accounts. Without a users file the UI runs in single-team mode: anyone who reaches
# it may do everything. Create it with `workbench users add NAME --role admin`.
# users = "users.json"

[models]
# Which checkpoint serves each language pair: a Hugging Face hub id (downloaded once with
# `workbench models pull`) or a local checkpoint folder (relative to this folder).
{models}

[translate]
# engine = "ctranslate2"    # or "transformers", or "ray" (needs `pip install workbench[ray]`)
# beams = 4
# batch_size = 32           # most sentences per model batch
# batch_tokens = 4096       # token budget per batch (source tokens x beams)
# threads = 2               # CPU threads per loaded model (default: the engine's own)

[server]
# `workbench serve` and `workbench ui`. serve refuses an address other than 127.0.0.1 without a
# users file, unless given --allow-anyone; put it behind a TLS proxy (docs/deployment.md).
# address = "127.0.0.1"
# port = 8501
# max_upload_mb = 20
"""


def shipped_glossary() -> Path:
    """The curated glossary that ships with the workbench (the checkout's glossaries/, or the installed copy)."""
    package = Path(__file__).resolve().parent
    checkout = package.parent / "glossaries"
    if (package.parent / "pyproject.toml").is_file() and checkout.is_dir():
        return checkout
    return package / "shipped_glossaries"


def init_workspace(folder: str | Path) -> list[Path]:
    """Create a workspace in `folder` (made if missing); return what was written."""
    root = Path(folder)
    config = root / CONFIG_FILE_NAME
    glossary = root / "glossaries"
    if config.exists():
        raise ConfigError(f"{config}: a workspace is already there; nothing was changed")
    if glossary.exists():
        raise ConfigError(f"{glossary}: already exists; nothing was changed")
    source = shipped_glossary()
    if not source.is_dir():
        raise ConfigError(f"{source}: the shipped glossary is missing from this installation")
    try:
        root.mkdir(parents=True, exist_ok=True)
        (root / "data").mkdir(exist_ok=True)
        shutil.copytree(source, glossary, ignore=shutil.ignore_patterns("__pycache__", "*.py", "*.pyc"))
        models = "\n".join(f'# {pair} = "{checkpoint}"' for pair, checkpoint in DEFAULT_CHECKPOINTS.items())
        text = CONFIG_TEMPLATE.format(root=root.resolve(), models=models)
        write_atomic(config, text)
    except OSError as exc:
        raise ConfigError(f"{exc.filename or root}: cannot create the workspace ({exc.strerror})") from None
    except WriteFailed as exc:
        raise ConfigError(f"cannot create the workspace: {exc}") from None
    return [config, glossary, root / "data"]


@dataclass(frozen=True)
class StoreLocation:
    """Where the review store is, and what named it (for the messages that mention it)."""

    path: Path
    named_by: str  # "--db", "WORKBENCH_DB", "db in FILE", or "the default outside any workspace"
    workspace_own: bool  # the store of the workspace in force, not overridden: created on first use


def store_location(given: str | Path | None = None) -> StoreLocation:
    """The store a front uses: `given` (the CLI's --db), else WORKBENCH_DB, else the workspace's `db`."""
    if given:
        return StoreLocation(Path(given), "--db", False)
    variable = SETTINGS_BY_KEY["db"].env
    if os.environ.get(variable):
        return StoreLocation(Path(os.environ[variable]), variable, False)
    space = find_workspace()
    if space.root is None:
        return StoreLocation(default_db_path(), "the default outside any workspace", False)
    named_by = f"db in {space.config_file}" if space.config_file else f"the default of the workspace {space.root}"
    return StoreLocation(default_db_path(), named_by, True)


def open_review_store(given: str | Path | None = None, *, create: bool = False, check_once: bool = False):
    """Open the review store of a command or of the UI; the one place that decides whether a missing one is made.

    An existing store is opened and checked whole (a damaged one is named here, before any
    work on it). A missing one is created only where that is what was meant: by a caller
    about to store documents (`create`: `translate`), or when it is the workspace's own
    store (`workbench init` made the workspace; its first use, from either front, makes the
    store). A missing file named by --db or WORKBENCH_DB, or the default outside any
    workspace, is an error naming it: a typo must not become a new empty store that hides
    the team's work. `check_once`: the UI opens the store on every run, and checks a file
    whole once per process.
    """
    from workbench.errors import StoreError
    from workbench.review.integrity import check_store_intact, check_store_intact_once
    from workbench.review.store import ReviewStore

    location = store_location(given)
    if not location.path.exists() and not (create or location.workspace_own):
        hint = ("give --db FILE, or run `translate` first" if location.named_by == "--db" else
                f"check {location.named_by}, run `workbench translate` to create a store, "
                "or `workbench init DIR` for a workspace")
        raise StoreError(f"no review store at {location.path} ({hint})")
    store = ReviewStore(location.path)
    try:
        (check_store_intact_once if check_once else check_store_intact)(store)
    except BaseException:
        store.close()
        raise
    return store
