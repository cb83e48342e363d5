"""Tests of the aligner's signals: sentence length, anchors, the learned word list."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.alignment.anchors import sentence_anchors, term_anchors
from workbench.alignment.lengths import estimate_variance, length_cost, length_ratio, sentence_length
from workbench.alignment.lexicon import Tokens, learn_lexicon, lexical_tokens


@pytest.mark.parametrize("sentence, length", [
    ("Hello world.", 11),
    ("d' altitude , ce", 13),          # tokenised text measures like untokenised
    ("起初神创造天地。", 8),              # every Chinese character counts
    ("  \t ", 0),
])
def test_sentence_length_counts_characters_without_spaces(sentence, length):
    assert sentence_length(sentence) == length


def test_length_cost_grows_with_the_mismatch_and_shrinks_with_length():
    costs = length_cost(np.array([100.0, 100.0, 100.0]), np.array([100.0, 130.0, 200.0]), 6.8)
    assert costs[0] == pytest.approx(0.0, abs=1e-6)
    assert costs[0] < costs[1] < costs[2]
    # The same 30% difference is stronger evidence on longer sentences.
    assert length_cost(np.array([1000.0]), np.array([1300.0]), 6.8)[0] > costs[1]
    # Far tails stay finite.
    assert np.isfinite(length_cost(np.array([1.0]), np.array([5000.0]), 6.8)).all()


def test_length_ratio_and_variance_are_calibrated_on_the_documents():
    rng = np.random.default_rng(0)
    source = rng.uniform(20, 200, size=500)
    target = 0.3 * source  # Chinese is about a third as long as English in characters
    assert length_ratio(source, target) == pytest.approx(0.3)
    noisy = source + rng.normal(0, np.sqrt(2.0 * source))
    assert estimate_variance(source, noisy) == pytest.approx(2.0, rel=0.25)
    assert length_ratio(np.zeros(3), np.ones(3)) == 1.0


@pytest.mark.parametrize("sentence, expected, absent", [
    ("Er erreichte 21.790 Fuss.", {"n:21790"}, set()),
    ("Il atteignit 21,790 pieds.", {"n:21790"}, set()),
    ("Il atteignit 21 790 pieds.", {"n:21790"}, set()),
    ("渊面黑暗？有光吗？", {"p:?0", "p:?1"}, {"p:?2"}),
    ("Er sagte: «Gehen wir!»", {"p::0", 'p:"0', 'p:"1', "p:!0"}, set()),
    ("L'expédition suisse", {"w:exped", "w:suiss"}, set()),
    ("Die Expedition des SAC", {"w:exped", "w:sac"}, {"w:des"}),  # short words count only capitalised
])
def test_sentence_anchors(sentence, expected, absent):
    features = sentence_anchors(sentence)
    assert expected <= features
    assert not absent & features


def test_term_anchors_match_case_insensitive_substrings():
    source, target = term_anchors(
        ["Die Grenzwache patrouilliert.", "Nichts."],
        ["The Border Guard patrols.", "Nothing.", "Border guards again."],
        [("grenzwache", "border guard"), ("", "empty"), ("Zoll", "customs")],
    )
    assert source == {0: {"g:0"}}
    assert target == {0: {"g:0"}, 2: {"g:0"}}


def test_lexicon_learns_word_pairs_from_links():
    rng = np.random.default_rng(1)
    english = ["god", "earth", "light", "water", "day", "night", "king", "city", "river", "stone",
               "gold", "silver", "horse", "sheep", "mountain", "sea", "fire", "wind", "bread", "wine"]
    chinese = ["神", "地", "光", "水", "日", "夜", "王", "城", "河", "石",
               "金", "银", "马", "羊", "山", "海", "火", "风", "饼", "酒"]
    source, target = [], []
    for _ in range(300):
        picked = rng.choice(len(english), size=3, replace=False)
        source.append(" ".join(english[k] for k in picked) + " and more")
        target.append("".join(chinese[k] for k in picked) + "等")
    links = [([k], [k]) for k in range(len(source))]
    source_tokens, target_tokens = Tokens.of(source), Tokens.of(target)
    pairs = learn_lexicon(source_tokens, target_tokens, links).pairs(source_tokens, target_tokens)
    best = {}
    for source_word, target_word, _ in pairs:
        best.setdefault(source_word, target_word)
    assert {word: best.get(word) for word in english} == dict(zip(english, chinese, strict=True))
    # Words in every link say nothing and are left out.
    assert "and" not in best and "more" not in best


def test_lexical_tokens_cut_chinese_into_characters():
    assert lexical_tokens("神说：要有光 God said") == {"神", "说", "要", "有", "光", "god", "said"}
