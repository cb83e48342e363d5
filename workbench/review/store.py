"""The review store: one SQLite file holding documents, segments, translations and history.

Every write runs in one transaction. A document is identified by its path (or,
if moved, by its content hash); re-importing an unchanged file changes nothing,
and a changed file is updated in place: segments whose source text is unchanged
keep their translations and the reviewers' work, new ones are added, vanished
ones are retired (kept, not deleted). Machine translations are cached by
(source text, target language, checkpoint, glossary version), across documents.
The schema version lives in `PRAGMA user_version`; `MIGRATIONS` upgrades older
files in place, under a file lock beside the database and inside one exclusive
transaction, so several processes opening a new store at once create it once.

A translation is stored once per (source text, target language, checkpoint,
glossary version): a unique key on the translations table. Runs that work at
the same time claim the sources they are about to translate
(`claim_translations`); a source claimed by another live run is left to it and
linked once it is stored, so two batches never translate the same text twice.
A store whose file or folder is not writable opens read-only: everything reads,
every change is refused with `ReadOnlyStore`.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import sqlite3
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from workbench.documents.ingest import control_character_problem
from workbench.errors import ReadOnlyStore, SegmentRetired, StaleVersion, StoreError

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

# Migration 2: a document saved from an alignment (`save_aligned_pair`) is marked by columns, no
# longer by the "#aligned-with:" suffix of its path: `aligned_with` names the translation it was
# aligned with (NULL for every document read from a file), `aligned_from` is the document aligned.
# Stores of version 1 had only the path; the source is found again by the path before the suffix.
_ALIGNED_PAIRS = """
ALTER TABLE documents ADD COLUMN aligned_from INTEGER REFERENCES documents(id);
ALTER TABLE documents ADD COLUMN aligned_with TEXT;
UPDATE documents SET
    aligned_with = substr(path, instr(path, '#aligned-with:') + length('#aligned-with:')),
    aligned_from = (SELECT source.id FROM documents AS source
                    WHERE source.path = substr(documents.path, 1, instr(documents.path, '#aligned-with:') - 1))
WHERE instr(path, '#aligned-with:') > 0;
"""

# Migration 3: term candidates a reviewer dismissed (`workbench.glossary.candidates`), by their
# stable id (a hash of language, kind and folded form), so they are not proposed again.
_DISMISSED_TERM_CANDIDATES = """
CREATE TABLE dismissed_term_candidates (
    candidate_id TEXT PRIMARY KEY,
    lang TEXT NOT NULL,
    kind TEXT NOT NULL,
    form TEXT NOT NULL,
    dismissed_by TEXT NOT NULL,
    dismissed_at TEXT NOT NULL
);
"""

# Migration 4: translations shared by content. The duplicates that concurrent runs left are merged (segments
# point at the newest row of their key, the row `cached_translation` picks), then the key is made
# unique; runs claim the sources they are translating in `translation_claims`.
_TRANSLATIONS_BY_CONTENT = """
UPDATE segments SET translation_id = (
    SELECT MAX(other.id) FROM translations AS mine JOIN translations AS other
        ON other.source_hash = mine.source_hash AND other.target_lang = mine.target_lang
        AND other.checkpoint = mine.checkpoint AND other.glossary_version = mine.glossary_version
    WHERE mine.id = segments.translation_id)
WHERE translation_id IS NOT NULL;
DELETE FROM translations WHERE id NOT IN (
    SELECT MAX(id) FROM translations GROUP BY source_hash, target_lang, checkpoint, glossary_version);
DROP INDEX IF EXISTS translations_by_key;
CREATE UNIQUE INDEX translations_by_content
    ON translations (source_hash, target_lang, checkpoint, glossary_version);
CREATE TABLE translation_claims (
    source_hash TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    checkpoint TEXT NOT NULL,
    glossary_version TEXT NOT NULL,
    owner TEXT NOT NULL,
    expires_at REAL NOT NULL,
    PRIMARY KEY (source_hash, target_lang, checkpoint, glossary_version)
);
"""

# Migration 5: sign-in sessions (`workbench.review.sessions`: only a hash of each token, the role and
# password fingerprint it was granted under, its expiry), failed sign-ins by account and by client
# (throttling), and each account's unsaved drafts per segment (`workbench.review.drafts`).
_SESSIONS_AND_DRAFTS = """
CREATE TABLE sign_in_sessions (
    token_hash TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    role TEXT NOT NULL,
    password_fingerprint TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    ended_at REAL
);
CREATE INDEX sign_in_sessions_by_account ON sign_in_sessions (account);
CREATE TABLE sign_in_failures (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_failure_at REAL NOT NULL,
    wait_until REAL NOT NULL
);
CREATE TABLE drafts (
    account TEXT NOT NULL,
    segment_id INTEGER NOT NULL REFERENCES segments(id),
    base_version INTEGER NOT NULL,
    text TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (account, segment_id)
);
"""

# Migration 6: a full-text index of every segment's source and target (`workbench.review.concordance`),
# kept in step by triggers. It is contentless: it holds only the index of a folded copy (đ read as d;
# the unicode61 tokenizer folds case and drops diacritics), and the concordance checks each row it
# returns with the glossary matcher, so the index only has to find a superset of the matches.
_FOLD_SQL = "replace(replace(replace(replace({0}, 'đ', 'd'), 'Đ', 'D'), 'ð', 'd'), 'Ð', 'D')"
_SEGMENT_SEARCH = f"""
CREATE VIRTUAL TABLE segment_search USING fts5(
    source, target, content='', tokenize='unicode61 remove_diacritics 2');
INSERT INTO segment_search (rowid, source, target)
    SELECT id, {_FOLD_SQL.format('source_text')}, {_FOLD_SQL.format("coalesce(target_text, '')")} FROM segments;
CREATE TRIGGER segment_search_insert AFTER INSERT ON segments BEGIN
    INSERT INTO segment_search (rowid, source, target) VALUES (
        new.id, {_FOLD_SQL.format('new.source_text')}, {_FOLD_SQL.format("coalesce(new.target_text, '')")});
END;
CREATE TRIGGER segment_search_update AFTER UPDATE OF source_text, target_text ON segments BEGIN
    INSERT INTO segment_search (segment_search, rowid, source, target) VALUES (
        'delete', old.id, {_FOLD_SQL.format('old.source_text')}, {_FOLD_SQL.format("coalesce(old.target_text, '')")});
    INSERT INTO segment_search (rowid, source, target) VALUES (
        new.id, {_FOLD_SQL.format('new.source_text')}, {_FOLD_SQL.format("coalesce(new.target_text, '')")});
END;
CREATE TRIGGER segment_search_delete AFTER DELETE ON segments BEGIN
    INSERT INTO segment_search (segment_search, rowid, source, target) VALUES (
        'delete', old.id, {_FOLD_SQL.format('old.source_text')}, {_FOLD_SQL.format("coalesce(old.target_text, '')")});
END;
CREATE INDEX documents_by_date ON documents (date);
CREATE INDEX segments_by_status ON segments (status) WHERE retired_at IS NULL;
"""

# Migration 7: term candidate statistics kept in the store (`workbench.review.term_statistics`):
# n-gram and acronym counts with document frequencies, the segments they were counted from, and the
# candidate list as last ranked. The tables are filled by `update_statistics`, not by this migration.
_TERM_STATISTICS = """
CREATE TABLE term_counted_segments (
    segment_id INTEGER PRIMARY KEY,
    document_id INTEGER NOT NULL,
    lang TEXT NOT NULL
);
CREATE INDEX term_counted_by_document ON term_counted_segments (document_id);
CREATE TABLE term_grams (
    id INTEGER PRIMARY KEY,
    lang TEXT NOT NULL,
    key TEXT NOT NULL,
    words INTEGER NOT NULL,
    weight REAL NOT NULL,
    count INTEGER NOT NULL,
    df INTEGER NOT NULL,
    quoted INTEGER NOT NULL,
    initial_capital INTEGER NOT NULL,
    all_capitals INTEGER NOT NULL,
    name_like INTEGER NOT NULL,
    ends_with_name INTEGER NOT NULL,
    left_open INTEGER NOT NULL, left_sum INTEGER NOT NULL, left_square INTEGER NOT NULL,
    right_open INTEGER NOT NULL, right_sum INTEGER NOT NULL, right_square INTEGER NOT NULL,
    score REAL GENERATED ALWAYS AS (
        weight * count * (1 + (df - 1) / 2.0) * (CASE WHEN quoted > 0 THEN 2 ELSE 1 END)) STORED,
    UNIQUE (lang, key)
);
CREATE INDEX term_grams_by_score ON term_grams (lang, score);
CREATE TABLE term_acronyms (
    lang TEXT NOT NULL,
    acronym TEXT NOT NULL,
    count INTEGER NOT NULL,
    df INTEGER NOT NULL,
    PRIMARY KEY (lang, acronym)
) WITHOUT ROWID;
CREATE TABLE term_long_forms (
    lang TEXT NOT NULL,
    acronym TEXT NOT NULL,
    long_form TEXT NOT NULL,
    count INTEGER NOT NULL,
    PRIMARY KEY (lang, acronym, long_form)
) WITHOUT ROWID;
CREATE TABLE term_candidate_list (
    lang TEXT NOT NULL,
    rank INTEGER NOT NULL,
    candidate_json TEXT NOT NULL,
    PRIMARY KEY (lang, rank)
) WITHOUT ROWID;
CREATE TABLE term_statistics_state (
    name TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""

# Migration 8: translation-memory units imported from TMX files (`workbench.review.memory`), kept apart
# from the reviewed segments and labelled with the file (and line) they came from.
_IMPORTED_MEMORY = """
CREATE TABLE memory_units (
    id INTEGER PRIMARY KEY,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    source_text TEXT NOT NULL,
    target_text TEXT NOT NULL,
    origin TEXT NOT NULL,
    origin_line INTEGER,
    changed_by TEXT,
    changed_at TEXT,
    imported_by TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    UNIQUE (source_lang, target_lang, source_text, target_text, origin)
);
CREATE INDEX memory_units_by_direction ON memory_units (source_lang, target_lang);
"""

# Migration 9: the documents whose source texts changed since the term statistics counted them
# (`workbench.review.term_statistics`), noted by triggers, so finding them costs nothing at any corpus size.
_TERM_CHANGED_DOCUMENTS = """
CREATE TABLE term_changed_documents (document_id INTEGER PRIMARY KEY);
INSERT OR IGNORE INTO term_changed_documents (document_id)
    SELECT s.document_id FROM segments s JOIN documents d ON d.id = s.document_id
    WHERE s.retired_at IS NULL AND d.archived = 0
      AND NOT EXISTS (SELECT 1 FROM term_counted_segments c WHERE c.segment_id = s.id AND c.lang = d.lang)
    UNION
    SELECT c.document_id FROM term_counted_segments c
        JOIN segments s ON s.id = c.segment_id JOIN documents d ON d.id = c.document_id
    WHERE s.retired_at IS NOT NULL OR d.archived = 1 OR d.lang != c.lang;
CREATE TRIGGER term_changed_segment_insert AFTER INSERT ON segments BEGIN
    INSERT OR IGNORE INTO term_changed_documents (document_id) VALUES (new.document_id);
END;
CREATE TRIGGER term_changed_segment_update
    AFTER UPDATE OF retired_at, source_text, original_source_text, document_id ON segments BEGIN
    INSERT OR IGNORE INTO term_changed_documents (document_id) VALUES (old.document_id);
    INSERT OR IGNORE INTO term_changed_documents (document_id) VALUES (new.document_id);
END;
CREATE TRIGGER term_changed_segment_delete AFTER DELETE ON segments BEGIN
    INSERT OR IGNORE INTO term_changed_documents (document_id) VALUES (old.document_id);
END;
CREATE TRIGGER term_changed_document_update AFTER UPDATE OF archived, lang ON documents BEGIN
    INSERT OR IGNORE INTO term_changed_documents (document_id) VALUES (new.id);
END;
"""

# Migration 10: a Bloom filter of the n-grams the term statistics counted (`workbench.review.term_counting`),
# in blocks, so that an update looks up in the index only the n-grams met before.
_TERM_GRAM_FILTER = """
CREATE TABLE term_gram_filter (
    lang TEXT NOT NULL,
    block INTEGER NOT NULL,
    bits BLOB NOT NULL,
    PRIMARY KEY (lang, block)
) WITHOUT ROWID;
"""

# Index i upgrades a file from user_version i to i + 1. Statements are split where
# `sqlite3.complete_statement` says one ends (a trigger body holds ";" of its own).
MIGRATIONS: list[str] = [_SCHEMA_V1, _ALIGNED_PAIRS, _DISMISSED_TERM_CANDIDATES, _TRANSLATIONS_BY_CONTENT,
                         _SESSIONS_AND_DRAFTS, _SEGMENT_SEARCH, _TERM_STATISTICS, _IMPORTED_MEMORY,
                         _TERM_CHANGED_DOCUMENTS, _TERM_GRAM_FILTER]
SCHEMA_VERSION = len(MIGRATIONS)

#: How long a claim on a source holds if its owner cannot be seen to be alive (another host).
CLAIM_SECONDS = 600.0


def source_hash(text: str) -> str:
    """Key of a source text in the translation cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def split_statements(script: str) -> Iterator[str]:
    """The SQL statements of a script, split where one is complete (not at a trigger's inner ";")."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            if pending.strip(" \n;"):
                yield pending
            pending = ""
    if pending.strip(" \n;"):
        yield pending


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def new_claim_owner() -> str:
    """A name for one run's claims: host, process id and a random part (`host:pid:hex`)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _owner_alive(owner: str) -> bool:
    """False when the claim's owner ran on this host and its process is gone (e.g. killed)."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return True  # cannot tell from here: the claim's expiry decides
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


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
class TranslationClaim:
    """What `claim_translations` found for a list of sources.

    `claimed`: this run must translate them now; `cached`: already stored (source ->
    translation id); `held`: another live run is translating them.
    """

    claimed: list[str]
    cached: dict[str, int]
    held: list[str]


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

    def __init__(self, path: str | Path, *, read_only: bool | None = None):
        """Open (or create) the store; `read_only` None: read-only when the file or folder is not writable."""
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        if read_only is None:
            read_only = self.path.exists() and not _writable(self.path)
        self.read_only = read_only
        try:
            if read_only:
                self.conn = self._connect_read_only()
                self._check_readable_version()
            else:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot create its folder ({exc.strerror})") from None
                if not self.path.exists() and not os.access(self.path.parent, os.W_OK):
                    raise StoreError(f"{self.path}: cannot create the store: its folder is not writable")
                self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self.conn.row_factory = sqlite3.Row
                self.conn.execute("PRAGMA foreign_keys = ON")
                self._prepare_for_writing()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a workbench database ({exc})") from None

    def _connect_read_only(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise StoreError(f"no review store at {self.path}")
        uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError:
            # A WAL file cannot be read without its -shm file, which a read-only folder
            # cannot hold; nobody can write there either, so the file is read as immutable.
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def _check_readable_version(self) -> None:
        version = self.schema_version
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path}: schema version {version} is newer than this workbench "
                f"understands ({SCHEMA_VERSION}); upgrade the workbench")
        if version < SCHEMA_VERSION:
            raise ReadOnlyStore(
                f"{self.path}: the store needs an upgrade (schema {version} -> {SCHEMA_VERSION}) but "
                "it is read-only here (the file or its folder is not writable); open it once with "
                "write access, e.g. `python -m workbench status --db FILE` as its owner")

    def _prepare_for_writing(self) -> None:
        """WAL mode and the schema; the slow path only for a new or older file, under a lock."""
        journal = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if self.schema_version == SCHEMA_VERSION and journal == "wal":
            return
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path) + ".lock")
        try:
            with lock.acquire(timeout=120):
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                self._migrate()
        except Timeout:
            raise StoreError(f"{self.path}: another process held {lock.lock_file} for 2 minutes "
                             "while creating or upgrading the store; try again") from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> ReviewStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        Inside another one it is a savepoint of the outer transaction, so a caller can
        make many changes all-or-nothing (an XLIFF import) through the usual methods.
        """
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only (the file or its folder is not "
                                "writable here); nothing can be changed")
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    def _migrate(self) -> None:
        # BEGIN EXCLUSIVE and the version read inside it: a process that waited for another
        # one's migration sees the new version and does nothing.
        self.conn.execute("BEGIN EXCLUSIVE")
        try:
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path}: schema version {version} is newer than this workbench "
                    f"understands ({SCHEMA_VERSION}); upgrade the workbench")
            for index in range(version, SCHEMA_VERSION):
                for statement in split_statements(MIGRATIONS[index]):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {index + 1}")
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

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
        """Point segments at existing translations: (segment id, translation id) pairs.

        A pair whose translation row does not exist is left out rather than leaving a
        dangling link.
        """
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE segments SET translation_id = ? WHERE id = ? "
                "AND EXISTS (SELECT 1 FROM translations WHERE id = ?)",
                [(translation_id, segment_id, translation_id) for segment_id, translation_id in links])

    def claim_translations(self, sources: list[str], target_lang: str, checkpoint: str,
                           glossary_version: str, *, owner: str,
                           ttl: float = CLAIM_SECONDS) -> TranslationClaim:
        """Claim the sources that no one has translated or is translating, for `owner` to translate.

        A claim of another owner holds while it has not expired and, for an owner on this
        host, while its process lives: a killed run's claims are taken over at once. Claiming
        again what one already holds renews it.
        """
        now = time.time()
        claimed: list[str] = []
        cached: dict[str, int] = {}
        held: list[str] = []
        with self.transaction() as conn:
            for source in dict.fromkeys(sources):
                key = (source_hash(source), target_lang, checkpoint, glossary_version or "")
                row = conn.execute(
                    "SELECT id FROM translations WHERE source_hash = ? AND target_lang = ? "
                    "AND checkpoint = ? AND glossary_version = ?", key).fetchone()
                if row is not None:
                    cached[source] = row["id"]
                    continue
                claim = conn.execute(
                    "SELECT owner, expires_at FROM translation_claims WHERE source_hash = ? "
                    "AND target_lang = ? AND checkpoint = ? AND glossary_version = ?", key).fetchone()
                if (claim is not None and claim["owner"] != owner and claim["expires_at"] > now
                        and _owner_alive(claim["owner"])):
                    held.append(source)
                    continue
                conn.execute(
                    "INSERT OR REPLACE INTO translation_claims (source_hash, target_lang, checkpoint, "
                    "glossary_version, owner, expires_at) VALUES (?, ?, ?, ?, ?, ?)",
                    (*key, owner, now + ttl))
                claimed.append(source)
        return TranslationClaim(claimed, cached, held)

    def release_claims(self, owner: str) -> None:
        """Drop every claim of `owner` (a run that ends, translated or not)."""
        with self.transaction() as conn:
            conn.execute("DELETE FROM translation_claims WHERE owner = ?", (owner,))

    def record_translations(self, items: list[dict]) -> int:
        """Store new machine translations and point their segments at them, in one transaction.

        Each item: segment_id, source_text, source_lang, target_lang, checkpoint,
        random_weights, glossary_version, engine, beams, text, term_report (dict or None).
        A translation already stored under the same key (another run was first) is kept and
        linked instead; the claim on the key is released. Returns the number of new rows.
        """
        now = _now()
        inserted = 0
        with self.transaction() as conn:
            for item in items:
                key = (source_hash(item["source_text"]), item["target_lang"], item["checkpoint"],
                       item.get("glossary_version") or "")
                cursor = conn.execute(
                    "INSERT INTO translations (source_hash, source_lang, target_lang, checkpoint, "
                    "random_weights, glossary_version, engine, beams, text, term_report_json, "
                    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                    "ON CONFLICT (source_hash, target_lang, checkpoint, glossary_version) DO NOTHING",
                    (key[0], item["source_lang"], key[1], key[2], int(bool(item.get("random_weights"))),
                     key[3], item["engine"], item.get("beams"), item["text"],
                     json.dumps(item["term_report"], ensure_ascii=False)
                     if item.get("term_report") is not None else None, now))
                inserted += cursor.rowcount
                translation_id = conn.execute(
                    "SELECT id FROM translations WHERE source_hash = ? AND target_lang = ? "
                    "AND checkpoint = ? AND glossary_version = ?", key).fetchone()["id"]
                conn.execute("UPDATE segments SET translation_id = ? WHERE id = ?",
                             (translation_id, item["segment_id"]))
                conn.execute("DELETE FROM translation_claims WHERE source_hash = ? AND target_lang = ? "
                             "AND checkpoint = ? AND glossary_version = ?", key)
        return inserted

    # -- reviewer work -----------------------------------------------------------------
    def save_target(self, segment_id: int, text: str | None, status: str, *, reviewer: str,
                    expected_version: int) -> SegmentRecord:
        """Save a reviewer's target text and status; refuse a stale or retired segment.

        Returns the segment as this call left it (read inside its own transaction), never
        a later save of someone else. A retired segment raises `SegmentRetired`, which
        carries the text and names the segment that replaced it.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
        if not reviewer or not reviewer.strip():
            raise StoreError("a reviewer name is required to change a segment")
        if status in ("reviewed", "approved") and not (text or "").strip():
            raise StoreError(f"an empty target cannot be {status}")
        refusal = control_character_problem(text) if text else None
        if refusal:  # the ingest rule, so every stored text exports and re-imports unchanged
            raise StoreError(f"segment {segment_id}: {refusal}; nothing was saved")
        with self.transaction() as conn:
            row = conn.execute("SELECT * FROM segments WHERE id = ?", (segment_id,)).fetchone()
            if row is None:
                raise StoreError(f"no segment with id {segment_id}")
            if row["retired_at"] is not None:
                successor = self._successor(conn, row)
                raise SegmentRetired(
                    segment_id, text, status, successor["id"] if successor else None,
                    successor["position"] if successor else None,
                    successor["source_text"] if successor else None)
            if row["version"] != expected_version:
                raise StaleVersion(segment_id, expected_version, row["version"], row["target_text"])
            if row["target_text"] != text or row["status"] != status:
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
            written = conn.execute(self._SEGMENT_QUERY + " WHERE s.id = ?", (segment_id,)).fetchone()
        return self._segment_record(written)

    @staticmethod
    def _successor(conn, retired: sqlite3.Row) -> sqlite3.Row | None:
        """The live segment of the same document most like a retired one (same paragraph first)."""
        from rapidfuzz import fuzz

        best, best_score = None, 0.0
        for row in conn.execute("SELECT id, position, paragraph, source_text FROM segments "
                                "WHERE document_id = ? AND retired_at IS NULL", (retired["document_id"],)):
            score = fuzz.ratio(row["source_text"], retired["source_text"]) + (
                10 if row["paragraph"] == retired["paragraph"] else 0)
            if score > best_score:
                best, best_score = row, score
        return best if best_score >= 60 else None

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

    def is_aligned_pair(self, document_id: int) -> bool:
        """True for a document made by saving an alignment (it has no file to re-read or translate)."""
        return self.document(document_id)["aligned_with"] is not None

    def save_aligned_pair(self, source_document_id: int, target_name: str, target_lang: str,
                          pairs: list[tuple[str, str | None]], *, reviewer: str) -> int:
        """Store aligned (source, target) pairs as a document of their own; return its id.

        The document is marked by `aligned_from` (the source document) and `aligned_with`
        (the translation's name); its path, `<source path>#aligned-with:<target name>`, is
        only a unique name. Each pair becomes a segment through the store's own paths:
        `upsert_document` keeps the segments whose source did not change (with their status
        and history), retires the others (kept, hidden) and adds the new ones; `save_target`
        then records each new or changed target as 'translated' under the reviewer's name,
        so the pair is reviewed and exported like any other document. These are separate
        transactions: a save cut short leaves a pair that saving again completes, and
        never loses a reviewer's work.
        """
        from workbench.documents.ingest import Document
        from workbench.documents.segment import Segment

        if not reviewer or not reviewer.strip():
            raise StoreError("a reviewer name is required to save an alignment")
        if any(not (source_text or "").strip() for source_text, _ in pairs):
            raise StoreError("every aligned pair needs a source text (leave target-only links out)")
        pairs = [(source_text, target_text if target_text and target_text.strip() else None)
                 for source_text, target_text in pairs]
        source = self.document(source_document_id)
        saved = self.conn.execute("SELECT path FROM documents WHERE aligned_from = ? AND aligned_with = ?",
                                  (source_document_id, target_name)).fetchone()
        path = saved["path"] if saved else f"{source['path']}#aligned-with:{target_name}"
        document = Document(
            path=path, name=f"{source['name']} ↔ {target_name}", lang=source["lang"],
            machine_translated_from=source["mt_source_lang"], encoding="utf-8",
            # The path is part of the hash, so two pairs with the same sentences are two documents.
            content_hash=hashlib.sha256(json.dumps([path, pairs], ensure_ascii=False).encode("utf-8")).hexdigest(),
            paragraphs=[], title=f"Aligned: {source['title'] or source['name']} ↔ {target_name}",
            date=source["date"], outlet=source["outlet"], author=source["author"])
        segments = [Segment(position, position, source_text, "body")
                    for position, (source_text, _) in enumerate(pairs)]
        document_id = self.upsert_document(document, segments, target_lang=target_lang).document_id
        with self.transaction() as conn:
            conn.execute("UPDATE documents SET aligned_from = ?, aligned_with = ?, archived = 0 WHERE id = ?",
                         (source_document_id, target_name, document_id))
        for segment, (_, target_text) in zip(self.segments(document_id), pairs, strict=True):
            if segment.target_text != target_text:
                self.save_target(segment.id, target_text, "translated" if target_text else "new",
                                 reviewer=reviewer, expected_version=segment.version)
        return document_id

    def translation_settings(self, document_id: int) -> list[sqlite3.Row]:
        """How the live segments of a document were machine-translated, most segments first.

        Rows: checkpoint, glossary_version, engine, random_weights, segments (count).
        Segments without a machine translation are not counted.
        """
        return self.conn.execute(
            """SELECT t.checkpoint, t.glossary_version, t.engine, t.random_weights, COUNT(*) AS segments
               FROM segments s JOIN translations t ON t.id = s.translation_id
               WHERE s.document_id = ? AND s.retired_at IS NULL
               GROUP BY t.checkpoint, t.glossary_version, t.engine, t.random_weights
               ORDER BY segments DESC, t.checkpoint""", (document_id,)).fetchall()

    # -- term candidates (workbench.glossary.candidates) ----------------------------------
    def dismiss_term_candidate(self, candidate_id: str, *, lang: str, kind: str, form: str,
                               reviewer: str) -> None:
        """Remember that a term candidate was dismissed, so it is not proposed again."""
        if not reviewer or not reviewer.strip():
            raise StoreError("a reviewer name is required to dismiss a term candidate")
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO dismissed_term_candidates (candidate_id, lang, kind, form, "
                "dismissed_by, dismissed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (candidate_id, lang, kind, form, reviewer.strip(), _now()))

    def restore_term_candidate(self, candidate_id: str) -> bool:
        """Forget a dismissal; True if there was one."""
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM dismissed_term_candidates WHERE candidate_id = ?",
                                  (candidate_id,))
        return cursor.rowcount > 0

    def dismissed_term_candidates(self) -> list[sqlite3.Row]:
        """Every dismissed term candidate, most recent first."""
        return self.conn.execute("SELECT * FROM dismissed_term_candidates "
                                 "ORDER BY dismissed_at DESC, candidate_id").fetchall()
