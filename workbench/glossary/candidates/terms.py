"""Multi-word term candidates: the n-grams of a sentence that may name something, ranked by C-value.

`segment_grams` gives every n-gram occurrence of one segment that may become a
candidate (boundaries, phrase breaks, quoted phrases; see the package
docstring); `rank_terms` keeps those that recur, are names or are quoted and not
already glossary forms, ranks them by C-value times a document-frequency factor,
and turns them into candidates: new entries, variants of an English entry, or
names grouped as one body.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TypeVar

from workbench.glossary.candidates.known import (
    Known,
    compositional,
    content_classes,
    cuts,
    entry_for,
    inside,
    leftover_words,
)
from workbench.glossary.candidates.language import MAX_COMMON_WORDS, MAX_TOKENS, QUOTED, Language, Unit, is_name
from workbench.glossary.candidates.model import Candidate, candidate_id, occurrence_of

T = TypeVar("T")


@dataclass
class _Gram:
    key: tuple
    lang: str
    surfaces: dict = field(default_factory=lambda: defaultdict(int))
    occurrences: list = field(default_factory=list)
    quoted: bool = False
    name: bool = False
    words: int = 0
    left: list = field(default_factory=list)  # the word before each occurrence (None: open)
    leftover: tuple = ()  # keys of its words outside glossary matches
    right: list = field(default_factory=list)

    def tied_to_context(self) -> bool:
        """Every occurrence has the same word before it, or the same word after it: a fragment.

        Accessor variety (Feng et al. 2004): a unit of its own is met in more than one
        context; "triển kinh tế" always follows "phát", "Secretary Xi Jinping" always
        follows "General".
        """
        return any(len(side) >= 2 and None not in side and len(set(side)) == 1
                   for side in (self.left, self.right))


@dataclass(frozen=True)
class GramOccurrence:
    """One n-gram occurrence in a segment: its folded key, span, open neighbours and quoting."""

    key: tuple
    start: int
    end: int
    words: int
    left: str | None  # the word before (None: none, punctuation or a function word)
    right: str | None
    quoted: bool
    whole_quote: bool = False  # a quoted phrase taken whole (not an n-gram of the sentence)
    first: int = 0  # index of its first unit
    last: int = 0  # index of its last unit


def segment_grams(text: str, units: list[Unit], language: Language,
                  spans: list[tuple[int, int]] = ()) -> Iterator[GramOccurrence]:
    """Every n-gram occurrence of one segment that may become a term candidate.

    `spans` (glossary matches) leave out what lies inside one or cuts one in two; the
    statistics kept in the store (`workbench.review.term_statistics`) count without
    them, so they do not depend on the glossary.
    """
    lang = language.lang
    quoted = {(m.start(1) + len(m.group(1)) - len(m.group(1).lstrip()), m.end(1) - len(m.group(1))
               + len(m.group(1).rstrip())) for m in QUOTED.finditer(text)}
    seen: set[tuple] = set()
    for start in range(len(units)):
        first = units[start]
        if not language.is_boundary_ok(first):
            continue
        if lang == "vi" and start + 1 < len(units) and (first.key, units[start + 1].key) in language.boundary_pairs:
            continue
        words = 0
        for end in range(start, min(len(units), start + MAX_TOKENS)):
            unit = units[end]
            if not (unit.word or unit.joiner) or language.breaks_phrase(unit):
                break
            if unit.word:
                words += 1
            if end == start or not language.is_boundary_ok(unit):
                continue
            if lang == "vi" and (units[end - 1].key, unit.key) in language.boundary_pairs:
                continue
            piece = units[start:end + 1]
            if lang == "vi" and words < 3 and not any(u.acronym for u in piece):
                continue
            s, e = first.start, unit.end
            # Possessives left out of the key: "Xi Jinping's" is "Xi Jinping", and
            # "National People" is inside "National People's Congress".
            key = tuple(u.key.removesuffix("'s") for u in piece if u.word)
            if unit.key.endswith("'s"):
                e -= 2
            if inside(spans, s, e) or cuts(spans, s, e):
                continue
            seen.add(key)
            before = units[start - 1] if start > 0 else None
            after = units[end + 1] if end + 1 < len(units) else None
            yield GramOccurrence(
                key, s, e, words,
                None if language.is_open_neighbour(before) else before.key.removesuffix("'s"),
                None if language.is_open_neighbour(after) else after.key.removesuffix("'s"),
                (s, e) in quoted, False, start, end)
    # A short quoted phrase is a slogan or a name whatever its words: taken whole, commas included.
    for qs, qe in sorted(quoted):
        inner = [i for i, u in enumerate(units) if qs <= u.start and u.end <= qe]
        words = [units[i] for i in inner if units[i].word]
        key = tuple(u.key.removesuffix("'s") for u in words)
        if not (2 <= len(words) <= 8) or inside(spans, qs, qe) or cuts(spans, qs, qe) or key in seen:
            continue
        seen.add(key)
        yield GramOccurrence(key, words[0].start, words[-1].end, len(words), None, None, True, True,
                             inner[0], inner[-1])


def gram_table(parsed, language: Language, known: Known) -> dict[tuple, _Gram]:
    grams: dict[tuple, _Gram] = {}
    for segment, units, spans in parsed:
        for found in segment_grams(segment.text, units, language, spans):
            gram = grams.get(found.key)
            if found.whole_quote and gram is not None:
                continue  # the phrase is counted as an n-gram already
            if gram is None:
                gram = grams[found.key] = _Gram(found.key, language.lang, words=found.words)
            gram.surfaces[segment.text[found.start:found.end]] += 1
            gram.occurrences.append(occurrence_of(segment, found.start, found.end))
            gram.left.append(found.left)
            gram.right.append(found.right)
            if found.quoted:
                gram.quoted = True
    return grams


def _is_vi_proper_name(surface: str, language: Language) -> bool:
    """All syllables capitalised (no acronym): a Vietnamese personal or place name."""
    words = [u for u in language.units(surface) if u.word]
    return len(words) >= 2 and all(u.surface[:1].isupper() and not u.acronym for u in words)


def _ends_with_vi_name(piece_surface: str, language: Language) -> bool:
    words = [u for u in language.units(piece_surface) if u.word]
    tail = words[-2:]
    return len(words) > 2 and all(u.surface[:1].isupper() and not u.acronym for u in tail) \
        and not words[-3].surface[:1].isupper()


def rank_by_c_value(kept: dict[tuple, T], lang: str,
                    figures: Callable[[T], tuple[int, int, int, float]]) -> list[tuple[float, tuple, T]]:
    """Score kept n-grams (key -> item) by C-value: a term's frequency, discounted by the mean
    frequency of the kept n-grams that contain it, weighted by its length in words, the documents
    it occurs in and a bonus. `figures(item)` gives (frequency, words, documents, bonus). Shared by
    the in-memory candidates and the ranking of the stored statistics; unsorted."""
    numbers = {key: figures(item) for key, item in kept.items()}
    containers: dict[tuple, list[int]] = defaultdict(list)
    for key in kept:
        n = len(key)
        for length in range(1, n):
            for i in range(n - length + 1):
                sub = key[i:i + length]
                # After "of (the)" a name is the complement of a title ("Director of the X"):
                # a unit of its own there, so the title does not discount it.
                if sub in kept and not (lang == "en" and i > 0 and key[i - 1] in ("of", "the")):
                    containers[sub].append(numbers[key][0])
    scored = []
    for key, item in kept.items():
        count, words, documents, bonus = numbers[key]
        nested = containers.get(key)
        value = count - (sum(nested) / len(nested) if nested else 0)
        if value > 0:
            scored.append((math.log2(1 + words) * value * (1 + (documents - 1) / 2) * bonus, key, item))
    return scored


def rank_terms(grams: dict[tuple, _Gram], language: Language, known: Known,
                acronym_forms: set[tuple]) -> list[Candidate]:
    kept: dict[tuple, _Gram] = {}
    for key, gram in grams.items():
        surface = max(gram.surfaces.items(), key=lambda kv: kv[1])[0]
        gram.name = is_name(surface, language) if language.lang == "en" else surface[:1].isupper()
        frequent = len(gram.occurrences) >= 2
        if not (frequent or gram.quoted or (gram.name and language.lang == "en")):
            continue
        if not (gram.name or gram.quoted) and gram.words > MAX_COMMON_WORDS[language.lang]:
            continue  # a repeated stretch of a sentence, not a term
        if gram.tied_to_context():
            continue
        if key in known.keys or key in acronym_forms:
            continue
        if language.lang == "vi" and (_is_vi_proper_name(surface, language) or _ends_with_vi_name(surface, language)):
            continue
        leftover = leftover_words(surface, language, known)
        if compositional(leftover, language):
            continue
        gram.leftover = tuple(u.key.removesuffix("'s") for u in leftover) if leftover else ()
        kept[key] = gram
    # A glossary term plus another candidate ("General Secretary Xi Jinping's important
    # instructions"): the candidate is what is new, not the compound.
    kept = {key: gram for key, gram in kept.items() if not (len(gram.leftover) >= 2 and gram.leftover in kept)}
    scored = [(score, gram) for score, _key, gram in rank_by_c_value(
        kept, language.lang, lambda gram: (len(gram.occurrences), gram.words,
                                           len({o.document_id for o in gram.occurrences}),
                                           2.0 if gram.quoted else 1.5 if gram.name else 1.0))]
    scored.sort(key=lambda sg: -sg[0])
    return _variants_and_new(scored, language, known)


def _variants_and_new(scored, language: Language, known: Known) -> list[Candidate]:
    """Turn ranked n-grams into candidates: variants of entries, groups of names for one body."""
    candidates: list[Candidate] = []
    groups: list[tuple[frozenset, bool, Candidate]] = []
    for score, gram in scored:
        surface = max(gram.surfaces.items(), key=lambda kv: kv[1])[0]
        occurrences = sorted(gram.occurrences, key=lambda o: (o.document_id, o.segment_id, o.start))
        if language.lang == "en":
            classes = content_classes(surface)
            entry = entry_for(classes, gram.name, known)
            if entry is not None:
                candidates.append(Candidate(
                    id=candidate_id("en", "variant", gram.key), lang="en", kind="variant", form=surface,
                    score=score, count=len(occurrences), occurrences=occurrences, variant_of=entry,
                    key=gram.key))
                continue
            group = next((g for g in groups if g[0] == classes and len(classes) >= 2), None)
            if group is not None:  # another name for a body already proposed
                group[2].variants.append(surface)
                group[2].occurrences.extend(occurrences)
                group[2].count += len(occurrences)
                group[2].score += score  # the evidence for one body adds up
                continue
        candidate = Candidate(
            id=candidate_id(language.lang, "term", gram.key), lang=language.lang, kind="term", form=surface,
            score=score, count=len(occurrences), occurrences=occurrences, key=gram.key)
        candidates.append(candidate)
        if language.lang == "en" and gram.name:
            groups.append((content_classes(surface), gram.name, candidate))
    return candidates
