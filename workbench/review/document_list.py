"""The document list one page at a time: search, filters and counts by SQL, whatever the corpus size.

`list_documents(store, DocumentQuery(...))` returns one page of document
summaries (the same dicts as `ReviewStore.document_summaries`) and how many
documents match in all. Filters: a search text (title, file name or outlet;
case and diacritics optional: "thanh thuy" finds "Thanh Thủy"), source language,
outlet, a date range (the documents' own dates, ISO text, compared as text) and
progress (`PROGRESS`). Segment counts are computed for the page's documents
only, except when progress is filtered, which needs one grouped pass over the
segments (an index keeps it to the live ones).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from workbench.review.records import STATUSES
from workbench.text import fold_for_search

PAGE_SIZE = 50

#: Progress of a document: no segment reviewed or approved yet, some, all.
_DONE = "total(s.status IN ('reviewed', 'approved'))"
PROGRESS = {
    "not started": f"{_DONE} = 0",
    "in review": f"{_DONE} > 0 AND {_DONE} < COUNT(s.id)",
    "done": f"COUNT(s.id) > 0 AND {_DONE} = COUNT(s.id)",
}


@dataclass(frozen=True)
class DocumentQuery:
    """Which documents to list and which page of them."""

    text: str = ""
    lang: str | None = None
    outlet: str | None = None
    date_from: str | None = None  # inclusive, "YYYY-MM-DD"
    date_to: str | None = None  # inclusive
    progress: str | None = None  # a key of PROGRESS
    include_archived: bool = False
    page: int = 0  # from 0
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class DocumentPage:
    """One page of summaries, the number of matching documents and of pages."""

    rows: list[dict]
    total: int
    page: int
    page_size: int

    @property
    def pages(self) -> int:
        """How many pages the matching documents fill (at least 1)."""
        return max(1, -(-self.total // self.page_size))


_COUNTS = """SELECT document_id, status, COUNT(*) AS n, COUNT(translation_id) AS mt FROM segments
             WHERE retired_at IS NULL AND document_id IN ({ids}) GROUP BY document_id, status"""


def _where(store, query: DocumentQuery) -> tuple[str, list]:
    clauses, params = [], []
    if not query.include_archived:
        clauses.append("d.archived = 0")
    if query.lang:
        clauses.append("d.lang = ?")
        params.append(query.lang)
    if query.outlet:
        clauses.append("d.outlet = ?")
        params.append(query.outlet)
    if query.date_from:
        clauses.append("d.date >= ?")
        params.append(query.date_from)
    if query.date_to:
        # Dates may carry a time ("2020-02-19T08:30"): everything on the last day is in.
        clauses.append("d.date < ?")
        params.append(query.date_to + "\uffff")
    if query.text.strip():
        store.conn.create_function("workbench_fold", 1, lambda t: fold_for_search(t or ""), deterministic=True)
        clauses.append("instr(workbench_fold(coalesce(d.title, '') || ' ' || d.name || ' ' || "
                       "coalesce(d.outlet, '')), ?) > 0")
        params.append(fold_for_search(" ".join(query.text.split())))
    if query.progress:
        if query.progress not in PROGRESS:
            raise ValueError(f"unknown progress {query.progress!r} (one of {', '.join(PROGRESS)})")
        clauses.append(f"""d.id IN (SELECT g.id FROM documents g LEFT JOIN segments s
                                    ON s.document_id = g.id AND s.retired_at IS NULL
                                    GROUP BY g.id HAVING {PROGRESS[query.progress]})""")
    return ("WHERE " + " AND ".join(f"({c})" for c in clauses)) if clauses else "", params


def _summaries(store, documents) -> list[dict]:
    counts: dict[int, dict] = {row["id"]: {"statuses": dict.fromkeys(STATUSES, 0), "segments": 0, "translated": 0}
                               for row in documents}
    if documents:
        for row in store.conn.execute(_COUNTS.format(ids=",".join(str(int(d["id"])) for d in documents))):
            entry = counts[row["document_id"]]
            entry["statuses"][row["status"]] = row["n"]
            entry["segments"] += row["n"]
            entry["translated"] += row["mt"]
    return [_summary(doc, counts[doc["id"]]) for doc in documents]


def list_documents(store, query: DocumentQuery = DocumentQuery()) -> DocumentPage:
    """One page of the documents that match, in import order, with their segment counts."""
    where, params = _where(store, query)
    total = store.conn.execute(f"SELECT COUNT(*) FROM documents d {where}", params).fetchone()[0]
    page = min(max(0, query.page), max(0, -(-total // query.page_size) - 1))
    documents = store.conn.execute(
        f"SELECT d.* FROM documents d {where} ORDER BY d.id LIMIT ? OFFSET ?",
        [*params, query.page_size, page * query.page_size]).fetchall()
    return DocumentPage(_summaries(store, documents), total, page, query.page_size)


def every_summary(store, *, include_archived: bool = False) -> Iterator[dict]:
    """Every document's summary in import order, from two reads whatever the number of documents.

    The documents and the segment counts grouped by document are both read in
    document order and walked side by side, one document at a time.
    """
    where = "" if include_archived else "WHERE d.archived = 0"
    counts = store.conn.execute(
        """SELECT document_id, status, COUNT(*) AS n, COUNT(translation_id) AS mt FROM segments
           WHERE retired_at IS NULL GROUP BY document_id, status ORDER BY document_id""")
    pending = next(counts, None)
    for document in store.conn.execute(f"SELECT d.* FROM documents d {where} ORDER BY d.id"):
        entry = {"statuses": dict.fromkeys(STATUSES, 0), "segments": 0, "translated": 0}
        while pending is not None and pending["document_id"] <= document["id"]:
            if pending["document_id"] == document["id"]:
                entry["statuses"][pending["status"]] = pending["n"]
                entry["segments"] += pending["n"]
                entry["translated"] += pending["mt"]
            pending = next(counts, None)
        yield _summary(document, entry)


def _summary(doc, counts: dict) -> dict:
    return {"id": doc["id"], "path": doc["path"], "name": doc["name"], "lang": doc["lang"],
            "target_lang": doc["target_lang"], "kind": doc["kind"], "mt_source_lang": doc["mt_source_lang"],
            "title": doc["title"], "date": doc["date"], "outlet": doc["outlet"], "archived": bool(doc["archived"]),
            **counts}


def summary(store, document_id: int) -> dict | None:
    """One document's summary (as in a page), or None if there is no such document."""
    documents = store.conn.execute("SELECT * FROM documents WHERE id = ?", (document_id,)).fetchall()
    return _summaries(store, documents)[0] if documents else None


def document_choices(store) -> dict[int, dict]:
    """Listed documents by id with what a chooser shows (id, title, name, languages): one read, no counts."""
    return {row["id"]: dict(row) for row in store.conn.execute(
        "SELECT id, title, name, lang, target_lang FROM documents WHERE archived = 0 ORDER BY id")}


def has_documents(store) -> bool:
    """Whether any document is listed (not archived)."""
    return store.conn.execute("SELECT 1 FROM documents WHERE archived = 0 LIMIT 1").fetchone() is not None


def outlets(store) -> list[str]:
    """The outlets of the listed documents, alphabetically."""
    return [row[0] for row in store.conn.execute(
        "SELECT DISTINCT outlet FROM documents WHERE archived = 0 AND outlet IS NOT NULL AND outlet != '' "
        "ORDER BY outlet")]


def languages(store) -> list[str]:
    """The source languages of the listed documents."""
    return [row[0] for row in store.conn.execute(
        "SELECT DISTINCT lang FROM documents WHERE archived = 0 ORDER BY lang")]


def untranslated_documents(store) -> list[int]:
    """Listed documents (not saved alignments) with a live segment that has no machine translation."""
    return [row[0] for row in store.conn.execute(
        """SELECT DISTINCT s.document_id FROM segments s JOIN documents d ON d.id = s.document_id
           WHERE s.retired_at IS NULL AND s.translation_id IS NULL AND d.archived = 0
             AND d.aligned_with IS NULL ORDER BY s.document_id""")]
