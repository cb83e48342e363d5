"""The review store's machine translations: the cache by content, claims of concurrent runs, provenance.

A translation is stored once per (source text, target language, checkpoint, glossary
version): a unique key on the translations table, shared across documents. Runs that
work at the same time claim the sources they are about to translate
(`claim_translations`); a source claimed by another live run is left to it and linked
once it is stored, so two batches never translate the same text twice.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import time
import uuid

from workbench.review.records import TranslationClaim, TranslationSetting, fetch_records
from workbench.review.store_base import StoreConnection, now_stamp

#: How long a claim on a source holds if its owner cannot be seen to be alive (another host).
CLAIM_SECONDS = 600.0


def source_hash(text: str) -> str:
    """Key of a source text in the translation cache."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


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


class TranslationStore(StoreConnection):
    """Machine translations and claims; `ReviewStore` is the facade that combines the parts."""

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
        now = now_stamp()
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

    def translation_settings(self, document_id: int) -> list[TranslationSetting]:
        """How the live segments of a document were machine-translated, most segments first.

        Segments without a machine translation are not counted.
        """
        return fetch_records(
            self.conn, TranslationSetting,
            """SELECT t.checkpoint, t.glossary_version, t.engine, t.random_weights, COUNT(*) AS segments
               FROM segments s JOIN translations t ON t.id = s.translation_id
               WHERE s.document_id = ? AND s.retired_at IS NULL
               GROUP BY t.checkpoint, t.glossary_version, t.engine, t.random_weights
               ORDER BY segments DESC, t.checkpoint""", (document_id,))
