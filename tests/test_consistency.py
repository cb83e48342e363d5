"""Consistency QA across the store: inconsistencies planted in a test store are found, and only those."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.glossary import load_glossary
from workbench.pipeline import BatchOptions, import_uploads
from workbench.review.consistency import check_consistency
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent

DOC_A = ("Đảng ủy xã họp chiều nay.\n\n"
         "Tổ an ninh tự quản tuần tra.\n\n"
         "Chính ủy phát biểu tại hội nghị.\n\n"
         "Có 562 buổi tuyên truyền.\n\n"
         "Trời mưa to.\n")
DOC_B = ("Đảng ủy xã họp chiều nay.\n\n"
         "Dân quân tuần tra.\n\n"
         "Hội nghị kết thúc.\n")


@pytest.fixture
def planted(tmp_path):
    """A store of two documents whose reviewed targets hold one inconsistency of each kind."""
    db = tmp_path / "store.db"
    with ReviewStore(db) as store:
        summary = import_uploads(store, [("a.txt", DOC_A.encode()), ("b.txt", DOC_B.encode())],
                                 BatchOptions(translate=False, lang="vi"))
        assert not summary.failures
        a, b = (store.documents()[0].id, store.documents()[1].id)
        seg_a = {s.source_text: s for s in store.segments(a)}
        seg_b = {s.source_text: s for s in store.segments(b)}

        def save(segment, text, status="approved"):
            return store.save_target(segment.id, text, status, reviewer="Lan", expected_version=segment.version)

        save(seg_a["Đảng ủy xã họp chiều nay."], "The commune Party Committee met this afternoon.")
        save(seg_b["Đảng ủy xã họp chiều nay."], "The commune Party Committee met in the afternoon.", "reviewed")
        save(seg_a["Tổ an ninh tự quản tuần tra."], "The patrol went out.")  # term rendered otherwise
        save(seg_b["Dân quân tuần tra."], "The patrol went out.")  # same target, different source
        save(seg_a["Chính ủy phát biểu tại hội nghị."], "The Political Commissioner spoke at the conference.")
        save(seg_a["Có 562 buổi tuyên truyền."], "There were 526 information sessions.")
        save(seg_a["Trời mưa to."], "It rained hard.")  # consistent: no finding
        # Drafts and translated segments are not reviewed work: this one differs and is ignored.
        save(seg_b["Hội nghị kết thúc."], "The conference ended with 3 votes.", "translated")
        ids = {"a": a, "b": b, "seg_a": {k: v.id for k, v in seg_a.items()},
               "seg_b": {k: v.id for k, v in seg_b.items()}}
    return db, ids


def _by_kind(findings) -> dict[str, list]:
    grouped: dict[str, list] = {}
    for finding in findings:
        grouped.setdefault(finding.kind, []).append(finding)
    return grouped


def test_every_planted_inconsistency_is_found_and_nothing_else(planted):
    db, ids = planted
    with ReviewStore(db) as store:
        findings = _by_kind(check_consistency(store, load_glossary(REPO / "glossaries")))
    assert set(findings) == {"same_source_different_target", "same_target_different_source",
                             "term_not_as_glossary", "forbidden_term", "numbers_differ"}

    (same_source,) = findings["same_source_different_target"]
    assert {s.segment_id for s in same_source.segments} == {ids["seg_a"]["Đảng ủy xã họp chiều nay."],
                                                             ids["seg_b"]["Đảng ủy xã họp chiều nay."]}
    assert {s.status for s in same_source.segments} == {"approved", "reviewed"}

    (same_target,) = findings["same_target_different_source"]
    assert {s.source for s in same_target.segments} == {"Tổ an ninh tự quản tuần tra.", "Dân quân tuần tra."}

    terms = {(f.entry_id, f.segments[0].segment_id) for f in findings["term_not_as_glossary"]}
    assert ("vn-to-an-ninh-tu-quan", ids["seg_a"]["Tổ an ninh tự quản tuần tra."]) in terms
    assert ("vn-dan-quan", ids["seg_b"]["Dân quân tuần tra."]) in terms
    # "Political Commissioner" is the forbidden rendering of Chính ủy.
    (forbidden,) = findings["forbidden_term"]
    assert forbidden.entry_id == "vn-chinh-uy" and "Political Commissioner" in forbidden.message

    (numbers,) = findings["numbers_differ"]
    assert numbers.segments[0].segment_id == ids["seg_a"]["Có 562 buổi tuyên truyền."]
    assert "562" in numbers.message and "526" in numbers.message
    every_segment = {s.segment_id for group in findings.values() for f in group for s in f.segments}
    assert ids["seg_a"]["Trời mưa to."] not in every_segment
    assert ids["seg_b"]["Hội nghị kết thúc."] not in every_segment


def test_without_a_glossary_only_segment_level_checks_run(planted):
    db, _ = planted
    with ReviewStore(db) as store:
        kinds = {f.kind for f in check_consistency(store, None)}
    assert kinds == {"same_source_different_target", "same_target_different_source", "numbers_differ"}


def test_spacing_and_case_do_not_make_an_inconsistency(tmp_path):
    db = tmp_path / "store.db"
    with ReviewStore(db) as store:
        import_uploads(store, [("a.txt", "Trời mưa to.\n".encode()), ("b.txt", "Trời  mưa to.\n".encode())],
                       BatchOptions(translate=False, lang="vi"))
        for document, text in zip(store.documents(), ("It rained hard.", "it rained  hard."), strict=True):
            segment = store.segments(document.id)[0]
            store.save_target(segment.id, text, "approved", reviewer="Lan", expected_version=segment.version)
        assert check_consistency(store, None) == []


def test_cli_table_and_json(planted, capsys):
    db, ids = planted
    assert main(["glossary", "consistency", "--db", str(db), "--glossary", str(REPO / "glossaries"),
                 "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    kinds = [f["kind"] for f in report["findings"]]
    assert kinds.count("numbers_differ") == 1
    link = next(f for f in report["findings"] if f["kind"] == "numbers_differ")["segments"][0]["link"]
    assert link == f"?doc={ids['a']}&seg={ids['seg_a']['Có 562 buổi tuyên truyền.']}"
    assert main(["glossary", "consistency", "--db", str(db), "--glossary", str(REPO / "glossaries")]) == 0
    table = capsys.readouterr().out
    assert "[same source, different translations]" in table and "[forbidden rendering]" in table
    assert f"doc {ids['a']} seg {ids['seg_a']['Có 562 buổi tuyên truyền.']}" in table


def test_cli_refuses_a_missing_store(tmp_path, capsys):
    assert main(["glossary", "consistency", "--db", str(tmp_path / "none.db")]) == 1
    assert "no review store at" in capsys.readouterr().err
