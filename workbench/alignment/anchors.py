"""Anchors: features that a sentence and its translation are likely to share.

Each sentence is reduced to a set of feature strings: numbers (normalised, so
that 21.790, 21,790 and 21 790 agree), punctuation that translations keep
(question and exclamation marks, colons, quotes, parentheses; full-width
forms normalised), words of four letters or more reduced to an accent-free
prefix (identical tokens, names and cognates such as Expedition/expédition),
short capitalised tokens (acronyms, names), and the glossary's term pairs. A
feature that occurs in both documents links every source sentence that has it
to every target sentence that has it; the rarer the feature, the more the link
is worth (inverse document frequency). Features seen on one side only are
dropped, they cannot tell two alignments apart.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from array import array
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat

import numpy as np

from workbench.alignment.search import Band
from workbench.text import CJK_CHARACTER, fold_accents

#: A number with its thousands grouped (21.790, 21,790, 21 790: one number), or a
#: plain run of digits; a date or a decimal (19.2.2020, 3,5) gives one number per part.
_NUMBER = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,'\u2019\u00a0\u202f ]\d{3})+(?![\d]|[.,]\d)|\d+")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTE_MARKS = "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2039\u203a\u300c\u300d\u300e\u300f\"\u301d\u301e"
_QUOTES = dict.fromkeys(map(ord, _QUOTE_MARKS), '"')
_KEPT_PUNCTUATION = '?!:;"()'
#: Occurrences of one punctuation mark counted separately (the third `?` of a
#: sentence is a feature of its own), up to this many.
_MAX_REPEATS = 3
_PUNCTUATION_FEATURES = {mark: [f"p:{mark}{k}" for k in range(_MAX_REPEATS)] for mark in _KEPT_PUNCTUATION}
_NOT_DIGIT = re.compile(r"\D")


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII forms) and every kind of quotation mark as `"`."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@dataclass(frozen=True)
class AnchorSettings:
    """Which surface features count as anchors, and how words are matched."""

    word_min_length: int = 4
    word_prefix: int = 5
    numbers: bool = True
    punctuation: bool = True
    words: bool = True
    capitalised_short: bool = True


def sentence_anchors(sentence: str, settings: AnchorSettings = AnchorSettings()) -> set[str]:
    """The anchor features of one sentence."""
    text = sentence if sentence.isascii() else normalise(sentence)
    features: set[str] = set()
    if settings.numbers:
        for match in _NUMBER.findall(text):
            digits = _NOT_DIGIT.sub("", match).lstrip("0")
            features.add("n:" + (digits or "0"))
    if settings.punctuation:
        for mark in _KEPT_PUNCTUATION:
            repeats = text.count(mark)
            if repeats:
                features.update(_PUNCTUATION_FEATURES[mark][:repeats])
    if settings.words or settings.capitalised_short:
        words = _WORD.findall(text)
        if CJK_CHARACTER.search(text):
            words = [word for word in words if not CJK_CHARACTER.search(word)]
        minimum, prefix = settings.word_min_length, settings.word_prefix
        for word in words:
            if len(word) >= minimum:
                if settings.words:
                    features.add(_word_feature(word.lower(), prefix))
            elif settings.capitalised_short and len(word) >= 2 and word[0].isupper():
                features.add(_word_feature(word.lower(), minimum))
    return features


@functools.lru_cache(maxsize=131072)
def _word_feature(word: str, prefix: int) -> str:
    return "w:" + fold_accents(word)[:prefix]


def term_anchors(
    source_sentences: Sequence[str], target_sentences: Sequence[str], term_pairs: Iterable[tuple[str, str]]
) -> tuple[dict[int, set[str]], dict[int, set[str]]]:
    """Features `g:k` for glossary pair k, by sentence index, on sentences holding its source or target form.

    Matching is a case-insensitive substring test, so inflected or compound
    forms that contain the term still count.
    """
    pairs = [(s.casefold().strip(), t.casefold().strip()) for s, t in term_pairs]
    pairs = [(s, t) for s, t in pairs if s and t]
    source_features: dict[int, set[str]] = {}
    target_features: dict[int, set[str]] = {}
    if not pairs:
        return source_features, target_features
    source_folded = [sentence.casefold() for sentence in source_sentences]
    target_folded = [sentence.casefold() for sentence in target_sentences]
    for k, (source_term, target_term) in enumerate(pairs):
        source_hits = [i for i, sentence in enumerate(source_folded) if source_term in sentence]
        if not source_hits:
            continue
        for i in source_hits:
            source_features.setdefault(i, set()).add(f"g:{k}")
        for j, sentence in enumerate(target_folded):
            if target_term in sentence:
                target_features.setdefault(j, set()).add(f"g:{k}")
    return source_features, target_features


@dataclass
class Occurrences:
    """Which sentence holds which feature, as two parallel integer arrays."""

    features: np.ndarray
    sentences: np.ndarray

    @classmethod
    def empty(cls) -> Occurrences:
        """No occurrences."""
        return cls(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))

    def within(self, first: int, end: int) -> Occurrences:
        """The occurrences in sentences first..end-1, renumbered from 0."""
        keep = (self.sentences >= first) & (self.sentences < end)
        return Occurrences(self.features[keep], self.sentences[keep] - first)

    def __add__(self, other: Occurrences) -> Occurrences:
        return Occurrences(
            np.concatenate((self.features, other.features)), np.concatenate((self.sentences, other.sentences))
        )


class FeatureCodes:
    """Numbers feature strings with integer codes; one instance serves both documents."""

    def __init__(self) -> None:
        self.codes: dict[str, int] = {}

    def occurrences(self, per_sentence: Iterable[Iterable[str]]) -> Occurrences:
        """The occurrences of the features of each sentence, given one sentence at a time.

        Sentences may come from a generator: only the integer arrays are kept,
        not the feature sets, which on a 50,000-sentence document would take
        hundreds of megabytes.
        """
        codes = self.codes
        features, sentences = array("q"), array("q")
        for index, sentence_features in enumerate(per_sentence):
            before = len(features)
            for feature in sentence_features:
                features.append(codes.setdefault(feature, len(codes)))
            sentences.extend(repeat(index, len(features) - before))
        return Occurrences(np.array(features, dtype=np.int64), np.array(sentences, dtype=np.int64))

    @property
    def names(self) -> list[str]:
        """Feature strings by code."""
        return list(self.codes)


@dataclass
class SharedFeatures:
    """Features present in both documents: weight by code, and occurrences sorted by (code, sentence)."""

    weights: np.ndarray
    source: Occurrences
    target: Occurrences


def shared_features(
    source: Occurrences, target: Occurrences, scales: np.ndarray, n_source: int, n_target: int
) -> SharedFeatures:
    """Keep the features found on both sides and weight each by inverse document frequency.

    The weight is scale * log((n + m) / (df_source + df_target)), floored at a
    tenth so that even common features count a little; `scales` gives the
    multiplier of each code (glossary terms and learned word pairs have their own).
    """
    size = len(scales)
    source = _unique(source, n_source, size)
    target = _unique(target, n_target, size)
    source_frequency = np.bincount(source.features, minlength=size)
    target_frequency = np.bincount(target.features, minlength=size)
    frequency = source_frequency + target_frequency
    weights = np.maximum(np.log((n_source + n_target) / np.maximum(frequency, 1)), 0.1) * scales
    both = (source_frequency > 0) & (target_frequency > 0)
    return SharedFeatures(
        np.where(both, weights, 0.0),
        Occurrences(source.features[both[source.features]], source.sentences[both[source.features]]),
        Occurrences(target.features[both[target.features]], target.sentences[both[target.features]]),
    )


def _unique(occurrences: Occurrences, sentences: int, size: int) -> Occurrences:
    """Occurrences without repeats, sorted by (feature, sentence)."""
    keys = unique_sorted(occurrences.features * (sentences + 1) + occurrences.sentences)
    return Occurrences(keys // (sentences + 1), keys % (sentences + 1))


def unique_sorted(values: np.ndarray) -> np.ndarray:
    """Sorted distinct values of an integer array.

    np.unique may take a hashing path that is many times slower than sorting
    on large arrays of structured keys like these.
    """
    ordered = np.sort(values)
    if len(ordered) == 0:
        return ordered
    keep = np.empty(len(ordered), dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


#: Source occurrences handled at once by `pair_scores`, and (source, target) pairs expanded at once.
OCCURRENCE_BLOCK = 100_000
PAIR_BLOCK = 500_000


def pair_scores(band: Band, weights: np.ndarray, source: Occurrences, target: Occurrences) -> np.ndarray:
    """Weighted count of shared features of source i-1 and target j-1, per band cell (i, j).

    Cell (i, j) ends the 1-1 link of source sentence i-1 and target sentence
    j-1. Every (source occurrence, target occurrence) pair of a feature that
    falls inside the band adds the feature's weight. `target` must be sorted by
    (feature, sentence): the pairs of all features are then found with one
    sorted search, not a loop over features. Source occurrences are taken in
    sentence order, a block at a time, so that each block touches one stretch
    of rows and memory stays bounded however common a feature is.
    """
    scores = np.zeros(band.size + 1)  # the last element stays 0: it is where index -1 lands
    if len(source.features) == 0 or len(target.features) == 0:
        return scores
    stride = band.m + 2
    target_keys = target.features * stride + target.sentences + 1
    order = np.argsort(source.sentences, kind="stable")
    step = OCCURRENCE_BLOCK
    for first in range(0, len(order), step):
        block = order[first : first + step]
        features, rows = source.features[block], source.sentences[block] + 1
        starts = np.searchsorted(target_keys, features * stride + band.lo[rows], side="left")
        ends = np.searchsorted(target_keys, features * stride + band.hi[rows], side="right")
        _add_pairs(scores, band, weights, features, rows, starts, ends, target)
    return scores


def _add_pairs(
    scores: np.ndarray,
    band: Band,
    weights: np.ndarray,
    features: np.ndarray,
    rows: np.ndarray,
    starts: np.ndarray,
    ends: np.ndarray,
    target: Occurrences,
) -> None:
    """Add the weights of the pairs target[starts[k]:ends[k]] x source occurrence k, PAIR_BLOCK at a time."""
    counts = ends - starts
    cumulative = np.cumsum(counts)
    first = 0
    while first < len(counts):
        budget = (cumulative[first - 1] if first else 0) + PAIR_BLOCK
        end = max(first + 1, int(np.searchsorted(cumulative, budget, side="right")))
        block_counts = counts[first:end]
        total = int(block_counts.sum())
        if total:
            owner = first + np.repeat(np.arange(end - first), block_counts)
            within = np.arange(total) - np.repeat(np.cumsum(block_counts) - block_counts, block_counts)
            matched = starts[owner] + within
            cells = band.offsets[rows[owner]] + (target.sentences[matched] + 1) - band.lo[rows[owner]]
            # Rows come in order, so the cells of a block lie in one stretch of the band.
            low = int(band.offsets[rows[first]])
            scores[low : low + int(cells.max()) - low + 1] += np.bincount(
                cells - low, weights=weights[features[owner]]
            )
        first = end


def sentence_masses(weights: np.ndarray, occurrences: Occurrences, size: int) -> np.ndarray:
    """Total weight of the shared features of each of `size` sentences."""
    if len(occurrences.features) == 0:
        return np.zeros(size)
    return np.bincount(occurrences.sentences, weights=weights[occurrences.features], minlength=size)
