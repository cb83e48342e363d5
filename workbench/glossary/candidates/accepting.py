"""Accepting a term candidate: the glossary cells it would write, written through the validated edit."""

from __future__ import annotations

import re
from pathlib import Path

from workbench.glossary.candidates.model import Candidate
from workbench.text import fold_for_search


def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", fold_for_search(text))).strip("-")[:60] or "term"


def proposed_row(candidate: Candidate, glossary=None) -> tuple[dict[str, str], str | None]:
    """The glossary cells accepting the candidate writes, and the id of the row it replaces (or None).

    A variant changes only the entry's `<lang>_variants` (the cells returned are
    `id` and that column; `accept_candidate` keeps the row's other cells as they
    are in the file). Anything else is a new entry whose other-language term is
    left for the reviewer to fill in (the glossary check says which column is
    still required).
    """
    lang = candidate.lang
    if candidate.variant_of:
        entry = glossary.get(candidate.variant_of) if glossary is not None else None
        if entry is None:
            raise KeyError(candidate.variant_of)
        column = f"{lang}_variants"
        forms = list(entry.variants.get(lang, ()))
        return {"id": entry.id, column: "|".join(dict.fromkeys([*forms, candidate.form, *candidate.variants]))}, \
            entry.id
    if candidate.kind == "acronym" and candidate.long_form:
        term, variants = candidate.long_form, [candidate.form]
    else:
        term, variants = candidate.form, list(candidate.variants)
    base = f"{'vn' if lang == 'vi' else 'cn'}-{_slug(candidate.form if candidate.kind == 'acronym' else term)}"
    entry_id, number = base, 2
    while glossary is not None and entry_id in glossary:
        entry_id, number = f"{base}-{number}", number + 1
    cells = {"id": entry_id, lang: term, f"{lang}_variants": "|".join(variants),
             "note": f"candidate {candidate.id} ({candidate.count}x in {', '.join(candidate.documents)}); "
                     "check the rendering"}
    return cells, None


def accept_candidate(path: str | Path, cells: dict[str, str], *, replacing: str | None = None,
                     scope: str | Path | None = None):
    """Write reviewed cells into a glossary file through the validated, row-preserving edit.

    `replacing` names the row to replace (a variant added to an existing entry);
    that entry must live in this file. Returns the file as reread.
    """
    from workbench.glossary.editing import GlossaryEditError, GlossaryFile

    file = GlossaryFile.open(path, scope=scope)
    if replacing is not None and file.row(replacing) is None:
        raise GlossaryEditError(f"entry '{replacing}' is not in this file; choose the file that holds it",
                                file.path)
    if replacing is not None:
        cells = {**file.row(replacing).cells, **cells}  # the row's other cells exactly as in the file
    return file.save_entry(cells, replacing=replacing)


def entry_file(glossary, entry_id: str) -> Path | None:
    """The file an entry was read from, if known."""
    entry = glossary.get(entry_id) if glossary is not None else None
    return Path(entry.path) if entry is not None and entry.path else None
