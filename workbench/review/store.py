"""The review store: one SQLite file holding documents, segments, translations and history.

`ReviewStore` is the one door to it. Its parts live in modules by concern, and it
inherits them all, so callers see one object:

- `store_base`: opening the file (read-only where it must), the file lock and
  migrations (`schema`), `transaction()`: every write runs in one transaction;
- `store_documents`: importing a document (keeping the work on unchanged segments),
  listing, archiving, summaries;
- `store_segments`: segments, a reviewer's save (optimistic versions), history, undo;
- `store_translations`: the machine-translation cache by content and the claims of
  concurrent runs;
- `store_terms`: terminology state (dismissed term candidates).

What it returns are named records (`workbench.review.records`), never SQL rows.
Saving an alignment uses several parts at once, so it lives here.
"""

from __future__ import annotations

import hashlib
import json

from workbench.errors import StoreError
from workbench.review.records import (
    STATUSES,
    DocumentRecord,
    HistoryEntry,
    SegmentRecord,
    TranslationClaim,
    UpsertResult,
)
from workbench.review.schema import MIGRATIONS, SCHEMA_VERSION, split_statements
from workbench.review.store_base import require_reviewer
from workbench.review.store_documents import DocumentStore
from workbench.review.store_segments import SegmentStore
from workbench.review.store_terms import TermStateStore
from workbench.review.store_translations import CLAIM_SECONDS, TranslationStore, new_claim_owner, source_hash

__all__ = ["CLAIM_SECONDS", "MIGRATIONS", "SCHEMA_VERSION", "STATUSES", "DocumentRecord", "HistoryEntry",
           "ReviewStore", "SegmentRecord", "TranslationClaim", "UpsertResult", "new_claim_owner",
           "source_hash", "split_statements"]


class ReviewStore(DocumentStore, SegmentStore, TranslationStore, TermStateStore):
    """A review store in one SQLite file; open with `ReviewStore(path)`, close with `.close()`."""

    def __enter__(self) -> ReviewStore:
        return self

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

        reviewer = require_reviewer(reviewer, "to save an alignment")
        if any(not (source_text or "").strip() for source_text, _ in pairs):
            raise StoreError("every aligned pair needs a source text (leave target-only links out)")
        pairs = [(source_text, target_text if target_text and target_text.strip() else None)
                 for source_text, target_text in pairs]
        source = self.document(source_document_id)
        saved = self.aligned_pair(source_document_id, target_name)
        path = saved.path if saved else f"{source.path}#aligned-with:{target_name}"
        document = Document(
            path=path, name=f"{source.name} ↔ {target_name}", lang=source.lang,
            machine_translated_from=source.mt_source_lang, encoding="utf-8",
            # The path is part of the hash, so two pairs with the same sentences are two documents.
            content_hash=hashlib.sha256(json.dumps([path, pairs], ensure_ascii=False).encode("utf-8")).hexdigest(),
            paragraphs=[], title=f"Aligned: {source.title or source.name} ↔ {target_name}",
            date=source.date, outlet=source.outlet, author=source.author)
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
