"""Vietnamese variant candidates: an entry's form written with diacritics dropped or changed."""

from __future__ import annotations

from workbench.glossary.candidates.known import Known, inside
from workbench.glossary.candidates.language import Language
from workbench.glossary.candidates.model import Candidate, candidate_id, occurrence_of
from workbench.text import fold_for_search


def variant_candidate(found: dict[tuple, Candidate], key: tuple, surface: str, entry) -> Candidate:
    """The variant candidate of `entry` for the folded words `key`, made on first sight (its
    surface is the first one met); shared by the in-memory finder and the stored statistics."""
    candidate = found.get(key)
    if candidate is None:
        candidate = found[key] = Candidate(
            id=candidate_id("vi", "variant", key), lang="vi", kind="variant", form=surface,
            score=0.0, count=0, occurrences=[], variant_of=entry, key=key)
    return candidate

def vi_variant_candidates(parsed, language: Language, known: Known) -> list[Candidate]:
    """Vietnamese forms that are an entry's form with diacritics dropped or changed (misspellings)."""
    if not known.stripped:
        return []
    lengths = {len(k.split()) for k in known.stripped}
    first_words = {k.split()[0] for k in known.stripped}
    found: dict[tuple, Candidate] = {}
    stripped_words: dict[str, str] = {}  # word -> diacritic-free (texts repeat their words)
    for segment, units, spans in parsed:
        words = [u for u in units if u.word]
        plain = []
        for word in words:
            if word.surface not in stripped_words:
                stripped_words[word.surface] = fold_for_search(word.surface)
            plain.append(stripped_words[word.surface])
        for i in range(len(words)):
            if plain[i] not in first_words:
                continue
            for length in lengths:
                if i + length > len(words):
                    continue
                run = words[i:i + length]
                surface = segment.text[run[0].start:run[-1].end]
                entry = known.stripped.get(" ".join(plain[i:i + length]))
                if entry is None or inside(spans, run[0].start, run[-1].end):
                    continue
                key = tuple(u.key for u in run)
                if key in known.keys:
                    continue
                candidate = variant_candidate(found, key, surface, entry)
                candidate.occurrences.append(occurrence_of(segment, run[0].start, run[-1].end))
                candidate.count += 1
                candidate.score = 5.0 + candidate.count
    return list(found.values())
