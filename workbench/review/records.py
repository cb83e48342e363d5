"""Named records the review store hands out, so no caller indexes SQL column names.

Each record is a frozen dataclass built from one row of a query whose columns are
listed here (`columns()`); `fetch_records` checks, once per query, that the query
returns exactly those columns in that order, so renaming a column or a field fails
loudly instead of shifting values into the wrong attribute.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, fields
from typing import ClassVar, TypeVar

#: A segment's review status, in the order of its life.
STATUSES = ("new", "draft", "translated", "reviewed", "approved", "rejected")

Record = TypeVar("Record")


def columns(record_type: type) -> tuple[str, ...]:
    """The column names a query must return, in order, to build `record_type`.

    The record's fields, unless it names its stored columns itself (`COLUMNS`, with
    `from_row` decoding them).
    """
    return getattr(record_type, "COLUMNS", None) or tuple(field.name for field in fields(record_type))


def fetch_records(conn: sqlite3.Connection, record_type: type[Record], sql: str,
                  parameters: tuple | list = ()) -> list[Record]:
    """Every row of `sql` as a `record_type`; the query must return `columns(record_type)`, in order."""
    cursor = conn.execute(sql, parameters)
    returned = tuple(description[0] for description in cursor.description)
    if returned != columns(record_type):
        raise AssertionError(f"{record_type.__name__}: the query returns {returned}, "
                             f"the record needs {columns(record_type)}")
    build = getattr(record_type, "from_row", None) or (lambda row: record_type(*row))
    cursor.row_factory = lambda _cursor, row: build(row)
    return cursor.fetchall()


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    """A stored document: where it came from, its languages and metadata, and whether it is listed."""

    id: int
    path: str
    name: str
    content_hash: str
    lang: str
    target_lang: str
    kind: str  # "original" or "machine_translation"
    mt_source_lang: str | None  # the language a machine translation was made from
    encoding: str  # how the file was decoded ("ocr" for a scanned PDF read by OCR)
    title: str | None
    date: str | None
    outlet: str | None
    author: str | None
    removed: list  # what ingest left out (boilerplate, control characters), as dicts
    archived: bool
    created_at: str
    updated_at: str
    aligned_from: int | None  # the source document of a saved alignment, else None
    aligned_with: str | None  # the translation's name of a saved alignment, else None

    #: The stored columns, in field order (`removed` is stored as JSON).
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "path", "name", "content_hash", "lang", "target_lang", "kind", "mt_source_lang", "encoding",
        "title", "date", "outlet", "author", "removed_json", "archived", "created_at", "updated_at",
        "aligned_from", "aligned_with")

    @classmethod
    def from_row(cls, row: tuple) -> DocumentRecord:
        """A record from a row of `COLUMNS`."""
        values = list(row)
        values[13] = json.loads(values[13] or "[]")
        values[14] = bool(values[14])
        return cls(*values)


@dataclass(frozen=True, slots=True)
class SegmentRecord:
    """A live segment as stored, with its current machine translation."""

    id: int
    document_id: int
    position: int
    paragraph: int
    kind: str
    source_text: str
    original_source_text: str | None
    normalisation: list
    mt_text: str | None
    target_text: str | None
    status: str
    version: int
    updated_by: str | None
    updated_at: str | None
    checkpoint: str | None
    random_weights: bool
    term_report: dict | None

    #: The columns of `ReviewStore`'s segment query, in field order (JSON decoded by `from_row`).
    COLUMNS: ClassVar[tuple[str, ...]] = (
        "id", "document_id", "position", "paragraph", "kind", "source_text", "original_source_text",
        "normalisation_json", "mt_text", "target_text", "status", "version", "updated_by", "updated_at",
        "checkpoint", "random_weights", "term_report_json")

    @classmethod
    def from_row(cls, row: tuple) -> SegmentRecord:
        """A record from a row of `COLUMNS`."""
        values = list(row)
        values[7] = json.loads(values[7] or "[]")
        values[15] = bool(values[15])
        values[16] = json.loads(values[16]) if values[16] else None
        return cls(*values)


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    """One change of a segment: who, when, and its text and status before and after."""

    id: int
    segment_id: int
    version: int  # the segment's version this change made
    reviewer: str
    changed_at: str
    before_text: str | None
    after_text: str | None
    before_status: str
    after_status: str


@dataclass(frozen=True, slots=True)
class ApprovedUnit:
    """An approved live segment with a target: one unit of the translation memory."""

    segment_id: int
    document_id: int
    document_name: str
    source_text: str
    target_text: str
    updated_by: str | None
    updated_at: str | None


@dataclass(frozen=True, slots=True)
class LiveSegmentText:
    """A live segment of a listed document, with the document's name and languages."""

    document_id: int
    document_name: str
    title: str | None
    lang: str
    target_lang: str
    segment_id: int
    position: int
    source_text: str
    target_text: str | None
    status: str


@dataclass(frozen=True, slots=True)
class TranslationSetting:
    """One way a document's segments were machine-translated, and how many segments it covers."""

    checkpoint: str
    glossary_version: str
    engine: str
    random_weights: bool
    segments: int

    @classmethod
    def from_row(cls, row: tuple) -> TranslationSetting:
        """A record from a row of its fields (SQLite stores the flag as 0 or 1)."""
        checkpoint, glossary_version, engine, random_weights, segments = row
        return cls(checkpoint, glossary_version, engine, bool(random_weights), segments)


@dataclass(frozen=True, slots=True)
class DismissedTermCandidate:
    """A term candidate a reviewer dismissed, so it is not proposed again."""

    candidate_id: str
    lang: str
    kind: str
    form: str
    dismissed_by: str
    dismissed_at: str


@dataclass(frozen=True, slots=True)
class TranslationClaim:
    """What `claim_translations` found for a list of sources.

    `claimed`: this run must translate them now; `cached`: already stored (source ->
    translation id); `held`: another live run is translating them.
    """

    claimed: list[str]
    cached: dict[str, int]
    held: list[str]


@dataclass(frozen=True, slots=True)
class UpsertResult:
    """What importing one document changed."""

    document_id: int
    created: bool
    changed: bool
    segments_added: int
    segments_kept: int
    segments_retired: int
