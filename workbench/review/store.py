"""The review store: one SQLite file holding documents, segments, translations and history.

Every write runs in one transaction. A document is identified by its path (or,
if moved, by its content hash); re-importing an unchanged file changes nothing,
and a changed file is updated in place: segments whose source text is unchanged
keep their translations and the reviewers' work, new ones are added, vanished
ones are retired (kept, not deleted). Machine translations are cached by
(source text, target language, checkpoint, glossary version), across documents.
The schema version lives in `PRAGMA user_version`; `MIGRATIONS` upgrades older
files in place.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.errors import StaleVersion, StoreError

STATUSES = ("new", "draft", "translated", "reviewed", "approved", "rejected")

_SCHEMA_V1 = """
CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('original', 'machine_translation')),
    mt_source_lang TEXT,
    encoding TEXT NOT NULL,
    title TEXT, date TEXT, outlet TEXT, author TEXT,
    removed_json TEXT NOT NULL DEFAULT '[]',
    archived INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE TABLE translations (
    id INTEGER PRIMARY KEY,
    source_hash TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    random_weights INTEGER NOT NULL DEFAULT 0,
    glossary_version TEXT NOT NULL DEFAULT '',
    engine TEXT NOT NULL,
    beams INTEGER,
    text TEXT NOT NULL,
    term_report_json TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX translations_by_key
    ON translations (source_hash, target_lang, checkpoint, glossary_version);
CREATE TABLE segments (
    id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL REFERENCES documents(id),
    position INTEGER,
    paragraph INTEGER NOT NULL DEFAULT 0,
    kind TEXT NOT NULL DEFAULT 'body',
    source_text TEXT NOT NULL,
    original_source_text TEXT,
    normalisation_json TEXT NOT NULL DEFAULT '[]',
    translation_id INTEGER REFERENCES translations(id),
    target_text TEXT,
    status TEXT NOT NULL DEFAULT 'new',
    version INTEGER NOT NULL DEFAULT 1,
    updated_by TEXT,
    updated_at TEXT,
    retired_at TEXT
);
CREATE INDEX segments_by_document ON segments (document_id, position);
CREATE TABLE segment_history (
    id INTEGER PRIMARY KEY,
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    version INTEGER NOT NULL,
    reviewer TEXT NOT NULL,
    changed_at TEXT NOT NULL,
    before_text TEXT,
    after_text TEXT,
    before_status TEXT NOT NULL,
    after_status TEXT NOT NULL
);
CREATE INDEX history_by_segment ON segment_history (segment_id, id);
"""

# Index i upgrades a file from user_version i to i + 1.
MIGRATIONS: list[str] = [_SCHEMA_V1]
SCHEMA_VERSION = len(MIGRATIONS)


def source_hash(text: str) -> str:
    """Key of a source text in the translation cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
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


@dataclass
class UpsertResult:
    """What importing one document changed."""

    document_id: int
    created: bool
    changed: bool
    segments_added: int
    segments_kept: int
    segments_retired: int


class ReviewStore:
    """A review store in one SQLite file; open with `ReviewStore(path)`, close with `.close()`."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute("PRAGMA foreign_keys = ON")
            self.conn.execute("PRAGMA journal_mode = WAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a workbench database ({exc})") from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def _migrate(self) -> None:
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this workbench "
                f"understands ({SCHEMA_VERSION}); upgrade the workbench")
        for index in range(version, SCHEMA_VERSION):
            with self.transaction() as conn:
                for statement in MIGRATIONS[index].split(";"):
                    if statement.strip():
                        conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {index + 1}")

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return self.conn.execute("PRAGMA user_version").fetchone()[0]

    # -- documents ---------------------------------------------------------------------
    def upsert_document(self, document, segments, *, target_lang: str,
                        normalised: dict[int, tuple[str, list]] | None = None) -> UpsertResult:
        """Store an ingested document and its segments; keep work on unchanged segments.

        `normalised` maps a segment position to (normalised source text, changes) for
        machine-translated English whose term variants were normalised; the segment's
        original text is kept beside it.
        """
        normalised = normalised or {}
        path = str(Path(document.path).resolve())
        now = _now()
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM documents WHERE path = ?", (path,)).fetchone()
            if row is None:
                row = conn.execute(
                    "SELECT * FROM documents WHERE content_hash = ? AND archived = 0 "
                    "ORDER BY id LIMIT 1", (document.content_hash,)).fetchone()
                if row is not None and Path(row["path"]).exists():
                    row = None  # the same text at two live paths: two documents
            fields = dict(
                path=path, name=document.name, content_hash=document.content_hash,
                lang=document.lang, target_lang=target_lang, kind=document.kind,
                mt_source_lang=document.machine_translated_from, encoding=document.encoding,
                title=document.title, date=document.date, outlet=document.outlet,
                author=document.author,
                removed_json=json.dumps(document.removed_as_dicts(), ensure_ascii=False),
            )
            if row is None:
                cursor = conn.execute(
                    f"INSERT INTO documents ({', '.join(fields)}, created_at, updated_at) "
                    f"VALUES ({', '.join('?' * len(fields))}, ?, ?)",
                    (*fields.values(), now, now))
                document_id = cursor.lastrowid
                created, changed = True, True
            else:
                document_id = row["id"]
                created = False
                changed = row["content_hash"] != document.content_hash or row["path"] != path
                if changed or row["lang"] != document.lang or row["kind"] != document.kind:
                    conn.execute(
                        f"UPDATE documents SET {', '.join(f'{k} = ?' for k in fields)}, "
                        "updated_at = ? WHERE id = ?", (*fields.values(), now, document_id))
                    changed = True
            added, kept, retired = self._sync_segments(conn, document_id, segments, normalised, now)
        return UpsertResult(document_id, created, changed, added, kept, retired)

    def _sync_segments(self, conn, document_id, segments, normalised, now):
        existing: dict[str, list[sqlite3.Row]] = {}
        for row in conn.execute(
                "SELECT id, original_source_text, source_text FROM segments "
                "WHERE document_id = ? AND retired_at IS NULL ORDER BY position", (document_id,)):
            key = row["original_source_text"] or row["source_text"]
            existing.setdefault(key, []).append(row)
        added = kept = 0
        # Park live positions out of the way so reordering never collides.
        conn.execute("UPDATE segments SET position = -1 - position WHERE document_id = ? "
                     "AND retired_at IS NULL", (document_id,))
        for segment in segments:
            matches = existing.get(segment.text)
            if matches:
                row = matches.pop(0)
                conn.execute("UPDATE segments SET position = ?, paragraph = ?, kind = ? WHERE id = ?",
                             (segment.position, segment.paragraph, segment.kind, row["id"]))
                kept += 1
                continue
            text, changes = normalised.get(segment.position, (segment.text, []))
            conn.execute(
                "INSERT INTO segments (document_id, position, paragraph, kind, source_text, "
                "original_source_text, normalisation_json, status, version, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'new', 1, ?)",
                (document_id, segment.position, segment.paragraph, segment.kind, text,
                 segment.text if changes else None, json.dumps(changes, ensure_ascii=False), now))
            added += 1
        leftovers = [row["id"] for rows in existing.values() for row in rows]
        for segment_id in leftovers:
            conn.execute("UPDATE segments SET retired_at = ?, position = NULL WHERE id = ?",
                         (now, segment_id))
        return added, kept, len(leftovers)

    def documents(self, *, include_archived: bool = False) -> list[sqlite3.Row]:
        """All documents, in import order."""
        where = "" if include_archived else "WHERE archived = 0"
        return self.conn.execute(f"SELECT * FROM documents {where} ORDER BY id").fetchall()

    def document(self, document_id: int) -> sqlite3.Row:
        """One document row; StoreError if unknown."""
        row = self.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchone()
        if row is None:
            raise StoreError(f"no document with id {document_id}")
        return row

    def archive_document(self, document_id: int) -> None:
        """Hide a document from lists without deleting any of its work."""
        with self.transaction() as conn:
            conn.execute("UPDATE documents SET archived = 1, updated_at = ? WHERE id = ?",
                         (_now(), document_id))

    # -- segments ----------------------------------------------------------------------
    _SEGMENT_QUERY = """
        SELECT s.*, t.text AS mt_text, t.checkpoint, t.random_weights, t.term_report_json
        FROM segments s LEFT JOIN translations t ON t.id = s.translation_id
    """

    def segments(self, document_id: int) -> list[SegmentRecord]:
        """The live segments of a document in order."""
        rows = self.conn.execute(
            self._SEGMENT_QUERY + " WHERE s.document_id = ? AND s.retired_at IS NULL "
            "ORDER BY s.position", (document_id,)).fetchall()
        return [self._segment_record(row) for row in rows]

    def segment(self, segment_id: int) -> SegmentRecord:
        """One segment; StoreError if unknown."""
        row = self.conn.execute(self._SEGMENT_QUERY + " WHERE s.id = ?", (segment_id,)).fetchone()
        if row is None:
            raise StoreError(f"no segment with id {segment_id}")
        return self._segment_record(row)

    @staticmethod
    def _segment_record(row: sqlite3.Row) -> SegmentRecord:
        return SegmentRecord(
            id=row["id"], document_id=row["document_id"], position=row["position"],
            paragraph=row["paragraph"], kind=row["kind"], source_text=row["source_text"],
            original_source_text=row["original_source_text"],
            normalisation=json.loads(row["normalisation_json"] or "[]"),
            mt_text=row["mt_text"], target_text=row["target_text"], status=row["status"],
            version=row["version"], updated_by=row["updated_by"], updated_at=row["updated_at"],
            checkpoint=row["checkpoint"], random_weights=bool(row["random_weights"]),
            term_report=json.loads(row["term_report_json"]) if row["term_report_json"] else None,
        )

    def untranslated_segments(self, document_id: int, checkpoint: str,
                              glossary_version: str) -> list[tuple[int, str]]:
        """(segment id, source) of live segments without a translation under these settings."""
        rows = self.conn.execute(
            """SELECT s.id, s.source_text FROM segments s
               LEFT JOIN translations t ON t.id = s.translation_id
               WHERE s.document_id = ? AND s.retired_at IS NULL
                 AND (t.id IS NULL OR t.checkpoint != ? OR t.glossary_version != ?)
               ORDER BY s.position""",
            (document_id, checkpoint, glossary_version)).fetchall()
        return [(row["id"], row["source_text"]) for row in rows]

    def cached_translation(self, source_text: str, target_lang: str, checkpoint: str,
                           glossary_version: str) -> int | None:
        """Id of an existing translation of this exact source under these settings."""
        row = self.conn.execute(
            "SELECT id FROM translations WHERE source_hash = ? AND target_lang = ? "
            "AND checkpoint = ? AND glossary_version = ? ORDER BY id DESC LIMIT 1",
            (source_hash(source_text), target_lang, checkpoint, glossary_version)).fetchone()
        return row["id"] if row else None

    def link_translations(self, links: list[tuple[int, int]]) -> None:
        """Point segments at existing translations: (segment id, translation id) pairs."""
        with self.transaction() as conn:
            conn.executemany("UPDATE segments SET translation_id = ? WHERE id = ?",
                             [(translation_id, segment_id) for segment_id, translation_id in links])

    def record_translations(self, items: list[dict]) -> None:
        """Store new machine translations and point their segments at them, in one transaction.

        Each item: segment_id, source_text, source_lang, target_lang, checkpoint,
        random_weights, glossary_version, engine, beams, text, term_report (dict or None).
        """
        now = _now()
        with self.transaction() as conn:
            for item in items:
                cursor = conn.execute(
                    "INSERT INTO translations (source_hash, source_lang, target_lang, checkpoint, "
                    "random_weights, glossary_version, engine, beams, text, term_report_json, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (source_hash(item["source_text"]), item["source_lang"], item["target_lang"],
                     item["checkpoint"], int(bool(item.get("random_weights"))),
                     item.get("glossary_version") or "", item["engine"], item.get("beams"),
                     item["text"],
                     json.dumps(item["term_report"], ensure_ascii=False)
                     if item.get("term_report") is not None else None, now))
                conn.execute("UPDATE segments SET translation_id = ? WHERE id = ?",
                             (cursor.lastrowid, item["segment_id"]))

    # -- reviewer work -----------------------------------------------------------------
    def save_target(self, segment_id: int, text: str | None, status: str, *, reviewer: str,
                    expected_version: int) -> SegmentRecord:
        """Save a reviewer's target text and status; refuse a save based on a stale version."""
        if status not in STATUSES:
            raise StoreError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
        if not reviewer or not reviewer.strip():
            raise StoreError("a reviewer name is required to change a segment")
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if row is None:
                raise StoreError(f"no segment with id {segment_id}")
            if row["version"] != expected_version:
                raise StaleVersion(segment_id, expected_version, row["version"], row["target_text"])
            if row["target_text"] == text and row["status"] == status:
                return self.segment(segment_id)
            new_version = row["version"] + 1
            now = _now()
            conn.execute(
                "INSERT INTO segment_history (segment_id, version, reviewer, changed_at, "
                "before_text, after_text, before_status, after_status) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (segment_id, new_version, reviewer.strip(), now, row["target_text"], text,
                 row["status"], status))
            conn.execute(
                "UPDATE segments SET target_text = ?, status = ?, version = ?, updated_by = ?, "
                "updated_at = ? WHERE id = ?",
                (text, status, new_version, reviewer.strip(), now, segment_id))
        return self.segment(segment_id)

    def history(self, segment_id: int) -> list[sqlite3.Row]:
        """Every change of a segment, oldest first."""
        return self.conn.execute(
            "SELECT * FROM segment_history WHERE segment_id = ? ORDER BY id",
            (segment_id,)).fetchall()

    def undo_last_change(self, segment_id: int, *, reviewer: str,
                         expected_version: int) -> SegmentRecord:
        """Revert the last change of a segment, recorded as a change of its own."""
        changes = self.history(segment_id)
        if not changes:
            raise StoreError(f"segment {segment_id} has no change to undo")
        last = changes[-1]
        return self.save_target(segment_id, last["before_text"], last["before_status"],
                                reviewer=reviewer, expected_version=expected_version)

    # -- reports -----------------------------------------------------------------------
    def document_summaries(self, *, include_archived: bool = False) -> list[dict]:
        """Per document: path, language, kind, segment counts, translated count, status counts."""
        summaries = []
        for doc in self.documents(include_archived=include_archived):
            counts = {status: 0 for status in STATUSES}
            total = translated = 0
            for row in self.conn.execute(
                    "SELECT status, COUNT(*) AS n, COUNT(translation_id) AS mt FROM segments "
                    "WHERE document_id = ? AND retired_at IS NULL GROUP BY status", (doc["id"],)):
                counts[row["status"]] = row["n"]
                total += row["n"]
                translated += row["mt"]
            summaries.append({
                "id": doc["id"], "path": doc["path"], "name": doc["name"], "lang": doc["lang"],
                "target_lang": doc["target_lang"], "kind": doc["kind"],
                "mt_source_lang": doc["mt_source_lang"], "title": doc["title"], "date": doc["date"],
                "outlet": doc["outlet"], "segments": total, "translated": translated,
                "statuses": counts, "archived": bool(doc["archived"]),
            })
        return summaries

    def iter_term_reports(self) -> Iterator[tuple[str, dict]]:
        """(document path, term report) for every live segment's current machine translation."""
        rows = self.conn.execute(
            """SELECT d.path, t.term_report_json FROM segments s
               JOIN documents d ON d.id = s.document_id
               JOIN translations t ON t.id = s.translation_id
               WHERE s.retired_at IS NULL AND d.archived = 0 AND t.term_report_json IS NOT NULL
               ORDER BY d.id, s.position""")
        for row in rows:
            yield row["path"], json.loads(row["term_report_json"])

    # -- UI queries --------------------------------------------------------------------
    def approved_units(self, source_lang: str, target_lang: str) -> list[sqlite3.Row]:
        """Approved live segments with a target, of documents in this direction (archived too).

        Rows: segment_id, document_id, document_name, source_text, target_text,
        updated_by, updated_at. The translation memory is built from them.
        """
        return self.conn.execute(
            """SELECT s.id AS segment_id, s.document_id, d.name AS document_name, s.source_text,
                      s.target_text, s.updated_by, s.updated_at
               FROM segments s JOIN documents d ON d.id = s.document_id
               WHERE s.status = 'approved' AND s.retired_at IS NULL
                 AND s.target_text IS NOT NULL AND TRIM(s.target_text) != ''
                 AND d.lang = ? AND d.target_lang = ?
               ORDER BY s.updated_at, s.id""", (source_lang, target_lang)).fetchall()

    def live_segment_texts(self) -> list[sqlite3.Row]:
        """Every live segment of the listed documents, in document order.

        Rows: document_id, document_name, title, lang, target_lang, segment_id,
        position, source_text, target_text, status.
        """
        return self.conn.execute(
            """SELECT d.id AS document_id, d.name AS document_name, d.title, d.lang, d.target_lang,
                      s.id AS segment_id, s.position, s.source_text, s.target_text, s.status
               FROM segments s JOIN documents d ON d.id = s.document_id
               WHERE s.retired_at IS NULL AND d.archived = 0
               ORDER BY d.id, s.position""").fetchall()

    #: Marks the path of a document made by saving an alignment (`save_aligned_pair`).
    ALIGNED_PATH_MARK = "#aligned-with:"

    def save_aligned_pair(self, source_document_id: int, target_name: str, target_lang: str,
                          pairs: list[tuple[str, str | None]], *, reviewer: str) -> int:
        """Store aligned (source, target) pairs as a document of their own; return its id.

        The document's path is `<source path>#aligned-with:<target name>`. Each pair
        becomes a segment; one with a target is 'translated', recorded in its history
        under the reviewer's name, so it is reviewed and exported like any other.
        Saving the same pair of documents again keeps the segments whose source and
        target did not change (with their status and history), retires the others
        (kept, hidden) and adds the new ones.
        """
        if not reviewer or not reviewer.strip():
            raise StoreError("a reviewer name is required to save an alignment")
        if any(not (source_text or "").strip() for source_text, _ in pairs):
            raise StoreError("every aligned pair needs a source text (leave target-only links out)")
        source = self.document(source_document_id)
        path = f"{source['path']}{self.ALIGNED_PATH_MARK}{target_name}"
        digest = hashlib.sha256(json.dumps(pairs, ensure_ascii=False).encode("utf-8")).hexdigest()
        now = _now()
        fields = dict(
            path=path, name=f"{source['name']} ↔ {target_name}", content_hash=digest,
            lang=source["lang"], target_lang=target_lang, kind=source["kind"],
            mt_source_lang=source["mt_source_lang"], encoding="utf-8",
            title=f"Aligned: {source['title'] or source['name']} ↔ {target_name}",
            date=source["date"], outlet=source["outlet"], author=source["author"], removed_json="[]")
        with self.transaction() as conn:
            row = conn.execute("SELECT id FROM documents WHERE path = ?", (path,)).fetchone()
            if row is None:
                document_id = conn.execute(
                    f"INSERT INTO documents ({', '.join(fields)}, created_at, updated_at) "
                    f"VALUES ({', '.join('?' * len(fields))}, ?, ?)", (*fields.values(), now, now)).lastrowid
            else:
                document_id = row["id"]
                conn.execute(f"UPDATE documents SET {', '.join(f'{k} = ?' for k in fields)}, archived = 0, "
                             "updated_at = ? WHERE id = ?", (*fields.values(), now, document_id))
            existing: dict[tuple[str, str | None], list[int]] = {}
            for segment in conn.execute("SELECT id, source_text, target_text FROM segments WHERE "
                                        "document_id = ? AND retired_at IS NULL ORDER BY position",
                                        (document_id,)):
                existing.setdefault((segment["source_text"], segment["target_text"]), []).append(segment["id"])
            conn.execute("UPDATE segments SET position = -1 - position WHERE document_id = ? "
                         "AND retired_at IS NULL", (document_id,))
            for position, (source_text, target_text) in enumerate(pairs):
                target_text = target_text if target_text and target_text.strip() else None
                kept = existing.get((source_text, target_text))
                if kept:
                    conn.execute("UPDATE segments SET position = ?, paragraph = ? WHERE id = ?",
                                 (position, position, kept.pop(0)))
                    continue
                status, version = ("translated", 2) if target_text else ("new", 1)
                segment_id = conn.execute(
                    "INSERT INTO segments (document_id, position, paragraph, kind, source_text, "
                    "target_text, status, version, updated_by, updated_at) "
                    "VALUES (?, ?, ?, 'body', ?, ?, ?, ?, ?, ?)",
                    (document_id, position, position, source_text, target_text, status, version,
                     reviewer.strip() if target_text else None, now)).lastrowid
                if target_text:
                    conn.execute(
                        "INSERT INTO segment_history (segment_id, version, reviewer, changed_at, "
                        "before_text, after_text, before_status, after_status) "
                        "VALUES (?, 2, ?, ?, NULL, ?, 'new', 'translated')",
                        (segment_id, reviewer.strip(), now, target_text))
            for ids in existing.values():
                for segment_id in ids:
                    conn.execute("UPDATE segments SET retired_at = ?, position = NULL WHERE id = ?",
                                 (now, segment_id))
        return document_id
