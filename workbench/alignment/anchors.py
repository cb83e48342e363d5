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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from workbench.alignment.search import Band

_NUMBER = re.compile(r"\d+(?:[.,'\u2019\u00a0\u202f ]\d{3})*(?:[.,]\d+)?")
_WORD = re.compile(r"[^\W\d_]+")
_QUOTES = dict.fromkeys(map(ord, "\u00ab\u00bb\u201c\u201d\u201e\u201f\u2039\u203a\u300c\u300d\u300e\u300f\"\u301d\u301e"), '"')
_KEPT_PUNCTUATION = '?!:;"()'
#: Occurrences of one punctuation mark counted separately (the third `?` of a
#: sentence is a feature of its own), up to this many.
_MAX_REPEATS = 3
_PUNCTUATION_FEATURES = {mark: [f"p:{mark}{k}" for k in range(_MAX_REPEATS)] for mark in _KEPT_PUNCTUATION}
_NOT_DIGIT = re.compile(r"\D")


_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\U00020000-\U0002fa1f"
CJK_CHARACTER = re.compile(f"[{_CJK}]")


def is_cjk(character: str) -> bool:
    """Whether a character is a Chinese, Japanese or Korean ideograph or syllable."""
    return CJK_CHARACTER.match(character) is not None


def normalise(text: str) -> str:
    """NFKC (full-width to ASCII forms) and every kind of quotation mark as `"`."""
    return unicodedata.normalize("NFKC", text).translate(_QUOTES)


@functools.lru_cache(maxsize=65536)
def strip_accents(word: str) -> str:
    """Remove combining marks: expédition -> expedition."""
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


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
    return "w:" + strip_accents(word)[:prefix]


def term_anchors(
    source_sentences: Sequence[str], target_sentences: Sequence[str], term_pairs: Iterable[tuple[str, str]]
) -> tuple[list[set[str]], list[set[str]]]:
    """Features `g:k` for glossary pair k, on sentences holding its source or target form.

    Matching is a case-insensitive substring test, so inflected or compound
    forms that contain the term still count.
    """
    pairs = [(s.casefold().strip(), t.casefold().strip()) for s, t in term_pairs]
    pairs = [(s, t) for s, t in pairs if s and t]
    source_folded = [sentence.casefold() for sentence in source_sentences]
    target_folded = [sentence.casefold() for sentence in target_sentences]
    source_features: list[set[str]] = [set() for _ in source_sentences]
    target_features: list[set[str]] = [set() for _ in target_sentences]
    for k, (source_term, target_term) in enumerate(pairs):
        source_hits = [i for i, sentence in enumerate(source_folded) if source_term in sentence]
        if not source_hits:
            continue
        target_hits = [j for j, sentence in enumerate(target_folded) if target_term in sentence]
        for i in source_hits:
            source_features[i].add(f"g:{k}")
        for j in target_hits:
            target_features[j].add(f"g:{k}")
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


def encode(
    source_features: Sequence[Iterable[str]], target_features: Sequence[Iterable[str]]
) -> tuple[Occurrences, Occurrences, list[str]]:
    """Number the feature strings of both documents with one shared code.

    Returns the occurrences of each side and the feature names by code. The
    strings are sorted by numpy, not looked up one by one in a dict.
    """
    source_flat = [feature for features in source_features for feature in features]
    target_flat = [feature for features in target_features for feature in features]
    if not source_flat and not target_flat:
        return Occurrences.empty(), Occurrences.empty(), []
    names, codes = np.unique(np.array(source_flat + target_flat, dtype=str), return_inverse=True)
    codes = codes.astype(np.int64).ravel()
    source_sentences = np.repeat(np.arange(len(source_features)), [len(f) for f in source_features])
    target_sentences = np.repeat(np.arange(len(target_features)), [len(f) for f in target_features])
    split = len(source_flat)
    return (
        Occurrences(codes[:split], source_sentences.astype(np.int64)),
        Occurrences(codes[split:], target_sentences.astype(np.int64)),
        names.tolist(),
    )


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


def pair_scores(band: Band, weights: np.ndarray, source: Occurrences, target: Occurrences) -> np.ndarray:
    """Weighted count of shared features of source i-1 and target j-1, per band cell (i, j).

    Cell (i, j) ends the 1-1 link of source sentence i-1 and target sentence
    j-1. Every (source occurrence, target occurrence) pair of a feature that
    falls inside the band adds the feature's weight; pairs are found with one
    sorted search over all features at once, not a loop over features.
    """
    scores = np.zeros(band.size + 1)  # the last element stays 0: it is where index -1 lands
    if len(source.features) == 0 or len(target.features) == 0:
        return scores
    stride = band.m + 2
    target_keys = target.features * stride + target.sentences + 1
    rows = source.sentences + 1
    first_keys = source.features * stride + band.lo[rows]
    last_keys = source.features * stride + band.hi[rows]
    starts = np.searchsorted(target_keys, first_keys, side="left")
    ends = np.searchsorted(target_keys, last_keys, side="right")
    counts = ends - starts
    total = int(counts.sum())
    if total == 0:
        return scores
    owner = np.repeat(np.arange(len(counts)), counts)
    within = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    matched = starts[owner] + within
    cells = band.offsets[rows[owner]] + (target.sentences[matched] + 1) - band.lo[rows[owner]]
    scores[:-1] = np.bincount(cells, weights=weights[source.features[owner]], minlength=band.size)
    return scores


def sentence_masses(weights: np.ndarray, occurrences: Occurrences, size: int) -> np.ndarray:
    """Total weight of the shared features of each of `size` sentences."""
    if len(occurrences.features) == 0:
        return np.zeros(size)
    return np.bincount(occurrences.sentences, weights=weights[occurrences.features], minlength=size)
