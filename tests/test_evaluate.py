"""Quality report: sacrebleu scores against approved targets, edit rates, terms, progress."""

from __future__ import annotations

import csv
import io
import json

import pytest
import sacrebleu

from workbench.cli import main as cli
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.evaluation.scores import HISTOGRAM_BUCKETS, evaluate, format_table, summarise_edit_rates
from workbench.review.store import ReviewStore

VIETNAMESE = ("Hội nghị biên phòng.\nĐảng ủy họp. Toàn cảnh hội nghị. "
              "Bộ đội Biên phòng tuần tra.\n")
ENGLISH_MT = "Border meeting held.\nThe commission met on Monday. Patrols were increased.\n"
# Per segment position: (machine translation, approved target or None, reviewer).
VI_EN = [
    ("Border conference.", "Border defence conference.", "lan"),
    ("Party committee meeting.", "The Party committee met.", "lan"),
    ("Overview of the conference.", "Overview of the conference.", "minh"),  # unedited
    ("Border Guard patrol.", None, None),
]
EN_VI = [
    ("Hội nghị biên giới được tổ chức.", "Đã tổ chức hội nghị biên phòng.", "minh"),
    ("Ủy ban họp thứ hai.", "Ủy ban đã họp vào thứ Hai.", "minh"),
    ("Tuần tra được tăng.", None, None),
]


def term_report(present: list[tuple[str, str, bool]]) -> dict:
    return {"source_lang": "vi", "target_lang": "en", "occurrences": [
        {"entry_id": entry, "required_target": target, "present": found, "source_start": 0,
         "source_end": 1, "source_surface": "x"} for entry, target, found in present]}


TERMS = {  # vi->en segment position -> term occurrences (entry, required target, present)
    0: [("bien-phong", "border defence", False)],
    1: [("dang-uy", "Party committee", True)],
    3: [("bien-phong", "border defence", False), ("bo-doi-bp", "Border Guard", True)],
}


def build(store, text, path, plan, checkpoint, lang=None, mt_from=None, terms=None):
    document = parse_document(text.encode("utf-8"), path=str(path), lang=lang,
                              machine_translated_from=mt_from)
    target = "vi" if document.lang == "en" else "en"
    result = store.upsert_document(document, segment_document(document), target_lang=target)
    segments = store.segments(result.document_id)
    assert len(segments) == len(plan)
    store.record_translations([{
        "segment_id": s.id, "source_text": s.source_text, "source_lang": document.lang,
        "target_lang": target, "checkpoint": checkpoint, "engine": "marian", "text": mt,
        "term_report": term_report(terms[s.position]) if terms and s.position in terms else None}
        for s, (mt, _, _) in zip(segments, plan, strict=True)])
    for segment, (_, approved, reviewer) in zip(segments, plan, strict=True):
        if approved:
            reviewed = store.save_target(segment.id, approved, "reviewed", reviewer=reviewer,
                                         expected_version=segment.version)
            store.save_target(segment.id, approved, "approved", reviewer=reviewer,
                              expected_version=reviewed.version)
    return result.document_id


@pytest.fixture
def db(tmp_path):
    """A store with a vi->en and an en->vi document, partly approved, from two checkpoints."""
    path = tmp_path / "x.db"
    with ReviewStore(path) as store:
        build(store, VIETNAMESE, tmp_path / "vi.txt", VI_EN, "opus-mt-vi-en", terms=TERMS)
        build(store, ENGLISH_MT, tmp_path / "en.txt", EN_VI, "opus-mt-en-vi", lang="en",
              mt_from="zh")
    return path


def approved(plan):
    return [mt for mt, ref, _ in plan if ref], [ref for _, ref, _ in plan if ref]


def direct(hypotheses, references) -> dict:
    """sacrebleu's own corpus functions, called on the same strings."""
    return {"bleu": sacrebleu.corpus_bleu(hypotheses, [references]).score,
            "chrf": sacrebleu.corpus_chrf(hypotheses, [references]).score,
            "ter": sacrebleu.corpus_ter(hypotheses, [references]).score}


@pytest.mark.parametrize("scope, key, plan", [
    ("overall", "all", VI_EN + EN_VI),
    ("pair", "vi-en", VI_EN),
    ("pair", "en-vi", EN_VI),
    ("checkpoint", "opus-mt-vi-en", VI_EN),
    ("checkpoint", "opus-mt-en-vi", EN_VI),
    ("document", "vi.txt", VI_EN),
])
def test_cli_scores_equal_sacrebleu_computed_directly(db, capsys, scope, key, plan):
    assert cli(["evaluate", "--db", str(db), "--format", "json"]) == 0
    report = json.loads(capsys.readouterr().out)
    groups = [report["overall"], *report["by_pair"], *report["by_checkpoint"],
              *[{"scope": "document", "key": d["name"], "scores": d["scores"]}
                for d in report["documents"]]]
    group = next(g for g in groups if (g["scope"], g["key"]) == (scope, key))
    hypotheses, references = approved(plan)
    expected = direct(hypotheses, references)
    scores = group["scores"]
    assert scores["segments"] == len(hypotheses)
    assert {k: scores[k] for k in expected} == pytest.approx(expected, abs=1e-9)
    signatures = {}
    for name, metric in (("bleu", sacrebleu.BLEU()), ("chrf", sacrebleu.CHRF()),
                         ("ter", sacrebleu.TER())):
        metric.corpus_score(hypotheses, [references])
        signatures[name] = str(metric.get_signature())
    assert scores["signatures"] == signatures
    assert signatures["bleu"].startswith("nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp")


def test_edit_rate_is_zero_when_the_reviewer_kept_the_mt(db):
    with ReviewStore(db) as store:
        report = evaluate(store)
        by_source = {store.segment(s.segment_id).mt_text: s.edit_rate for s in report.segments}
    assert by_source["Overview of the conference."] == 0
    assert all(rate > 0 for mt, rate in by_source.items() if mt != "Overview of the conference.")
    assert report.overall.edit_rate.unedited == 1
    assert report.overall.edit_rate.segments == 5
    # Each per-segment rate is TER of the MT against its approved target.
    expected = sacrebleu.sentence_ter("Border conference.", ["Border defence conference."]).score
    assert by_source["Border conference."] == pytest.approx(expected)


@pytest.mark.parametrize("rates, mean, median, unedited, buckets", [
    ([], None, None, 0, {}),
    ([0.0, 0.0, 50.0], 50 / 3, 0.0, 2, {"0-10": 2, "50-60": 1}),
    ([12.5, 100.0, 250.0], 362.5 / 3, 100.0, 0, {"10-20": 1, "100+": 2}),
])
def test_edit_rate_distribution(rates, mean, median, unedited, buckets):
    summary = summarise_edit_rates(rates)
    assert (summary.segments, summary.unedited) == (len(rates), unedited)
    assert summary.mean == (pytest.approx(mean) if mean is not None else None)
    assert summary.median == median
    assert list(summary.histogram) == list(HISTOGRAM_BUCKETS)
    assert {k: v for k, v in summary.histogram.items() if v} == buckets


def test_documents_report_review_progress_and_terms(db):
    with ReviewStore(db) as store:
        report = evaluate(store)
    vi, en = report.documents
    assert (vi.lang_pair, vi.segments, vi.approved, vi.evaluated) == ("vi-en", 4, 3, 3)
    assert (en.lang_pair, en.segments, en.approved, en.evaluated) == ("en-vi", 3, 2, 2)
    assert (vi.term_success["occurrences"], vi.term_success["matched"]) == (4, 2)
    assert en.term_success is None
    terms = report.term_success
    assert (terms["occurrences"], terms["matched"], terms["success_rate"]) == (4, 2, 0.5)
    assert terms["missing"][0] == {"entry_id": "bien-phong", "required_target": "border defence",
                                   "count": 2}


def test_reviewer_progress_counts_status_changes_per_reviewer(db):
    with ReviewStore(db) as store:
        progress = evaluate(store).reviewer_progress
    totals = {}
    for day in progress:
        assert len(day.day) == 10  # YYYY-MM-DD
        counts = totals.setdefault(day.reviewer, [0, 0, 0])
        counts[0] += day.reviewed
        counts[1] += day.approved
        counts[2] += day.changes
    assert totals == {"lan": [2, 2, 4], "minh": [3, 3, 6]}


def test_csv_and_table_formats(db, capsys):
    assert cli(["evaluate", "--db", str(db), "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["scope"], r["key"], r["segments"]) for r in rows] == [
        ("overall", "all", "5"), ("pair", "en-vi", "2"), ("pair", "vi-en", "3"),
        ("checkpoint", "opus-mt-en-vi", "2"), ("checkpoint", "opus-mt-vi-en", "3"),
        ("document", "vi.txt", "3"), ("document", "en.txt", "2")]
    hypotheses, references = approved(VI_EN + EN_VI)
    assert float(rows[0]["bleu"]) == pytest.approx(direct(hypotheses, references)["bleu"])
    assert cli(["evaluate", "--db", str(db)]) == 0
    table = capsys.readouterr().out
    assert "BLEU" in table and "missed 2x: bien-phong -> border defence" in table
    assert "bleu signature: nrefs:1|case:mixed|eff:no|tok:13a" in table


def test_a_store_without_approvals_reports_no_scores(tmp_path):
    with ReviewStore(tmp_path / "x.db") as store:
        build(store, VIETNAMESE, tmp_path / "vi.txt",
              [(mt, None, None) for mt, _, _ in VI_EN], "opus-mt-vi-en")
        report = evaluate(store)
    assert (report.overall.scores.segments, report.overall.scores.bleu) == (0, None)
    assert report.by_pair == [] and report.reviewer_progress == []
    assert format_table(report).startswith("No approved segment with a machine translation yet")
    json.dumps(report.to_dict())
