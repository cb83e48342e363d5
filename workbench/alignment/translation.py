"""The aligner's machine-translation signal, from the one translator factory (`workbench.mt.factory`).

Only a checkpoint that loads and has real weights gives a signal: a missing
model or a random-weight test model aligns without machine translation, and
the caller is told why in one line.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.alignment.aligner import Translate
from workbench.config import ConfigError, resolve_checkpoint
from workbench.errors import ModelUnavailable


@dataclass(frozen=True)
class MachineTranslation:
    """The translate function for the aligner, or None with the reason there is none."""

    translate: Translate | None
    note: str | None = None


def machine_translation(source_lang: str | None, target_lang: str | None, *, checkpoint: str | None = None,
                        engine: str | None = None, threads: int | None = None) -> MachineTranslation:
    """The pair's translator (the configured checkpoint unless one is given) as the aligner's signal."""
    if not source_lang or not target_lang:
        return MachineTranslation(None, None)
    from workbench.mt.base import DecodingSettings
    from workbench.mt.factory import get_translator

    pair = f"{source_lang}-{target_lang}"
    try:
        translator = get_translator(pair, checkpoint or resolve_checkpoint(pair), engine=engine, threads=threads)
        translator.load()
    except ConfigError:
        return MachineTranslation(None, None)  # a pair the workbench has no model for: nothing to say
    except ModelUnavailable as exc:
        return MachineTranslation(None, f"aligning without machine translation ({exc.reason})")
    if translator.is_random_weights:
        return MachineTranslation(None, "aligning without machine translation (the checkpoint has random weights)")
    settings = DecodingSettings()

    def translate(sentences: list[str]) -> list[str]:
        return translator.translate_best(sentences, settings)

    return MachineTranslation(translate)
