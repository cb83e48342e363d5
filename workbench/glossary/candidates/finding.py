"""`find_candidates`: the term candidates of a set of source segments, read into memory, best first.

The in-memory reading (small sets, the gold test, the bench's reference); the
store keeps the same evidence as counts for a whole corpus
(`workbench.review.term_statistics`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from workbench.glossary.candidates.acronyms import acronym_candidates
from workbench.glossary.candidates.known import Known
from workbench.glossary.candidates.language import LANGUAGES, language_of
from workbench.glossary.candidates.model import Candidate, SourceSegment
from workbench.glossary.candidates.terms import gram_table, rank_terms
from workbench.glossary.candidates.variants import vi_variant_candidates
from workbench.glossary.matching import tokenize


def find_candidates(segments: Iterable[SourceSegment], glossary=None, *, dismissed: Iterable[str] = (),
                    lang: str | None = None, limit: int | None = None) -> list[Candidate]:
    """Term candidates of the segments, best first (languages interleaved by rank).

    `glossary` (a `Glossary` or None) is what is already known; `dismissed` holds
    candidate ids never to propose again.
    """
    by_lang: dict[str, list[SourceSegment]] = defaultdict(list)
    for segment in segments:
        if segment.lang in LANGUAGES and (lang is None or segment.lang == lang):
            by_lang[segment.lang].append(segment)
    dismissed = set(dismissed)
    ranked = []
    for language in LANGUAGES:
        if language in by_lang:
            found = [c for c in _candidates_of(by_lang[language], glossary, language) if c.id not in dismissed]
            ranked.append(found)
    merged: list[Candidate] = []
    for rank in range(max((len(r) for r in ranked), default=0)):
        merged.extend(r[rank] for r in ranked if rank < len(r))
    return merged[:limit] if limit else merged


def _candidates_of(segments: list[SourceSegment], glossary, lang: str) -> list[Candidate]:
    language = language_of(lang)
    known = Known(glossary, lang)
    parsed = [(segment, language.units(segment.text), known.spans(segment.text)) for segment in segments]
    acronyms = acronym_candidates(parsed, language, known)
    acronym_forms = {c.key for c in acronyms} | {tuple(tokenize(c.long_form, language.folder).keys)
                                                  for c in acronyms if c.long_form}
    grams = gram_table(parsed, language, known)
    terms = rank_terms(grams, language, known, acronym_forms)
    variants = vi_variant_candidates(parsed, language, known) if lang == "vi" else []
    candidates = acronyms + variants + terms
    candidates.sort(key=lambda c: -c.score)
    return candidates
