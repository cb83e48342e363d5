"""Saving an alignment as a document pair in the review store, and the migration of older stores.

A saved pair is marked by the `aligned_from`/`aligned_with` columns (schema
version 2); stores of version 1 marked it by a `#aligned-with:` path suffix,
which migration 2 turns into the columns.
"""

from __future__ import annotations

import sqlite3

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import StoreError
from workbench.review import schema
from workbench.review.store import ReviewStore

SOURCE_TEXT = "Đồn Biên phòng tuần tra.\nHọ bắt hai đối tượng.\nHội nghị kết thúc.\n"


def stored_source(store: ReviewStore, path: str = "/virtual/a.txt") -> int:
    document = parse_document(SOURCE_TEXT.encode(), path=path, lang="vi")
    return store.upsert_document(document, segment_document(document), target_lang="en").document_id


def test_a_saved_pair_is_marked_by_its_columns_and_has_reviewable_segments(store):
    source_id = stored_source(store)
    pairs = [("Đồn Biên phòng tuần tra.", "The station patrolled."), ("Họ bắt hai đối tượng.", None)]
    pair_id = store.save_aligned_pair(source_id, "b.txt", "en", pairs, reviewer="Lan")

    row = store.document(pair_id)
    assert (row.aligned_from, row.aligned_with) == (source_id, "b.txt")
    assert (row.lang, row.target_lang) == ("vi", "en")
    assert store.is_aligned_pair(pair_id) and not store.is_aligned_pair(source_id)
    first, second = store.segments(pair_id)
    assert (first.source_text, first.target_text, first.status, first.updated_by) == (
        "Đồn Biên phòng tuần tra.", "The station patrolled.", "translated", "Lan")
    assert (second.target_text, second.status, second.version) == (None, "new", 1)
    assert [(h.reviewer, h.before_text, h.after_text, h.after_status)
            for h in store.history(first.id)] == [("Lan", None, "The station patrolled.", "translated")]


def test_saving_again_keeps_reviewed_segments_records_changed_targets_and_retires_the_rest(store):
    source_id = stored_source(store)
    pairs = [("Đồn Biên phòng tuần tra.", "The station patrolled."), ("Họ bắt hai đối tượng.", "Two.")]
    pair_id = store.save_aligned_pair(source_id, "b.txt", "en", pairs, reviewer="Lan")
    first, second = store.segments(pair_id)
    store.save_target(first.id, "The station patrolled.", "approved", reviewer="Minh", expected_version=2)

    again = store.save_aligned_pair(source_id, "b.txt", "en", [
        pairs[0], ("Họ bắt hai đối tượng.", "They arrested two suspects."), ("Hội nghị kết thúc.", "The end.")],
        reviewer="Lan")
    assert again == pair_id
    kept, changed, added = store.segments(pair_id)
    assert (kept.id, kept.status, kept.updated_by) == (first.id, "approved", "Minh")  # untouched: review stays
    assert (changed.id, changed.target_text, changed.status) == (second.id, "They arrested two suspects.",
                                                                 "translated")
    assert [h.after_text for h in store.history(second.id)] == ["Two.", "They arrested two suspects."]
    assert (added.target_text, added.status) == ("The end.", "translated")

    store.save_aligned_pair(source_id, "b.txt", "en", [("Hội nghị kết thúc.", "The end.")], reviewer="Lan")
    assert [s.id for s in store.segments(pair_id)] == [added.id]  # the others retired, not deleted
    assert store.segment(first.id).status == "approved"


def test_two_translations_of_one_document_are_two_pairs(store):
    source_id = stored_source(store)
    pairs = [("Đồn Biên phòng tuần tra.", "The station patrolled.")]
    one = store.save_aligned_pair(source_id, "b.txt", "en", pairs, reviewer="Lan")
    other = store.save_aligned_pair(source_id, "c.txt", "en", pairs, reviewer="Lan")
    assert one != other and {store.document(i).aligned_with for i in (one, other)} == {"b.txt", "c.txt"}


@pytest.mark.parametrize("reviewer, pairs, message", [
    (" ", [("Đồn Biên phòng tuần tra.", "x")], "reviewer name is required"),
    ("Lan", [("", "Only a target.")], "needs a source text"),
])
def test_bad_saves_are_refused_and_store_nothing(store, reviewer, pairs, message):
    source_id = stored_source(store)
    with pytest.raises(StoreError, match=message):
        store.save_aligned_pair(source_id, "b.txt", "en", pairs, reviewer=reviewer)
    assert [row.id for row in store.documents()] == [source_id]


def version_1_store(path) -> None:
    """A store as the workbench of schema version 1 wrote it, with an aligned pair marked by its path."""
    conn = sqlite3.connect(path)
    conn.executescript(schema._SCHEMA_V1)
    now = "2026-01-01T00:00:00+00:00"
    columns = ("path, name, content_hash, lang, target_lang, kind, encoding, created_at, updated_at")
    conn.execute(f"INSERT INTO documents ({columns}) VALUES (?, 'a.txt', 'h1', 'vi', 'en', 'original', "
                 "'utf-8', ?, ?)", ("/data/a.txt", now, now))
    conn.execute(f"INSERT INTO documents ({columns}) VALUES (?, 'a.txt ↔ b.txt', 'h2', 'vi', 'en', "
                 "'original', 'utf-8', ?, ?)", ("/data/a.txt#aligned-with:b.txt", now, now))
    conn.execute(f"INSERT INTO documents ({columns}) VALUES (?, 'gone ↔ c.txt', 'h3', 'vi', 'en', "
                 "'original', 'utf-8', ?, ?)", ("/data/gone.txt#aligned-with:c.txt", now, now))
    conn.execute("INSERT INTO segments (document_id, position, source_text, target_text, status, version) "
                 "VALUES (2, 0, 'Đồn Biên phòng tuần tra.', 'The station patrolled.', 'approved', 3)")
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()


def test_migration_2_turns_the_path_mark_into_columns(tmp_path):
    path = tmp_path / "old.db"
    version_1_store(path)
    with ReviewStore(path) as store:
        assert store.schema_version == schema.SCHEMA_VERSION >= 2
        marks = {row.path: (row.aligned_from, row.aligned_with) for row in store.documents()}
        assert marks == {"/data/a.txt": (None, None), "/data/a.txt#aligned-with:b.txt": (1, "b.txt"),
                         "/data/gone.txt#aligned-with:c.txt": (None, "c.txt")}  # its source is not there
        assert [store.is_aligned_pair(i) for i in (1, 2, 3)] == [False, True, True]
        # Saving the pair again finds the migrated document and keeps the reviewer's work.
        again = store.save_aligned_pair(1, "b.txt", "en", [("Đồn Biên phòng tuần tra.", "The station patrolled.")],
                                        reviewer="Lan")
        assert again == 2
        (segment,) = store.segments(2)
        assert (segment.status, segment.version) == ("approved", 3)


def test_translating_stored_documents_leaves_aligned_pairs_out(store):
    from workbench.pipeline import BatchOptions, translate_documents

    source_id = stored_source(store)  # its file, /virtual/a.txt, does not exist
    pair_id = store.save_aligned_pair(source_id, "b.txt", "en", [("Đồn Biên phòng tuần tra.", "x")], reviewer="Lan")
    assert translate_documents(store, [pair_id], BatchOptions(translate=False)).failures == []
    gone = translate_documents(store, [source_id, pair_id], BatchOptions(translate=False)).failures
    assert len(gone) == 1 and "a.txt: the file is no longer there" in gone[0]
