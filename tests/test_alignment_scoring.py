"""Tests of the alignment scorer (strict and lax P/R/F1) and of the link file format."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.alignment import (
    Link,
    LinkFormatError,
    format_link,
    format_links,
    parse_link,
    read_links,
    score_alignment,
    score_alignments,
)

DATA = Path(__file__).resolve().parent / "data" / "align"


def test_gold_scored_against_itself_is_perfect():
    gold = read_links(DATA / "textberg_test4.defr")
    score = score_alignment(gold, gold)
    assert (score.strict_precision, score.strict_recall, score.strict_f1) == (1.0, 1.0, 1.0)
    assert (score.lax_precision, score.lax_recall, score.lax_f1) == (1.0, 1.0, 1.0)


# (gold, predicted, strict P, strict R, lax P, lax R), worked out by hand from the metric.
CASES = {
    "identical with an omission": (
        [([0], [0]), ([], [1]), ([1], [2])],
        [([0], [0]), ([], [1]), ([1], [2])],
        1.0, 1.0, 1.0, 1.0,
    ),
    "merge split into a 1-1 and a deletion": (
        # ([1], [1]) overlaps the gold 2-1 on both sides: lax, not strict; ([2], []) is
        # neither; recall ignores links with an empty side.
        [([0], [0]), ([1, 2], [1])],
        [([0], [0]), ([1], [1]), ([2], [])],
        1 / 3, 1 / 2, 2 / 3, 1.0,
    ),
    "crossed links share nothing": (
        [([0], [0]), ([1], [1])],
        [([0], [1]), ([1], [0])],
        0.0, 0.0, 0.0, 0.0,
    ),
    "a predicted 2-2 for two gold 1-1": (
        [([0], [0]), ([1], [1])],
        [([0, 1], [0, 1])],
        0.0, 0.0, 1.0, 1.0,
    ),
    "wrong omission side": (
        # Gold drops target 1; prediction drops source 1 instead.
        [([0], [0]), ([], [1]), ([1], [2])],
        [([0], [0]), ([1], []), ([], [1]), ([], [2])],
        2 / 4, 1 / 2, 2 / 4, 1 / 2,
    ),
    "links empty on both sides are ignored": (
        [([0], [0])],
        [([0], [0]), ([], [])],
        1.0, 1.0, 1.0, 1.0,
    ),
}


@pytest.mark.parametrize("gold, predicted, strict_p, strict_r, lax_p, lax_r", CASES.values(), ids=CASES.keys())
def test_hand_made_cases(gold, predicted, strict_p, strict_r, lax_p, lax_r):
    score = score_alignment(gold, predicted)
    assert score.strict_precision == pytest.approx(strict_p)
    assert score.strict_recall == pytest.approx(strict_r)
    assert score.lax_precision == pytest.approx(lax_p)
    assert score.lax_recall == pytest.approx(lax_r)
    for precision, recall, f1 in (
        (strict_p, strict_r, score.strict_f1),
        (lax_p, lax_r, score.lax_f1),
    ):
        expected = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        assert f1 == pytest.approx(expected)


def test_counts_are_summed_over_documents_not_averaged():
    perfect = [([0], [0]), ([1], [1])]
    gold_merge, predicted_merge = CASES["merge split into a 1-1 and a deletion"][:2]
    score = score_alignments([perfect, gold_merge], [perfect, predicted_merge])
    # Precision: 2 + 1 strict hits out of 2 + 3 links; recall: 2 + 1 out of 2 + 2.
    assert score.strict_precision == pytest.approx(3 / 5)
    assert score.strict_recall == pytest.approx(3 / 4)
    assert score.documents == 2


def test_links_and_pairs_score_alike():
    gold = [Link([0], [0]), Link([1, 2], [1])]
    predicted = [([0], [0]), ([1], [1]), ([2], [])]
    assert score_alignment(gold, predicted) == score_alignment([g.as_pair() for g in gold], predicted)


def test_document_counts_must_match():
    with pytest.raises(ValueError, match="2 gold documents but 1 predicted"):
        score_alignments([[], []], [[]])


@pytest.mark.parametrize(
    "line, source, target",
    [
        ("[0]:[0]", [0], [0]),
        ("[1,2]:[1,2,3]", [1, 2], [1, 2, 3]),
        ("[8, 9]:[10, 11, 12]", [8, 9], [10, 11, 12]),
        ("[]:[16]", [], [16]),
        ("[3]:[]", [3], []),
        ("  [4] : [5]  \n", [4], [5]),
    ],
)
def test_parse_link(line, source, target):
    link = parse_link(line)
    assert link.as_pair() == (source, target)


@pytest.mark.parametrize("line", ["0:0", "[a]:[1]", "[1]-[2]", "[1]:[2]:[3]", "[-1]:[2]", ""])
def test_parse_link_rejects_malformed_lines(line):
    with pytest.raises(LinkFormatError):
        parse_link(line)


def test_read_links_names_file_and_line(tmp_path):
    path = tmp_path / "gold.align"
    path.write_text("[0]:[0]\n\n[1]:[x]\n", encoding="utf-8")
    with pytest.raises(LinkFormatError) as raised:
        read_links(path)
    assert str(raised.value) == f"{path}:3: not a link `[i, j]:[k]`: '[1]:[x]'"


def test_format_round_trip(tmp_path):
    links = [Link([0], [0]), Link([1, 2], [1]), Link([], [2]), Link([3], [])]
    assert format_link(links[1]) == "[1, 2]:[1]"
    path = tmp_path / "out.align"
    path.write_text(format_links(links), encoding="utf-8")
    assert [link.as_pair() for link in read_links(path)] == [link.as_pair() for link in links]
    assert format_links([]) == ""
