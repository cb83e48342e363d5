"""The alignment editor's operations: each keeps every sentence once, in order, and can be undone."""

from __future__ import annotations

import pytest

from workbench.alignment import Link, glossary_term_pairs
from workbench.alignment.editing import (
    AlignmentEditError,
    AlignmentSession,
    AlignmentState,
    confirm,
    merge,
    move_sentence,
    new_state,
    no_counterpart,
    order_links,
    realign_rest,
    split_points,
    split_sentence,
)
from workbench.glossary import Glossary, GlossaryEntry

SOURCE = ("S0.", "S1.", "S2.", "S3.")
TARGET = ("T0.", "T1.", "T2.", "T3.")


def state(*links) -> AlignmentState:
    return AlignmentState(SOURCE, TARGET, tuple(Link(tuple(s), tuple(t), c) for s, t, c in links))


ONE_TO_ONE = state(([0], [0], 0.9), ([1], [1], 0.3), ([2], [2], 0.8), ([3], [3], 0.95))


def shape(result: AlignmentState) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    return [(link.source, link.target) for link in result.links]


def test_a_state_must_cover_every_sentence_once_in_order():
    with pytest.raises(AlignmentEditError, match="source sentences"):
        state(([0], [0], 1), ([2], [1], 1), ([1, 3], [2, 3], 1))
    with pytest.raises(AlignmentEditError, match="target sentences"):
        state(([0, 1], [0], 1), ([2, 3], [1, 2], 1))


def test_low_confidence_is_marked_until_confirmed():
    assert [link.low_confidence for link in ONE_TO_ONE.links] == [False, True, False, False]
    assert not confirm(ONE_TO_ONE, 1).links[1].low_confidence


@pytest.mark.parametrize("operation, expected", [
    (lambda s: merge(s, 1, "next"), [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]),
    (lambda s: merge(s, 1, "previous"), [((0, 1), (0, 1)), ((2,), (2,)), ((3,), (3,))]),
    (lambda s: move_sentence(s, 1, "source", "next"), [((0,), (0,)), ((), (1,)), ((1, 2), (2,)), ((3,), (3,))]),
    (lambda s: move_sentence(s, 1, "target", "previous"), [((0,), (0, 1)), ((1,), ()), ((2,), (2,)), ((3,), (3,))]),
    (lambda s: no_counterpart(s, 2, "source", 2), [((0,), (0,)), ((1,), (1,)), ((2,), ()), ((), (2,)), ((3,), (3,))]),
    (lambda s: no_counterpart(s, 0, "target", 0), [((), (0,)), ((0,), ()), ((1,), (1,)), ((2,), (2,)), ((3,), (3,))]),
])
def test_edits(operation, expected):
    result = operation(ONE_TO_ONE)
    assert shape(result) == expected
    assert all(link.confidence == 1.0 or link in ONE_TO_ONE.links for link in result.links)


def test_a_link_emptied_by_a_move_disappears():
    result = move_sentence(move_sentence(ONE_TO_ONE, 1, "source", "next"), 1, "target", "next")
    assert shape(result) == [((0,), (0,)), ((1, 2), (1, 2)), ((3,), (3,))]


def test_no_counterpart_takes_only_an_edge_sentence():
    merged = merge(merge(ONE_TO_ONE, 0), 0)  # [0, 1, 2]:[0, 1, 2]
    assert shape(no_counterpart(merged, 0, "source", 2))[:2] == [((0, 1), (0, 1, 2)), ((2,), ())]
    with pytest.raises(AlignmentEditError, match="first or the last"):
        no_counterpart(merged, 0, "source", 1)


def test_split_a_sentence():
    sentences = ("Đồn Biên phòng tuần tra. Họ bắt hai đối tượng.", "Hội nghị.")
    start = AlignmentState(sentences, ("Patrol.", "Arrest.", "Meeting."),
                           (Link((0,), (0, 1), 0.7), Link((1,), (2,), 0.9)))
    offset = sentences[0].index("Họ")
    assert offset in split_points(sentences[0])
    result = split_sentence(start, "source", 0, offset)
    assert result.source == ("Đồn Biên phòng tuần tra.", "Họ bắt hai đối tượng.", "Hội nghị.")
    assert shape(result) == [((0, 1), (0, 1)), ((2,), (2,))]
    assert result.links[1].confidence == 0.9  # the untouched link keeps its confidence
    resplit = move_sentence(result, 0, "source", "next")
    assert shape(merge(resplit, 0)) == [((0, 1, 2), (0, 1, 2))]
    for bad in (0, len(sentences[0])):
        with pytest.raises(AlignmentEditError, match="both parts"):
            split_sentence(start, "source", 0, bad)


@pytest.mark.parametrize("operation, message", [
    (lambda s: merge(s, 3, "next"), "no next link"),
    (lambda s: merge(s, 0, "previous"), "no previous link"),
    (lambda s: move_sentence(s, 9, "source", "next"), "no link 10"),
    (lambda s: no_counterpart(s, 0, "source", 3), "not in link 1"),
    (lambda s: split_sentence(s, "target", 7, 1), "no target sentence 8"),
])
def test_impossible_edits_are_refused(operation, message):
    with pytest.raises(AlignmentEditError, match=message):
        operation(ONE_TO_ONE)


def test_order_links_places_omissions_where_they_fall():
    links = [Link([1], [1], 0.5), Link([], [0], 1.0), Link([0], [], 1.0), Link([2, 3], [2, 3], 0.6)]
    assert [(link.source, link.target) for link in order_links(links)] == [
        ((0,), ()), ((), (0,)), ((1,), (1,)), ((2, 3), (2, 3))]
    with pytest.raises(AlignmentEditError):
        order_links([Link([1], [0]), Link([0], [1])])


def test_realign_the_rest_keeps_confirmed_links():
    calls = []

    def aligner(source, target, confirmed=()):
        calls.append(list(confirmed))
        return [Link([0], [0], 0.4), Link([1, 2], [1], 0.6), Link([3], [2, 3], 0.7)]

    start = confirm(ONE_TO_ONE, 0)
    result = realign_rest(start, aligner)
    assert [[link.as_pair() for link in kept] for kept in calls] == [[([0], [0])]]
    assert result.links[0] == Link((0,), (0,), 1.0, True)
    assert shape(result)[1:] == [((1, 2), (1,)), ((3,), (2, 3))]

    def rude(source, target, confirmed=()):
        return [Link([0, 1], [0], 0.9), Link([2, 3], [1, 2, 3], 0.9)]

    with pytest.raises(AlignmentEditError, match="changed a confirmed link"):
        realign_rest(start, rude)


def test_realign_with_the_real_aligner():
    source = ["The border guard post was founded in 1959.", "Its soldiers patrol 27 kilometres.",
              "They meet the neighbouring station every month."]
    target = ["Le poste a été fondé en 1959.", "Ses soldats patrouillent sur 27 kilomètres.",
              "Ils rencontrent le poste voisin chaque mois."]
    session = AlignmentSession.start(source, target, [Link([0, 1], [0], 0.2), Link([2], [1, 2], 0.2)])
    session.apply("move", move_sentence, 0, "source", "next")
    session.apply("confirm", confirm, 0)
    session.apply("realign", realign_rest)
    assert shape(session.state) == [((0,), (0,)), ((1,), (1,)), ((2,), (2,))]
    assert [link.confirmed for link in session.state.links] == [True, False, False]


def test_every_edit_can_be_undone():
    session = AlignmentSession(ONE_TO_ONE)
    session.apply("merge", merge, 0, "next")
    session.apply("split", split_sentence, "source", 0, 1)  # "S" | "0."
    session.apply("confirm", confirm, 0)
    assert [session.undo() for _ in range(3)] == ["confirm", "split", "merge"]
    assert session.state == ONE_TO_ONE and not session.can_undo
    with pytest.raises(AlignmentEditError, match="nothing to undo"):
        session.undo()
    with pytest.raises(AlignmentEditError):
        session.apply("bad", merge, 3, "next")
    assert session.state == ONE_TO_ONE and not session.can_undo  # a refused edit leaves no trace


def test_pairs_and_term_pairs():
    result = merge(ONE_TO_ONE, 0)
    assert result.pairs()[0] == ("S0. S1.", "T0. T1.")
    glossary = Glossary([GlossaryEntry("e", {"vi": "Bộ đội Biên phòng", "en": "Border Guard"},
                                       variants={"vi": ("BĐBP",), "en": ("Border Guards",)},
                                       forbidden={"en": ("Border Army",)}),
                         GlossaryEntry("f", {"vi": "Đồn"})])
    # Every source form with every target form; forbidden renderings and one-language entries give none.
    assert glossary_term_pairs(glossary, "vi", "en") == [
        ("Bộ đội Biên phòng", "Border Guard"), ("Bộ đội Biên phòng", "Border Guards"),
        ("BĐBP", "Border Guard"), ("BĐBP", "Border Guards")]
    assert glossary_term_pairs(glossary, "en", "vi")[0] == ("Border Guard", "Bộ đội Biên phòng")
    assert glossary_term_pairs(None, "vi", "en") == glossary_term_pairs(glossary, None, "en") == []


def test_new_state_from_aligner_links():
    built = new_state(SOURCE, TARGET, [Link([0], [0], 0.9), Link([1, 2, 3], [1, 2, 3], 0.5)])
    assert shape(built) == [((0,), (0,)), ((1, 2, 3), (1, 2, 3))]
