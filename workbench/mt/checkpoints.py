"""Checkpoints: where each pair's checkpoint is, whether it is at hand, and getting it.

- `check_model`/`check_models`: whether a checkpoint is present, found without loading
  it. The UI shows a banner for the pairs whose checkpoint is missing, on every page, so
  this must be cheap: a local checkpoint is there when its folder has a `config.json`; a
  hub id when that file is in the local Hugging Face cache. Loading can still fail later
  (a truncated download); that failure is reported when translating.
- `hub_reachable`: one TCP probe of the hub per process, so an offline machine fails in
  seconds instead of letting the download client retry for minutes.
- `pull_checkpoint`: download a hub checkpoint into the local cache (`models pull`).
"""


from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from workbench.config import DEFAULT_CHECKPOINTS, resolve_checkpoint
from workbench.errors import ModelUnavailable, WorkbenchError


@dataclass(frozen=True)
class ModelStatus:
    """One pair's checkpoint and whether it is there."""

    pair: str
    checkpoint: str
    available: bool
    random_weights: bool = False
    reason: str = ""

    @property
    def message(self) -> str:
        """The batch script's message for a missing checkpoint ("" when available)."""
        if self.available:
            return ""
        return str(ModelUnavailable(self.pair, self.checkpoint, self.reason))


def _config_path(checkpoint: str) -> tuple[Path | None, str]:
    local = Path(checkpoint).expanduser()
    if local.exists() or checkpoint.startswith((".", "/", "~")):
        config = local / "config.json"
        return (config, "") if config.exists() else (None, "no config.json in that directory")
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return None, "huggingface_hub is not installed"
    try:
        cached = try_to_load_from_cache(checkpoint, "config.json")
    except Exception as exc:  # a malformed repo id raises a validation error
        return None, str(exc).splitlines()[0][:200]
    if isinstance(cached, str):
        return Path(cached), ""
    return None, "not in the local Hugging Face cache"


def check_model(pair: str, overrides: dict[str, str] | None = None) -> ModelStatus:
    """Whether the checkpoint that serves `pair` is present, and if it has random weights."""
    try:
        checkpoint = resolve_checkpoint(pair, overrides)
    except WorkbenchError as exc:
        return ModelStatus(pair, "", False, reason=str(exc))
    config, reason = _config_path(checkpoint)
    if config is None:
        return ModelStatus(pair, checkpoint, False, reason=reason)
    try:
        random_weights = bool(json.loads(config.read_text(encoding="utf-8"))
                              .get("workbench_random_weights", False))
    except (OSError, ValueError) as exc:
        return ModelStatus(pair, checkpoint, False, reason=f"unreadable config.json ({exc})")
    return ModelStatus(pair, checkpoint, True, random_weights=random_weights)


def check_models(pairs=None, overrides: dict[str, str] | None = None) -> list[ModelStatus]:
    """The status of each pair (all known pairs by default)."""
    return [check_model(pair, overrides) for pair in (pairs or DEFAULT_CHECKPOINTS)]


_hub_reachable: bool | None = None


def hub_reachable(timeout: float = 3.0) -> bool:
    """Whether the model hub answers a TCP connection; asked once per process.

    Without this probe, transformers retries every file for minutes when the
    machine has no network.
    """
    global _hub_reachable
    if _hub_reachable is None:
        import socket
        from urllib.parse import urlparse

        endpoint = urlparse(os.environ.get("HF_ENDPOINT", "https://huggingface.co"))
        port = endpoint.port or (443 if endpoint.scheme == "https" else 80)
        try:
            socket.create_connection((endpoint.hostname, port), timeout=timeout).close()
            _hub_reachable = True
        except OSError:
            _hub_reachable = False
    return _hub_reachable


def offline() -> bool:
    return os.environ.get("HF_HUB_OFFLINE", "").lower() in {"1", "true", "yes"}


def pull_checkpoint(pair: str, checkpoint: str) -> str:
    """Download a hub checkpoint into the local Hugging Face cache; return its folder."""
    from huggingface_hub import snapshot_download

    if offline() or not hub_reachable():
        raise ModelUnavailable(pair, checkpoint, "no connection to the model hub"
                               + (" (HF_HUB_OFFLINE is set)" if offline() else ""))
    try:
        return snapshot_download(checkpoint)
    except Exception as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelUnavailable(pair, checkpoint, f"download failed: {reason[:200]}") from None
