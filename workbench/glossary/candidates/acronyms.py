"""Acronym candidates: acronyms defined inline ("Bộ Tư lệnh (BTL)", "ACR (long form)") or used twice.

`segment_acronyms` finds, in one segment's units, every acronym and the long
form defined there (the run of words whose initials spell it; English function
words may be skipped); `acronym_candidates` ranks them over a set of segments,
looking up a long form in the corpus for an acronym never defined.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from workbench.glossary.candidates.known import Known
from workbench.glossary.candidates.language import ACRONYM_TOKEN, Language, Unit
from workbench.glossary.candidates.model import Candidate, candidate_id, occurrence_of


def _initials_match(words: list[Unit], acronym: str, language: Language) -> bool:
    """Whether the words' initials spell the acronym (English function words may be skipped)."""
    letters = [c for c in acronym.upper() if c.isalpha()]
    position = 0
    for word in words:
        initial = word.surface[0].upper()
        if position < len(letters) and initial == letters[position]:
            position += 1
        elif language.lang == "en" and word.key in language.stopwords:
            continue
        else:
            return False
    return position == len(letters)


def _long_form_before(units: list[Unit], end: int, acronym: str, language: Language) -> tuple[int, int] | None:
    """Index range [i, end) of the shortest run of words before `end` whose initials spell the acronym."""
    letters = sum(c.isalpha() for c in acronym)
    for length in range(letters, letters + 4):
        start = end - length
        if start < 0:
            break
        words = units[start:end]
        if all(u.word for u in words) and language.is_boundary_ok(words[0]) \
                and _initials_match(words, acronym, language):
            return start, end
    return None


def segment_acronyms(text: str, units: list[Unit], language: Language) -> Iterator[tuple[int, str | None]]:
    """(unit index, long form defined there or None) of every acronym used in one segment."""
    for i, unit in enumerate(units):
        if not (unit.acronym and ACRONYM_TOKEN.match(unit.surface)):
            continue
        long_form = None
        # long form (ACR)
        if 0 < i and i + 1 < len(units) and units[i - 1].surface == "(" and units[i + 1].surface == ")":
            found = _long_form_before(units, i - 1, unit.surface, language)
            if found:
                long_form = text[units[found[0]].start:units[found[1] - 1].end]
        # ACR (long form)
        if long_form is None and i + 2 < len(units) and units[i + 1].surface == "(":
            close = next((j for j in range(i + 2, min(len(units), i + 16)) if units[j].surface == ")"), None)
            if close and close > i + 2 and _initials_match(
                    [u for u in units[i + 2:close] if u.word], unit.surface, language):
                long_form = text[units[i + 2].start:units[close - 1].end]
        yield i, long_form


def acronym_candidates(parsed, language: Language, known: Known) -> list[Candidate]:
    defined: dict[str, dict] = {}
    used: dict[str, list] = defaultdict(list)
    for segment, units, _spans in parsed:
        for i, long_form in segment_acronyms(segment.text, units, language):
            unit = units[i]
            used[unit.surface].append(occurrence_of(segment, unit.start, unit.end))
            if long_form:
                record = defined.setdefault(unit.surface, {"long": defaultdict(int)})
                record["long"][long_form] += 1
    candidates = []
    expansions = None
    for acronym, occurrences in used.items():
        key = (language.fold(acronym),)
        if key in known.keys:
            continue
        inline = acronym in defined
        if not inline and len(occurrences) < 2:
            continue
        if inline:
            long_form = max(defined[acronym]["long"].items(), key=lambda kv: kv[1])[0]
        else:
            if expansions is None:
                expansions = _expansions_in_corpus(parsed, language, set(used))
            long_form = expansions.get(acronym)
        score = 10.0 * (2 if inline else 1) + len(occurrences)
        candidates.append(Candidate(
            id=candidate_id(language.lang, "acronym", key), lang=language.lang, kind="acronym",
            form=acronym, score=score, count=len(occurrences), occurrences=occurrences,
            long_form=long_form, defined_inline=inline, key=key))
    return candidates


def _expansions_in_corpus(parsed, language: Language, acronyms: set[str]) -> dict[str, str]:
    """For acronyms used without a definition: the most frequent word run that spells each."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted = {a: sum(c.isalpha() for c in a) for a in acronyms}
    for segment, units, _ in parsed:
        words = [u for u in units if u.word or u.surface == ","]
        for acronym, letters in wanted.items():
            initial = acronym[0]
            for start in range(len(words)):
                if words[start].surface[:1].upper() != initial:
                    continue
                run = [u for u in words[start:start + letters + 2] if u.word][:letters]
                if len(run) == letters and _initials_match(run, acronym, language) and not run[0].acronym:
                    counts[acronym][segment.text[run[0].start:run[-1].end]] += 1
    return {a: max(forms.items(), key=lambda kv: kv[1])[0] for a, forms in counts.items() if forms}
