"""A bilingual word list learned from the documents themselves.

After a first alignment pass, words that keep turning up in the two sides of
the same links are probably translations of each other (God / 神, Gipfel /
sommet). Their association is measured with Dunning's log-likelihood ratio,
which asks more evidence of a small document than of a large one, so one
threshold serves both. This is the self-training of Hunalign run without its
dictionary: no word list is shipped, every pair comes from the documents being
aligned. Chinese and Japanese are cut into characters. Words are numbered and
co-occurrences counted with numpy on integer codes, on at most MAX_LINKS links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workbench.alignment.anchors import FeatureCodes, Occurrences, unique_sorted
from workbench.text import CJK_CHARACTER

_TOKEN = re.compile(r"[^\W\d_]+")

#: Links used to count co-occurrences; larger documents are sampled evenly.
MAX_LINKS = 5_000


def lexical_tokens(sentence: str) -> set[str]:
    """Lower-cased words, and single characters for Chinese and Japanese text."""
    tokens = set()
    text = sentence.lower() if sentence.isascii() else unicodedata.normalize("NFKC", sentence).lower()
    for word in _TOKEN.findall(text):
        if CJK_CHARACTER.search(word):
            tokens.update(CJK_CHARACTER.findall(word))
            tokens.update(piece for piece in CJK_CHARACTER.split(word) if len(piece) > 1)
        elif len(word) > 1:
            tokens.add(word)
    return tokens


@dataclass
class Tokens:
    """The word tokens of a document: occurrences by integer code, and the words by code."""

    occurrences: Occurrences
    words: list[str]
    sentences: int

    @classmethod
    def of(cls, sentences: Sequence[str]) -> Tokens:
        """Tokenise and number the words of a document."""
        encoder = FeatureCodes()
        occurrences = encoder.occurrences(lexical_tokens(sentence) for sentence in sentences)
        return cls(occurrences, encoder.names, len(sentences))


@dataclass(frozen=True)
class LexiconSettings:
    """How strongly a word pair must co-occur to be kept."""

    min_pair_count: int = 3
    min_log_likelihood: float = 15.0
    max_share: float = 0.25
    pairs_per_word: int = 3


@dataclass
class Lexicon:
    """Learned word pairs as codes into the two Tokens, with their log-likelihood ratios."""

    source_codes: np.ndarray
    target_codes: np.ndarray
    scores: np.ndarray

    def pairs(self, source: Tokens, target: Tokens) -> list[tuple[str, str, float]]:
        """The pairs as (source word, target word, log-likelihood ratio), strongest first."""
        order = np.argsort(-self.scores, kind="stable")
        return [
            (source.words[self.source_codes[k]], target.words[self.target_codes[k]], float(self.scores[k]))
            for k in order
        ]

    def features(self, source: Tokens, target: Tokens, first_code: int) -> tuple[Occurrences, Occurrences, int]:
        """Feature occurrences: code first_code + r for the r-th source word of the lexicon.

        A source sentence has the feature of each lexicon word it contains; a
        target sentence has it when it contains any of that word's translations.
        Returns the two sides' occurrences and the number of codes used.
        """
        words, rank = np.unique(self.source_codes, return_inverse=True)
        feature_of_pair = first_code + rank.ravel()
        source_map = np.full(max(len(source.words), 1), -1, dtype=np.int64)
        source_map[words] = first_code + np.arange(len(words))
        source_features = source_map[source.occurrences.features]
        keep = source_features >= 0
        source_occurrences = Occurrences(source_features[keep], source.occurrences.sentences[keep])
        # A target word may translate several source words: expand through the pairs sorted by target word.
        order = np.argsort(self.target_codes, kind="stable")
        sorted_targets = self.target_codes[order]
        starts = np.searchsorted(sorted_targets, target.occurrences.features, side="left")
        ends = np.searchsorted(sorted_targets, target.occurrences.features, side="right")
        counts = ends - starts
        owners = np.repeat(np.arange(len(counts)), counts)
        within = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
        target_occurrences = Occurrences(
            feature_of_pair[order[starts[owners] + within]], target.occurrences.sentences[owners]
        )
        return source_occurrences, target_occurrences, len(words)


def learn_lexicon(
    source: Tokens,
    target: Tokens,
    links: Sequence[tuple[Sequence[int], Sequence[int]]],
    settings: LexiconSettings = LexiconSettings(),
) -> Lexicon:
    """Word pairs that co-occur in the links more than chance allows."""
    empty = Lexicon(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0))
    links = [(s, t) for s, t in links if s and t]
    if len(links) > MAX_LINKS:
        step = len(links) / MAX_LINKS
        links = [links[int(k * step)] for k in range(MAX_LINKS)]
    total = len(links)
    if total < 5 or not source.words or not target.words:
        return empty
    source_side = _by_link(source, [s for s, _ in links])
    target_side = _by_link(target, [t for _, t in links])
    source_side, source_counts = _common_words_dropped(source_side, len(source.words), total, settings)
    target_side, target_counts = _common_words_dropped(target_side, len(target.words), total, settings)
    if len(source_side.features) == 0 or len(target_side.features) == 0:
        return empty
    # Every (source word, target word) pair within each link, built with repeat arithmetic.
    target_starts = np.searchsorted(target_side.sentences, np.arange(total))
    target_per_link = np.bincount(target_side.sentences, minlength=total)
    repeats = target_per_link[source_side.sentences]
    pair_total = int(repeats.sum())
    if pair_total == 0:
        return empty
    source_words = np.repeat(source_side.features, repeats)
    offsets = np.repeat(target_starts[source_side.sentences], repeats)
    within = np.arange(pair_total) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    target_words = target_side.features[offsets + within]
    width = len(target.words)
    codes, joint = np.unique(source_words * width + target_words, return_counts=True)
    keep = joint >= settings.min_pair_count
    codes, joint = codes[keep], joint[keep].astype(np.float64)
    source_codes, target_codes = codes // width, codes % width
    score = log_likelihood_ratio(joint, source_counts[source_codes], target_counts[target_codes], total)
    # Only attraction counts: a pair seen together less often than chance is no translation.
    expected = source_counts[source_codes] * target_counts[target_codes] / total
    keep = (score >= settings.min_log_likelihood) & (joint > expected)
    source_codes, target_codes, score = source_codes[keep], target_codes[keep], score[keep]
    # Keep a pair only if it is among the strongest few of its source word and
    # of its target word: a frequent word is otherwise paired with everything.
    keep = (_rank_within(source_codes, score) < settings.pairs_per_word) & (
        _rank_within(target_codes, score) < settings.pairs_per_word
    )
    return Lexicon(source_codes[keep], target_codes[keep], score[keep])


def _rank_within(groups: np.ndarray, score: np.ndarray) -> np.ndarray:
    """Rank of each item by descending score among the items of its group (0 = best)."""
    order = np.lexsort((-score, groups))
    sorted_groups = groups[order]
    group_start = np.searchsorted(sorted_groups, sorted_groups, side="left")
    rank = np.empty(len(groups), dtype=np.int64)
    rank[order] = np.arange(len(groups)) - group_start
    return rank


def _by_link(tokens: Tokens, sides: list[Sequence[int]]) -> Occurrences:
    """Word occurrences per link instead of per sentence, without repeats, sorted by link."""
    link_of = np.full(tokens.sentences, -1, dtype=np.int64)
    for link, sentences in enumerate(sides):
        link_of[list(sentences)] = link
    owner = link_of[tokens.occurrences.sentences]
    keep = owner >= 0
    words = len(tokens.words)
    keys = unique_sorted(owner[keep] * words + tokens.occurrences.features[keep])
    return Occurrences(keys % words, keys // words)


def _common_words_dropped(
    side: Occurrences, words: int, links: int, settings: LexiconSettings
) -> tuple[Occurrences, np.ndarray]:
    """Drop words seen in too few links to count or in so many (the, 的) that they say nothing."""
    counts = np.bincount(side.features, minlength=words).astype(np.float64)
    limit = max(settings.min_pair_count, settings.max_share * links)
    usable = (counts >= settings.min_pair_count) & (counts <= limit)
    keep = usable[side.features]
    return Occurrences(side.features[keep], side.sentences[keep]), counts


def log_likelihood_ratio(joint: np.ndarray, source: np.ndarray, target: np.ndarray, total: int) -> np.ndarray:
    """Dunning's G^2 of the 2x2 table of two words' presence in `total` links, vectorised."""
    k11 = joint
    k12 = source - joint
    k21 = target - joint
    k22 = total - source - target + joint

    def entropy_term(*cells: np.ndarray) -> np.ndarray:
        whole = sum(cells)
        return sum(_x_log_x(c) for c in cells) - _x_log_x(whole)

    return 2.0 * (
        entropy_term(k11, k12, k21, k22) - entropy_term(k11 + k12, k21 + k22) - entropy_term(k11 + k21, k12 + k22)
    )


def _x_log_x(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
