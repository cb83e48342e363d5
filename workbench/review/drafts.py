"""Unsaved drafts, kept in the review store per account and segment.

A reviewer's text that is typed but not saved follows the account, not the browser: another
browser signed in to the same account finds it, another account on the same browser never sees
it. Saving the segment clears the draft (`workbench.actions.save_segment`). A draft remembers the
segment version it was typed on, so the page can tell a draft typed over an older version from
one that still applies. Writes go through `workbench.actions.save_draft`, which checks the
account; reading takes the account's name and returns only its own drafts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class Draft:
    """One account's unsaved text of one segment."""

    segment_id: int
    base_version: int
    text: str
    updated_at: str


def put_draft(store, account: str, segment_id: int, base_version: int, text: str) -> None:
    """Keep (or replace) an account's draft of a segment."""
    with store.transaction() as conn:
        conn.execute(
            "INSERT OR REPLACE INTO drafts (account, segment_id, base_version, text, updated_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (account, segment_id, base_version, text, datetime.now(UTC).isoformat(timespec="seconds")))


def clear_draft(store, account: str, segment_id: int) -> None:
    """Forget an account's draft of a segment (nothing happens when there is none)."""
    if store.conn.execute("SELECT 1 FROM drafts WHERE account = ? AND segment_id = ?",
                          (account, segment_id)).fetchone() is None:
        return
    with store.transaction() as conn:
        conn.execute("DELETE FROM drafts WHERE account = ? AND segment_id = ?", (account, segment_id))


def draft(store, account: str, segment_id: int) -> Draft | None:
    """An account's draft of one segment, if any."""
    row = store.conn.execute("SELECT * FROM drafts WHERE account = ? AND segment_id = ?",
                             (account, segment_id)).fetchone()
    return Draft(row["segment_id"], row["base_version"], row["text"], row["updated_at"]) if row else None


def drafted_segments(store, account: str, document_id: int) -> set[int]:
    """The segments of a document that an account has drafts of (for the grid's marks)."""
    rows = store.conn.execute(
        "SELECT d.segment_id FROM drafts d JOIN segments s ON s.id = d.segment_id "
        "WHERE d.account = ? AND s.document_id = ?", (account, document_id))
    return {row["segment_id"] for row in rows}
