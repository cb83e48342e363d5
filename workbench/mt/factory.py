"""The one way to obtain a translator: `get_translator(pair, checkpoint, engine=..., threads=...)`.

Every caller (the batch pipeline, Ray actors, the UI, `models list`, `align`) goes
through here, so all honour the configured default engine and share loaded models.
A translator is cached by what defines it: engine, pair, checkpoint, threads and
device. Run settings (beams, batch budgets) are not part of it; they are passed to
each call as a `DecodingSettings` value, so two sessions translating at once with
different settings share one loaded model without affecting each other.
"""

from __future__ import annotations

import threading

from workbench.config import DEFAULT_ENGINE, ENGINES
from workbench.errors import UsageError
from workbench.mt.base import Translator

# Engines that load a model in this process. "ray" is a way of running "ctranslate2"
# translators on a cluster (workbench.mt.ray_engine), not a translator of its own.
LOCAL_ENGINES = tuple(engine for engine in ENGINES if engine != "ray")

_translators: dict[tuple, Translator] = {}
_lock = threading.Lock()


def get_translator(pair: str, checkpoint: str, *, engine: str | None = None, threads: int | None = None,
                   device: str | None = None) -> Translator:
    """The shared translator of `engine` (default: the configured one) for (pair, checkpoint).

    Nothing is loaded here: the model loads on first use, once.
    """
    engine = engine or DEFAULT_ENGINE
    key = (engine, pair, str(checkpoint), threads, device)
    with _lock:
        translator = _translators.get(key)
        if translator is None:
            translator = _translators[key] = new_translator(engine, pair, checkpoint, threads=threads, device=device)
        return translator


def new_translator(engine: str, pair: str, checkpoint: str, *, threads: int | None = None,
                   device: str | None = None, compute_type: str | None = None) -> Translator:
    """A translator of its own (not shared): for a Ray actor, a benchmark, or a test."""
    if engine == "ctranslate2":
        from workbench.mt.ctranslate2_engine import CTranslate2Translator

        return CTranslate2Translator(pair, str(checkpoint), device=device, compute_type=compute_type, threads=threads)
    if engine == "transformers":
        from workbench.mt.transformers_engine import MarianTranslator

        return MarianTranslator(pair, str(checkpoint), device=device, threads=threads)
    raise UsageError(f"unknown engine '{engine}' (one of {', '.join(LOCAL_ENGINES)})")
