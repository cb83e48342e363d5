"""What a term candidate is: the candidate, where it occurs, the source segments it is read from.

`Candidate` (a new entry or a variant of one, its count, contexts and forms; to
and from a JSON record), `Occurrence`, `SourceSegment`, the stable
`candidate_id` a dismissal is recorded under, and `segments_from_store` /
`corpus_signature` (the store's live source texts, and when they changed).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

CONTEXTS = 3
CONTEXT_CHARS = 60


@dataclass(frozen=True)
class Occurrence:
    """Where a candidate occurs: the segment and its text."""

    document_id: int
    document_name: str
    segment_id: int
    text: str
    start: int
    end: int

    def context(self, width: int = CONTEXT_CHARS) -> str:
        """The occurrence with up to `width` characters either side, the match in [brackets]."""
        left = self.text[max(0, self.start - width):self.start]
        right = self.text[self.end:self.end + width]
        return ("…" if self.start > width else "") + left + "[" + self.text[self.start:self.end] + "]" \
            + right + ("…" if self.end + width < len(self.text) else "")


@dataclass
class Candidate:
    """One proposed glossary change: a new entry, or a variant of an existing entry."""

    id: str
    lang: str
    kind: str  # "acronym", "term" or "variant"
    form: str  # the most frequent surface form
    score: float
    count: int
    occurrences: list[Occurrence]
    long_form: str | None = None  # acronyms: the expansion found
    variant_of: str | None = None  # variants: the entry id
    variants: list[str] = field(default_factory=list)  # other surface forms of the same thing
    defined_inline: bool = False
    key: tuple = ()  # folded form: identity across runs
    document_count: int | None = None  # when ranked from store statistics: the documents it occurs in

    @property
    def documents(self) -> list[str]:
        """Names of the documents it occurs in, in order of first occurrence."""
        return list(dict.fromkeys(o.document_name for o in self.occurrences))

    @property
    def becomes(self) -> str:
        """What accepting it does, in words."""
        return f"variant of {self.variant_of}" if self.variant_of else "new entry"

    def contexts(self, limit: int = CONTEXTS) -> list[dict]:
        """Up to `limit` example contexts (distinct segments), each with document and segment ids."""
        seen, result = set(), []
        for occurrence in self.occurrences:
            if occurrence.segment_id in seen:
                continue
            seen.add(occurrence.segment_id)
            result.append({"document_id": occurrence.document_id, "document": occurrence.document_name,
                           "segment_id": occurrence.segment_id, "context": occurrence.context()})
            if len(result) >= limit:
                break
        return result

    def forms(self) -> list[str]:
        """Every surface form it stands for: the form, the long form, the variants."""
        return list(dict.fromkeys([self.form, *([self.long_form] if self.long_form else []), *self.variants]))

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"id": self.id, "lang": self.lang, "kind": self.kind, "form": self.form,
                "long_form": self.long_form, "variants": self.variants, "variant_of": self.variant_of,
                "becomes": self.becomes, "score": round(self.score, 3), "count": self.count,
                "documents": self.documents, "document_count": self.document_count or len(self.documents),
                "defined_inline": self.defined_inline, "contexts": self.contexts()}

    def to_record(self) -> dict:
        """Everything needed to rebuild it (`from_record`), occurrences cut to their context windows."""
        occurrences = []
        for o in self.occurrences[:CONTEXTS * 3]:
            left, right = max(0, o.start - CONTEXT_CHARS - 1), o.end + CONTEXT_CHARS + 1
            occurrences.append([o.document_id, o.document_name, o.segment_id, o.text[left:right],
                                o.start - left, o.end - left])
        return {"id": self.id, "lang": self.lang, "kind": self.kind, "form": self.form, "score": self.score,
                "count": self.count, "long_form": self.long_form, "variant_of": self.variant_of,
                "variants": self.variants, "defined_inline": self.defined_inline, "key": list(self.key),
                "document_count": self.document_count, "occurrences": occurrences}

    @classmethod
    def from_record(cls, record: dict) -> Candidate:
        """The candidate `to_record` wrote."""
        return cls(id=record["id"], lang=record["lang"], kind=record["kind"], form=record["form"],
                   score=record["score"], count=record["count"],
                   occurrences=[Occurrence(*fields) for fields in record["occurrences"]],
                   long_form=record["long_form"], variant_of=record["variant_of"], variants=record["variants"],
                   defined_inline=record["defined_inline"], key=tuple(record["key"]),
                   document_count=record["document_count"])


@dataclass(frozen=True)
class SourceSegment:
    """A segment's source text as read for candidates."""

    document_id: int
    document_name: str
    lang: str
    segment_id: int
    text: str


def segments_from_store(store, lang: str | None = None) -> list[SourceSegment]:
    """The source texts of the store's live segments (original text before MT normalisation)."""
    rows = store.conn.execute(
        """SELECT d.id AS document_id, d.name, d.lang, s.id AS segment_id, s.source_text,
                  s.original_source_text
           FROM segments s JOIN documents d ON d.id = s.document_id
           WHERE s.retired_at IS NULL AND d.archived = 0 ORDER BY d.id, s.position""").fetchall()
    return [SourceSegment(r["document_id"], r["name"], r["lang"], r["segment_id"],
                          r["original_source_text"] or r["source_text"])
            for r in rows if lang is None or r["lang"] == lang]


def corpus_signature(store) -> tuple:
    """Changes whenever the source texts candidates are read from may have changed (for caching)."""
    documents = store.conn.execute("SELECT COUNT(*), MAX(updated_at), SUM(archived) FROM documents").fetchone()
    segments = store.conn.execute("SELECT COUNT(*), MAX(id), COUNT(retired_at) FROM segments").fetchone()
    return (str(store.path), *tuple(documents), *tuple(segments))


def candidate_id(lang: str, kind: str, key: tuple) -> str:
    digest = hashlib.sha1(f"{lang}\x1f{kind}\x1f{' '.join(key)}".encode()).hexdigest()
    return f"{lang}-{digest[:8]}"


def occurrence_of(segment: SourceSegment, start: int, end: int) -> Occurrence:
    return Occurrence(segment.document_id, segment.document_name, segment.segment_id, segment.text, start, end)
