"""Where things live and which checkpoint serves which language pair.

Every setting resolves in the same order: command-line option, environment
variable, config file (`workbench.toml` in the working directory, or the file
named by WORKBENCH_CONFIG), built-in default. Nothing here touches the disk
at import time.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from workbench.errors import UsageError, WorkbenchError

DEFAULT_CHECKPOINTS = {
    "vi-en": "Helsinki-NLP/opus-mt-vi-en",
    "en-vi": "Helsinki-NLP/opus-mt-en-vi",
    "zh-en": "Helsinki-NLP/opus-mt-zh-en",
}
# Which way each document language is translated.
TARGET_LANGUAGE = {"vi": "en", "en": "vi", "zh": "en"}
DEFAULT_DB_PATH = Path("data") / "workbench.db"
DEFAULT_BEAMS = 4
DEFAULT_BATCH_TOKENS = 4096
DEFAULT_MAX_BATCH_SENTENCES = 32
# The --engine choices: the two that load a model here (workbench.mt.factory.LOCAL_ENGINES)
# and "ray", which runs ctranslate2 translators on a cluster.
ENGINES = ("transformers", "ctranslate2", "ray")
# CTranslate2: 5x batched transformers at beam 4 on 2 CPU cores, same term success rate on the
# seeds (README, Performance); transformers stays available with --engine transformers.
DEFAULT_ENGINE = "ctranslate2"


class ConfigError(WorkbenchError):
    """The config file or a setting is malformed."""


def pair_for_language(lang: str) -> str:
    """The translation pair ("vi-en", ...) used for documents in `lang`."""
    return f"{lang}-{TARGET_LANGUAGE[lang]}"


def default_db_path() -> Path:
    """The review store: WORKBENCH_DB, else the config file's `db`, else data/workbench.db."""
    if os.environ.get("WORKBENCH_DB"):
        return Path(os.environ["WORKBENCH_DB"])
    configured = read_config_file().get("db")
    return Path(configured) if configured else DEFAULT_DB_PATH


def model_env_var(pair: str) -> str:
    """Name of the environment variable that overrides the checkpoint of `pair`."""
    return "WORKBENCH_MODEL_" + pair.upper().replace("-", "_")


def resolve_checkpoint(pair: str, overrides: dict[str, str] | None = None) -> str:
    """Hub id or local directory for `pair`: option, then env, then config file, then default."""
    if overrides and pair in overrides:
        return overrides[pair]
    if os.environ.get(model_env_var(pair)):
        return os.environ[model_env_var(pair)]
    configured = read_config_file().get("models", {})
    if pair in configured:
        return str(configured[pair])
    if pair not in DEFAULT_CHECKPOINTS:
        raise ConfigError(f"no checkpoint known for pair '{pair}'; give one with --model {pair}=ID_OR_DIR")
    return DEFAULT_CHECKPOINTS[pair]


def parse_model_options(values: list[str] | None) -> dict[str, str]:
    """Turn repeated `--model PAIR=ID_OR_DIR` values into a dict, rejecting malformed ones."""
    overrides: dict[str, str] = {}
    for value in values or []:
        pair, sep, checkpoint = value.partition("=")
        if not sep or not checkpoint or pair.count("-") != 1:
            raise UsageError(f"--model expects PAIR=ID_OR_DIR such as vi-en=./models/vi-en, got '{value}'")
        if pair not in DEFAULT_CHECKPOINTS:
            raise UsageError(f"--model names the unknown pair '{pair}' (known: {', '.join(DEFAULT_CHECKPOINTS)})")
        overrides[pair] = checkpoint
    return overrides


def config_file_path() -> Path:
    """The config file in use (it may not exist)."""
    return Path(os.environ.get("WORKBENCH_CONFIG", "workbench.toml"))


def read_config_file() -> dict:
    """Parse the config file if there is one; an absent file is an empty config."""
    path = config_file_path()
    if not path.exists():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None
