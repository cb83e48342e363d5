"""Review store: idempotent import, in-place update, versions, history, undo, migrations."""

from __future__ import annotations

import sqlite3

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import StaleVersion, StoreError
from workbench.review.store import SCHEMA_VERSION, ReviewStore

FIRST = "Hội nghị biên phòng.\nĐảng ủy họp. Toàn cảnh hội nghị. Bộ đội Biên phòng tuần tra.\n"
CHANGED = "Hội nghị biên phòng.\nĐảng ủy họp. Bộ đội Biên phòng tuần tra. Dân quân tham gia.\n"


def import_text(store, text, path="/tmp/doc-under-test.txt"):
    document = parse_document(text.encode("utf-8"), path=path)
    return store.upsert_document(document, segment_document(document), target_lang="en")


def test_reimport_of_the_same_text_changes_nothing(store):
    first = import_text(store, FIRST)
    again = import_text(store, FIRST)
    assert (first.created, first.segments_added) == (True, 4)
    assert (again.created, again.changed, again.segments_added, again.segments_kept) == (False, False, 0, 4)
    assert len(store.documents()) == 1


def test_changed_document_keeps_reviewer_work_on_unchanged_segments(store):
    result = import_text(store, FIRST)
    patrol = next(s for s in store.segments(result.document_id) if "tuần tra" in s.source_text)
    store.save_target(patrol.id, "The Border Guard patrols.", "approved", reviewer="lan",
                      expected_version=patrol.version)
    updated = import_text(store, CHANGED)
    assert (updated.changed, updated.segments_added, updated.segments_kept, updated.segments_retired) == (
        True, 1, 3, 1)
    segments = store.segments(result.document_id)
    assert [s.source_text for s in segments] == [
        "Hội nghị biên phòng.", "Đảng ủy họp.", "Bộ đội Biên phòng tuần tra.", "Dân quân tham gia."]
    kept = next(s for s in segments if s.id == patrol.id)
    assert (kept.target_text, kept.status, kept.position) == ("The Border Guard patrols.", "approved", 2)
    # The vanished segment is retired, not deleted.
    retired = store.conn.execute("SELECT source_text FROM segments WHERE retired_at IS NOT NULL").fetchall()
    assert [r[0] for r in retired] == ["Toàn cảnh hội nghị."]


def test_stale_save_is_refused_and_shows_the_newer_text(store):
    result = import_text(store, FIRST)
    segment = store.segments(result.document_id)[0]
    store.save_target(segment.id, "Border conference.", "draft", reviewer="lan", expected_version=segment.version)
    with pytest.raises(StaleVersion) as caught:
        store.save_target(segment.id, "Border meeting.", "draft", reviewer="minh", expected_version=segment.version)
    assert "Border conference." in str(caught.value)
    assert store.segment(segment.id).target_text == "Border conference."


def test_history_and_undo(store):
    result = import_text(store, FIRST)
    segment = store.segments(result.document_id)[0]
    one = store.save_target(segment.id, "Border conference.", "draft", reviewer="lan",
                            expected_version=segment.version)
    two = store.save_target(segment.id, "Border defence conference.", "translated", reviewer="minh",
                            expected_version=one.version)
    undone = store.undo_last_change(segment.id, reviewer="lan", expected_version=two.version)
    assert (undone.target_text, undone.status) == ("Border conference.", "draft")
    history = store.history(segment.id)
    assert [(h["reviewer"], h["after_text"]) for h in history] == [
        ("lan", "Border conference."), ("minh", "Border defence conference."), ("lan", "Border conference.")]


@pytest.mark.parametrize("reviewer, status, message", [
    ("", "draft", "reviewer name is required"),
    ("lan", "finished", "unknown status 'finished'"),
])
def test_invalid_saves_are_refused(store, reviewer, status, message):
    segment = store.segments(import_text(store, FIRST).document_id)[0]
    with pytest.raises(StoreError, match=message):
        store.save_target(segment.id, "x", status, reviewer=reviewer, expected_version=segment.version)
    assert store.segment(segment.id).version == segment.version


def test_translation_cache_is_shared_across_documents(store):
    first = import_text(store, FIRST, path="/tmp/a.txt")
    segment = store.segments(first.document_id)[0]
    store.record_translations([dict(segment_id=segment.id, source_text=segment.source_text,
                                    source_lang="vi", target_lang="en", checkpoint="ckpt",
                                    glossary_version="g1", engine="transformers", text="Border conference.")])
    assert store.cached_translation(segment.source_text, "en", "ckpt", "g1") is not None
    assert store.cached_translation(segment.source_text, "en", "ckpt", "g2") is None
    assert store.untranslated_segments(first.document_id, "ckpt", "g1") == [
        (s.id, s.source_text) for s in store.segments(first.document_id)[1:]]


def test_failed_transaction_leaves_no_partial_write(store):
    result = import_text(store, FIRST)
    segment = store.segments(result.document_id)[0]
    with pytest.raises(sqlite3.IntegrityError):
        store.record_translations([
            dict(segment_id=segment.id, source_text="a", source_lang="vi", target_lang="en",
                 checkpoint="c", engine="transformers", text="ok"),
            dict(segment_id=segment.id, source_text="b", source_lang="vi", target_lang="en",
                 checkpoint="c", engine="transformers", text=None),
        ])
    assert store.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] == 0
    assert store.segment(segment.id).mt_text is None


def test_schema_version_and_refusals(tmp_path):
    with ReviewStore(tmp_path / "a.db") as store:
        assert store.schema_version == SCHEMA_VERSION
    newer = tmp_path / "newer.db"
    sqlite3.connect(newer).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer than this workbench"):
        ReviewStore(newer)
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="not a workbench database"):
        ReviewStore(garbage)
    assert garbage.read_bytes() == b"this is not a database" * 100
