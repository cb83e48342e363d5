"""The review screen's logic: escaped term highlights, filters, pages, starting targets."""

from __future__ import annotations

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.glossary import Glossary, GlossaryEntry
from workbench.review.checks import Issue
from workbench.review.store import SegmentRecord
from workbench.review.views import (
    SegmentFilter,
    SegmentView,
    diff_html,
    highlight_terms,
    initial_target,
    mt_problems,
    next_segment_id,
    page_count,
    page_items,
    page_of,
    segment_views,
    term_hints,
    text_to_check,
    word_diff,
)

GLOSSARY = Glossary([GlossaryEntry("vn-bdbp", {"vi": "Bộ đội Biên phòng", "en": "Border <Guard>"},
                                   note='the "force" & <b>not</b> the army')])


def record(**fields) -> SegmentRecord:
    base = dict(id=1, document_id=1, position=0, paragraph=0, kind="body", source_text="Nguồn.",
                original_source_text=None, normalisation=[], mt_text=None, target_text=None,
                status="new", version=1, updated_by=None, updated_at=None, checkpoint=None,
                random_weights=False, term_report=None)
    return SegmentRecord(**{**base, **fields})


def test_highlight_escapes_text_terms_and_hover():
    html = highlight_terms('<script>alert(1)</script> Bộ đội Biên phòng <img src=x onerror=alert(2)>',
                           GLOSSARY, "vi", "en")
    assert "<script>" not in html and "<img" not in html
    assert html.startswith("&lt;script&gt;alert(1)&lt;/script&gt; <mark ")
    assert ">Bộ đội Biên phòng</mark>" in html
    # Angle brackets in the hover become look-alikes: Streamlit's sanitiser drops any attribute holding "<b".
    assert ('title="Border ‹Guard› — the &quot;force&quot; &amp; ‹b›not‹/b› the army'
            ' — [vn-bdbp]"') in html
    assert html.endswith("&lt;img src=x onerror=alert(2)&gt;")
    assert highlight_terms("<b>x</b>", None, "vi", "en") == "&lt;b&gt;x&lt;/b&gt;"


@pytest.mark.parametrize("fields, expected", [
    ({"target_text": "Reviewer's text", "mt_text": "MT"}, "Reviewer's text"),
    ({"target_text": "", "mt_text": "MT"}, ""),
    ({"mt_text": "Real MT"}, "Real MT"),
    ({"mt_text": "noise noise", "random_weights": True}, ""),  # never start from a test model's noise
    ({"mt_text": "the the the the border"}, ""),  # nor from a repetition loop, flag or no flag
    ({"source_text": "Đồn Biên phòng tổ chức hội nghị.", "mt_text": "Đồn Biên phòng tổ chức hội nghị."}, ""),
    ({}, ""),
])
def test_initial_target(fields, expected):
    segment = record(**fields)
    assert initial_target(segment, "vi", "en") == expected
    # The page takes it from the segment's view, whose MT problems were found once for the grid.
    view = SegmentView(segment, None, False, mt_problems=mt_problems(segment, "vi", "en"))
    assert view.initial_target == expected


VIEWS = [
    SegmentView(record(id=1, status="new", source_text="Bộ đội Biên phòng tuần tra."), None, False, []),
    SegmentView(record(id=2, status="approved", target_text="Patrol."), "Patrol.", False, []),
    SegmentView(record(id=3, status="draft", mt_text="Đồn biên phòng"), "Đồn biên phòng", True,
                [Issue("numbers", "numbers differ")]),
]


@pytest.mark.parametrize("segment_filter, expected", [
    (SegmentFilter(), [1, 2, 3]),
    (SegmentFilter(statuses=("new", "approved")), [1, 2]),
    (SegmentFilter(flagged_only=True), [3]),
    (SegmentFilter(checks=("numbers",)), [3]),
    (SegmentFilter(checks=("double_space",)), []),
    (SegmentFilter(text="bien phong"), [1, 3]),  # accents and case optional, MT searched too
    (SegmentFilter(text="PATROL"), [2]),
    (SegmentFilter(statuses=("draft",), text="tuần"), []),
])
def test_filters(segment_filter, expected):
    assert [v.segment.id for v in segment_filter.apply(VIEWS)] == expected


def test_pages_and_next():
    items = list(range(45))
    assert page_count(45, 20) == 3 and page_count(0, 20) == 1
    assert page_items(items, 3, 20) == list(range(40, 45))
    assert page_items(items, 9, 20) == list(range(40, 45))  # clamped
    assert page_of(20, 20) == 2
    assert next_segment_id([5, 7, 9], 7) == 9
    assert next_segment_id([5, 7, 9], 9) is None
    assert next_segment_id([5, 7, 9], 4) is None


@pytest.mark.parametrize("fields, expected", [
    ({"target_text": "Mine.", "mt_text": "MT."}, ("Mine.", False)),
    ({"mt_text": "MT."}, ("MT.", True)),
    ({"mt_text": "noise", "random_weights": True}, (None, False)),  # noise is not checked
    ({"mt_text": "x x x x x x"}, (None, False)),  # nor a repetition loop
    ({}, (None, False)),
])
def test_text_to_check(fields, expected):
    assert text_to_check(record(**fields), "vi", "en") == expected


def test_segment_views_check_the_target_or_else_the_mt(store):
    text = "Bộ đội Biên phòng có 12 đồn.\nHọ tuần tra.\n"
    document = parse_document(text.encode(), path="/virtual/a.txt", lang="vi")
    doc_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
    first, second = store.segments(doc_id)
    store.save_target(first.id, "The Border Guard has 13 stations.", "draft", reviewer="ann",
                      expected_version=1)
    glossary = Glossary([GlossaryEntry("vn-bdbp", {"vi": "Bộ đội Biên phòng", "en": "Border Guard"})])
    views = segment_views(store, doc_id, glossary)
    assert [v.issue_codes for v in views] == [{"numbers"}, {"empty_target"}]
    assert (views[0].checked_is_mt, views[1].checked_is_mt) == (False, False)


def test_segment_views_flag_implausible_mt_and_reuse_the_cache(store):
    text = "Bộ đội Biên phòng tuần tra đường biên giới.\nHọ họp.\n"
    document = parse_document(text.encode(), path="/virtual/b.txt", lang="vi")
    doc_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
    first, second = store.segments(doc_id)
    store.record_translations([
        {"segment_id": first.id, "source_text": first.source_text, "source_lang": "vi", "target_lang": "en",
         "checkpoint": "opus-mt-vi-en", "engine": "marian", "text": "patrol patrol patrol patrol patrol"},
        {"segment_id": second.id, "source_text": second.source_text, "source_lang": "vi", "target_lang": "en",
         "checkpoint": "opus-mt-vi-en", "engine": "marian", "text": "They met."}])
    cache: dict = {}
    views = segment_views(store, doc_id, None, cache=cache)
    assert "implausible_mt" in views[0].issue_codes and views[0].usable_mt is None
    assert views[0].mt_problems == ["repetition loop: a word repeated 5 times in a row"]
    assert views[1].usable_mt == "They met." and "implausible_mt" not in views[1].issue_codes
    store.save_target(second.id, "They met today.", "approved", reviewer="ann", expected_version=1)
    again = segment_views(store, doc_id, None, cache=cache)
    assert [v.issue_codes for v in again] == [v.issue_codes for v in segment_views(store, doc_id, None)]
    assert again[1].checked_text == "They met today."


@pytest.mark.parametrize("before, after, expected", [
    ("The border guard", "The Border Guard", [("equal", "The "), ("delete", "border"), ("insert", "Border"),
                                              ("equal", " "), ("delete", "guard"), ("insert", "Guard")]),
    (None, "New text", [("insert", "New text")]),
    ("Old", None, [("delete", "Old")]),
    ("same words", "same words", [("equal", "same words")]),
])
def test_word_diff(before, after, expected):
    assert word_diff(before, after) == expected


def test_diff_html_escapes_both_sides():
    html = diff_html("<b>old</b>", "<i>new</i>")
    assert "<b>" not in html and "<i>" not in html
    assert "&lt;" in html and "<del " in html and "<ins " in html


def test_term_hints_name_the_required_target_once_per_entry():
    hints = term_hints("Bộ đội Biên phòng và Bộ đội Biên phòng.", GLOSSARY, "vi", "en")
    assert [(h.entry_id, h.surface, h.required) for h in hints] == [("vn-bdbp", "Bộ đội Biên phòng", "Border <Guard>")]
    assert term_hints("x", None, "vi", "en") == []
