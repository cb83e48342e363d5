"""Glossary term pairs for the aligner's anchors: the one place that turns a glossary into pairs.

The `align` command and the Align page both call `glossary_term_pairs`. Every
source form of an entry (canonical term and variants) is paired with every
target form: the target of an alignment is an existing translation, not the
workbench's own output, so it may use any accepted form (a machine translation
of Chinese says "Frontier Defense Committee" where the canonical English term
is "Border Defense Commission of the Autonomous Region"). Forbidden renderings
are not forms and are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


def glossary_term_pairs(glossary: Iterable | None, source_lang: str | None,
                        target_lang: str | None) -> list[tuple[str, str]]:
    """(source form, target form) for every form pair of every entry with both languages; [] without one."""
    if glossary is None or not source_lang or not target_lang:
        return []
    return [(source, target) for entry in glossary
            for source in entry.forms(source_lang) for target in entry.forms(target_lang)]


def load_term_pairs(path: str | Path | None, source_lang: str | None,
                    target_lang: str | None) -> list[tuple[str, str]]:
    """Term pairs of the glossary at `path`, or of the default glossary when there is one.

    A named glossary must load (a broken one raises GlossaryError); without a
    name, no glossary folder means no pairs.
    """
    if not source_lang or not target_lang:
        return []
    from workbench.glossary import default_glossary_path, load_glossary

    location = Path(path) if path else Path(default_glossary_path())
    if not path and not location.exists():
        return []
    return glossary_term_pairs(load_glossary(location), source_lang, target_lang)
