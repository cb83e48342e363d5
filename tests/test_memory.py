"""Translation memory: exact and fuzzy lookups over approved segments of any document."""

from __future__ import annotations

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.review.memory import MemoryUnit, TranslationMemory
from workbench.text import same_text_key

UNITS = [
    MemoryUnit("Bộ đội Biên phòng tuần tra đường biên.", "The Border Guard patrols the borderline.", 1),
    MemoryUnit("Bộ đội Biên phòng tuần tra cột mốc.", "The Border Guard patrols the border marker.", 2),
    MemoryUnit("Hội nghị tổng kết phong trào thi đua.", "The conference reviewed the emulation movement.", 3),
]


@pytest.mark.parametrize("query, expected_ids, exact", [
    ("Bộ đội Biên phòng tuần tra đường biên.", [1, 2], True),  # exact first, then the fuzzy one
    ("bộ đội  biên phòng tuần tra đường biên.", [1, 2], True),  # case and spaces folded
    ("Bộ đội Biên phòng tuần tra đường biên giới.", [1], False),  # 94% to 1, 74% to 2
    ("Thời tiết hôm nay đẹp.", [], False),  # nothing at 75% or more
    ("", [], False),
])
def test_lookup(query, expected_ids, exact):
    matches = TranslationMemory(UNITS).lookup(query)
    assert [m.unit.segment_id for m in matches] == expected_ids
    if matches:
        assert matches[0].exact is exact
        assert (matches[0].score == 100) is exact
        assert all(75 <= m.score <= 100 for m in matches)
        assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)


def test_threshold_limit_and_exclusion():
    memory = TranslationMemory(UNITS)
    query = UNITS[0].source_text
    assert [m.unit.segment_id for m in memory.lookup(query, threshold=99)] == [1]
    assert len(memory.lookup(query, limit=1)) == 1
    assert [m.unit.segment_id for m in memory.lookup(query, exclude_segment=1)] == [2]


def test_duplicates_keep_the_latest_approval_and_empty_units_are_dropped():
    memory = TranslationMemory([
        MemoryUnit("Tuần tra.", "Patrol.", 1, updated_at="2024-01-01"),
        MemoryUnit("tuần  tra.", "Patrol.", 2, updated_at="2024-02-01"),
        MemoryUnit("Tuần tra.", "   ", 3),
    ])
    assert len(memory) == 1
    assert memory.lookup("Tuần tra.")[0].unit.segment_id == 2


def test_same_text_key():
    assert same_text_key("  Bo\u0323\u0302 ĐỘI \n biên ") == same_text_key("bộ đội biên")  # NFD, case, spaces


def _store_document(store, name, text, lang):
    document = parse_document(text.encode(), path=f"/virtual/{name}", lang=lang)
    result = store.upsert_document(document, segment_document(document),
                                   target_lang={"vi": "en", "en": "vi"}[lang])
    return store.segments(result.document_id)


def test_from_store_takes_approved_segments_of_the_same_direction(store):
    first = _store_document(store, "a.txt", "Bộ đội Biên phòng tuần tra đường biên.\nHọp tổng kết.\n", "vi")
    second = _store_document(store, "b.txt", "Bộ đội Biên phòng tuần tra đường biên giới.\n", "vi")
    english = _store_document(store, "c.txt", "The Border Guard patrols the borderline.\n", "en")
    store.save_target(first[0].id, "The Border Guard patrols the borderline.", "approved",
                      reviewer="ann", expected_version=1)
    store.save_target(first[1].id, "Review meeting.", "translated", reviewer="ann", expected_version=1)
    store.save_target(english[0].id, "Bộ đội Biên phòng tuần tra đường biên.", "approved",
                      reviewer="ann", expected_version=1)

    memory = TranslationMemory.from_store(store, "vi", "en")
    assert len(memory) == 1  # not the translated one, not the other direction
    [match] = memory.lookup(second[0].source_text)
    assert not match.exact and match.score >= 75
    assert match.target_text == "The Border Guard patrols the borderline."
    assert (match.unit.document_name, match.unit.updated_by) == ("a.txt", "ann")


def test_the_memory_revision_changes_whenever_the_memory_would(store):
    from workbench.review.memory import ImportedUnit, memory_revision, store_imported_units

    segments = _store_document(store, "a.txt", "Bộ đội Biên phòng tuần tra đường biên.\nHọp tổng kết.\n", "vi")
    seen = [memory_revision(store, "vi", "en")]

    def changed() -> bool:
        seen.append(memory_revision(store, "vi", "en"))
        return seen[-1] != seen[-2]

    assert not changed()  # nothing happened
    store.save_target(segments[0].id, "The Border Guard patrols the borderline.", "approved",
                      reviewer="ann", expected_version=1)
    assert changed()
    store_imported_units(store, [ImportedUnit("vi", "en", "Họp tổng kết.", "Review meeting.", 3)],
                         origin="team.tmx", imported_by="ann")
    assert changed()
    store_imported_units(store, [ImportedUnit("en", "vi", "Review meeting.", "Họp tổng kết.", 3)],
                         origin="team.tmx", imported_by="ann")
    assert not changed()  # the other direction's memory
    # A re-import that retires the approved segment: the memory loses it, and the revision says so.
    document = parse_document("Họp tổng kết.\n".encode(), path="/virtual/a.txt", lang="vi")
    store.upsert_document(document, segment_document(document), target_lang="en")
    assert changed()
    assert len(TranslationMemory.from_store(store, "vi", "en")) == 1  # only the imported unit is left
