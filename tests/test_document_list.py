"""The paged document list returns the documents its filters name, page by page, and no other."""

from __future__ import annotations

import hashlib
import itertools

import pytest

from workbench.documents.ingest import Document
from workbench.documents.segment import Segment
from workbench.review.document_list import (
    DocumentQuery,
    every_summary,
    languages,
    list_documents,
    outlets,
    summary,
    untranslated_documents,
)
from workbench.review.store import ReviewStore
from workbench.text import fold_for_search

TITLES = ["Đồn Biên phòng Thanh Thủy tuần tra", "Border Defense Commission meets", "Hội nghị Đảng uỷ",
          "Three-North shelter forest", "Tuyên truyền pháp luật", "Lạng Sơn border gate reopens"]
OUTLETS = ["Báo Hà Giang", "Inner Mongolia Daily", None]


def _document(number: int) -> Document:
    lang = "vi" if number % 2 == 0 else "en"
    path = f"/corpus/{number:03d}.txt"
    return Document(path=path, name=f"{number:03d}.txt", lang=lang, machine_translated_from=None,
                    encoding="utf-8", content_hash=hashlib.sha256(path.encode()).hexdigest(), paragraphs=[],
                    title=f"{TITLES[number % len(TITLES)]} {number}",
                    date=f"20{10 + number % 12:02d}-0{1 + number % 9}-15",
                    outlet=OUTLETS[number % len(OUTLETS)], author=None)


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with ReviewStore(tmp_path_factory.mktemp("documents") / "s.db") as opened:
        for number in range(60):
            document = _document(number)
            segments = [Segment(i, i, f"Câu {i} của văn bản {number}.", "body") for i in range(3)]
            result = opened.upsert_document(document, segments, target_lang="en" if document.lang == "vi" else "vi")
            stored = opened.segments(result.document_id)
            # Progress: every 3rd document done, every 3rd + 1 half reviewed, the rest untouched.
            reviewed = {0: 3, 1: 1, 2: 0}[number % 3]
            for segment in stored[:reviewed]:
                opened.save_target(segment.id, "Sentence.", "approved", reviewer="Lan",
                                   expected_version=segment.version)
        opened.archive_document(opened.documents()[5].id)
        yield opened


def _progress(item) -> str:
    done = item["statuses"]["reviewed"] + item["statuses"]["approved"]
    return "not started" if done == 0 else "done" if done == item["segments"] else "in review"


def _expected(store, query: DocumentQuery) -> list[int]:
    """The same filters applied in Python to every summary (the reference)."""
    result = []
    for item in store.document_summaries(include_archived=query.include_archived):
        haystack = fold_for_search(f"{item['title'] or ''} {item['name']} {item['outlet'] or ''}")
        if query.text and fold_for_search(query.text) not in haystack:
            continue
        if query.lang and item["lang"] != query.lang or query.outlet and item["outlet"] != query.outlet:
            continue
        if query.date_from and item["date"] < query.date_from or query.date_to and item["date"][:10] > query.date_to:
            continue
        if query.progress and _progress(item) != query.progress:
            continue
        result.append(item["id"])
    return result


QUERIES = [
    DocumentQuery(), DocumentQuery(text="thanh thuy"), DocumentQuery(text="ĐẢNG UỶ"), DocumentQuery(text="border"),
    DocumentQuery(lang="vi"), DocumentQuery(lang="en", outlet="Inner Mongolia Daily"),
    DocumentQuery(outlet="Báo Hà Giang", progress="done"), DocumentQuery(date_from="2015-01-01", date_to="2018-12-31"),
    DocumentQuery(progress="in review"), DocumentQuery(progress="not started", lang="en"),
    DocumentQuery(include_archived=True, text="tuyen truyen"), DocumentQuery(text="nothing like this"),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr({k: v for k, v in vars(q).items() if v}))
def test_filters_return_the_matching_documents_and_pages_cover_them_once(store, query):
    expected = _expected(store, query)
    first = list_documents(store, query.__class__(**{**vars(query), "page_size": 7}))
    assert first.total == len(expected)
    pages = [list_documents(store, query.__class__(**{**vars(query), "page_size": 7, "page": n}))
             for n in range(first.pages)]
    listed = list(itertools.chain.from_iterable([row["id"] for row in page.rows] for page in pages))
    assert listed == expected
    assert all(len(page.rows) <= 7 for page in pages)


def test_counts_on_a_page_equal_the_stores_summaries(store):
    by_id = {item["id"]: item for item in store.document_summaries()}
    page = list_documents(store, DocumentQuery(page=1, page_size=10))
    assert [row["id"] for row in page.rows] == list(by_id)[10:20]
    for row in page.rows:
        assert row == by_id[row["id"]]
    assert summary(store, page.rows[0]["id"]) == by_id[page.rows[0]["id"]]
    assert summary(store, 10_000) is None


def test_a_page_past_the_end_shows_the_last_page(store):
    page = list_documents(store, DocumentQuery(page=99, page_size=25))
    assert page.page == page.pages - 1 == 2 and len(page.rows) == 59 - 50


def test_choices_and_untranslated(store):
    assert outlets(store) == ["Báo Hà Giang", "Inner Mongolia Daily"]
    assert languages(store) == ["en", "vi"]
    assert untranslated_documents(store) == [item["id"] for item in store.document_summaries()
                                             if item["translated"] < item["segments"]]


@pytest.mark.parametrize("include_archived", [False, True])
def test_every_summary_equals_the_summaries_read_document_by_document(store, include_archived):
    one_by_one = [summary(store, document.id) for document in store.documents(include_archived=include_archived)]
    assert list(every_summary(store, include_archived=include_archived)) == one_by_one
    assert store.document_summaries(include_archived=include_archived) == one_by_one


def test_every_summary_reads_the_store_twice_whatever_the_number_of_documents(store):
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    try:
        listed = list(every_summary(store))
    finally:
        store.conn.set_trace_callback(None)
    assert len(listed) == 59 and len(statements) == 2
