"""Tests of `align`: hand-made cases, reviewer-confirmed links, the optional signals, properties."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workbench.alignment import LENGTH_ONLY, InvalidLinks, Link, align, read_links, score_alignment
from workbench.alignment.search import LINK_TYPES

DATA = Path(__file__).resolve().parent / "data" / "align"

ENGLISH = [
    "The border guard post at Thanh Thuy was founded in 1959.",
    "Its soldiers patrol a stretch of 27 kilometres along the river.",
    "Every month they meet the officers of the neighbouring station.",
    "Last year the two sides held twelve joint patrols.",
    "The local people help them to keep the markers in good order.",
    "Smuggling has fallen sharply since the new checkpoint opened in March.",
    "The commander, Colonel Nguyen Van Hai, thanked the villages for their support.",
    "He asked the young recruits to study the law on national borders.",
]
FRENCH = [
    "Le poste de garde-frontière de Thanh Thuy a été fondé en 1959.",
    "Ses soldats patrouillent sur un tronçon de 27 kilomètres le long de la rivière.",
    "Chaque mois, ils rencontrent les officiers du poste voisin.",
    "L'an dernier, les deux parties ont mené douze patrouilles communes.",
    "La population locale les aide à entretenir les bornes.",
    "La contrebande a fortement diminué depuis l'ouverture du nouveau point de contrôle en mars.",
    "Le commandant, le colonel Nguyen Van Hai, a remercié les villages pour leur soutien.",
    "Il a demandé aux jeunes recrues d'étudier la loi sur les frontières nationales.",
]
EXTRA_FRENCH = "Le poste compte aujourd'hui quarante hommes, deux chiens et un petit jardin où poussent des légumes."
EXTRA_ENGLISH = "The station now has forty men, two dogs and a small garden where vegetables grow."
LONG_ENGLISH = (
    "The delegation, which had travelled for three days across the mountains, inspected the new road, "
    "visited the school that the soldiers had rebuilt after the floods of 2018, and met the families who "
    "had moved back to the border villages."
)
LONG_FRENCH = [
    "La délégation, qui avait voyagé trois jours à travers les montagnes, a inspecté la nouvelle route.",
    "Elle a visité l'école que les soldats avaient reconstruite après les inondations de 2018.",
    "Elle a ensuite rencontré les familles revenues dans les villages frontaliers.",
]


def one_to_one(first: int, end: int, shift: int = 0) -> list[tuple[list[int], list[int]]]:
    """Links [i]:[i + shift] for i in first..end-1."""
    return [([i], [i + shift]) for i in range(first, end)]


CASES = {
    "parallel": (ENGLISH, FRENCH, one_to_one(0, 8)),
    "merged sentence (2-1)": (
        ENGLISH,
        FRENCH[:3] + [FRENCH[3] + " " + FRENCH[4]] + FRENCH[5:],
        one_to_one(0, 3) + [([3, 4], [3])] + one_to_one(5, 8, -1),
    ),
    "split sentence (1-2)": (
        ENGLISH,
        FRENCH[:2] + ["Chaque mois, ils rencontrent les officiers.", "Ce sont ceux du poste voisin."] + FRENCH[3:],
        one_to_one(0, 2) + [([2], [2, 3])] + one_to_one(3, 8, 1),
    ),
    "sentence missing from the target (1-0)": (
        ENGLISH,
        FRENCH[:5] + FRENCH[6:],
        one_to_one(0, 5) + [([5], [])] + one_to_one(6, 8, -1),
    ),
    "sentence missing from the source (0-1)": (
        ENGLISH,
        FRENCH[:2] + [EXTRA_FRENCH] + FRENCH[2:],
        one_to_one(0, 2) + [([], [2])] + one_to_one(2, 8, 1),
    ),
    "extra source sentence (1-0)": (
        ENGLISH[:2] + [EXTRA_ENGLISH] + ENGLISH[2:],
        FRENCH,
        one_to_one(0, 2) + [([2], [])] + one_to_one(3, 9, -1),
    ),
    "one very long sentence translated as three (1-3)": (
        ENGLISH[:2] + [LONG_ENGLISH] + ENGLISH[2:],
        FRENCH[:2] + LONG_FRENCH + FRENCH[2:],
        one_to_one(0, 2) + [([2], [2, 3, 4])] + one_to_one(3, 9, 2),
    ),
    "single sentence": (["Hello."], ["Bonjour tout le monde, comment allez-vous ?"], [([0], [0])]),
}


@pytest.mark.parametrize("source, target, expected", CASES.values(), ids=CASES.keys())
def test_hand_made_cases(source, target, expected):
    links = align(source, target)
    assert [link.as_pair() for link in links] == expected
    assert all(0.0 <= link.confidence <= 1.0 for link in links)


@pytest.mark.parametrize("source, target, expected", [
    ([], [], []),
    (["Only a source."], [], [([0], [])]),
    ([], ["Seulement une cible.", "Et une autre."], [([], [0]), ([], [1])]),
])
def test_empty_documents(source, target, expected):
    links = align(source, target)
    assert [link.as_pair() for link in links] == expected
    # Nothing else is possible, so the aligner is sure.
    assert all(link.confidence == 1.0 for link in links)


@pytest.mark.parametrize("source_count, target_count", [(1, 7), (7, 1), (2, 30), (30, 2)])
def test_very_unequal_documents_are_still_covered(source_count, target_count):
    source = [f"Sentence number {k} of the source, with some words." for k in range(source_count)]
    target = [f"Phrase {k} de la cible." for k in range(target_count)]
    links = align(source, target)
    assert_covers_in_order(links, source_count, target_count)


def test_extreme_lengths_within_a_document():
    source = ["-", "x" * 600, "A short one.", "Another short sentence here."]
    target = ["-", "y" * 640, "Une courte.", "Une autre phrase courte ici."]
    assert [link.as_pair() for link in align(source, target)] == one_to_one(0, 4)


def test_link_type_and_pair():
    assert Link([3, 4], [5]).link_type == "2-1"
    assert Link([], [0]).link_type == "0-1"
    assert Link([1], [2, 3, 4], 0.5).as_pair() == ([1], [2, 3, 4])


def test_confirmed_links_are_kept_and_the_rest_aligned_around_them():
    # A reviewer says French 3-4 is English 3 (a split the text alone would not show).
    target = FRENCH[:3] + ["L'an dernier, les deux parties", "ont mené douze patrouilles communes."] + FRENCH[4:]
    confirmed = [([3], [3, 4])]
    links = align(ENGLISH, target, confirmed=confirmed)
    pairs = [link.as_pair() for link in links]
    assert pairs == one_to_one(0, 3) + [([3], [3, 4])] + one_to_one(4, 8, 1)
    assert links[3].confidence == 1.0


def test_confirmed_omission_is_kept():
    links = align(ENGLISH, FRENCH, confirmed=[Link([4], [], 0.2)])
    pairs = [link.as_pair() for link in links]
    assert ([4], []) in pairs
    assert links[pairs.index(([4], []))].confidence == 1.0
    assert_covers_in_order(links, len(ENGLISH), len(FRENCH))


@pytest.mark.parametrize("confirmed, message", [
    ([([9], [0])], "source index out of range"),
    ([([0], [8])], "target index out of range"),
    ([([0, 2], [0])], "not consecutive"),
    ([([], [])], "both sides empty"),
    ([([1], [1]), ([1], [2])], "already in another link"),
    ([([1], [3]), ([2], [2])], "cross"),
])
def test_invalid_confirmed_links_are_refused(confirmed, message):
    with pytest.raises(InvalidLinks, match=message):
        align(ENGLISH, FRENCH, confirmed=confirmed)


# German source, English target: which source sentences go with the long first
# target sentence? Length says the first two; the content says only the first.
GERMAN = [
    "Die Wache am Fluss beginnt um sechs Uhr.",
    "Der Zollbeamte prüft alle Papiere sehr genau.",
    "Danach fährt er zurück ins Dorf.",
]
VERBOSE_ENGLISH = [
    "The watch by the river starts at six o'clock in the morning, long before the villagers wake up.",
    "The customs officer checks papers and then drives back to the village.",
]


def test_length_alone_is_misled_here():
    assert align(GERMAN, VERBOSE_ENGLISH)[0].as_pair() == ([0, 1], [0])


def test_glossary_term_pairs_act_as_anchors():
    links = align(GERMAN, VERBOSE_ENGLISH, term_pairs=[("Zollbeamte", "customs officer")])
    pairs = [link.as_pair() for link in links]
    assert pairs[0] == ([0], [0])
    assert any(1 in source and target == [1] for source, target in pairs)


def test_machine_translation_similarity_is_used():
    machine_translation = {
        GERMAN[0]: "The guard at the river starts at six.",
        GERMAN[1]: "The customs officer checks all papers very carefully.",
        GERMAN[2]: "Then he drives back to the village.",
    }
    calls = []

    def translate(sentences: list[str]) -> list[str]:
        calls.append(list(sentences))
        return [machine_translation[sentence] for sentence in sentences]

    links = align(GERMAN, VERBOSE_ENGLISH, translate=translate)
    assert [link.as_pair() for link in links] == [([0], [0]), ([1, 2], [1])]
    assert calls == [GERMAN]


def test_translate_must_return_one_sentence_per_source_sentence():
    with pytest.raises(ValueError, match="returned 1 sentences for 3"):
        align(GERMAN, VERBOSE_ENGLISH, translate=lambda sentences: ["only one"])


def test_real_text_beats_the_length_only_baseline():
    source = (DATA / "textberg_test4.de").read_text(encoding="utf-8").split("\n")[:-1]
    target = (DATA / "textberg_test4.fr").read_text(encoding="utf-8").split("\n")[:-1]
    gold = read_links(DATA / "textberg_test4.defr")
    ours = score_alignment(gold, align(source, target))
    baseline = score_alignment(gold, align(source, target, settings=LENGTH_ONLY))
    assert ours.strict_f1 >= 0.8
    assert ours.strict_f1 > baseline.strict_f1 + 0.1


def assert_covers_in_order(links: list[Link], n: int, m: int) -> None:
    """Every sentence in exactly one link, and links in document order on both sides."""
    assert [i for link in links for i in link.source] == list(range(n))
    assert [j for link in links for j in link.target] == list(range(m))
    assert all(link.source or link.target for link in links)


_ALPHABET = list("abcdefghij KLMNOP 0123456789 .,?!:;«»\"() éèàü 中文国边防 ？！：，。")
sentences = st.lists(st.text(st.sampled_from(_ALPHABET), max_size=60), max_size=12)


@st.composite
def documents_with_confirmed_links(draw):
    """Two documents, and a subset of the links of some valid alignment of them."""
    source, target = draw(sentences), draw(sentences)
    shapes = [(a, b) for a, b in LINK_TYPES] + [(2, 3), (4, 1)]
    i = j = 0
    alignment = []
    while i < len(source) or j < len(target):
        fitting = [(a, b) for a, b in shapes if i + a <= len(source) and j + b <= len(target) and a + b]
        a, b = draw(st.sampled_from(fitting))
        alignment.append((list(range(i, i + a)), list(range(j, j + b))))
        i, j = i + a, j + b
    keep = draw(st.lists(st.booleans(), min_size=len(alignment), max_size=len(alignment)))
    confirmed = [link for link, kept in zip(alignment, keep, strict=True) if kept]
    return source, target, confirmed


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents_with_confirmed_links())
def test_every_sentence_once_in_order_and_confirmed_links_kept(case):
    source, target, confirmed = case
    links = align(source, target, confirmed=confirmed)
    assert_covers_in_order(links, len(source), len(target))
    pairs = [link.as_pair() for link in links]
    for link in confirmed:
        assert link in pairs
    allowed = {f"{a}-{b}" for a, b in LINK_TYPES}
    confirmed_pairs = [tuple(map(tuple, link)) for link in confirmed]
    for link in links:
        assert 0.0 <= link.confidence <= 1.0
        if (tuple(link.source), tuple(link.target)) not in confirmed_pairs:
            assert link.link_type in allowed


@settings(max_examples=30, deadline=None)
@given(sentences, sentences)
def test_length_only_baseline_also_covers_everything(source, target):
    assert_covers_in_order(align(source, target, settings=LENGTH_ONLY), len(source), len(target))
