"""The Review page's kept segment records: always what the store holds, read again only where changed."""

from __future__ import annotations

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.review import live_segments as live
from workbench.review.live_segments import live_segments

TEXT = "".join(f"Câu thứ {n} về đồn biên phòng.\n" for n in range(1, 8))


def add_document(store, text: str = TEXT, path: str = "/virtual/doc.txt") -> int:
    document = parse_document(text.encode(), path=path, lang="vi")
    return store.upsert_document(document, segment_document(document), target_lang="en").document_id


def translate(store, segments, text: str) -> None:
    store.record_translations([
        {"segment_id": s.id, "source_text": s.source_text, "source_lang": "vi", "target_lang": "en",
         "checkpoint": "opus-mt-vi-en", "engine": "marian", "text": f"{text} {s.position}."} for s in segments])


class CountingStore:
    """The store, counting the segment records read one by one and the whole-document reads."""

    def __init__(self, store):
        self.store, self.single, self.whole = store, 0, 0
        self.conn = store.conn

    def segment(self, segment_id):
        self.single += 1
        return self.store.segment(segment_id)

    def segments(self, document_id):
        self.whole += 1
        return self.store.segments(document_id)


def test_a_save_reads_only_the_saved_segment_again(store):
    doc_id = add_document(store)
    counting, cache = CountingStore(store), {}
    assert live_segments(counting, doc_id, cache) == store.segments(doc_id)
    third = store.segments(doc_id)[2]
    store.save_target(third.id, "Sentence three.", "approved", reviewer="ann", expected_version=1)
    counting.single = counting.whole = 0
    records = live_segments(counting, doc_id, cache)
    assert records == store.segments(doc_id)
    assert records[2].target_text == "Sentence three." and records[2].version == 2
    assert (counting.single, counting.whole) == (1, 0)
    assert live_segments(counting, doc_id, cache) is records  # nothing changed: nothing read
    assert (counting.single, counting.whole) == (1, 0)


@pytest.mark.parametrize("change", ["undo", "translate", "translate whole", "reimport", "other document"])
def test_the_kept_records_follow_every_kind_of_change(store, change, monkeypatch):
    doc_id = add_document(store)
    other_id = add_document(store, "Một câu khác.\n", path="/virtual/other.txt")
    cache: dict = {}
    segments = store.segments(doc_id)
    store.save_target(segments[0].id, "First.", "translated", reviewer="ann", expected_version=1)
    live_segments(store, doc_id, cache)
    if change == "undo":
        store.undo_last_change(segments[0].id, reviewer="ann", expected_version=2)
    elif change.startswith("translate"):
        if change == "translate whole":
            monkeypatch.setattr(live, "READ_WHOLE_ABOVE", 2)  # seven new MTs: read the document whole
        translate(store, segments, "Sentence")
    elif change == "reimport":  # one sentence gone, one new, the others moved
        document = parse_document(("Câu mới ở đầu.\n" + TEXT.replace("Câu thứ 4 về đồn biên phòng.\n", ""))
                                  .encode(), path="/virtual/doc.txt", lang="vi")
        store.upsert_document(document, segment_document(document), target_lang="en")
    else:  # the cache holds one document: opening another replaces it
        assert [r.id for r in live_segments(store, other_id, cache)] == [s.id for s in store.segments(other_id)]
    assert live_segments(store, doc_id, cache) == store.segments(doc_id)
