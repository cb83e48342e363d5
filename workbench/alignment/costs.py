"""The cost of every candidate link in a band: length, prior, anchors, extra similarity.

cost(link) = -log prior(link type)         (for 1-0 and 0-1: the cost of one step of a run)
           + Gale-Church length cost (scaled by `indel_length_scale` for 1-0 and 0-1)
           - anchor_weight * weighted Dice of the anchors of the link's two sides
           - extra similarity (machine-translation chrF, when available)

Costs are computed for a block of rows at once with numpy, so no Python loop
runs per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from workbench.alignment.lengths import length_cost
from workbench.alignment.search import LINK_TYPES, Band

#: Bytes of computed costs a `remember=True` instance keeps: the confidence
#: pass reads each block twice more, so the final pass keeps what fits.
MEMO_BYTES = 32 * 2**20

_SHIFTS = sorted({(da, db) for a, b in LINK_TYPES for da in range(a) for db in range(b)})


@dataclass
class ExtraScores:
    """Similarity bonuses for particular links: link type index, end cell (i, j), value; sorted by i."""

    types: np.ndarray
    rows: np.ndarray
    columns: np.ndarray
    values: np.ndarray

    @classmethod
    def from_dict(cls, scores: dict[tuple[int, int, int], float]) -> ExtraScores:
        """Build from {(type index, i, j): bonus}."""
        items = sorted(scores.items(), key=lambda item: (item[0][1], item[0][2], item[0][0]))
        types = np.array([key[0] for key, _ in items], dtype=np.int64)
        rows = np.array([key[1] for key, _ in items], dtype=np.int64)
        columns = np.array([key[2] for key, _ in items], dtype=np.int64)
        values = np.array([value for _, value in items], dtype=np.float64)
        return cls(types, rows, columns, values)


class LinkCosts:
    """Callable giving the cost of every link type at every cell of a block of band rows."""

    def __init__(
        self,
        band: Band,
        source_lengths: np.ndarray,
        target_lengths: np.ndarray,
        variance: float,
        prior_costs: np.ndarray,
        indel_length_scale: float,
        gap_open: tuple[float, float] = (0.0, 0.0),
        pair_scores: np.ndarray | None = None,
        source_masses: np.ndarray | None = None,
        target_masses: np.ndarray | None = None,
        anchor_weight: float = 0.0,
        forced_source: np.ndarray | None = None,
        forced_target: np.ndarray | None = None,
        extra: ExtraScores | None = None,
        remember: bool = False,
    ):
        self.band = band
        self.source_prefix = np.concatenate(([0.0], np.cumsum(source_lengths)))
        self.target_prefix = np.concatenate(([0.0], np.cumsum(target_lengths)))
        self.variance = variance
        self.prior_costs = prior_costs
        self.indel_length_scale = indel_length_scale
        self.gap_open = gap_open
        self.pair_scores = pair_scores
        self.source_mass = np.concatenate(([0.0], np.cumsum(source_masses))) if source_masses is not None else None
        self.target_mass = np.concatenate(([0.0], np.cumsum(target_masses))) if target_masses is not None else None
        self.anchor_weight = anchor_weight
        self.forced_source = _prefix_counts(forced_source, band.n)
        self.forced_target = _prefix_counts(forced_target, band.m)
        self.extra = extra
        self._memo: dict[tuple[int, int], np.ndarray] | None = (
            {} if remember and band.size * len(LINK_TYPES) * 8 <= MEMO_BYTES else None
        )

    def __call__(self, first_row: int, end_row: int) -> np.ndarray:
        if self._memo is not None:
            costs = self._memo.get((first_row, end_row))
            if costs is None:
                costs = self._memo[first_row, end_row] = self._compute(first_row, end_row)
            return costs
        return self._compute(first_row, end_row)

    def _compute(self, first_row: int, end_row: int) -> np.ndarray:
        rows, columns = self.band.cells(first_row, end_row)
        costs = np.empty((len(LINK_TYPES), len(rows)))
        shared = {}
        if self.pair_scores is not None and self.anchor_weight:
            for da, db in _SHIFTS:
                shared[da, db] = self.pair_scores[self.band.flat_index(rows - da, columns - db)]
        for t, (a, b) in enumerate(LINK_TYPES):
            valid = (rows >= a) & (columns >= b)
            source_start = np.where(valid, rows - a, 0)
            target_start = np.where(valid, columns - b, 0)
            source_length = self.source_prefix[rows] - self.source_prefix[source_start]
            target_length = self.target_prefix[columns] - self.target_prefix[target_start]
            cost = length_cost(source_length, target_length, self.variance)
            if a == 0 or b == 0:
                cost *= self.indel_length_scale
            cost += self.prior_costs[t]
            if shared and a and b:
                common = sum(scores for (da, db), scores in shared.items() if da < a and db < b)
                mass = (self.source_mass[rows] - self.source_mass[source_start]) + (
                    self.target_mass[columns] - self.target_mass[target_start]
                )
                # Weighted Dice: a merged link earns at most one link's bonus, so
                # merging two good 1-1 links never pays for itself.
                dice = np.minimum(2.0 * common / np.where(mass > 0, mass, 1.0), 1.0)
                cost -= self.anchor_weight * dice
            # A sentence a reviewer left unaligned may only sit in a 1-0 or 0-1 link.
            forced_in_source = self.forced_source[rows] - self.forced_source[source_start]
            forced_in_target = self.forced_target[columns] - self.forced_target[target_start]
            if (a, b) == (1, 0):
                cost[forced_in_source > 0] = 0.0
            else:
                valid &= forced_in_source == 0
            if (a, b) == (0, 1):
                cost[forced_in_target > 0] = 0.0
            else:
                valid &= forced_in_target == 0
            cost[~valid] = np.inf
            if (a, b) == (0, 1):
                # The search sums 0-1 costs along each row; the first cell of a row is
                # never entered by a 0-1 link, but must not poison the sum with inf.
                cost[columns == 0] = 0.0
            costs[t] = cost
        if self.extra is not None and len(self.extra.rows):
            self._add_extra(costs, first_row, end_row)
        return costs

    def _add_extra(self, costs: np.ndarray, first_row: int, end_row: int) -> None:
        extra = self.extra
        first, end = np.searchsorted(extra.rows, [first_row, end_row])
        if first == end:
            return
        rows, columns = extra.rows[first:end], extra.columns[first:end]
        index = self.band.flat_index(rows, columns)
        inside = index >= 0
        local = index[inside] - self.band.offsets[first_row]
        np.subtract.at(costs, (extra.types[first:end][inside], local), extra.values[first:end][inside])


def _prefix_counts(flags: np.ndarray | None, size: int) -> np.ndarray:
    counts = np.zeros(size + 1, dtype=np.int64)
    if flags is not None and len(flags):
        np.cumsum(np.asarray(flags, dtype=np.int64), out=counts[1:])
    return counts
