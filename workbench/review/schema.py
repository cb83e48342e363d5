"""The review store's schema: every migration's SQL, in order, and how a file is brought up to date.

The schema version lives in `PRAGMA user_version`; `MIGRATIONS[i]` upgrades a file from
version i to i + 1. A migration, once released, is never edited: a change is a new
migration appended to the list (tests must not depend on the numeric version).
`migrate` runs inside one exclusive transaction, so a process that waited for another
one's migration sees the new version and does nothing; `ReviewStore` holds a file lock
around it so several processes opening a new store at once create it once.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import StoreError

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



def check_not_newer(version: int, path: Path) -> None:
    """Refuse a file written by a newer workbench (its schema cannot be read safely)."""
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"{path}: schema version {version} is newer than this workbench "
            f"understands ({SCHEMA_VERSION}); upgrade the workbench")


def migrate(conn: sqlite3.Connection, path: Path) -> None:
    """Bring the file up to `SCHEMA_VERSION`, all-or-nothing, inside one exclusive transaction."""
    # BEGIN EXCLUSIVE and the version read inside it: a process that waited for another
    # one's migration sees the new version and does nothing.
    conn.execute("BEGIN EXCLUSIVE")
    try:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
        check_not_newer(version, path)
        for index in range(version, SCHEMA_VERSION):
            for statement in split_statements(MIGRATIONS[index]):
                conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {index + 1}")
    except BaseException:
        conn.rollback()
        raise
    conn.commit()
