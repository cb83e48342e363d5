"""Term candidate statistics in the store: incremental updates equal a full rebuild; the stored list."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.glossary import load_glossary
from workbench.glossary.candidates import segment_acronyms
from workbench.glossary.candidates.language import language_of
from workbench.pipeline import BatchOptions, import_uploads, run_batch
from workbench.review import term_counting
from workbench.review import term_statistics as stats
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent
OPTIONS = BatchOptions(translate=False)

NEW_DOCUMENT = (
    "Bộ Chỉ huy Quân sự (BCHQS) tỉnh phối hợp với Hội Liên hiệp Phụ nữ tổ chức tuyên truyền.\n"
    "BCHQS cùng Hội Liên hiệp Phụ nữ kiểm tra công tác phòng chống dịch bệnh tại xã.\n"
    "Lực lượng BCHQS đã hỗ trợ nhân dân phòng chống dịch bệnh và xây dựng nông thôn mới.\n"
    "Đảng ủy xã và Đảng uỷ Đồn Biên phòng chỉ đạo xây dựng nông thôn mới; an ninh chinh tri ổn định.\n")
ENGLISH_DOCUMENT = (
    "The Frontier Defense Committee of the League met on Monday.\n"
    "The Frontier Defense Committee of the League reviewed the \"three no's\" campaign.\n")


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("statistics") / "seeds.db"
    with ReviewStore(db) as store:
        assert not run_batch([REPO / "seeds"], store, OPTIONS).failures
    return db


@pytest.fixture
def store(seeds_db, tmp_path):
    copy = tmp_path / "seeds.db"
    shutil.copy(seeds_db, copy)
    with ReviewStore(copy) as opened:
        yield opened


def _rebuilt_rows(store) -> dict:
    """The statistics a full rebuild gives for the store as it is now (on a copy, leaving it alone)."""
    copy = Path(str(store.path) + ".rebuild.db")
    copy.unlink(missing_ok=True)
    store.conn.execute(f"VACUUM INTO '{copy}'")
    with ReviewStore(copy) as other:
        stats.rebuild_statistics(other)
        return stats.statistics_rows(other)


def test_incremental_updates_equal_a_full_rebuild_through_import_change_and_archive(store, tmp_path):
    assert stats.statistics_behind(store)
    assert stats.update_statistics(store) == len(store.documents())
    assert not stats.statistics_behind(store)
    first = stats.statistics_rows(store)
    assert first == _rebuilt_rows(store)
    assert len(first["term_grams"]) > 300 and first["term_acronyms"] and first["term_long_forms"]

    # A new document, an English one, then one changed (a sentence replaced) and one archived.
    import_uploads(store, [("new.txt", NEW_DOCUMENT.encode()), ("league.txt", ENGLISH_DOCUMENT.encode())], OPTIONS)
    assert stats.statistics_behind(store)
    assert stats.update_statistics(store) == 2
    assert stats.statistics_rows(store) == _rebuilt_rows(store)
    changed = NEW_DOCUMENT.replace("Lực lượng BCHQS đã hỗ trợ", "Bộ đội BCHQS tiếp tục giúp")
    import_uploads(store, [("new.txt", changed.encode())], OPTIONS)
    store.archive_document(store.documents()[0].id)
    assert stats.update_statistics(store) == 2
    after = stats.statistics_rows(store)
    assert after == _rebuilt_rows(store)
    assert after != first

    # What the counts say about the new document: the acronym defined inline, its document frequency.
    acronyms = {(row[0], row[1]): row[2:] for row in after["term_acronyms"]}
    assert acronyms[("vi", "BCHQS")] == (3, 1)  # three sentences, one document
    long_forms = {(row[1], row[2]): row[3] for row in after["term_long_forms"]}
    assert long_forms[("BCHQS", "Bộ Chỉ huy Quân sự")] == 1


def test_the_ranked_list_after_updates_equals_the_list_after_a_rebuild(store):
    glossary = load_glossary(REPO / "glossaries")
    stats.update_statistics(store)
    import_uploads(store, [("new.txt", NEW_DOCUMENT.encode()), ("league.txt", ENGLISH_DOCUMENT.encode())], OPTIONS)
    stats.update_statistics(store)
    incremental = [(c.id, c.form, c.count, c.document_count) for c in stats.rank_candidates(store, glossary)]
    stats.rebuild_statistics(store)
    rebuilt = [(c.id, c.form, c.count, c.document_count) for c in stats.rank_candidates(store, glossary)]
    assert incremental == rebuilt
    ids = {c.form: c for c in stats.rank_candidates(store, glossary)}
    assert ids["BCHQS"].long_form == "Bộ Chỉ huy Quân sự" and ids["BCHQS"].defined_inline


def test_the_stored_list_carries_forms_contexts_date_and_leaves_out_dismissed(store):
    glossary = load_glossary(REPO / "glossaries")
    import_uploads(store, [("new.txt", NEW_DOCUMENT.encode())], OPTIONS)
    assert stats.candidate_list(store) == [] and "listed_at" not in stats.list_state(store)
    stats.refresh_candidate_list(store, glossary)
    state = stats.list_state(store)
    assert state["listed_at"] and state["glossary_version"] == glossary.version
    listed = stats.candidate_list(store)
    by_form = {c.form: c for c in listed}
    # Inline acronyms of the seeds and of the new document; an entry's diacritic-free variant.
    assert {"BTL", "BCHQS"} <= set(by_form)
    assert by_form["BCHQS"].long_form == "Bộ Chỉ huy Quân sự"
    variant = next(c for c in listed if c.kind == "variant" and c.lang == "vi" and "chinh" in c.form)
    assert variant.variant_of == "vn-an-ninh-chinh-tri"
    # A term's form is its surface as written and its contexts come from the documents.
    term = next(c for c in listed if c.kind == "term" and c.lang == "vi" and c.count >= 3)
    contexts = term.contexts()
    assert contexts and all(f"[{term.form.casefold()}]" in context["context"].casefold() for context in contexts)
    assert {context["document"] for context in contexts} <= {d.name for d in store.documents()}
    # Nothing already in the glossary is proposed.
    assert "Bộ đội Biên phòng" not in by_form and "BĐBP" not in by_form
    vi_only = stats.candidate_list(store, lang="vi")
    assert vi_only and all(c.lang == "vi" for c in vi_only)
    assert stats.candidate_list(store, dismissed={listed[0].id})[0].id == listed[1].id


def test_an_n_gram_met_once_is_kept_when_a_new_document_repeats_it(store):
    stats.update_statistics(store)
    stored = {row[1] for row in stats.statistics_rows(store)["term_grams"] if row[0] == "vi"}
    # A phrase of a seed sentence that occurs once (so it is not kept), said again in a new document.
    once = next(key for key, count in _seed_gram_counts(store).items() if count == 1 and key not in stored
                and len(key.split()) == 3)
    sentence = next(text for (text,) in store.conn.execute("SELECT source_text FROM segments")
                    if once in " ".join(term_counting.segment_gram_keys(text, language_of("vi"))))
    import_uploads(store, [("again.txt", (sentence + "\n").encode())], OPTIONS)
    stats.update_statistics(store)
    rows = {row[1]: row for row in stats.statistics_rows(store)["term_grams"] if row[0] == "vi"}
    assert rows[once][3:5] == (2, 2)  # count, documents
    assert stats.statistics_rows(store) == _rebuilt_rows(store)
    # Archived again: back to once, so no longer kept.
    store.archive_document(next(d.id for d in store.documents() if d.name == "again.txt"))
    stats.update_statistics(store)
    assert once not in {row[1] for row in stats.statistics_rows(store)["term_grams"]}
    assert stats.statistics_rows(store) == _rebuilt_rows(store)


def _seed_gram_counts(store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for (text,) in store.conn.execute("SELECT s.source_text FROM segments s JOIN documents d ON d.id = s.document_id "
                                      "WHERE d.lang = 'vi' AND s.retired_at IS NULL"):
        for key in term_counting.segment_gram_keys(text, language_of("vi")):
            counts[key] = counts.get(key, 0) + 1
    return counts


def test_a_rebuild_in_two_processes_equals_one_in_this_process(store):
    stats.rebuild_statistics(store)
    alone = stats.statistics_rows(store)
    stats.rebuild_statistics(store, workers=2)
    assert stats.statistics_rows(store) == alone


TEXTS = [
    "Ông nói: “Bảo vệ vững chắc chủ quyền lãnh thổ” và \"Xây dựng nông thôn mới.\"",
    "Đồng chí Nguyễn Văn An, Chỉ huy trưởng Bộ Chỉ huy Bộ đội Biên phòng (BĐBP) tỉnh Lạng Sơn.",
    "Đảng uỷ Đồn Biên phòng Thanh Thủy - Hà Giang chỉ đạo tăng cường an ninh chinh tri trên địa bàn.",
    "ĐẢNG ỦY XÃ LŨNG CÚ phát động phong trào \"toàn dân bảo vệ an ninh Tổ quốc\" năm 2024.",
]
ENGLISH_TEXTS = [
    "Xi Jinping's People's Congress of the Border Defense Committee (BDC) said \"a new era of Reform\".",
    "The National People's Congress held talks at the Frontier Defense Committee of Guangxi Zhuang "
    "Autonomous Region's office, strengthening the policies of rock-solid border-defence cooperation.",
    "Deeply implementing the 14th Five-Year Plan, the Commission's officers visited 3 border posts.",
]


@pytest.mark.parametrize(("lang", "text"), [("vi", t) for t in TEXTS] + [("en", t) for t in ENGLISH_TEXTS])
def test_the_fast_counting_gives_the_numbers_of_each_occurrence_counted_one_by_one(lang, text):
    language = language_of(lang)
    fast = list(term_counting.segment_gram_numbers(text, language))
    assert fast == list(term_counting.gram_numbers_by_occurrence(text, language))
    assert [key for key, _, _ in fast] == term_counting.segment_gram_keys(text, language)
    # The hashes continued word by word are the hashes of the keys.
    hashed = term_counting._hashed_spans(term_counting._Prepared(text, language), language)
    assert [span[0] for span in hashed] == [term_counting.gram_hash(key) for key, _, _ in fast]
    prepared = term_counting._Prepared(text, language, positions=True)
    assert list(segment_acronyms(text, term_counting.prepared_units(text, prepared), language)) == \
        list(segment_acronyms(text, language.units(text), language))
    assert any(numbers[2] for _, _, numbers in fast)  or "\"" not in text and "“" not in text


def test_the_fast_counting_equals_the_occurrences_on_every_seed_sentence(store):
    for text, lang in store.conn.execute("SELECT s.source_text, d.lang FROM segments s "
                                         "JOIN documents d ON d.id = s.document_id WHERE d.lang IN ('vi', 'en')"):
        language = language_of(lang)
        assert list(term_counting.segment_gram_numbers(text, language)) == \
            list(term_counting.gram_numbers_by_occurrence(text, language)), text
        hashed = term_counting._hashed_spans(term_counting._Prepared(text, language), language)
        assert [span[0] for span in hashed] == \
            [term_counting.gram_hash(key) for key in term_counting.segment_gram_keys(text, language)]
        units = term_counting.prepared_units(text, term_counting._Prepared(text, language, positions=True))
        assert [(u.start, u.end, u.key, u.surface, u.word, u.acronym) for u in units] == \
            [(u.start, u.end, u.key, u.surface, u.word, u.acronym) for u in language.units(text)], text


def _every_gram_hash(store, lang: str):
    import numpy as np

    keys = {key for (text,) in store.conn.execute(
        "SELECT coalesce(s.original_source_text, s.source_text) FROM segments s JOIN documents d "
        "ON d.id = s.document_id WHERE d.lang = ? AND s.retired_at IS NULL AND d.archived = 0", (lang,))
        for key in term_counting.segment_gram_keys(text, language_of(lang))}
    return np.array(sorted({term_counting.gram_hash(key) for key in keys}), dtype=np.uint32)


@pytest.mark.parametrize("rebuild", [False, True])
def test_the_filter_of_n_grams_met_holds_every_one_counted(store, rebuild):
    (stats.rebuild_statistics if rebuild else stats.update_statistics)(store)
    import_uploads(store, [("new.txt", NEW_DOCUMENT.encode()), ("league.txt", ENGLISH_DOCUMENT.encode())], OPTIONS)
    stats.update_statistics(store)
    for lang in ("vi", "en"):
        hashes = _every_gram_hash(store, lang)
        met = term_counting.GramFilter.load(store.conn, lang, hashes)
        assert met is not None and met.contains(hashes).all()
    # And it tells something: most strings never written are not held.
    import numpy as np

    never = np.array([term_counting.gram_hash(f"chưa từng viết {n}") for n in range(2000)], dtype=np.uint32)
    assert term_counting.GramFilter.load(store.conn, "vi", never).contains(never).mean() < 0.2


def test_a_store_counted_before_the_filter_existed_still_updates_exactly(store):
    stats.update_statistics(store)
    with store.transaction() as conn:  # as a store of the release before
        conn.execute("DELETE FROM term_gram_filter")
        conn.execute("DELETE FROM term_statistics_state WHERE name LIKE 'filter_blocks_%'")
    import_uploads(store, [("new.txt", NEW_DOCUMENT.encode()), ("league.txt", ENGLISH_DOCUMENT.encode())], OPTIONS)
    stats.update_statistics(store)
    assert stats.statistics_rows(store) == _rebuilt_rows(store)
