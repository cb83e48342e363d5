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
    assert [(h.reviewer, h.after_text) for h in history] == [
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


MORNING = "Hội nghị biên phòng.\nSáng nay, Đảng ủy họp bàn công tác biên phòng.\nBộ đội tuần tra.\n"
AFTERNOON = "Hội nghị biên phòng.\nChiều nay, Đảng ủy họp bàn công tác biên phòng.\nBộ đội tuần tra.\n"


def test_a_save_onto_a_retired_segment_is_refused_and_names_its_successor(store):
    from workbench.errors import SegmentRetired

    document_id = import_text(store, MORNING).document_id
    opened = next(s for s in store.segments(document_id) if s.source_text.startswith("Sáng"))
    import_text(store, AFTERNOON)  # the file changed on disk and was imported again
    successor = next(s for s in store.segments(document_id) if s.source_text.startswith("Chiều"))
    with pytest.raises(SegmentRetired) as caught:
        store.save_target(opened.id, "This morning the Party committee met.", "translated",
                          reviewer="lan", expected_version=opened.version)
    refused = caught.value
    assert (refused.text, refused.status, refused.successor_id) == (
        "This morning the Party committee met.", "translated", successor.id)
    assert "retired" in str(refused) and "This morning the Party committee met." in str(refused)
    assert store.history(opened.id) == []
    hidden = store.conn.execute("SELECT target_text, version FROM segments WHERE id = ?", (opened.id,)).fetchone()
    assert tuple(hidden) == (None, 1)


def test_a_retired_segment_without_a_counterpart_names_none(store):
    from workbench.errors import SegmentRetired

    document_id = import_text(store, FIRST).document_id
    gone = next(s for s in store.segments(document_id) if s.source_text == "Toàn cảnh hội nghị.")
    import_text(store, "Hội nghị biên phòng.\nĐảng ủy họp. Bộ đội Biên phòng tuần tra.\n")
    with pytest.raises(SegmentRetired, match="no segment replaces it") as caught:
        store.save_target(gone.id, "Overview.", "draft", reviewer="lan", expected_version=1)
    assert caught.value.successor_id is None


def test_save_returns_what_this_call_wrote(store):
    segment = store.segments(import_text(store, FIRST).document_id)[0]
    saved = store.save_target(segment.id, "Border conference.", "draft", reviewer="lan", expected_version=1)
    assert (saved.target_text, saved.status, saved.version, saved.updated_by) == (
        "Border conference.", "draft", 2, "lan")
    # Saving the same text and status again writes nothing and says so: the version stays.
    again = store.save_target(segment.id, "Border conference.", "draft", reviewer="minh", expected_version=2)
    assert (again.version, again.updated_by) == (2, "lan")


def _open_new_store(path: str) -> str:
    try:
        with ReviewStore(path) as opened:
            return f"ok {opened.schema_version}"
    except StoreError as exc:
        return f"error {exc}"


def test_eight_processes_opening_a_new_store_at_once(tmp_path):
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    for trial in range(3):
        path = str(tmp_path / f"new-{trial}.db")
        with context.Pool(8) as pool:
            answers = pool.map(_open_new_store, [path] * 8)
        assert answers == [f"ok {SCHEMA_VERSION}"] * 8
        with ReviewStore(path) as opened:
            tables = {row[0] for row in opened.conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            assert {"documents", "segments", "translations", "segment_history", "translation_claims"} <= tables
            assert opened.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def _translation(segment, text="Border conference.", checkpoint="ckpt"):
    return dict(segment_id=segment.id, source_text=segment.source_text, source_lang="vi", target_lang="en",
                checkpoint=checkpoint, glossary_version="g1", engine="transformers", text=text)


def test_one_translation_row_per_source_and_settings(store):
    first = store.segments(import_text(store, FIRST, path="/tmp/a.txt").document_id)[0]
    second = store.segments(import_text(store, FIRST + "Thêm một câu.\n", path="/tmp/b.txt").document_id)[0]
    assert first.source_text == second.source_text and first.id != second.id
    assert store.record_translations([_translation(first)]) == 1
    # Another run that translated the same source later keeps the first row and links to it.
    assert store.record_translations([_translation(second, text="Another output.")]) == 0
    rows = store.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    assert rows == 1
    assert store.segment(second.id).mt_text == store.segment(first.id).mt_text == "Border conference."
    assert store.record_translations([_translation(second, checkpoint="other")]) == 1


def test_claims_keep_two_runs_from_translating_the_same_source(store):
    from workbench.review.store import new_claim_owner

    segments = store.segments(import_text(store, FIRST).document_id)
    sources = [s.source_text for s in segments]
    one, two = new_claim_owner(), "elsewhere:1:remote"  # a run on another host: its expiry decides
    first = store.claim_translations(sources[:2], "en", "ckpt", "g1", owner=two)
    assert (first.claimed, first.held, first.cached) == (sources[:2], [], {})
    second = store.claim_translations(sources, "en", "ckpt", "g1", owner=one)
    assert (second.claimed, second.held) == (sources[2:], sources[:2])
    store.record_translations([_translation(segments[0])])  # `two` stored its first source
    third = store.claim_translations(sources[:2], "en", "ckpt", "g1", owner=one)
    assert list(third.cached) == sources[:1] and third.held == sources[1:2]
    # A claim that expired is taken over.
    store.claim_translations(sources[1:2], "en", "ckpt", "g1", owner=two, ttl=-1)
    assert store.claim_translations(sources[1:2], "en", "ckpt", "g1", owner=one).claimed == sources[1:2]
    store.release_claims(one)
    assert store.conn.execute("SELECT COUNT(*) FROM translation_claims").fetchone()[0] == 0


def test_a_killed_runs_claims_are_taken_over_at_once(store):
    import socket
    import subprocess
    import sys

    finished = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
    dead = f"{socket.gethostname()}:{finished.stdout.strip()}:gone"
    source = store.segments(import_text(store, FIRST).document_id)[0].source_text
    store.claim_translations([source], "en", "ckpt", "g1", owner=dead)
    assert store.claim_translations([source], "en", "ckpt", "g1", owner="me").claimed == [source]


def test_migration_merges_duplicate_translations_of_an_old_store(tmp_path):
    from workbench.review.store import MIGRATIONS

    path = tmp_path / "old.db"
    old = sqlite3.connect(path)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.execute("INSERT INTO documents (id, path, name, content_hash, lang, target_lang, kind, encoding, "
                "created_at, updated_at) VALUES (1, '/a', 'a', 'h', 'vi', 'en', 'original', 'utf-8', 't', 't')")
    for translation_id in (1, 2, 3):
        old.execute("INSERT INTO translations (id, source_hash, source_lang, target_lang, checkpoint, "
                    "glossary_version, engine, text, created_at) VALUES (?, 'k', 'vi', 'en', 'c', 'g', 'e', ?, 't')",
                    (translation_id, f"run {translation_id}"))
    for segment_id, translation_id in ((1, 1), (2, 2)):
        old.execute("INSERT INTO segments (id, document_id, position, source_text, translation_id) "
                    "VALUES (?, 1, ?, 'x', ?)", (segment_id, segment_id, translation_id))
    old.commit()
    old.close()
    with ReviewStore(path) as store:
        assert store.schema_version == SCHEMA_VERSION
        assert [r[0] for r in store.conn.execute("SELECT id FROM translations")] == [3]
        assert {store.segment(1).mt_text, store.segment(2).mt_text} == {"run 3"}


def test_the_store_hands_out_named_records_decoded_from_their_columns(store):
    from workbench.review.records import DocumentRecord, HistoryEntry

    result = import_text(store, FIRST)
    document = store.document(result.document_id)
    assert isinstance(document, DocumentRecord)
    assert (document.name, document.lang, document.target_lang, document.kind) == (
        "doc-under-test.txt", "vi", "en", "original")
    assert document.archived is False and isinstance(document.removed, list)
    assert document.aligned_from is None and document.aligned_with is None
    first = store.segments(result.document_id)[0]
    store.save_target(first.id, "Border conference.", "draft", reviewer="lan", expected_version=first.version)
    (change,) = store.history(first.id)
    assert change == HistoryEntry(change.id, first.id, 2, "lan", change.changed_at, None, "Border conference.",
                                  "new", "draft")
    store.archive_document(result.document_id)
    assert store.documents() == [] and store.documents(include_archived=True)[0].archived is True
    with pytest.raises(AttributeError):
        document.name = "renamed"  # frozen: what a caller holds is what was read


def test_a_query_that_does_not_return_the_records_fields_is_refused(store):
    from workbench.review.records import HistoryEntry, fetch_records

    import_text(store, FIRST)
    # One column missing: building the record by position would shift every value after it.
    with pytest.raises(AssertionError, match="HistoryEntry: the query returns"):
        fetch_records(store.conn, HistoryEntry, "SELECT id, segment_id, version, reviewer, before_text, "
                      "after_text, before_status, after_status FROM segment_history")
