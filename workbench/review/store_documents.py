"""The review store's documents: importing one (keeping the work on unchanged segments), listing, archiving.

A document is identified by its path (or, if moved, by its content hash); re-importing
an unchanged file changes nothing, and a changed file is updated in place: segments whose
source text is unchanged keep their translations and the reviewers' work, new ones are
added, vanished ones are retired (kept, not deleted).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from workbench.errors import StoreError
from workbench.review.document_list import every_summary
from workbench.review.records import DocumentRecord, UpsertResult, fetch_records
from workbench.review.store_base import StoreConnection, now_stamp

_DOCUMENT_QUERY = f"SELECT {', '.join(DocumentRecord.COLUMNS)} FROM documents"


class DocumentStore(StoreConnection):
    """Documents and their segments' identity; `ReviewStore` is the facade that combines the parts."""

    def upsert_document(self, document, segments, *, target_lang: str,
                        normalised: dict[int, tuple[str, list]] | None = None) -> UpsertResult:
        """Store an ingested document and its segments; keep work on unchanged segments.

        `normalised` maps a segment position to (normalised source text, changes) for
        machine-translated English whose term variants were normalised; the segment's
        original text is kept beside it.
        """
        normalised = normalised or {}
        path = str(Path(document.path).resolve())
        now = now_stamp()
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

    def documents(self, *, include_archived: bool = False) -> list[DocumentRecord]:
        """All documents, in import order."""
        where = "" if include_archived else "WHERE archived = 0"
        return fetch_records(self.conn, DocumentRecord, f"{_DOCUMENT_QUERY} {where} ORDER BY id")

    def document(self, document_id: int) -> DocumentRecord:
        """One document; StoreError if unknown."""
        found = fetch_records(self.conn, DocumentRecord, f"{_DOCUMENT_QUERY} WHERE id = ?", (document_id,))
        if not found:
            raise StoreError(f"no document with id {document_id}")
        return found[0]

    def document_at(self, path: str | Path) -> DocumentRecord | None:
        """The document stored from this file (its path resolved), if any."""
        found = fetch_records(self.conn, DocumentRecord, f"{_DOCUMENT_QUERY} WHERE path = ?",
                              (str(Path(path).resolve()),))
        return found[0] if found else None

    def aligned_pair(self, source_document_id: int, target_name: str) -> DocumentRecord | None:
        """The document saved from aligning this source with the translation named `target_name`, if any."""
        found = fetch_records(self.conn, DocumentRecord, f"{_DOCUMENT_QUERY} WHERE aligned_from = ? "
                              "AND aligned_with = ?", (source_document_id, target_name))
        return found[0] if found else None

    def archive_document(self, document_id: int) -> None:
        """Hide a document from lists without deleting any of its work."""
        with self.transaction() as conn:
            conn.execute("UPDATE documents SET archived = 1, updated_at = ? WHERE id = ?",
                         (now_stamp(), document_id))

    # -- segments ----------------------------------------------------------------------

    def is_aligned_pair(self, document_id: int) -> bool:
        """True for a document made by saving an alignment (it has no file to re-read or translate)."""
        return self.document(document_id).aligned_with is not None

    def document_summaries(self, *, include_archived: bool = False) -> list[dict]:
        """Per document: path, language, kind, segment counts, translated count, status counts.

        Two reads whatever the number of documents (`document_list.every_summary`): pages that
        list every document stay fast at tens of thousands of them.
        """
        return list(every_summary(self, include_archived=include_archived))

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
