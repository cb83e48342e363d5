"""Editing a sentence alignment by hand: merge, split, move, no counterpart, confirm, undo.

An `AlignmentState` is immutable: two sentence lists and the links between
them. Links are kept in document order, and every state satisfies one
invariant: reading the links in order, their source sides list every source
sentence once, in order (0, 1, ..., n-1), and likewise their target sides.
Each operation returns a new state or raises `AlignmentEditError` and leaves
the state alone. An `AlignmentSession` holds the current state and an undo
stack of earlier ones, so every edit can be undone, "realign the rest"
included.

Links a reviewer confirmed are kept as they are when the rest is realigned
(`workbench.alignment.align(..., confirmed=...)`). A link made or reshaped by
an edit gets confidence 1.0 (a person drew it) but is not confirmed until the
reviewer says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace

from workbench.alignment.links import LOW_CONFIDENCE, SIDES, Link, LinkLike, as_link
from workbench.errors import WorkbenchError

__all__ = [
    "LOW_CONFIDENCE", "AlignmentEditError", "AlignmentSession", "AlignmentState", "confirm", "merge",
    "move_sentence", "new_state", "no_counterpart", "order_links", "realign_rest", "split_points",
    "split_sentence",
]


class AlignmentEditError(WorkbenchError):
    """An edit that the alignment cannot take (no neighbour, empty split, lost sentence...)."""


@dataclass(frozen=True)
class AlignmentState:
    """Two sentence lists and the links between them, in document order."""

    source: tuple[str, ...]
    target: tuple[str, ...]
    links: tuple[Link, ...]

    def __post_init__(self):
        check_state(self)

    def sentences(self, side: str) -> tuple[str, ...]:
        """The sentences of one side."""
        return self.source if side == "source" else self.target

    def texts(self, index: int) -> tuple[list[str], list[str]]:
        """The source and target sentences of link `index`."""
        link = self.links[index]
        return [self.source[i] for i in link.source], [self.target[j] for j in link.target]

    def pairs(self) -> list[tuple[str, str]]:
        """Each link's sentences joined with a space: (source text, target text)."""
        return [(" ".join(source), " ".join(target)) for source, target in map(self.texts, range(len(self.links)))]


def check_state(state: AlignmentState) -> None:
    """Raise AlignmentEditError unless the links cover both sides once each, in order."""
    for side in SIDES:
        seen = [i for link in state.links for i in link.side(side)]
        if seen != list(range(len(state.sentences(side)))):
            raise AlignmentEditError(f"the links do not cover the {side} sentences once each, in order")
    if any(not link.source and not link.target for link in state.links):
        raise AlignmentEditError("a link with no sentence on either side")


def order_links(links: Iterable[LinkLike]) -> list[Link]:
    """Put links in document order; one-sided ones where they fall."""
    pending = [as_link(link) for link in links]
    ordered: list[Link] = []
    next_source = next_target = 0
    while pending:
        fitting = [link for link in pending
                   if (not link.source or link.source[0] == next_source)
                   and (not link.target or link.target[0] == next_target)]
        if not fitting:
            raise AlignmentEditError("the links cannot be put in document order")
        # Omissions first (source-only, then target-only), so a two-sided link follows them.
        found = min(fitting, key=lambda link: (bool(link.target), bool(link.source)))
        pending.remove(found)
        ordered.append(found)
        next_source += len(found.source)
        next_target += len(found.target)
    return ordered


def new_state(source: Sequence[str], target: Sequence[str], links: Iterable[LinkLike]) -> AlignmentState:
    """A state from sentences and links in any order."""
    return AlignmentState(tuple(source), tuple(target), tuple(order_links(links)))


# -- operations: each takes a state and returns a new one -------------------------------------
def _replace_links(state: AlignmentState, start: int, end: int, new: Iterable[Link]) -> AlignmentState:
    links = state.links[:start] + tuple(link for link in new if link.source or link.target) + state.links[end:]
    return replace(state, links=links)


def _index(state: AlignmentState, index: int) -> Link:
    if not 0 <= index < len(state.links):
        raise AlignmentEditError(f"no link {index + 1} (there are {len(state.links)})")
    return state.links[index]


def merge(state: AlignmentState, index: int, direction: str = "next") -> AlignmentState:
    """Merge link `index` with the next (or previous) one."""
    _index(state, index)
    other = index + 1 if direction == "next" else index - 1
    if not 0 <= other < len(state.links):
        raise AlignmentEditError(f"link {index + 1} has no {direction} link to merge with")
    first, second = sorted((index, other))
    a, b = state.links[first], state.links[second]
    merged = Link(a.source + b.source, a.target + b.target, 1.0, False)
    return _replace_links(state, first, second + 1, [merged])


def split_points(text: str) -> list[int]:
    """Character offsets where a sentence can be split: after each run of spaces between words."""
    return [match.end() for match in re.finditer(r"\s+", text) if 0 < match.start() and match.end() < len(text)]


def split_sentence(state: AlignmentState, side: str, sentence: int, offset: int) -> AlignmentState:
    """Split one sentence in two at `offset`; both halves stay in the sentence's link."""
    sentences = list(state.sentences(side))
    if not 0 <= sentence < len(sentences):
        raise AlignmentEditError(f"no {side} sentence {sentence + 1}")
    text = sentences[sentence]
    head, tail = text[:offset].rstrip(), text[offset:].lstrip()
    if not head or not tail:
        raise AlignmentEditError("both parts of a split sentence must hold text")
    sentences[sentence:sentence + 1] = [head, tail]

    def shift(indices: tuple[int, ...]) -> tuple[int, ...]:
        out: list[int] = []
        for i in indices:
            out.extend((i, i + 1) if i == sentence else (i + 1 if i > sentence else i,))
        return tuple(out)

    links = []
    for link in state.links:
        indices = link.side(side)
        if sentence in indices:
            links.append(link.with_side(side, shift(indices)))  # reshaped by hand
        else:
            links.append(replace(link, **{side: shift(indices)}))
    source = tuple(sentences) if side == "source" else state.source
    target = tuple(sentences) if side == "target" else state.target
    return AlignmentState(source, target, tuple(links))


def move_sentence(state: AlignmentState, index: int, side: str, direction: str) -> AlignmentState:
    """Move the last sentence of one side to the next link, or the first one to the previous link.

    A link left with no sentence at all disappears.
    """
    link = _index(state, index)
    indices = link.side(side)
    if not indices:
        raise AlignmentEditError(f"link {index + 1} has no {side} sentence to move")
    other = index + 1 if direction == "next" else index - 1
    if not 0 <= other < len(state.links):
        raise AlignmentEditError(f"link {index + 1} has no {direction} link")
    neighbour = state.links[other]
    if direction == "next":
        moved, kept = indices[-1], indices[:-1]
        neighbour = neighbour.with_side(side, (moved,) + neighbour.side(side))
        new = [link.with_side(side, kept), neighbour]
    else:
        moved, kept = indices[0], indices[1:]
        neighbour = neighbour.with_side(side, neighbour.side(side) + (moved,))
        new = [neighbour, link.with_side(side, kept)]
    first = min(index, other)
    return _replace_links(state, first, first + 2, new)


def no_counterpart(state: AlignmentState, index: int, side: str, sentence: int) -> AlignmentState:
    """Give one sentence (the first or last of its side in the link) a link of its own, with nothing opposite."""
    link = _index(state, index)
    indices = link.side(side)
    if sentence not in indices:
        raise AlignmentEditError(f"{side} sentence {sentence + 1} is not in link {index + 1}")
    alone = Link((sentence,), (), 1.0, False) if side == "source" else Link((), (sentence,), 1.0, False)
    if len(indices) == 1:
        new = [alone, link.with_side(side, ())]
    elif sentence == indices[0]:
        new = [alone, link.with_side(side, indices[1:])]
    elif sentence == indices[-1]:
        new = [link.with_side(side, indices[:-1]), alone]
    else:
        raise AlignmentEditError("only the first or the last sentence of a link can be taken out of it")
    return _replace_links(state, index, index + 1, new)


def confirm(state: AlignmentState, index: int, confirmed: bool = True) -> AlignmentState:
    """Mark link `index` as confirmed by the reviewer (or take the mark back)."""
    link = _index(state, index)
    return _replace_links(state, index, index + 1, [replace(link, confirmed=confirmed)])


def realign_rest(state: AlignmentState, aligner: Callable[..., list[Link]] | None = None,
                 **options) -> AlignmentState:
    """Realign everything but the confirmed links, which stay exactly as they are.

    `options` go to the aligner (`term_pairs`, `translate`, `settings`).
    """
    if aligner is None:
        from workbench.alignment.aligner import align as aligner
    kept = [link for link in state.links if link.confirmed]
    found = aligner(list(state.source), list(state.target), confirmed=kept, **options)
    confirmed = {(link.source, link.target) for link in kept}
    # The aligner marks the two-sided confirmed links itself; one-sided ones come back from its search.
    links = [replace(link, confidence=1.0, confirmed=True) if (link.source, link.target) in confirmed else link
             for link in map(as_link, found)]
    result = new_state(state.source, state.target, links)
    lost = confirmed - {(link.source, link.target) for link in result.links}
    if lost:
        raise AlignmentEditError("the aligner changed a confirmed link")
    return result


@dataclass
class AlignmentSession:
    """The alignment being edited: the current state and the states it can go back to."""

    state: AlignmentState
    source_label: str = ""
    target_label: str = ""
    history: list[AlignmentState] = field(default_factory=list)
    last_edit: list[str] = field(default_factory=list)
    #: Goes up by one with every change of the state, undo included, so a view can tell states apart.
    revision: int = 0

    @classmethod
    def start(cls, source: Sequence[str], target: Sequence[str], links: Iterable[LinkLike],
              **labels) -> AlignmentSession:
        """A session on the aligner's links."""
        return cls(new_state(source, target, links), **labels)

    def apply(self, description: str, operation: Callable[..., AlignmentState], *args, **kwargs) -> None:
        """Run an operation on the current state; keep the old state for undo."""
        new = operation(self.state, *args, **kwargs)
        self.history.append(self.state)
        self.last_edit.append(description)
        self.state = new
        self.revision += 1

    @property
    def can_undo(self) -> bool:
        """True when there is an edit to undo."""
        return bool(self.history)

    def undo(self) -> str:
        """Go back one edit; return its description."""
        if not self.history:
            raise AlignmentEditError("nothing to undo")
        self.state = self.history.pop()
        self.revision += 1
        return self.last_edit.pop()
