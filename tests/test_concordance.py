"""Concordance: keyword-in-context across sources and targets, tone-mark-insensitive for Vietnamese."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.pipeline import BatchOptions, run_batch
from workbench.review.concordance import search
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("concordance") / "seeds.db"
    with ReviewStore(db) as store:
        assert not run_batch([REPO / "seeds"], store, BatchOptions(translate=False)).failures
    return db


@pytest.fixture
def store(seeds_db, tmp_path):
    copy = tmp_path / "seeds.db"
    shutil.copy(seeds_db, copy)
    with ReviewStore(copy) as opened:
        yield opened


@pytest.mark.parametrize("query", ["dang uy", "Đảng uỷ", "Đảng ủy", "ĐẢNG UỶ"])
def test_every_spelling_of_the_query_finds_both_tone_placements(store, query):
    found = {line.match for line in search(store, query)}
    assert {"Đảng uỷ", "Đảng ủy"} <= found
    assert all(m.casefold() in ("đảng uỷ", "đảng ủy") for m in found)


def test_lines_carry_document_segment_and_context(store):
    lines = search(store, "dang uy")
    segment_ids = {s.id: s for d in store.documents() for s in store.segments(d.id)}
    for line in lines:
        segment = segment_ids[line.segment_id]
        assert segment.document_id == line.document_id and line.side == "source"
        assert line.left + line.match + line.right in "…" + segment.source_text + "…" or \
            line.match in segment.source_text
        assert line.link == f"?doc={line.document_id}&seg={line.segment_id}"
    assert len({line.document_id for line in lines}) == 2  # 002 and 004 (003 has none)


def test_word_boundaries_and_english_plurals(store):
    assert {line.match for line in search(store, "border defense")} >= {"border defense"}
    assert search(store, "order defens") == []
    assert {line.match.casefold() for line in search(store, "Three North")} == {"three norths"}


def test_a_query_with_diacritics_is_not_folded_away(store):
    # "biên" with its marks must not find "biện" (another word); without marks it finds both.
    marked = {line.match.casefold() for line in search(store, "biên phòng")}
    assert marked == {"biên phòng"}
    plain = {line.match.casefold() for line in search(store, "bien phong")}
    assert "biên phòng" in plain


def test_targets_are_searched_too(store):
    segment = store.segments(store.documents()[2].id)[0]
    store.save_target(segment.id, "The Party Committee of the Thanh Thủy station met.", "approved",
                      reviewer="Lan", expected_version=segment.version)
    lines = [line for line in search(store, "thanh thuy") if line.side == "target"]
    assert [(line.segment_id, line.match) for line in lines] == [(segment.id, "Thanh Thủy")]


def test_cli_prints_lines_and_json(store, capsys):
    db = str(store.path)
    assert main(["concordance", "dang uy", "--db", db]) == 0
    out = capsys.readouterr()
    assert "[Đảng uỷ]" in out.out and "[Đảng ủy]" in out.out and "occurrences of 'dang uy'" in out.err
    assert main(["concordance", "dang uy", "--db", db, "--json", "--limit", "2"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert len(report["lines"]) == 2 and report["lines"][0]["match"].casefold().startswith("đảng")
    assert main(["concordance", "  ", "--db", db]) == 2
    assert "give a word or phrase" in capsys.readouterr().err


@pytest.mark.parametrize("text, url", [
    ("Đảng uỷ", "terms?q=%C4%90%E1%BA%A3ng%20u%E1%BB%B7"),
    (" a&b=c ", "terms?q=a%26b%3Dc"),  # the text is one parameter, whatever it holds
])
def test_concordance_url(text, url):
    from workbench.review.concordance import concordance_url

    assert concordance_url(text) == url
