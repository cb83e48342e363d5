"""The review store's segments and their history: reading them, a reviewer's save, undo, and the work they feed.

A save is refused when the segment changed since the reviewer read it (`StaleVersion`,
optimistic versions) or was retired by a re-import (`SegmentRetired`, naming the live
segment most like it); every accepted change is one row of `segment_history`.
"""

from __future__ import annotations

import sqlite3

from workbench.documents.ingest import control_character_problem
from workbench.errors import SegmentRetired, StaleVersion, StoreError
from workbench.review.records import (
    STATUSES,
    ApprovedUnit,
    HistoryEntry,
    LiveSegmentText,
    SegmentRecord,
    fetch_records,
)
from workbench.review.store_base import StoreConnection, now_stamp, require_reviewer

_SEGMENT_QUERY = """
    SELECT s.id, s.document_id, s.position, s.paragraph, s.kind, s.source_text, s.original_source_text,
           s.normalisation_json, t.text AS mt_text, s.target_text, s.status, s.version, s.updated_by,
           s.updated_at, t.checkpoint, t.random_weights, t.term_report_json
    FROM segments s LEFT JOIN translations t ON t.id = s.translation_id
"""


class SegmentStore(StoreConnection):
    """Segments, reviewers' saves and history; `ReviewStore` is the facade that combines the parts."""

    def segments(self, document_id: int) -> list[SegmentRecord]:
        """The live segments of a document in order."""
        return fetch_records(self.conn, SegmentRecord, _SEGMENT_QUERY + " WHERE s.document_id = ? "
                             "AND s.retired_at IS NULL ORDER BY s.position", (document_id,))

    def segment(self, segment_id: int) -> SegmentRecord:
        """One segment; StoreError if unknown."""
        found = fetch_records(self.conn, SegmentRecord, _SEGMENT_QUERY + " WHERE s.id = ?", (segment_id,))
        if not found:
            raise StoreError(f"no segment with id {segment_id}")
        return found[0]

    def save_target(self, segment_id: int, text: str | None, status: str, *, reviewer: str,
                    expected_version: int) -> SegmentRecord:
        """Save a reviewer's target text and status; refuse a stale or retired segment.

        Returns the segment as this call left it (read inside its own transaction), never
        a later save of someone else. A retired segment raises `SegmentRetired`, which
        carries the text and names the segment that replaced it.
        """
        if status not in STATUSES:
            raise StoreError(f"unknown status '{status}' (one of {', '.join(STATUSES)})")
        reviewer = require_reviewer(reviewer, "to change a segment")
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
                now = now_stamp()
                conn.execute(
                    "INSERT INTO segment_history (segment_id, version, reviewer, changed_at, "
                    "before_text, after_text, before_status, after_status) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (segment_id, new_version, reviewer, now, row["target_text"], text,
                     row["status"], status))
                conn.execute(
                    "UPDATE segments SET target_text = ?, status = ?, version = ?, updated_by = ?, "
                    "updated_at = ? WHERE id = ?",
                    (text, status, new_version, reviewer, now, segment_id))
            (written,) = fetch_records(conn, SegmentRecord, _SEGMENT_QUERY + " WHERE s.id = ?", (segment_id,))
        return written

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

    def history(self, segment_id: int) -> list[HistoryEntry]:
        """Every change of a segment, oldest first."""
        return fetch_records(
            self.conn, HistoryEntry,
            "SELECT id, segment_id, version, reviewer, changed_at, before_text, after_text, before_status, "
            "after_status FROM segment_history WHERE segment_id = ? ORDER BY id", (segment_id,))

    def undo_last_change(self, segment_id: int, *, reviewer: str,
                         expected_version: int) -> SegmentRecord:
        """Revert the last change of a segment, recorded as a change of its own."""
        changes = self.history(segment_id)
        if not changes:
            raise StoreError(f"segment {segment_id} has no change to undo")
        last = changes[-1]
        return self.save_target(segment_id, last.before_text, last.before_status,
                                reviewer=reviewer, expected_version=expected_version)


    def approved_units(self, source_lang: str, target_lang: str) -> list[ApprovedUnit]:
        """Approved live segments with a target, of documents in this direction (archived too).

        The translation memory is built from them.
        """
        return fetch_records(
            self.conn, ApprovedUnit,
            """SELECT s.id AS segment_id, s.document_id, d.name AS document_name, s.source_text,
                      s.target_text, s.updated_by, s.updated_at
               FROM segments s JOIN documents d ON d.id = s.document_id
               WHERE s.status = 'approved' AND s.retired_at IS NULL
                 AND s.target_text IS NOT NULL AND TRIM(s.target_text) != ''
                 AND d.lang = ? AND d.target_lang = ?
               ORDER BY s.updated_at, s.id""", (source_lang, target_lang))

    def live_segment_texts(self) -> list[LiveSegmentText]:
        """Every live segment of the listed documents, in document order."""
        return fetch_records(
            self.conn, LiveSegmentText,
            """SELECT d.id AS document_id, d.name AS document_name, d.title, d.lang, d.target_lang,
                      s.id AS segment_id, s.position, s.source_text, s.target_text, s.status
               FROM segments s JOIN documents d ON d.id = s.document_id
               WHERE s.retired_at IS NULL AND d.archived = 0
               ORDER BY d.id, s.position""")
