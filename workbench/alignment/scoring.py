"""Strict and lax precision, recall and F1 of predicted links against gold links.

The metric of Vecalign's and Bertalign's scorers (after Sennrich & Volk 2011):

- Precision: a predicted link equal to a gold link is a strict true positive;
  any other is a strict false positive, and also a lax true positive when some
  gold link shares at least one source and one target index with it. Links
  empty on both sides are dropped.
- Recall: the same count with gold and prediction swapped, after dropping every
  link with an empty side from both.
- Counts are summed over the documents of a set (micro-average); F1 = 2PR/(P+R).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.alignment.links import Link

Pair = tuple[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class LinkCounts:
    """True and false positives, strict and lax, summed over documents."""

    strict_true: int = 0
    strict_false: int = 0
    lax_true: int = 0
    lax_false: int = 0

    def __add__(self, other: LinkCounts) -> LinkCounts:
        return LinkCounts(
            self.strict_true + other.strict_true,
            self.strict_false + other.strict_false,
            self.lax_true + other.lax_true,
            self.lax_false + other.lax_false,
        )


@dataclass(frozen=True)
class AlignmentScore:
    """Strict and lax precision, recall and F1; `signature` says how it was computed."""

    strict_precision: float
    strict_recall: float
    strict_f1: float
    lax_precision: float
    lax_recall: float
    lax_f1: float
    documents: int
    signature: str = "align-prf|strict+lax|micro|sennrich-volk-2011"


def _pairs(links: Iterable[Link | tuple[Sequence[int], Sequence[int]]]) -> list[Pair]:
    pairs = []
    for link in links:
        source, target = (link.source, link.target) if isinstance(link, Link) else link
        pairs.append((tuple(source), tuple(target)))
    return pairs


def count_links(gold: Iterable[Pair], predicted: Iterable[Pair]) -> LinkCounts:
    """Count strict and lax true/false positives of `predicted` against `gold`."""
    gold_set = {pair for pair in gold if pair[0] or pair[1]}
    predicted_set = {pair for pair in predicted if pair[0] or pair[1]}
    gold_targets_of_source: dict[int, set[int]] = defaultdict(set)
    for source, target in gold_set:
        for i in source:
            gold_targets_of_source[i].update(target)
    strict_true = strict_false = lax_true = lax_false = 0
    for source, target in predicted_set:
        if (source, target) in gold_set:
            strict_true += 1
            lax_true += 1
            continue
        strict_false += 1
        reachable = set()
        for i in source:
            reachable |= gold_targets_of_source[i]
        if reachable.intersection(target):
            lax_true += 1
        else:
            lax_false += 1
    return LinkCounts(strict_true, strict_false, lax_true, lax_false)


def _ratio(numerator: int, denominator: int) -> float:
    return numerator / denominator if denominator else 0.0


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def score_alignments(
    gold_documents: Sequence[Iterable[Link | tuple[Sequence[int], Sequence[int]]]],
    predicted_documents: Sequence[Iterable[Link | tuple[Sequence[int], Sequence[int]]]],
) -> AlignmentScore:
    """Micro-averaged strict and lax P/R/F1 over documents, given in the same order."""
    if len(gold_documents) != len(predicted_documents):
        raise ValueError(f"{len(gold_documents)} gold documents but {len(predicted_documents)} predicted")
    precision_counts, recall_counts = LinkCounts(), LinkCounts()
    for gold_links, predicted_links in zip(gold_documents, predicted_documents, strict=True):
        gold, predicted = _pairs(gold_links), _pairs(predicted_links)
        precision_counts += count_links(gold, predicted)
        # Recall: omissions carry no translation to recover, so both sides drop them.
        both_gold = [pair for pair in gold if pair[0] and pair[1]]
        both_predicted = [pair for pair in predicted if pair[0] and pair[1]]
        recall_counts += count_links(both_predicted, both_gold)
    strict_p = _ratio(precision_counts.strict_true, precision_counts.strict_true + precision_counts.strict_false)
    lax_p = _ratio(precision_counts.lax_true, precision_counts.lax_true + precision_counts.lax_false)
    strict_r = _ratio(recall_counts.strict_true, recall_counts.strict_true + recall_counts.strict_false)
    lax_r = _ratio(recall_counts.lax_true, recall_counts.lax_true + recall_counts.lax_false)
    return AlignmentScore(
        strict_p, strict_r, _f1(strict_p, strict_r), lax_p, lax_r, _f1(lax_p, lax_r), len(gold_documents)
    )


def score_alignment(
    gold: Iterable[Link | tuple[Sequence[int], Sequence[int]]],
    predicted: Iterable[Link | tuple[Sequence[int], Sequence[int]]],
) -> AlignmentScore:
    """Strict and lax P/R/F1 of one document's predicted links."""
    return score_alignments([list(gold)], [list(predicted)])
