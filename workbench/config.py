"""Where things live and which checkpoint serves which language pair: the workspace.

A workspace is a folder with a `workbench.toml`. It is found, in this order, from
WORKBENCH_CONFIG (the file itself), WORKBENCH_HOME (the folder), or the working
folder and its parents; relative paths in the file are relative to its folder.
Outside any workspace the defaults are relative to the working folder, and
`defaults_note()` says so.

Every setting resolves in the same order: command-line option, environment
variable, `workbench.toml`, built-in default. `SETTINGS` lists every key; an
unknown key is an error that names `file:line`. Nothing here touches the disk
at import time.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import UsageError, WorkbenchError

DEFAULT_CHECKPOINTS = {
    "vi-en": "Helsinki-NLP/opus-mt-vi-en",
    "en-vi": "Helsinki-NLP/opus-mt-en-vi",
    "zh-en": "Helsinki-NLP/opus-mt-zh-en",
}
# Which way each document language is translated.
TARGET_LANGUAGE = {"vi": "en", "en": "vi", "zh": "en"}
CONFIG_FILE_NAME = "workbench.toml"
HOME_ENV = "WORKBENCH_HOME"
CONFIG_ENV = "WORKBENCH_CONFIG"
DEFAULT_DB_PATH = Path("data") / "workbench.db"
DEFAULT_GLOSSARY_PATH = Path("glossaries")
DEFAULT_BEAMS = 4
DEFAULT_BATCH_TOKENS = 4096
DEFAULT_MAX_BATCH_SENTENCES = 32
# The --engine choices: the two that load a model here (workbench.mt.factory.LOCAL_ENGINES)
# and "ray", which runs ctranslate2 translators on a cluster.
ENGINES = ("transformers", "ctranslate2", "ray")
# CTranslate2: 5x batched transformers at beam 4 on 2 CPU cores, same term success rate on the
# seeds (docs/benchmarks.md); transformers stays available with --engine transformers.
DEFAULT_ENGINE = "ctranslate2"
DEFAULT_ADDRESS = "127.0.0.1"
DEFAULT_PORT = 8501
# One uploaded document at most 20 MiB: the batch script's own limit.
DEFAULT_MAX_UPLOAD_MB = 20


class ConfigError(WorkbenchError):
    """The config file or a setting is malformed."""


@dataclass(frozen=True)
class Setting:
    """One key of workbench.toml: its type, default, environment variable and command-line option."""

    key: str  # "db", or "translate.beams" for a key of a table
    kind: type
    default: object
    help: str
    env: str | None = None
    option: str | None = None
    is_path: bool = False
    choices: tuple = ()


SETTINGS: tuple[Setting, ...] = (
    Setting("db", str, str(DEFAULT_DB_PATH), "the review store (SQLite file)", "WORKBENCH_DB", "--db",
            is_path=True),
    Setting("glossary", str, str(DEFAULT_GLOSSARY_PATH), "glossary file or folder of .tsv/.csv files",
            "WORKBENCH_GLOSSARY", "--glossary", is_path=True),
    Setting("users", str, None, "users file; with one, the UI asks to sign in (else single-team mode)",
            "WORKBENCH_USERS", "users --file", is_path=True),
    Setting("translate.engine", str, DEFAULT_ENGINE, "translation engine", None, "--engine", choices=ENGINES),
    Setting("translate.beams", int, DEFAULT_BEAMS, "beam size", None, "--beams"),
    Setting("translate.batch_size", int, DEFAULT_MAX_BATCH_SENTENCES, "most sentences per model batch",
            None, "--batch-size"),
    Setting("translate.batch_tokens", int, DEFAULT_BATCH_TOKENS,
            "token budget per batch (source tokens x beams)", None, "--batch-tokens"),
    Setting("translate.threads", int, None, "CPU threads per loaded model (default: the engine's own)",
            None, "--threads"),
    Setting("server.address", str, DEFAULT_ADDRESS, "address `workbench serve` and `workbench ui` listen on",
            None, "--address"),
    Setting("server.port", int, DEFAULT_PORT, "port of the UI", None, "--port"),
    Setting("server.max_upload_mb", int, DEFAULT_MAX_UPLOAD_MB, "largest upload the UI accepts, in MiB",
            None, "--max-upload-mb"),
)
SETTINGS_BY_KEY = {setting.key: setting for setting in SETTINGS}
# `[models]`: one key per known pair, value a hub id or a checkpoint folder.
MODELS_TABLE = "models"


@dataclass(frozen=True)
class Workspace:
    """The folder whose workbench.toml is in force (root None: no workspace, defaults here)."""

    root: Path | None
    config_file: Path | None
    settings: dict = field(default_factory=dict)
    found_by: str = ""  # "WORKBENCH_CONFIG", "WORKBENCH_HOME" or "the working folder"

    def base(self) -> Path:
        """The folder relative paths are resolved against."""
        return self.root if self.root is not None else Path.cwd()


def pair_for_language(lang: str) -> str:
    """The translation pair ("vi-en", ...) used for documents in `lang`."""
    return f"{lang}-{TARGET_LANGUAGE[lang]}"


def find_config_file(start: Path | None = None) -> tuple[Path | None, str]:
    """The workbench.toml in force and how it was found (WORKBENCH_CONFIG, WORKBENCH_HOME, or a search up)."""
    if os.environ.get(CONFIG_ENV):
        return Path(os.environ[CONFIG_ENV]), CONFIG_ENV
    if os.environ.get(HOME_ENV):
        home = Path(os.environ[HOME_ENV]).expanduser()
        candidate = home / CONFIG_FILE_NAME
        if not candidate.is_file():
            raise ConfigError(f"{HOME_ENV}={home}: no {CONFIG_FILE_NAME} there "
                              f"(create a workspace with `workbench init {home}`)")
        return candidate, HOME_ENV
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate, "the working folder"
    return None, ""


def find_workspace(start: Path | None = None) -> Workspace:
    """The workspace in force, its settings checked (ConfigError names file:line)."""
    path, found_by = find_config_file(start)
    if path is None:
        return Workspace(None, None, {}, "")
    if not path.exists():
        # WORKBENCH_CONFIG naming an absent file: an empty config, its folder the workspace.
        return Workspace(path.resolve().parent, None, {}, found_by)
    return Workspace(path.resolve().parent, path, load_settings(path), found_by)


def load_settings(path: Path) -> dict:
    """Parse and check a workbench.toml: an unknown key or a wrong type is a ConfigError at file:line."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from None
    lines = text.splitlines()

    def fail(table: str, key: str, reason: str):
        line = _line_of(lines, table, key)
        where = f"{path}:{line}" if line else str(path)
        raise ConfigError(f"{where}: {reason}")

    for key, value in data.items():
        if key == MODELS_TABLE:
            if not isinstance(value, dict):
                fail("", key, "[models] must be a table of PAIR = \"ID_OR_DIR\"")
            for pair, checkpoint in value.items():
                if pair not in DEFAULT_CHECKPOINTS:
                    fail(MODELS_TABLE, pair, f"unknown language pair '{pair}' in [models] "
                                             f"(known: {', '.join(DEFAULT_CHECKPOINTS)})")
                if not isinstance(checkpoint, str) or not checkpoint:
                    fail(MODELS_TABLE, pair, f"models.{pair} must be a hub id or a folder, as a string")
            continue
        if isinstance(value, dict):
            known_tables = {s.key.split(".")[0] for s in SETTINGS if "." in s.key}
            if key not in known_tables:
                fail("", key, f"unknown table [{key}] (known: models, {', '.join(sorted(known_tables))})")
            for inner, inner_value in value.items():
                _check_value(f"{key}.{inner}", inner_value, lambda reason, k=key, i=inner: fail(k, i, reason))
            continue
        _check_value(key, value, lambda reason, k=key: fail("", k, reason))
    return data


def _check_value(key: str, value, fail) -> None:
    setting = SETTINGS_BY_KEY.get(key)
    if setting is None:
        known = ", ".join(s.key for s in SETTINGS) + ", models.PAIR"
        fail(f"unknown setting '{key}' (known: {known})")
    if setting.kind is int and (isinstance(value, bool) or not isinstance(value, int)):
        fail(f"{key} must be a whole number, not {value!r}")
    if setting.kind is int and value < (0 if key == "server.port" else 1):
        fail(f"{key} must be at least 1, not {value}")
    if setting.kind is str and not isinstance(value, str):
        fail(f"{key} must be a string in quotes, not {value!r}")
    if setting.choices and value not in setting.choices:
        fail(f"{key} must be one of {', '.join(setting.choices)}, not {value!r}")


_TABLE_LINE = re.compile(r"^\s*\[\s*\"?([^\]\"]+?)\"?\s*\]\s*(#.*)?$")
_KEY_LINE = re.compile(r"^\s*[\"']?([A-Za-z0-9_\-]+)[\"']?\s*=")


def _line_of(lines: list[str], table: str, key: str) -> int | None:
    """1-based line of `key` in `[table]` ("" for the top), or of the table header for a table key."""
    current = ""
    for number, line in enumerate(lines, start=1):
        header = _TABLE_LINE.match(line)
        if header:
            current = header.group(1).strip()
            if table == "" and current == key:
                return number
            continue
        assigned = _KEY_LINE.match(line)
        if assigned and current == table and assigned.group(1) == key:
            return number
    return None


def workspace() -> Workspace:
    """The workspace in force now (read again on each call: the file may change under a running UI)."""
    return find_workspace()


def setting(key: str, space: Workspace | None = None):
    """The value of a setting: its environment variable, else workbench.toml, else the default.

    Path settings come back as Paths, resolved against the workspace folder.
    """
    spec = SETTINGS_BY_KEY[key]
    if spec.env and os.environ.get(spec.env):
        return Path(os.environ[spec.env]) if spec.is_path else os.environ[spec.env]
    space = space or workspace()
    table, _, inner = key.rpartition(".")
    values = space.settings.get(table, {}) if table else space.settings
    value = values.get(inner, spec.default)
    if spec.is_path and value is not None:
        path = Path(value).expanduser()
        return path if path.is_absolute() or space.root is None else space.root / path
    return value


def default_db_path() -> Path:
    """The review store: WORKBENCH_DB, else `db` in workbench.toml, else data/workbench.db."""
    return setting("db")


def default_glossary_path() -> Path:
    """The glossary: WORKBENCH_GLOSSARY, else `glossary` in workbench.toml, else glossaries/."""
    return setting("glossary")


def users_file_setting() -> Path | None:
    """The users file: WORKBENCH_USERS, else `users` in workbench.toml, else None (single-team mode)."""
    return setting("users")


def model_env_var(pair: str) -> str:
    """Name of the environment variable that overrides the checkpoint of `pair`."""
    return "WORKBENCH_MODEL_" + pair.upper().replace("-", "_")


def resolve_checkpoint(pair: str, overrides: dict[str, str] | None = None) -> str:
    """Hub id or local directory for `pair`: option, then env, then workbench.toml, then default."""
    if overrides and pair in overrides:
        return overrides[pair]
    if os.environ.get(model_env_var(pair)):
        return os.environ[model_env_var(pair)]
    space = workspace()
    configured = space.settings.get(MODELS_TABLE, {})
    if pair in configured:
        return _checkpoint_in(space, configured[pair])
    if pair not in DEFAULT_CHECKPOINTS:
        raise ConfigError(f"no checkpoint known for pair '{pair}'; give one with --model {pair}=ID_OR_DIR")
    return DEFAULT_CHECKPOINTS[pair]


def _checkpoint_in(space: Workspace, value: str) -> str:
    """A [models] value: a folder relative to the workspace when it looks like a path, else a hub id."""
    if space.root is None:
        return value
    path = Path(value).expanduser()
    if path.is_absolute():
        return str(path)
    if value.startswith((".", "~")) or (space.root / path).exists():
        return str(space.root / path)
    return value  # "Helsinki-NLP/opus-mt-vi-en": a hub id


def parse_model_options(values: list[str] | None) -> dict[str, str]:
    """Turn repeated `--model PAIR=ID_OR_DIR` values into a dict, rejecting malformed ones and unknown pairs."""
    overrides: dict[str, str] = {}
    for value in values or []:
        pair, sep, checkpoint = value.partition("=")
        if not sep or not checkpoint or pair.count("-") != 1:
            raise UsageError(f"--model expects PAIR=ID_OR_DIR such as vi-en=./models/vi-en, got '{value}'")
        if pair not in DEFAULT_CHECKPOINTS:
            raise UsageError(f"--model names the unknown pair '{pair}' (known: {', '.join(DEFAULT_CHECKPOINTS)})")
        overrides[pair] = checkpoint
    return overrides


def model_env(overrides: dict[str, str]) -> dict[str, str]:
    """Environment variables that hand `--model` choices to another process (the UI)."""
    return {model_env_var(pair): str(Path(checkpoint).resolve()) if Path(checkpoint).exists() else checkpoint
            for pair, checkpoint in overrides.items()}


def config_file_path() -> Path:
    """The config file in use (it may not exist)."""
    path, _ = find_config_file()
    return path if path is not None else Path(CONFIG_FILE_NAME)


def read_config_file() -> dict:
    """The checked settings of the workbench.toml in force; no file is an empty config."""
    return workspace().settings


def defaults_note(*, store_given: bool = False) -> str | None:
    """Outside any workspace, one line saying which defaults a command uses (None inside one)."""
    space = workspace()
    if space.root is not None or store_given or os.environ.get("WORKBENCH_DB"):
        return None
    glossary = default_glossary_path()
    glossary_state = "" if glossary.exists() else " (missing)"
    return (f"note: no {CONFIG_FILE_NAME} in {Path.cwd()} or its parents, and {HOME_ENV} is not set: "
            f"using the store {default_db_path()} and the glossary {glossary}{glossary_state} here "
            f"(`workbench init DIR` creates a workspace)")
