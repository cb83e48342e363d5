"""Align two lists of sentences: signals, the two-pass banded search, confidences.

Pass 1 aligns with sentence length and anchors, over the whole grid for small
documents and otherwise inside a band around the diagonal that cumulative
length predicts (widened where the path runs along its edge). From its links
the aligner learns what it can about this document pair: the variance of the
length ratio, and a word list of words that co-occur in linked sentences; when
a translate function is given it also scores the machine translation of the
source against the target near the pass-1 path. Pass 2 realigns in a narrow
band around the pass-1 path with everything learnt. The confidence of a link
is its posterior probability over all paths in a band around the result.

With length alone (languages that share no numbers, names, cognates or
punctuation, and documents too short to learn a word list from) this is
Gale-Church with a length ratio and variance calibrated on the documents
themselves, link-type priors, and omissions priced as runs (a missing
paragraph costs little more than a missing sentence).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from workbench.alignment import anchors as anchor_features
from workbench.alignment.costs import ExtraScores, LinkCosts
from workbench.alignment.lengths import DEFAULT_VARIANCE, estimate_variance, length_ratio, sentence_lengths
from workbench.alignment.lexicon import LexiconSettings, Tokens, learn_lexicon
from workbench.alignment.links import Link, LinkLike, check_confirmed
from workbench.alignment.search import LINK_TYPES, Band, Path, band_around, best_path, link_posteriors

Translate = Callable[[list[str]], list[str]]
"""Machine-translates source sentences into the target language, one output per input."""

#: Prior probability of each link type with two sides: Gale and Church's
#: figures for 1-1, 2-1, 1-2 and 2-2, with 1-3 and 3-1 added.
DEFAULT_PRIORS: dict[tuple[int, int], float] = {
    (1, 1): 0.89,
    (2, 1): 0.0445,
    (1, 2): 0.0445,
    (2, 2): 0.011,
    (3, 1): 0.005,
    (1, 3): 0.005,
}


@dataclass(frozen=True)
class AlignerSettings:
    """Weights and widths of the aligner; the defaults were tuned on Text+Berg dev only."""

    #: Prior probability of each link type with two sides.
    priors: dict[tuple[int, int], float] = field(default_factory=lambda: dict(DEFAULT_PRIORS))
    #: Omissions (1-0, 0-1) cost `omission_open` to start a run, `omission_step` per
    #: sentence, plus `indel_length_scale` times the length cost of dropping its characters.
    omission_open: float = 4.0
    omission_step: float = 1.0
    indel_length_scale: float = 0.1
    #: Anchors: numbers, punctuation, names and cognates; weight of their Dice similarity.
    anchors: bool = True
    anchor_settings: anchor_features.AnchorSettings = anchor_features.AnchorSettings()
    anchor_weight: float = 12.0
    #: Multiplier of a glossary term pair's weight among the anchors.
    term_weight: float = 2.0
    #: Learn a word list from the pass-1 links and use its pairs as anchors.
    lexicon: bool = True
    lexicon_settings: LexiconSettings = LexiconSettings()
    lexicon_weight: float = 1.0
    #: Weight of chrF (0..1) between machine translation and target, and how many
    #: cells around the pass-1 path it is computed for.
    mt_weight: float = 12.0
    mt_radius: int = 1
    #: Re-estimate the length variance from the pass-1 links.
    reestimate: bool = True
    #: Half-widths of the pass-1 band (around the length diagonal) and of the pass-2 band.
    band_width: int = 40
    refine_width: int = 10
    max_widenings: int = 5


#: Gale and Church's probability of a 1-0 or 0-1 link.
GALE_CHURCH_OMISSION = 0.0099 / 2

LENGTH_ONLY = AlignerSettings(
    omission_open=0.0,
    omission_step=-float(np.log(GALE_CHURCH_OMISSION)),
    indel_length_scale=1.0,
    anchors=False,
    lexicon=False,
    reestimate=False,
)
"""Plain Gale-Church, the baseline: length and link-type priors, one pass, no runs of omissions."""


def align(
    source_sentences: Sequence[str],
    target_sentences: Sequence[str],
    *,
    confirmed: Iterable[LinkLike] = (),
    term_pairs: Iterable[tuple[str, str]] | None = None,
    translate: Translate | None = None,
    settings: AlignerSettings = AlignerSettings(),
) -> list[Link]:
    """Align sentences into links covering each sentence once, in order, with confidences.

    Returns Links in document order: concatenating their source (target)
    indices gives 0..n-1 (0..m-1). `confirmed` links (from a reviewer) are kept as they are and come back
    with `confirmed=True`; only the stretches between them are aligned. `term_pairs` are (source form, target
    form) glossary entries used as anchors; `translate` machine-translates a
    list of source sentences into the target language, and enables the chrF
    signal.
    """
    documents = _Documents(list(source_sentences), list(target_sentences), term_pairs, settings)
    kept = check_confirmed(confirmed, documents.n, documents.m)
    stretches = _stretches(kept, documents.n, documents.m)
    forced_source = np.zeros(documents.n, dtype=bool)
    forced_target = np.zeros(documents.m, dtype=bool)
    for link in kept:
        if not link.target:
            forced_source[list(link.source)] = True
        if not link.source:
            forced_target[list(link.target)] = True
    documents.forced_source, documents.forced_target = forced_source, forced_target

    searched = [s for s in stretches if isinstance(s, _Stretch) and s.needs_search]
    for stretch in searched:
        stretch.path = _search(documents, stretch, documents.pass_one_costs, guide=None, width=settings.band_width)
    if settings.reestimate or settings.lexicon or translate is not None:
        documents.learn([stretch.global_spans() for stretch in searched], translate)
        for stretch in searched:
            stretch.path = _search(
                documents, stretch, documents.pass_two_costs, guide=stretch.path, width=settings.refine_width
            )
    links: list[Link] = []
    for stretch in stretches:
        if isinstance(stretch, Link):
            links.append(stretch)
        else:
            links.extend(stretch.links(documents))
    return links


@dataclass
class _Stretch:
    """Sentences first_source..end_source-1 and first_target..end_target-1, between confirmed links."""

    first_source: int
    end_source: int
    first_target: int
    end_target: int
    path: Path | None = None
    band: Band | None = None
    costs: LinkCosts | None = None
    make_costs: Callable[[Band], LinkCosts] | None = None

    @property
    def needs_search(self) -> bool:
        """Both sides have sentences, so there is a choice to make."""
        return self.end_source > self.first_source and self.end_target > self.first_target

    def global_spans(self) -> list[tuple[list[int], list[int]]]:
        """The links found so far, in document indices."""
        return [
            (list(range(self.first_source + i0, self.first_source + i1)),
             list(range(self.first_target + j0, self.first_target + j1)))
            for i0, i1, j0, j1 in self.path.spans
        ]

    def links(self, documents: _Documents) -> list[Link]:
        """Final links of the stretch, with confidences."""
        if not self.needs_search:
            # Only one side has sentences: each is an omission, and nothing else is possible.
            return [Link([i], [], 1.0) for i in range(self.first_source, self.end_source)] + [
                Link([], [j], 1.0) for j in range(self.first_target, self.end_target)
            ]
        # Paths far from the best one weigh next to nothing: sum over a narrow band
        # around it, not over the (possibly widened) band that was searched.
        width = documents.settings.refine_width
        low, high = _path_extent(self.path, self.end_source - self.first_source)
        band, costs = band_around(low - width, high + width, self.end_target - self.first_target), self.costs
        if band.size < self.band.size:
            costs = self.make_costs(band)
        else:
            band = self.band
        confidences = link_posteriors(band, costs, self.path)
        return [Link(s, t, round(c, 4)) for (s, t), c in zip(self.global_spans(), confidences, strict=True)]


def _stretches(kept: list[Link], n: int, m: int) -> list[_Stretch | Link]:
    """Cut the documents at the confirmed links that have both sides."""
    pieces: list[_Stretch | Link] = []
    source_at, target_at = 0, 0
    for link in kept:
        if link.source and link.target:
            pieces.append(_Stretch(source_at, link.source[0], target_at, link.target[0]))
            pieces.append(link)
            source_at, target_at = link.source[-1] + 1, link.target[-1] + 1
    pieces.append(_Stretch(source_at, n, target_at, m))
    return [p for p in pieces if isinstance(p, Link) or p.end_source > p.first_source or p.end_target > p.first_target]


class _Documents:
    """Everything known about the two documents, shared by all stretches."""

    def __init__(
        self,
        source: list[str],
        target: list[str],
        term_pairs: Iterable[tuple[str, str]] | None,
        settings: AlignerSettings,
    ):
        self.source, self.target, self.settings = source, target, settings
        self.n, self.m = len(source), len(target)
        source_lengths, target_lengths = sentence_lengths(source), sentence_lengths(target)
        self.ratio = length_ratio(source_lengths, target_lengths)
        self.source_lengths = source_lengths
        self.target_lengths = target_lengths / self.ratio  # in source characters from here on
        self.variance = DEFAULT_VARIANCE
        self.prior_costs = _prior_costs(settings.priors, settings.omission_step)
        terms_source: dict[int, set[str]] = {}
        terms_target: dict[int, set[str]] = {}
        if term_pairs is not None:
            terms_source, terms_target = anchor_features.term_anchors(source, target, term_pairs)
        encoder = anchor_features.FeatureCodes()
        self.anchors_source = encoder.occurrences(
            _sentence_features(source, terms_source, settings.anchor_settings if settings.anchors else None)
        )
        self.anchors_target = encoder.occurrences(
            _sentence_features(target, terms_target, settings.anchor_settings if settings.anchors else None)
        )
        names = encoder.names
        self.anchor_scales = np.array([settings.term_weight if name.startswith("g:") else 1.0 for name in names])
        self.shared = anchor_features.shared_features(
            self.anchors_source, self.anchors_target, self.anchor_scales, self.n, self.m
        )
        self.mt_scores: dict[tuple[int, int, int], float] = {}
        self.forced_source = np.zeros(self.n, dtype=bool)
        self.forced_target = np.zeros(self.m, dtype=bool)

    def learn(self, spans: list[list[tuple[list[int], list[int]]]], translate: Translate | None) -> None:
        """Re-estimate the length variance, learn a word list, score MT, from the pass-1 links."""
        settings = self.settings
        links = [link for stretch in spans for link in stretch]
        if settings.reestimate:
            one_to_one = [(s[0], t[0]) for s, t in links if len(s) == 1 and len(t) == 1]
            if one_to_one:
                i, j = np.array(one_to_one).T
                self.variance = estimate_variance(self.source_lengths[i], self.target_lengths[j])
        if settings.lexicon:
            source_tokens, target_tokens = Tokens.of(self.source), Tokens.of(self.target)
            lexicon = learn_lexicon(source_tokens, target_tokens, links, settings.lexicon_settings)
            if len(lexicon.scores):
                first_code = len(self.anchor_scales)
                source, target, count = lexicon.features(source_tokens, target_tokens, first_code)
                scales = np.concatenate((self.anchor_scales, np.full(count, settings.lexicon_weight)))
                self.shared = anchor_features.shared_features(
                    self.anchors_source + source, self.anchors_target + target, scales, self.n, self.m
                )
        if translate is not None:
            self.mt_scores = _mt_scores(self.source, self.target, translate, links, settings.mt_radius)

    def stretch_costs(self, stretch: _Stretch, band: Band, with_extra: bool) -> LinkCosts:
        """The cost function of a stretch over a band, in the stretch's own indices."""
        s0, s1, t0, t1 = stretch.first_source, stretch.end_source, stretch.first_target, stretch.end_target
        settings = self.settings
        scores = source_masses = target_masses = None
        if len(self.shared.weights):
            source, target = self.shared.source.within(s0, s1), self.shared.target.within(t0, t1)
            scores = anchor_features.pair_scores(band, self.shared.weights, source, target)
            source_masses = anchor_features.sentence_masses(self.shared.weights, source, s1 - s0)
            target_masses = anchor_features.sentence_masses(self.shared.weights, target, t1 - t0)
        extra = None
        if with_extra and self.mt_scores:
            local = {
                (t, i - s0, j - t0): settings.mt_weight * value
                for (t, i, j), value in self.mt_scores.items()
                if s0 <= i - LINK_TYPES[t][0] and i <= s1 and t0 <= j - LINK_TYPES[t][1] and j <= t1
            }
            extra = ExtraScores.from_dict(local) if local else None
        return LinkCosts(
            band,
            self.source_lengths[s0:s1],
            self.target_lengths[t0:t1],
            self.variance,
            self.prior_costs,
            settings.indel_length_scale,
            gap_open=(settings.omission_open, settings.omission_open),
            pair_scores=scores,
            source_masses=source_masses,
            target_masses=target_masses,
            anchor_weight=settings.anchor_weight,
            forced_source=self.forced_source[s0:s1],
            forced_target=self.forced_target[t0:t1],
            extra=extra,
            remember=with_extra,
        )

    def pass_one_costs(self, stretch: _Stretch, band: Band) -> LinkCosts:
        """Costs before anything is learnt from the documents."""
        return self.stretch_costs(stretch, band, with_extra=False)

    def pass_two_costs(self, stretch: _Stretch, band: Band) -> LinkCosts:
        """Costs with everything learnt from pass 1."""
        return self.stretch_costs(stretch, band, with_extra=True)


def _sentence_features(
    sentences: list[str], terms: dict[int, set[str]], settings: anchor_features.AnchorSettings | None
) -> Iterable[set[str]]:
    """Anchor features (when `settings` is given) and glossary term features, one sentence at a time."""
    for index, sentence in enumerate(sentences):
        features = anchor_features.sentence_anchors(sentence, settings) if settings is not None else set()
        if index in terms:
            features |= terms[index]
        yield features


def _prior_costs(priors: dict[tuple[int, int], float], omission_step: float) -> np.ndarray:
    """-log prior of each link type; a 1-0 or 0-1 link costs one step of a run of omissions."""
    return np.array([
        omission_step if 0 in link_type else -np.log(max(priors[link_type], 1e-12)) for link_type in LINK_TYPES
    ])


#: Documents up to this many grid cells are searched whole in pass 1: no band to get wrong.
FULL_GRID_CELLS = 300_000


def _search(
    documents: _Documents,
    stretch: _Stretch,
    make_costs: Callable[[_Stretch, Band], LinkCosts],
    guide: Path | None,
    width: int,
) -> Path:
    """Viterbi in a band around `guide` (or the length diagonal), widened while the path hugs an edge."""
    n = stretch.end_source - stretch.first_source
    m = stretch.end_target - stretch.first_target
    if guide is None:
        low, high = _first_band(
            documents.source_lengths[stretch.first_source : stretch.end_source],
            documents.target_lengths[stretch.first_target : stretch.end_target],
            width,
        )
    else:
        low, high = _path_extent(guide, n)
        low, high = low - width, high + width
    stretch.make_costs = lambda band: make_costs(stretch, band)
    path, stretch.band, stretch.costs = _widening_search(
        low, high, n, m, stretch.make_costs, width, documents.settings.max_widenings
    )
    return path


def _widening_search(
    low: np.ndarray,
    high: np.ndarray,
    n: int,
    m: int,
    make_costs: Callable[[Band], LinkCosts],
    width: int,
    max_widenings: int,
) -> tuple[Path, Band, LinkCosts]:
    """Viterbi in the band low..high; while the path runs along an inner edge, again twice as wide around it."""
    for _ in range(max_widenings + 1):
        band = band_around(low, high, m)
        costs = make_costs(band)
        path = best_path(band, costs)
        if not _touches_edge(band, path) or band.size >= (n + 1) * (m + 1):
            break
        width *= 2
        low, high = _path_extent(path, n)
        low, high = low - width, high + width
    return path, band, costs


def _first_band(
    source_lengths: np.ndarray, target_lengths: np.ndarray, width: int
) -> tuple[np.ndarray, np.ndarray]:
    """Per-row bounds of the pass-1 band: the whole grid for small documents, else the length diagonal."""
    n, m = len(source_lengths), len(target_lengths)
    if (n + 1) * (m + 1) <= FULL_GRID_CELLS:
        return np.zeros(n + 1, dtype=np.int64), np.full(n + 1, m, dtype=np.int64)
    # Where a target boundary is expected at each source boundary, by cumulative length.
    source = np.concatenate(([0.0], np.cumsum(source_lengths + 1)))
    target = np.concatenate(([0.0], np.cumsum(target_lengths + 1)))
    centre = np.interp(source / source[-1], target / target[-1], np.arange(m + 1, dtype=np.float64))
    return np.floor(centre - width).astype(np.int64), np.ceil(centre + width).astype(np.int64)


def _path_extent(path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Lowest and highest target boundary the path visits in each row."""
    low = np.full(n + 1, np.iinfo(np.int64).max, dtype=np.int64)
    high = np.full(n + 1, -1, dtype=np.int64)
    for i0, i1, j0, j1 in path.spans:
        low[i0:i1 + 1] = np.minimum(low[i0:i1 + 1], j0)
        high[i0:i1 + 1] = np.maximum(high[i0:i1 + 1], j1)
    return low, high


def _touches_edge(band: Band, path: Path) -> bool:
    """Whether the path runs along an edge of the band that is not the edge of the grid."""
    margin = 1
    for i0, i1, j0, j1 in path.spans:
        for i, j in ((i0, j0), (i1, j1)):
            if band.lo[i] > 0 and j - band.lo[i] < margin:
                return True
            if band.hi[i] < band.m and band.hi[i] - j < margin:
                return True
    return False


def _mt_scores(
    source: list[str],
    target: list[str],
    translate: Translate,
    links: list[tuple[list[int], list[int]]],
    radius: int,
) -> dict[tuple[int, int, int], float]:
    """chrF (0..1) of the machine translation against the target, for links near the pass-1 path."""
    from sacrebleu.metrics import CHRF

    translations = list(translate(list(source)))
    if len(translations) != len(source):
        raise ValueError(f"translate returned {len(translations)} sentences for {len(source)}")
    chrf = CHRF()
    cells = set()
    for s, t in links:
        i, j = (s[-1] + 1 if s else None), (t[-1] + 1 if t else None)
        if i is None or j is None:
            continue
        for di in range(-radius, radius + 1):
            for dj in range(-radius, radius + 1):
                cells.add((i + di, j + dj))
    scores = {}
    for i, j in cells:
        for t, (a, b) in enumerate(LINK_TYPES):
            if a == 0 or b == 0 or i - a < 0 or j - b < 0 or i > len(source) or j > len(target):
                continue
            hypothesis = " ".join(translations[i - a : i])
            reference = " ".join(target[j - b : j])
            scores[t, i, j] = chrf.sentence_score(hypothesis, [reference]).score / 100.0
    return scores
