"""The terminology glossary: files, matching, term-aware translation, measuring.

- `files`: read and check the curated TSV/CSV files (`load_glossary`, `check_glossary`).
- `entries`: `Glossary` and `GlossaryEntry` in memory.
- `matching`: term occurrences with character spans in vi, en and zh text.
- `normalise`: canonical English for machine-translated English documents.
- `enforce`: translation that carries the required target terms, with a term report.
- `report`: term reports and the term success rate.
- `tbx`: TBX-Basic import and export.

Importing this package is cheap: torch, transformers and lxml load only when used.
"""

from workbench.glossary.enforce import EnforcementSettings, TermTranslation, translate_with_terms
from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.glossary.files import (
    GlossaryFileError,
    check_glossary,
    default_glossary_path,
    load_glossary,
    read_glossary,
)
from workbench.glossary.matching import TermMatch
from workbench.glossary.normalise import apply_changes, normalise_mt_english, undo_change
from workbench.glossary.report import TermOccurrence, TermReport, term_success_rate

__all__ = [
    "EnforcementSettings", "Glossary", "GlossaryEntry", "GlossaryFileError", "TermMatch",
    "TermOccurrence", "TermReport", "TermTranslation", "apply_changes", "check_glossary",
    "default_glossary_path", "load_glossary", "normalise_mt_english", "read_glossary",
    "term_success_rate", "translate_with_terms", "undo_change",
]
