"""The one link type of the workbench, and the errors raised when links are malformed.

A `Link` joins a run of source sentences to a run of target sentences (0-based
indices). The aligner returns them, the editor (`workbench.alignment.editing`)
reshapes them, `formats` reads and writes them, and the Align page shows them.
A link is an immutable value: every edit makes a new one.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from workbench.errors import LocatedError, WorkbenchError

#: Links the aligner is less sure of than this are marked for the reviewer.
LOW_CONFIDENCE = 0.5
SIDES = ("source", "target")


class LinkFormatError(LocatedError):
    """A line of a link file is not `[i, j]:[k]` with 0-based integer indices."""


class InvalidLinks(WorkbenchError):
    """Links do not fit the documents: out of range, overlapping or out of order."""


@dataclass(frozen=True)
class Link:
    """Source sentence indices aligned to target sentence indices, 0-based.

    Either side may be empty (an omission: `1-0` or `0-1`). `confidence` is the
    aligner's estimate, between 0 and 1, that this exact link is right; links a
    person drew or confirmed carry 1.0. `confirmed` links are kept as they are
    when the rest is realigned. Any sequence of integers is accepted for a side
    and stored as a tuple.
    """

    source: tuple[int, ...] = ()
    target: tuple[int, ...] = ()
    confidence: float = 1.0
    confirmed: bool = False

    def __post_init__(self):
        # Frozen, so the normalised sides are set through object.__setattr__.
        object.__setattr__(self, "source", tuple(int(i) for i in self.source))
        object.__setattr__(self, "target", tuple(int(j) for j in self.target))
        object.__setattr__(self, "confidence", float(self.confidence))

    @property
    def link_type(self) -> str:
        """The shape of the link, such as "1-1", "2-1" or "0-1"."""
        return f"{len(self.source)}-{len(self.target)}"

    @property
    def low_confidence(self) -> bool:
        """True when the aligner was unsure and no reviewer confirmed the link."""
        return not self.confirmed and self.confidence < LOW_CONFIDENCE

    def as_pair(self) -> tuple[list[int], list[int]]:
        """The link as `([source indices], [target indices])`, without confidence."""
        return list(self.source), list(self.target)

    def side(self, name: str) -> tuple[int, ...]:
        """The indices of one side ("source" or "target")."""
        return self.source if name == "source" else self.target

    def with_side(self, name: str, indices: Iterable[int]) -> Link:
        """A copy with one side replaced; a link reshaped by hand has confidence 1.0 and is unconfirmed."""
        indices = tuple(indices)
        return Link(indices if name == "source" else self.source,
                    indices if name == "target" else self.target, 1.0, False)


LinkLike = Link | tuple[Sequence[int], Sequence[int]]


def as_link(item: LinkLike) -> Link:
    """Accept a Link or a `(source indices, target indices)` pair."""
    if isinstance(item, Link):
        return item
    source, target = item
    return Link(source, target, 1.0)


def check_confirmed(links: Iterable[LinkLike], n_source: int, n_target: int) -> list[Link]:
    """Validate reviewer-confirmed links and return them as confirmed Links, sorted.

    Each side must be a run of consecutive indices inside its document, no
    sentence may be in two links, and links with both sides must not cross: a
    link that comes later in the source must also come later in the target.
    Links with an empty side are returned after the others.
    """
    used: dict[str, set[int]] = {"source": set(), "target": set()}
    both_sides, one_side = [], []
    for item in links:
        link = as_link(item)
        if not link.source and not link.target:
            raise InvalidLinks("confirmed link with both sides empty")
        for side, size in (("source", n_source), ("target", n_target)):
            indices = link.side(side)
            if any(not 0 <= i < size for i in indices):
                raise InvalidLinks(f"confirmed link {link.as_pair()}: {side} index out of range 0..{size - 1}")
            if indices and list(indices) != list(range(indices[0], indices[0] + len(indices))):
                raise InvalidLinks(f"confirmed link {link.as_pair()}: {side} indices are not consecutive")
            if used[side].intersection(indices):
                raise InvalidLinks(f"confirmed link {link.as_pair()}: {side} sentence already in another link")
            used[side].update(indices)
        confirmed = Link(link.source, link.target, 1.0, True)
        (both_sides if link.source and link.target else one_side).append(confirmed)
    both_sides.sort(key=lambda link: link.source[0])
    for before, after in zip(both_sides, both_sides[1:], strict=False):
        if after.target[0] <= before.target[-1]:
            raise InvalidLinks(f"confirmed links {before.as_pair()} and {after.as_pair()} cross")
    one_side.sort(key=lambda link: (link.source or link.target)[0])
    return both_sides + one_side
