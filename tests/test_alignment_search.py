"""Tests of the banded dynamic programming: Viterbi and posteriors against brute force."""

from __future__ import annotations

import math

import numpy as np
import pytest

from workbench.alignment.search import (
    DELETION,
    INSERTION,
    LINK_TYPES,
    Band,
    band_around,
    best_path,
    link_posteriors,
)


class TableCosts:
    """Random link costs for every (type, end cell) of a full grid, read through a band."""

    def __init__(self, n: int, m: int, seed: int, gap_open: tuple[float, float]):
        rng = np.random.default_rng(seed)
        self.table = rng.uniform(0.0, 4.0, size=(len(LINK_TYPES), n + 1, m + 1))
        self.gap_open = gap_open
        self.band: Band | None = None

    def __call__(self, first_row: int, end_row: int) -> np.ndarray:
        rows, columns = self.band.cells(first_row, end_row)
        costs = self.table[:, rows, columns].copy()
        for t, (a, b) in enumerate(LINK_TYPES):
            costs[t, (rows < a) | (columns < b)] = np.inf
        costs[INSERTION, columns == 0] = 0.0  # never read, must be finite (see LinkCosts)
        return costs


def all_paths(n: int, m: int):
    """Every sequence of link types from (0, 0) to (n, m), as lists of (type, end i, end j)."""
    def extend(i, j):
        if (i, j) == (n, m):
            yield []
            return
        for t, (a, b) in enumerate(LINK_TYPES):
            if i + a <= n and j + b <= m:
                for rest in extend(i + a, j + b):
                    yield [(t, i + a, j + b)] + rest
    yield from extend(0, 0)


def path_cost(path, costs: TableCosts) -> float:
    """Sum of link costs plus one opening cost per run of 1-0 links and per run of 0-1 links."""
    total, previous = 0.0, None
    for t, i, j in path:
        total += costs.table[t, i, j]
        if t == DELETION and previous != DELETION:
            total += costs.gap_open[0]
        if t == INSERTION and previous != INSERTION:
            total += costs.gap_open[1]
        previous = t
    return total


def full_band(n: int, m: int) -> Band:
    return band_around(np.zeros(n + 1), np.full(n + 1, m), m)


@pytest.mark.parametrize("n, m, seed, gap_open", [
    (1, 1, 0, (0.0, 0.0)),
    (2, 3, 1, (1.5, 0.5)),
    (3, 2, 2, (0.0, 3.0)),
    (3, 3, 3, (2.0, 2.0)),
    (4, 3, 4, (5.0, 0.0)),
    (2, 5, 5, (0.3, 4.0)),
])
def test_viterbi_and_posteriors_match_brute_force(n, m, seed, gap_open):
    costs = TableCosts(n, m, seed, gap_open)
    band = costs.band = full_band(n, m)
    paths = list(all_paths(n, m))
    path_costs = [path_cost(p, costs) for p in paths]
    found = best_path(band, costs)
    assert found.total == pytest.approx(min(path_costs))
    chosen = [(t, i1, j1) for (i0, i1, j0, j1), t in zip(found.spans, found.types, strict=True)]
    assert path_cost(chosen, costs) == pytest.approx(found.total)
    # Posterior of each chosen link: weight of the paths holding it over the weight of all.
    # A 1-0 link is "source i-1 dropped" wherever the path stands in the target; 0-1 likewise.
    weights = np.exp(-np.array(path_costs))
    holding = [{identity(step) for step in p} for p in paths]
    expected = [
        sum(w for steps, w in zip(holding, weights, strict=True) if identity(link) in steps) / weights.sum()
        for link in chosen
    ]
    assert link_posteriors(band, costs, found) == pytest.approx(expected, rel=1e-9)


@pytest.mark.parametrize("merge", [(2, 1), (1, 2), (3, 1), (1, 3), (2, 2)])
def test_a_merge_joins_the_path_as_many_rows_back_as_it_spans(merge):
    """One cheap 1-1 link, then one cheap merge: the best path is those two, at their summed cost.

    A merge of `a` source sentences continues the best path `a` rows back; read from
    the row before (a mistake a 1-1 test cannot see), its cost would include a dear link.
    """
    a, b = merge
    n, m = 1 + a, 1 + b
    costs = TableCosts(n, m, 0, (1.0, 1.0))
    costs.table[:] = 10.0
    costs.table[LINK_TYPES.index((1, 1)), 1, 1] = 0.5
    costs.table[LINK_TYPES.index(merge), n, m] = 0.25
    costs.band = full_band(n, m)
    found = best_path(costs.band, costs)
    assert [LINK_TYPES[t] for t in found.types] == [(1, 1), merge]
    assert found.total == pytest.approx(0.75)


def identity(step: tuple[int, int, int]) -> tuple:
    """What makes two steps the same link in the output."""
    t, i, j = step
    if t == DELETION:
        return ("dropped source", i - 1)
    if t == INSERTION:
        return ("dropped target", j - 1)
    return step


def test_band_limits_the_search_but_keeps_a_path():
    n = m = 6
    costs = TableCosts(n, m, 7, (1.0, 1.0))
    centre = np.arange(n + 1, dtype=float)
    band = costs.band = band_around(centre - 1, centre + 1, m)
    assert band.size < (n + 1) * (m + 1)
    found = best_path(band, costs)
    inside = [
        p for p in all_paths(n, m)
        if all(band.lo[i] <= j <= band.hi[i] for _, i, j in p)
        and all(band.lo[i - LINK_TYPES[t][0]] <= j - LINK_TYPES[t][1] <= band.hi[i - LINK_TYPES[t][0]] for t, i, j in p)
    ]
    assert found.total == pytest.approx(min(path_cost(p, costs) for p in inside))
    posteriors = link_posteriors(band, costs, found)
    assert all(0.0 <= p <= 1.0 for p in posteriors)


@pytest.mark.parametrize("lower, upper, m", [
    ([0, 5, 9, 9], [1, 6, 9, 9], 9),   # a jump: rows must still be joined
    ([3, 1, 0, 2], [4, 2, 1, 3], 5),   # not monotone: made monotone
    ([-4, -2, 0], [20, 30, 40], 3),    # outside the grid: clipped
])
def test_band_around_is_connected_and_spans_the_grid(lower, upper, m):
    band = band_around(np.array(lower), np.array(upper), m)
    assert band.lo[0] == 0 and band.hi[-1] == m
    assert all(band.lo[i] <= band.hi[i] for i in range(band.n + 1))
    assert all(np.diff(band.lo) >= 0) and all(np.diff(band.hi) >= 0)
    assert all(band.hi[i] >= band.lo[i + 1] for i in range(band.n))
    assert math.isfinite(best_path(band, UniformCosts(band)).total)


class UniformCosts:
    """Every link costs 1."""

    gap_open = (0.0, 0.0)

    def __init__(self, band: Band):
        self.band = band

    def __call__(self, first_row: int, end_row: int) -> np.ndarray:
        rows, columns = self.band.cells(first_row, end_row)
        costs = np.ones((len(LINK_TYPES), len(rows)))
        for t, (a, b) in enumerate(LINK_TYPES):
            costs[t, (rows < a) | (columns < b)] = np.inf
        costs[INSERTION, columns == 0] = 0.0
        return costs
