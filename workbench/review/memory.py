"""Translation memory: approved segments of any document, found again for a new source.

A `TranslationMemory` holds (source, target) units for one language direction,
taken from the review store's approved segments (`TranslationMemory.from_store`).
`lookup` returns the units whose source matches a text exactly or fuzzily, with
a score from 0 to 100 (rapidfuzz's normalised Indel similarity on case- and
space-folded text); the default cut-off is 75, the usual fuzzy-match threshold
of CAT tools.

Teams bring their own memories: units imported from TMX files
(`workbench.exchange.tmx_import`) are stored apart from the reviewed segments
(`store_imported_units`, the one door they come in through) and join the memory
with their origin ("team.tmx, line 12"), which the Review page shows beside each
match. A reviewer's approved segment wins over an imported unit of the same
source and target.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from workbench.errors import StoreError
from workbench.review.records import fetch_records
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
    origin: str | None = None  # an imported unit's file name; None for a reviewed segment
    origin_line: int | None = None

    @property
    def provenance(self) -> str:
        """Where the unit comes from, in words: the document and approver, or the imported file and line."""
        if self.origin is not None:
            where = self.origin + (f", line {self.origin_line}" if self.origin_line else "")
            return f"imported from {where}" + (f" (by {self.updated_by})" if self.updated_by else "")
        return f"{self.document_name}, approved by {self.updated_by or '?'}"


@dataclass(frozen=True)
class ImportedUnit:
    """One unit of a memory brought in from a file, for one direction."""

    source_lang: str
    target_lang: str
    source_text: str
    target_text: str
    line: int | None = None
    changed_by: str | None = None
    changed_at: str | None = None


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
            if kept is None or (kept.origin is not None and unit.origin is None) or (
                    (kept.origin is None) == (unit.origin is None)
                    and (unit.updated_at or "") >= (kept.updated_at or "")):
                latest[key] = unit
        self.units = list(latest.values())
        self._folded = [same_text_key(unit.source_text) for unit in self.units]

    def __len__(self) -> int:
        return len(self.units)

    @classmethod
    def from_store(cls, store, source_lang: str, target_lang: str) -> TranslationMemory:
        """The approved segments of every document translated from `source_lang` to `target_lang`,
        and the units imported for that direction."""
        reviewed = [MemoryUnit(row.source_text, row.target_text, row.segment_id,
                               row.document_id, row.document_name, row.updated_by,
                               row.updated_at)
                    for row in store.approved_units(source_lang, target_lang)]
        return cls(imported_memory_units(store, source_lang, target_lang) + reviewed)

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


def memory_revision(store, source_lang: str, target_lang: str) -> tuple:
    """A value that changes whenever `TranslationMemory.from_store` could answer differently.

    Cheap at any corpus size (a primary-key maximum, an index count, a read of the documents
    table), so a page can keep the memory it built until this changes, instead of reading every
    approved segment again after each save: the last change of any segment, how many live
    segments are approved (a re-import that retires one), the last unit imported for this
    direction and the last change of a document.
    """
    return tuple(store.conn.execute(
        """SELECT (SELECT MAX(id) FROM segment_history),
                  (SELECT COUNT(*) FROM segments WHERE status = 'approved' AND retired_at IS NULL),
                  (SELECT MAX(id) FROM memory_units WHERE source_lang = ? AND target_lang = ?),
                  (SELECT MAX(updated_at) FROM documents)""", (source_lang, target_lang)).fetchone())


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def store_imported_units(store, units: Iterable[ImportedUnit], *, origin: str, imported_by: str) -> int:
    """Store imported units, all in one transaction; return how many were new.

    A unit already imported from a file of the same name (same direction, source and
    target) is not stored twice, so importing a file again adds only what changed.
    """
    if not imported_by or not imported_by.strip():
        raise StoreError("a reviewer name is required to import a translation memory")
    now = _now()
    with store.transaction() as conn:
        before = conn.total_changes
        conn.executemany(
            """INSERT OR IGNORE INTO memory_units (source_lang, target_lang, source_text, target_text, origin,
                   origin_line, changed_by, changed_at, imported_by, imported_at)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""",
            [(u.source_lang, u.target_lang, u.source_text, u.target_text, origin, u.line, u.changed_by,
              u.changed_at, imported_by.strip(), now) for u in units])
        return conn.total_changes - before


def imported_memory_units(store, source_lang: str, target_lang: str) -> list[MemoryUnit]:
    """The units imported for one direction, oldest first."""
    rows = store.conn.execute(
        """SELECT source_text, target_text, origin, origin_line, changed_by, changed_at, imported_at
           FROM memory_units WHERE source_lang = ? AND target_lang = ? ORDER BY id""",
        (source_lang, target_lang)).fetchall()
    return [MemoryUnit(row["source_text"], row["target_text"], updated_by=row["changed_by"],
                       updated_at=row["changed_at"] or row["imported_at"], origin=row["origin"],
                       origin_line=row["origin_line"]) for row in rows]


@dataclass(frozen=True)
class ImportedMemoryFile:
    """One imported file's units in one direction: how many, when and by whom (latest import)."""

    origin: str
    source_lang: str
    target_lang: str
    units: int
    imported_at: str
    imported_by: str


def imported_memory_summary(store) -> list[ImportedMemoryFile]:
    """Per imported file and direction: how many units, when and by whom (latest import)."""
    return fetch_records(
        store.conn, ImportedMemoryFile,
        """SELECT origin, source_lang, target_lang, COUNT(*) AS units, MAX(imported_at) AS imported_at,
                  MAX(imported_by) AS imported_by
           FROM memory_units GROUP BY origin, source_lang, target_lang ORDER BY origin""")
