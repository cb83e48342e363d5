"""The concordance on the full-text index finds exactly what the matcher finds over every segment."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.pipeline import BatchOptions, import_uploads
from workbench.review.concordance import _Counter, _Finder, concordance, index_query, search_by_scanning
from workbench.review.store import ReviewStore

VI_TEXTS = [
    "Đảng uỷ Bộ đội Biên phòng tỉnh họp phiên thường kỳ.",
    "Đảng ủy xã Thanh Thủy và Đảng uỷ BĐBP cùng kiểm tra đường biên.",
    "ĐẢNG UỶ ĐỒN BIÊN PHÒNG quyết định khen thưởng.",
    "Ban chỉ huy biện pháp phòng chống buôn lậu; biên phòng là lực lượng nòng cốt.",
    "Hoà bình và hòa hợp: an ninh chính trị, an ninh chinh tri, trật tự an toàn xã hội.",
    unicodedata.normalize("NFD", "Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy tuần tra 21.790 km."),
    "Bộ Chỉ huy Bộ đội Biên phòng (BĐBP) tỉnh Hà Giang; BĐBP Hà Giang giữ vững chủ quyền.",
]
EN_TEXTS = [
    "The border guards patrolled the borders of the region; one border guard stayed.",
    "Policies and the policy of the Commission: three norths, Three-North Shelter Forest.",
    "The People's Liberation Army and the people's police met the Border Defense Committee.",
    "Classes of boxes: a class, a box, the buses and a bus; order and border defense order.",
]
QUERIES = [
    "dang uy", "Đảng uỷ", "Đảng ủy", "ĐẢNG UỶ", "đảng", "bien phong", "biên phòng", "biện pháp",
    "thanh thuy", "Thanh Thủy", "hoa binh", "hoà bình", "hòa hợp", "an ninh chinh tri",
    "an ninh chính trị", "BĐBP", "bdbp", "21.790", "border guard", "border guards", "borders",
    "policy", "policies", "three north", "Three-North", "people's", "People", "box", "boxes", "class",
    "bus", "order defens", "order", "defense order", "(BĐBP)", "km", "tuần tra", "tuan tra",
    "Bộ đội Biên phòng", "bo doi bien phong", "not there", ";",
]


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("search-index")
    with ReviewStore(folder / "store.db") as opened:
        uploads = [(f"vi{i}.txt", (text + "\n").encode()) for i, text in enumerate(VI_TEXTS)]
        uploads += [(f"en{i}.txt", (text + "\n").encode()) for i, text in enumerate(EN_TEXTS)]
        assert not import_uploads(opened, uploads, BatchOptions(translate=False)).failures
        # Targets: English renderings of Vietnamese sources, so queries cross languages.
        for document in opened.documents():
            if document.lang != "vi":
                continue
            segment = opened.segments(document.id)[0]
            opened.save_target(segment.id, f"The Party Committee of Thanh Thủy border guards ({segment.id}).",
                               "translated", reviewer="Lan", expected_version=segment.version)
        yield opened


def _same(store, query):
    indexed = concordance(store, query, limit=10_000)
    scanned = search_by_scanning(store, query, limit=10_000)
    assert indexed.lines == scanned
    assert indexed.total == len(scanned)
    # Past the first lines the occurrences are only counted, another way: the same total.
    for limit in (0, 1, 3):
        assert concordance(store, query, limit=limit).total == len(scanned), limit
    return indexed


@pytest.mark.parametrize("query", QUERIES)
def test_the_index_finds_what_the_matcher_finds(store, query):
    _same(store, query)


def test_the_sample_is_varied(store):
    # The comparison above means something only if queries both hit and miss.
    totals = {query: concordance(store, query).total for query in QUERIES}
    assert totals["dang uy"] >= 4 and totals["Đảng uỷ"] == totals["Đảng ủy"] >= 4
    assert totals["border guard"] == totals["border guards"] >= 3
    assert totals["order defens"] == 0 and totals["not there"] == 0
    assert totals["an ninh chính trị"] == 1 and totals["an ninh chinh tri"] == 2


def test_the_limit_keeps_the_first_lines_and_the_true_total(store):
    full = concordance(store, "border", limit=10_000)
    first = concordance(store, "border", limit=2)
    assert first.lines == full.lines[:2] and first.total == full.total > 2


def test_a_saved_target_a_retired_segment_and_an_archived_document_are_followed(tmp_path):
    with ReviewStore(tmp_path / "s.db") as store:
        import_uploads(store, [("a.txt", "Đảng uỷ họp.\nTrời mưa.\n".encode())], BatchOptions(translate=False))
        document = store.documents()[0]
        second = store.segments(document.id)[1]
        assert concordance(store, "party committee").total == 0
        store.save_target(second.id, "The Party Committee met.", "translated", reviewer="Lan",
                          expected_version=second.version)
        assert [line.segment_id for line in concordance(store, "party committee").lines] == [second.id]
        store.save_target(second.id, "It rained.", "translated", reviewer="Lan", expected_version=second.version + 1)
        assert concordance(store, "party committee").total == 0
        # Re-import with the first sentence changed: the old segment is retired, the new one found.
        import_uploads(store, [("a.txt", "Đảng ủy họp bất thường.\nTrời mưa.\n".encode())],
                       BatchOptions(translate=False))
        assert [line.match for line in concordance(store, "dang uy").lines] == ["Đảng ủy"]
        store.archive_document(document.id)
        assert concordance(store, "dang uy").total == 0


def test_a_store_made_before_the_index_gets_it_filled(tmp_path, monkeypatch):
    from workbench.review import schema

    path = tmp_path / "old.db"
    before = schema.MIGRATIONS.index(schema._SEGMENT_SEARCH)
    with monkeypatch.context() as patch:  # a workbench of the schema before the index
        patch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:before])
        patch.setattr(schema, "SCHEMA_VERSION", before)
        with ReviewStore(path) as store:
            import_uploads(store, [("a.txt", "Đảng uỷ họp.\n".encode())], BatchOptions(translate=False))
            assert store.schema_version == before
    with ReviewStore(path) as store:
        assert store.schema_version > before
        assert [line.match for line in concordance(store, "dang uy").lines] == ["Đảng uỷ"]


def test_index_queries_are_prefixes_of_stems():
    assert index_query("Policies of the Đảng uỷ") == '"polic"* + "of" + "the"* + "dang"* + "uy"'
    assert index_query("  ; ") is None and index_query("边防") is None


_WORDS = sorted({word for text in VI_TEXTS + EN_TEXTS for word in text.replace(";", " ").split()})


def _respell(word: str, rng: random.Random) -> str:
    """The word as a searcher might type it: marks dropped, case changed, or as written."""
    choice = rng.randrange(4)
    if choice == 0:
        return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c)) \
            .replace("đ", "d").replace("Đ", "D")
    if choice == 1:
        return word.upper()
    if choice == 2:
        return word.lower()
    return word


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=st.integers(0, len(_WORDS) - 1), length=st.integers(1, 3), seed=st.integers(0, 10_000))
def test_any_run_of_corpus_words_however_spelled(store, start, length, seed):
    rng = random.Random(seed)
    words = [_respell(word, rng) for word in _WORDS[start:start + length]]
    _same(store, " ".join(words))


TRICKY = [
    *VI_TEXTS, *EN_TEXTS,
    "Đảng uỷ边防 Bộ đội Biên phòng 边防 bo doi bien phong",  # CJK glued to words
    "The ﬁnal border guard’s post; ﬂag of the Border Guards — borderguard.",  # ligatures, curly apostrophe
    unicodedata.normalize("NFD", "ĐẢNG ỦY Bộ Đội Biên Phòng, dang uy; Đảng uỷ"),
    "bo doi bo doi bo doi bien phong; dang dang uy uy",  # overlapping starts
    "Đảng uỷ\nBộ đội\tBiên   phòng (BĐBP); border-guard border_guard",
]


@pytest.mark.parametrize("query", QUERIES + ["bo doi", "dang dang", "border guard's", "final", "flag"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_counting_in_batches_equals_the_finder_text_by_text(query, lang):
    finder = _Finder(query, lang)
    expected = [len(finder.spans(text)) for text in TRICKY]
    counter = _Counter(query, lang, finder)
    assert counter.count(TRICKY) == sum(expected)
    assert [counter.count([text]) for text in TRICKY] == expected
