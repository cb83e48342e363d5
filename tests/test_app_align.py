"""The Align page's logic, run headless with AppTest against a copy of the seeded store.

What a real browser does to the page is in tests/test_browser_align.py; here
the page's own rules are checked: the link in focus after each edit, the
sentences and term pairs it aligns (the library's, as for the `align` command),
refusals shown as errors, and that what Save stores is what the page holds.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest
from ui_support import APP, REPO, copy_store, seeded_store_file

from workbench.alignment.sentences import parse_sentences
from workbench.alignment.terms import load_term_pairs
from workbench.review.store import ReviewStore

SOURCE_DOCUMENT = 4  # seeds/003_vi_quang-ninh-border-sovereignty-movement-2019.txt


@pytest.fixture
def environment(tiny_checkpoints, tmp_path_factory, tmp_path, monkeypatch):
    """A copy of the seeded store and of the glossary, configured as a reviewer's machine would be."""
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), tmp_path / "data" / "workbench.db")
    glossary = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(glossary))
    monkeypatch.setenv("WORKBENCH_MODEL_VI_EN", str(tiny_checkpoints["vi-en"]))
    monkeypatch.setenv("WORKBENCH_MODEL_EN_VI", str(tiny_checkpoints["en-vi"]))
    monkeypatch.setenv("WORKBENCH_MODEL_ZH_EN", str(tmp_path / "no-model"))
    return db, glossary


def translation_of_source(db) -> bytes:
    """The source document's sentences, two of them joined and one dropped: a translation to align with."""
    with ReviewStore(db) as store:
        sentences = [segment.source_text for segment in store.segments(SOURCE_DOCUMENT)]
    lines = [sentences[0] + " " + sentences[1]] + sentences[2:5] + sentences[6:]
    return ("\n".join(lines) + "\n").encode("utf-8")


def aligned_page(upload: bytes, name: str = "translation.txt") -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/align.py").run()
    at.text_input(key="reviewer").input("Lan").run()
    at.selectbox(key="align_source").set_value(SOURCE_DOCUMENT).run()
    at.radio(key="align_target_kind").set_value("upload").run()
    at.get("file_uploader")[0].set_value((name, upload, "text/plain")).run()
    at.button(key="align_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def plain(element) -> str:
    """A message as the reviewer reads it, without the escaping that keeps Markdown out."""
    return element.value.replace("\\", "")


def link_chooser(at: AppTest):
    (chooser,) = [box for box in at.selectbox if box.label == "Link"]
    return chooser


def state(at: AppTest):
    return at.session_state["align_session"]["session"].state


def test_the_page_aligns_the_library_s_sentences_with_the_glossary_s_term_pairs(environment):
    db, glossary = environment
    upload = translation_of_source(db)
    at = aligned_page(upload)
    with ReviewStore(db) as store:
        assert state(at).source == tuple(s.source_text for s in store.segments(SOURCE_DOCUMENT))
    assert state(at).target == parse_sentences(upload, path="translation.txt").sentences
    # The same term pairs as the align command would use for this glossary and these languages.
    assert at.session_state["align_session"]["options"]["term_pairs"] == load_term_pairs(glossary, "vi", "vi")
    assert state(at).links[0].link_type == "2-1"  # the two joined sentences


def test_the_link_in_focus_follows_each_edit_and_undo_realign_save_work_after_it(environment):
    db, _ = environment
    at = aligned_page(translation_of_source(db))
    count = len(state(at).links)
    link_chooser(at).set_value(3).run()
    at.button(key="align_merge_previous").click().run()
    assert not at.exception and len(state(at).links) == count - 1
    assert link_chooser(at).value == 2 and state(at).links[2].link_type == "2-2"  # the merged link stays open
    at.button(key="align_confirm").click().run()
    assert link_chooser(at).value == 2 and state(at).links[2].confirmed

    at.button(key="align_undo").click().run()
    assert not at.exception and not state(at).links[2].confirmed
    at.button(key="align_realign").click().run()
    assert not at.exception and "Done: realign" in plain(at.success[0])
    assert len(state(at).links) == count  # the aligner's own links again, nothing confirmed to keep

    link_chooser(at).set_value(count - 1).run()
    at.button(key="align_merge_previous").click().run()
    at.button(key="align_save").click().run()
    assert not at.exception and "Saved as document" in plain(at.success[-1])
    shown = [(source, target or None) for source, target in state(at).pairs() if source]
    with ReviewStore(db) as store:
        (pair,) = [row for row in store.documents() if row.aligned_with == "translation.txt"]
        assert pair.aligned_from == SOURCE_DOCUMENT and store.is_aligned_pair(pair.id)
        assert [(s.source_text, s.target_text) for s in store.segments(pair.id)] == shown


def test_split_and_no_counterpart_choose_a_sentence_of_the_open_link(environment):
    db, _ = environment
    at = aligned_page(translation_of_source(db))
    link_chooser(at).set_value(0).run()  # source 0 and 1 with target 0
    (sentence,) = [box for box in at.selectbox if box.label == "Sentence"]
    sentence.set_value(("source", 1)).run()
    at.button(key="align_no_counterpart").click().run()
    assert not at.exception
    assert [(link.source, link.target) for link in state(at).links[:2]] == [((0,), (0,)), ((1,), ())]

    link_chooser(at).set_value(0).run()
    before = len(state(at).source)
    at.button(key="align_split").click().run()  # at the first place offered
    assert not at.exception and len(state(at).source) == before + 1
    assert state(at).links[0].source == (0, 1)  # both halves stay in the link


def test_an_edit_the_alignment_cannot_take_is_an_error_on_the_page(environment):
    db, _ = environment
    at = aligned_page(translation_of_source(db))
    link_chooser(at).set_value(0).run()
    count = len(state(at).links)
    assert len(state(at).links[0].source) == 2
    at.button(key="align_merge_next").click().run()  # now three source sentences in link 1
    link_chooser(at).set_value(0).run()
    (sentence,) = [box for box in at.selectbox if box.label == "Sentence"]
    middle = state(at).links[0].source[1]
    sentence.set_value(("source", middle)).run()
    at.button(key="align_no_counterpart").click().run()
    assert not at.exception
    assert "only the first or the last sentence" in plain(at.error[0])
    assert len(state(at).links) == count - 1  # unchanged by the refused edit


def test_a_file_the_workbench_cannot_read_is_an_error_naming_it(environment):
    at = aligned_page("Thông báo\n".encode("utf-16-le"), name="bad.txt")
    assert at.session_state["align_session"] is None
    assert plain(at.error[0]).startswith("Error: bad.txt: binary file")


def test_a_stored_document_as_the_translation(environment):
    db, _ = environment
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/align.py").run()
    at.text_input(key="reviewer").input("Lan").run()
    at.selectbox(key="align_source").set_value(SOURCE_DOCUMENT).run()
    at.selectbox(key="align_target").set_value(5).run()
    at.button(key="align_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with ReviewStore(db) as store:
        target = store.document(5)
        assert state(at).target == tuple(s.source_text for s in store.segments(5))
    at.button(key="align_save").click().run()
    with ReviewStore(db) as store:
        (pair,) = [row for row in store.documents() if row.aligned_from == SOURCE_DOCUMENT]
        assert pair.aligned_with == target.name and pair.target_lang == target.lang
