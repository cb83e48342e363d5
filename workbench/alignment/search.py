"""Dynamic programming over link types, restricted to a band of cells.

The alignment is a path through the grid of sentence boundaries, from (0, 0)
to (n, m); cell (i, j) means "the first i source and first j target sentences
are aligned". Each step is a link type (a, b): it covers the next a source and
b target sentences. Only cells inside a band are visited: row i holds the
columns lo[i]..hi[i]. Rows are stored one after the other in flat arrays, so
memory is linear in the number of band cells, and each row is processed with a
handful of numpy slices, one per link type.

Omissions come in runs (a missing paragraph, a block of picture captions), so
1-0 and 0-1 links have affine costs, as gaps in Gotoh's sequence alignment:
opening a run costs `gap_open`, every sentence in it its own step cost. That
takes three states per cell: arrived by a link with both sides (X), by a 1-0
link (V, a run down a column) or by a 0-1 link (H, a run along a row). A run
along a row is solved for the whole row at once with a running minimum.

`best_path` is Viterbi; `link_posteriors` runs the same recurrences with
log-sum-exp instead of min, forward and backward, to give each link of the
best path its posterior probability among all paths in the band.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol

import numpy as np

#: The link types searched, (source sentences, target sentences).
LINK_TYPES: tuple[tuple[int, int], ...] = ((1, 1), (1, 0), (0, 1), (2, 1), (1, 2), (2, 2), (3, 1), (1, 3))
DELETION = LINK_TYPES.index((1, 0))
INSERTION = LINK_TYPES.index((0, 1))
#: Link types with both sides, as (type index, a, b).
PAIRED = tuple((t, a, b) for t, (a, b) in enumerate(LINK_TYPES) if a and b)

#: Cells whose costs are computed in one vectorised call.
CHUNK_CELLS = 50_000

_X, _V, _H = 0, 1, 2  # arrived by a link with both sides, by a 1-0 link, by a 0-1 link


class CostFunction(Protocol):
    """Costs of every link type for the cells of a block of rows, and the run-opening costs."""

    gap_open: tuple[float, float]
    """Extra cost of starting a run of 1-0 links, and of 0-1 links."""

    def __call__(self, first_row: int, end_row: int) -> np.ndarray:
        """Array (len(LINK_TYPES), cells of rows first_row..end_row-1) of link costs."""


@dataclass
class Band:
    """The cells searched: row i covers target boundaries lo[i]..hi[i] inclusive."""

    lo: np.ndarray
    hi: np.ndarray

    def __post_init__(self) -> None:
        widths = self.hi - self.lo + 1
        self.offsets = np.zeros(len(self.lo) + 1, dtype=np.int64)
        np.cumsum(widths, out=self.offsets[1:])

    @property
    def n(self) -> int:
        """Number of source sentences."""
        return len(self.lo) - 1

    @property
    def m(self) -> int:
        """Number of target sentences."""
        return int(self.hi[-1])

    @property
    def size(self) -> int:
        """Number of cells in the band."""
        return int(self.offsets[-1])

    def cells(self, first_row: int, end_row: int) -> tuple[np.ndarray, np.ndarray]:
        """Row and column of every cell in rows first_row..end_row-1, in storage order."""
        widths = (self.hi[first_row:end_row] - self.lo[first_row:end_row] + 1).astype(np.int64)
        rows = np.repeat(np.arange(first_row, end_row, dtype=np.int64), widths)
        starts = self.offsets[first_row:end_row] - self.offsets[first_row]
        columns = np.arange(int(widths.sum()), dtype=np.int64) - np.repeat(starts, widths)
        columns += np.repeat(self.lo[first_row:end_row], widths)
        return rows, columns

    def flat_index(self, rows: np.ndarray, columns: np.ndarray) -> np.ndarray:
        """Storage index of cells (rows, columns); -1 for cells outside the band."""
        inside = (rows >= 0) & (rows <= self.n)
        safe_rows = np.where(inside, rows, 0)
        lo, hi = self.lo[safe_rows], self.hi[safe_rows]
        inside &= (columns >= lo) & (columns <= hi)
        return np.where(inside, self.offsets[safe_rows] + columns - lo, -1)

    def chunks(self) -> list[tuple[int, int]]:
        """Row ranges holding about CHUNK_CELLS cells each."""
        bounds, start = [], 0
        while start <= self.n:
            limit = self.offsets[start] + CHUNK_CELLS
            end = max(start + 1, int(np.searchsorted(self.offsets, limit, side="right")) - 1)
            end = min(end, self.n + 1)
            bounds.append((start, end))
            start = end
        return bounds


def band_around(lower: np.ndarray, upper: np.ndarray, m: int) -> Band:
    """A connected band from per-row bounds: monotone, clipped, reaching (0, 0) and (n, m)."""
    lo = np.clip(np.asarray(lower, dtype=np.int64), 0, m)
    hi = np.clip(np.asarray(upper, dtype=np.int64), 0, m)
    lo = np.maximum.accumulate(lo)
    hi = np.maximum(np.maximum.accumulate(hi), lo)
    lo[0] = 0
    hi[-1] = m
    lo = np.minimum(lo, hi)
    # Each row must reach the next row's first cell, or no step joins them.
    hi[:-1] = np.maximum(hi[:-1], lo[1:])
    return Band(lo, hi)


@dataclass
class Path:
    """The best path: each link as (source start, source end, target start, target end) and its type index."""

    spans: list[tuple[int, int, int, int]]
    types: list[int]
    total: float


class _Rows:
    """Python-int copies of the band bounds, and of how each step type joins two rows.

    Scalar numpy indexing is slow inside the row loops, so everything a loop
    needs per row is precomputed here, vectorised, and turned into lists.
    """

    def __init__(self, band: Band):
        self.lo = band.lo.tolist()
        self.hi = band.hi.tolist()
        self.offsets = band.offsets.tolist()
        self.widest = int((band.hi - band.lo).max()) + 1
        self.joins = {(a, b): self._joins(band, a, b) for a, b in {(a, b) for _, a, b in PAIRED} | {(1, 0)}}

    @staticmethod
    def _joins(band: Band, a: int, b: int) -> list[tuple[int, int, int, int] | None]:
        """For each row i: slices (k0, k1) of row i and (p0, p1) of row i-a joined by a step (a, b)."""
        lo, hi = band.lo, band.hi
        joins: list[tuple[int, int, int, int] | None] = [None] * min(a, len(lo))
        if len(lo) <= a:
            return joins
        first = np.maximum(lo[a:], lo[:-a] + b)
        last = np.minimum(hi[a:], hi[:-a] + b)
        k0 = first - lo[a:]
        p0 = first - b - lo[:-a]
        width = last - first + 1
        for k, p, w in zip(k0.tolist(), p0.tolist(), width.tolist(), strict=True):
            joins.append((k, k + w, p, p + w) if w > 0 else None)
        return joins


def best_path(band: Band, costs: CostFunction) -> Path:
    """Viterbi search of the cheapest path from (0, 0) to (n, m) inside the band."""
    rows = _Rows(band)
    open_deletion, open_insertion = costs.gap_open
    size = band.size
    paired_choice = np.zeros(size, dtype=np.int8)
    deletion_extends = np.zeros(size, dtype=bool)
    insertion_extends = np.zeros(size, dtype=bool)
    h_beats_x = np.zeros(size, dtype=bool)
    v_beats_x = np.zeros(size, dtype=bool)
    v_wins = np.zeros(size, dtype=bool)
    joins = [(t, a, rows.joins[a, b]) for t, a, b in PAIRED]
    deletion_joins = rows.joins[1, 0]
    best: list[np.ndarray] = [np.empty(0)] * 4  # rows i-3..i, by i % 4
    not_v = in_v = np.empty(0)
    # Copying a slice of a ready-made row is cheaper than np.full, once per row.
    infinite = np.full((len(PAIRED), rows.widest), np.inf)
    for first_row, end_row in band.chunks():
        chunk = costs(first_row, end_row)
        base = rows.offsets[first_row]
        for i in range(first_row, end_row):
            start, end = rows.offsets[i], rows.offsets[i + 1]
            width = end - start
            row_costs = chunk[:, start - base : end - base]
            candidates = infinite[:, :width].copy()
            if i == 0:
                candidates[0, 0] = 0.0
            for slot, (t, a, type_joins) in enumerate(joins):
                joined = type_joins[i] if i >= a else None
                if joined is not None:
                    k0, k1, p0, p1 = joined
                    np.add(best[(i - a) % 4][p0:p1], row_costs[t, k0:k1], out=candidates[slot, k0:k1])
            paired_choice[start:end] = candidates.argmin(axis=0)
            x = candidates.min(axis=0)
            v = infinite[0, :width].copy()
            joined = deletion_joins[i] if i >= 1 else None
            if joined is not None:
                k0, k1, p0, p1 = joined
                opened = not_v[p0:p1] + open_deletion
                extended = in_v[p0:p1]
                extends = extended < opened
                deletion_extends[start + k0 : start + k1] = extends
                np.add(np.where(extends, extended, opened), row_costs[DELETION, k0:k1], out=v[k0:k1])
            f = np.minimum(x, v)
            h = infinite[0, :width].copy()
            if width > 1:
                # h[k] = min(h[k-1], f[k-1] + open) + c[k]: unrolled, a run of 0-1 links
                # from k' to k costs f[k'] + open + P[k] - P[k'], P the prefix sums of c.
                prefix = np.cumsum(row_costs[INSERTION])
                running = np.minimum.accumulate(f - prefix)
                h[1:] = running[:-1] + prefix[1:] + open_insertion
                insertion_extends[start + 1 : end] = h[:-1] < f[:-1] + open_insertion
            e = np.minimum(x, h)
            h_beats_x[start:end] = h < x
            d = np.minimum(e, v)
            v_beats_x[start:end] = v < x
            v_wins[start:end] = v < e
            best[i % 4], not_v, in_v = d, e, v
    total = float(best[band.n % 4][band.m - rows.lo[band.n]])
    if not np.isfinite(total):
        raise RuntimeError("no path reaches the end of the band")
    return _trace_back(
        band, rows, paired_choice, deletion_extends, insertion_extends, h_beats_x, v_beats_x, v_wins, total
    )


def _trace_back(
    band: Band,
    rows: _Rows,
    paired_choice: np.ndarray,
    deletion_extends: np.ndarray,
    insertion_extends: np.ndarray,
    h_beats_x: np.ndarray,
    v_beats_x: np.ndarray,
    v_wins: np.ndarray,
    total: float,
) -> Path:
    spans: list[tuple[int, int, int, int]] = []
    types: list[int] = []
    i, j = band.n, band.m
    cell = rows.offsets[i] + j - rows.lo[i]
    current = _V if v_wins[cell] else (_H if h_beats_x[cell] else _X)
    while i > 0 or j > 0:
        cell = rows.offsets[i] + j - rows.lo[i]
        if current == _X:
            t = PAIRED[int(paired_choice[cell])][0]
            a, b = LINK_TYPES[t]
            spans.append((i - a, i, j - b, j))
            types.append(t)
            i, j = i - a, j - b
            previous = rows.offsets[i] + j - rows.lo[i]
            current = _V if v_wins[previous] else (_H if h_beats_x[previous] else _X)
        elif current == _V:
            spans.append((i - 1, i, j, j))
            types.append(DELETION)
            extends = bool(deletion_extends[cell])
            i -= 1
            previous = rows.offsets[i] + j - rows.lo[i]
            current = _V if extends else (_H if h_beats_x[previous] else _X)
        else:
            spans.append((i, i, j - 1, j))
            types.append(INSERTION)
            extends = bool(insertion_extends[cell])
            j -= 1
            current = _H if extends else (_V if v_beats_x[cell - 1] else _X)
    spans.reverse()
    types.reverse()
    return Path(spans, types, total)


def link_posteriors(band: Band, costs: CostFunction, path: Path) -> list[float]:
    """Posterior probability of each link of `path` among all paths in the band.

    A path's weight is exp(-cost); a link's posterior is the summed weight of
    the paths that hold it over the summed weight of all paths. The recurrences
    are those of `best_path` with log-sum-exp in place of min, run forward from
    (0, 0) and backward from (n, m). A 1-0 link is the same link wherever the
    target side stands, so its posterior sums over the row; a 0-1 link likewise
    sums over the column.
    """
    rows = _Rows(band)
    open_deletion, open_insertion = costs.gap_open
    joins = [(t, a, rows.joins[a, b]) for t, a, b in PAIRED]
    deletion_joins = rows.joins[1, 0]
    count = len(path.spans)
    start_value = [0.0] * count
    link_cost = [0.0] * count
    end_value = [0.0] * count
    # Per row, the links with two sides that start or end there, as (link, column in row),
    # read with scalar indexing: a row holds one or two, too few for a vectorised gather to pay.
    starting: list[list[tuple[int, int]]] = [[] for _ in range(band.n + 1)]
    ending: list[list[tuple[int, int, int]]] = [[] for _ in range(band.n + 1)]
    for index, ((i0, i1, j0, j1), t) in enumerate(zip(path.spans, path.types, strict=True)):
        if t not in (DELETION, INSERTION):
            starting[i0].append((index, j0 - rows.lo[i0]))
            ending[i1].append((index, j1 - rows.lo[i1], t))
    # Log-weight of reaching each cell and then taking a 1-0 (or 0-1) step from it.
    before_deletion = np.empty(band.size)
    before_insertion = np.empty(band.size)
    chunks = band.chunks()
    nothing = np.full((len(PAIRED), rows.widest), -np.inf)  # log 0, copied per row (cheaper than np.full)

    # The row loop below repeats the one of `best_path` on purpose: min-plus there, log-sum-exp
    # here. Sharing it would put a callback in the innermost loop of both passes (the hot path).
    forward: list[np.ndarray] = [np.empty(0)] * 4
    for first_row, end_row in chunks:
        chunk = costs(first_row, end_row)
        base = rows.offsets[first_row]
        for i in range(first_row, end_row):
            start, end = rows.offsets[i], rows.offsets[i + 1]
            width = end - start
            row_costs = chunk[:, start - base : end - base]
            candidates = nothing[:, :width].copy()
            if i == 0:
                candidates[0, 0] = 0.0
            for slot, (t, a, type_joins) in enumerate(joins):
                joined = type_joins[i] if i >= a else None
                if joined is not None:
                    k0, k1, p0, p1 = joined
                    np.subtract(forward[(i - a) % 4][p0:p1], row_costs[t, k0:k1], out=candidates[slot, k0:k1])
            x = np.logaddexp.reduce(candidates, axis=0)
            v = nothing[0, :width].copy()
            joined = deletion_joins[i] if i >= 1 else None
            if joined is not None:
                k0, k1, p0, p1 = joined
                previous = rows.offsets[i - 1]
                v[k0:k1] = before_deletion[previous + p0 : previous + p1] - row_costs[DELETION, k0:k1]
            f = np.logaddexp(x, v)
            h = nothing[0, :width].copy()
            if width > 1:
                prefix = np.cumsum(row_costs[INSERTION])
                summed = np.logaddexp.accumulate(f + prefix)
                h[1:] = summed[:-1] - prefix[1:] - open_insertion
            e = np.logaddexp(x, h)
            d = np.logaddexp(e, v)
            np.logaddexp(e - open_deletion, v, out=before_deletion[start:end])
            np.logaddexp(f - open_insertion, h, out=before_insertion[start:end])
            forward[i % 4] = d
            for index, k in starting[i]:
                start_value[index] = float(d[k])
            for index, k, t in ending[i]:
                link_cost[index] = float(row_costs[t, k])
    total = float(forward[band.n % 4][band.m - rows.lo[band.n]])

    # Backward: log-sum of the ways to finish from each cell, per state, built
    # from what each row receives from the rows after it.
    deleted = np.zeros(band.n)
    inserted = np.zeros(band.m)
    leave_paired: dict[int, np.ndarray] = {}
    leave_deletion = np.empty(0)
    for first_row, end_row in reversed(chunks):
        chunk = costs(first_row, end_row)
        base = rows.offsets[first_row]
        for i in range(end_row - 1, first_row - 1, -1):
            start, end = rows.offsets[i], rows.offsets[i + 1]
            width = end - start
            row_costs = chunk[:, start - base : end - base]
            paired = leave_paired.pop(i, None)
            if paired is None:
                paired = nothing[0, :width].copy()
            if i == band.n:
                paired[width - 1] = np.logaddexp(paired[width - 1], 0.0)  # the path may end here
            deletion = leave_deletion if i < band.n and len(leave_deletion) == width else nothing[0, :width]
            # Leaving by anything but a 0-1 link; then a run of 0-1 links along the row.
            other = np.logaddexp(paired, deletion - open_deletion)
            in_h = other
            if width > 1:
                prefix = np.cumsum(row_costs[INSERTION])
                in_h = prefix + np.logaddexp.accumulate((other - prefix)[::-1])[::-1]
                # Posterior of inserting target j-1 by the step into cell (i, j), summed per target.
                through = before_insertion[start : end - 1] - row_costs[INSERTION, 1:] + in_h[1:] - total
                inserted[rows.lo[i] : rows.lo[i] + width - 1] += np.exp(np.minimum(through, 0.0))
            next_insertion = nothing[0, :width].copy()
            next_insertion[:-1] = in_h[1:] - row_costs[INSERTION, 1:]
            in_x = np.logaddexp(other, next_insertion - open_insertion)
            in_v_state = np.logaddexp(np.logaddexp(paired, deletion), next_insertion - open_insertion)
            for index, k, _ in ending[i]:
                end_value[index] = float(in_x[k])
            for t, a, type_joins in joins:
                joined = type_joins[i] if i >= a else None
                if joined is None:
                    continue
                k0, k1, p0, p1 = joined
                target = leave_paired.get(i - a)
                if target is None:
                    target = leave_paired[i - a] = nothing[0, : rows.hi[i - a] - rows.lo[i - a] + 1].copy()
                np.logaddexp(target[p0:p1], in_x[k0:k1] - row_costs[t, k0:k1], out=target[p0:p1])
            leave_deletion = nothing[0, : rows.hi[i - 1] - rows.lo[i - 1] + 1].copy() if i >= 1 else np.empty(0)
            joined = deletion_joins[i] if i >= 1 else None
            if joined is not None:
                k0, k1, p0, p1 = joined
                leave_deletion[p0:p1] = in_v_state[k0:k1] - row_costs[DELETION, k0:k1]
                # Posterior of deleting source i-1, summed over the row.
                previous = rows.offsets[i - 1]
                through = before_deletion[previous + p0 : previous + p1] + leave_deletion[p0:p1] - total
                deleted[i - 1] = np.exp(np.minimum(through, 0.0)).sum()
    posteriors = []
    for index, ((i0, _, j0, _), t) in enumerate(zip(path.spans, path.types, strict=True)):
        if t == DELETION:
            posteriors.append(float(deleted[i0]))
        elif t == INSERTION:
            posteriors.append(float(inserted[j0]))
        else:
            log_posterior = start_value[index] - link_cost[index] + end_value[index] - total
            posteriors.append(math.exp(min(log_posterior, 0.0)))
    return [min(p, 1.0) for p in posteriors]
