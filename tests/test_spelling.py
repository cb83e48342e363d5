"""Spelling: Hunspell dictionaries for English and Vietnamese targets, glossary and accepted words never flagged."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.review.checks import check_segment
from workbench.review.spelling import (
    SpellChecker,
    add_accepted_word,
    check_store_spelling,
    read_accepted_words,
    suggestions,
)

GLOSSARY = Glossary([
    GlossaryEntry("bp-station", {"vi": "Đồn Biên phòng", "en": "Border Guard Station"}),
    GlossaryEntry("name-shi", {"zh": "石泰峰", "en": "Shi Taifeng"}, variants={"en": ("Taifengg",)}),
])


@pytest.mark.parametrize("lang, text, expected", [
    ("en", "The border guard staton held a ceremoney.", ["staton", "ceremoney"]),
    ("en", "The Border Guard Station held a ceremony on the 21st of May.", []),
    ("en", "Zhang Shaochun met ASEAN delegates on WeChat.", []),  # names, acronyms, brands
    ("en", "Borken gates.", ["Borken"]),  # a capitalised word opening a sentence is checked
    ("en", "The station’s soldiers patrol.", []),
    ("vi", "Đồn Biên phòng Thanh Thủy tổ chức lễ kỷ niệm hòa bình, hoà bình.", []),  # both tone placements
    ("vi", "Bộ đôij biên phòng ngyời dân.", ["đôij", "ngyời"]),
])
def test_misspellings(lang, text, expected):
    assert [m.word for m in SpellChecker(lang).misspellings(text)] == expected


def test_spans_point_at_the_words():
    text = "A staton here."
    found = SpellChecker("en").misspellings(text)
    assert [(text[m.start:m.end]) for m in found] == ["staton"]


def test_glossary_words_and_accepted_words_are_never_flagged():
    text = "Taifengg met the Dongxing xyzcorp team."
    assert [m.word for m in SpellChecker("en").misspellings(text)] == ["Taifengg", "xyzcorp"]
    checker = SpellChecker("en", glossary=GLOSSARY, accepted={"XyzCorp"})
    assert checker.misspellings("Taifengg met the xyzcorp team.") == []
    lower = SpellChecker("en").misspellings("the taifengg post")
    assert [m.word for m in lower] == ["taifengg"]
    assert SpellChecker("en", glossary=GLOSSARY).misspellings("the taifengg post") == []


def test_accepted_words_file_round_trip(tmp_path):
    path = tmp_path / "glossaries" / "accepted-words.txt"
    assert read_accepted_words(path) == frozenset()
    add_accepted_word(path, "Mường")
    add_accepted_word(path, "xyzcorp")
    add_accepted_word(path, "XYZCORP")  # already there, case aside
    assert read_accepted_words(path) == {"mường", "xyzcorp"}
    assert path.read_text(encoding="utf-8").count("xyzcorp") == 1
    with pytest.raises(ValueError):
        add_accepted_word(path, "two words")


def test_spelling_is_a_check_of_a_segment():
    issues = check_segment("Đồn tổ chức lễ.", "The staton held a ceremony.", source_lang="vi", target_lang="en",
                           spell_checker=SpellChecker("en"))
    assert [(i.code, i.message) for i in issues] == [("spelling", "not in the dictionary: staton")]
    assert check_segment("Đồn tổ chức lễ.", "The staton held a ceremony.", source_lang="vi",
                         target_lang="en") == []  # no checker: no spelling check


def _store_target(store, text, target):
    document = parse_document("Đồn Biên phòng tổ chức lễ kỷ niệm.\n".encode(), path="/virtual/d.txt", lang="vi")
    result = store.upsert_document(document, segment_document(document), target_lang="en")
    segment = store.segments(result.document_id)[0]
    store.save_target(segment.id, target, "approved", reviewer="lan", expected_version=segment.version)
    return result.document_id


def test_the_qa_command_lists_misspelled_segments(store, tmp_path, capsys):
    _store_target(store, "x", "The staton held a ceremoney.")
    findings = check_store_spelling(store)
    assert [f.words for f in findings] == [("staton", "ceremoney")]
    accepted = tmp_path / "accepted.txt"
    accepted.write_text("# ours\nstaton\n", encoding="utf-8")
    assert main(["spelling", "--db", str(store.path), "--accepted", str(accepted)]) == 0
    captured = capsys.readouterr()
    assert "d.txt #1: ceremoney" in captured.out
    assert "1 segment(s) with possible misspellings" in captured.err


@pytest.mark.parametrize("lang, word, wanted, never", [
    ("en", "meetnig", "meeting", ()),
    ("en", "Recieve", "Receive", ("receive",)),  # a capitalised word gets capitalised suggestions
    ("en", "teh", "the", ("t-eh", "t eh")),  # no splits into two words
    ("en", "patroled", "patrolled", ("patrol-ed",)),
    ("vi", "phòmg", "phòng", ("phòNg",)),  # no capital inside a word
    ("vi", "tuầm", "tuần", ()),
])
def test_suggestions_are_dictionary_words_one_edit_away(lang, word, wanted, never):
    found = suggestions(lang, word)
    assert wanted in found and len(found) <= 5
    assert not set(never) & set(found)
    assert all(SpellChecker(lang).misspellings(s) == [] for s in found)


def test_a_word_nothing_is_close_to_gets_no_suggestion():
    assert suggestions("en", "Xyzzqw") == ()
    assert suggestions("fr", "bonjuor") == ()  # no dictionary for the language
