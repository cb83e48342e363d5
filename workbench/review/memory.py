"""Translation memory: approved segments of any document, found again for a new source.

A `TranslationMemory` holds (source, target) units for one language direction,
taken from the review store's approved segments (`TranslationMemory.from_store`).
`lookup` returns the units whose source matches a text exactly or fuzzily, with
a score from 0 to 100 (rapidfuzz's normalised Indel similarity on case- and
space-folded text); the default cut-off is 75, the usual fuzzy-match threshold
of CAT tools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from workbench.text import same_text_key

DEFAULT_THRESHOLD = 75.0
DEFAULT_LIMIT = 5


@dataclass(frozen=True)
class MemoryUnit:
    """One approved translation: source, target and the segment it came from."""

    source_text: str
    target_text: str
    segment_id: int | None = None
    document_id: int | None = None
    document_name: str = ""
    updated_by: str | None = None
    updated_at: str | None = None


@dataclass(frozen=True)
class MemoryMatch:
    """A unit found for a query, with its score (100 for an exact match)."""

    unit: MemoryUnit
    score: float
    exact: bool

    @property
    def source_text(self) -> str:
        """The matched unit's source."""
        return self.unit.source_text

    @property
    def target_text(self) -> str:
        """The matched unit's approved target."""
        return self.unit.target_text


class TranslationMemory:
    """Approved (source, target) units of one language direction, searchable by source."""

    def __init__(self, units: Iterable[MemoryUnit]):
        # One unit per distinct (source, target); the most recent approval wins.
        latest: dict[tuple[str, str], MemoryUnit] = {}
        for unit in units:
            if not unit.source_text.strip() or not unit.target_text.strip():
                continue
            key = (same_text_key(unit.source_text), unit.target_text.strip())
            kept = latest.get(key)
            if kept is None or (unit.updated_at or "") >= (kept.updated_at or ""):
                latest[key] = unit
        self.units = list(latest.values())
        self._folded = [same_text_key(unit.source_text) for unit in self.units]

    def __len__(self) -> int:
        return len(self.units)

    @classmethod
    def from_store(cls, store, source_lang: str, target_lang: str) -> TranslationMemory:
        """The approved segments of every document translated from `source_lang` to `target_lang`."""
        return cls(MemoryUnit(row["source_text"], row["target_text"], row["segment_id"],
                              row["document_id"], row["document_name"], row["updated_by"],
                              row["updated_at"])
                   for row in store.approved_units(source_lang, target_lang))

    def lookup(self, text: str, *, threshold: float = DEFAULT_THRESHOLD, limit: int = DEFAULT_LIMIT,
               exclude_segment: int | None = None) -> list[MemoryMatch]:
        """Units whose source scores at least `threshold` against `text`, best first."""
        from rapidfuzz import fuzz, process

        query = same_text_key(text)
        if not query or not self.units:
            return []
        found = process.extract(query, self._folded, scorer=fuzz.ratio, score_cutoff=threshold,
                                limit=None)
        matches = []
        for _, score, index in found:
            unit = self.units[index]
            if exclude_segment is not None and unit.segment_id == exclude_segment:
                continue
            exact = self._folded[index] == query
            matches.append(MemoryMatch(unit, 100.0 if exact else round(float(score), 1), exact))
        matches.sort(key=lambda m: (-m.score, not m.exact, -(m.unit.segment_id or 0)))
        return matches[:limit]
