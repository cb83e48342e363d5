"""The review store's terminology state: term candidates a reviewer dismissed (`workbench.glossary.candidates`).

A dismissal is kept by the candidate's stable id (a hash of language, kind and folded
form), so the candidate is not proposed again; restoring it forgets the dismissal.
"""

from __future__ import annotations

from workbench.review.records import DismissedTermCandidate, fetch_records
from workbench.review.store_base import StoreConnection, now_stamp, require_reviewer


class TermStateStore(StoreConnection):
    """Dismissed term candidates; `ReviewStore` is the facade that combines the parts."""

    def dismiss_term_candidate(self, candidate_id: str, *, lang: str, kind: str, form: str,
                               reviewer: str) -> None:
        """Remember that a term candidate was dismissed, so it is not proposed again."""
        reviewer = require_reviewer(reviewer, "to dismiss a term candidate")
        with self.transaction() as conn:
            conn.execute(
                "INSERT OR REPLACE INTO dismissed_term_candidates (candidate_id, lang, kind, form, "
                "dismissed_by, dismissed_at) VALUES (?, ?, ?, ?, ?, ?)",
                (candidate_id, lang, kind, form, reviewer, now_stamp()))

    def restore_term_candidate(self, candidate_id: str) -> bool:
        """Forget a dismissal; True if there was one."""
        with self.transaction() as conn:
            cursor = conn.execute("DELETE FROM dismissed_term_candidates WHERE candidate_id = ?",
                                  (candidate_id,))
        return cursor.rowcount > 0

    def dismissed_term_candidates(self) -> list[DismissedTermCandidate]:
        """Every dismissed term candidate, most recent first."""
        return fetch_records(
            self.conn, DismissedTermCandidate,
            "SELECT candidate_id, lang, kind, form, dismissed_by, dismissed_at FROM dismissed_term_candidates "
            "ORDER BY dismissed_at DESC, candidate_id")
