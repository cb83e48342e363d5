"""`workbench init DIR`: a new workspace, with the shipped glossary and a commented workbench.toml.

A workspace is the folder that holds a team's review store, glossary, users file
and model settings (`workbench.config` finds it). Creating one never overwrites:
an existing workbench.toml or glossary folder is an error naming it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from workbench.config import CONFIG_FILE_NAME, DEFAULT_CHECKPOINTS, ConfigError
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
