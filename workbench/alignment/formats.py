"""Read and write link files: one link per line, `[i, j]:[k]`, 0-based.

This is the format of the public gold sets (Vecalign, Bertalign): `[]:[5]` is a
target sentence with no source, `[3]:[]` the reverse. Both `[1,2]` and
`[1, 2]` are read; `[1, 2]` is written.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from workbench.alignment.links import Link, LinkFormatError

_LINE = re.compile(r"^\s*\[([0-9,\s]*)\]\s*:\s*\[([0-9,\s]*)\]\s*$")


def _indices(text: str) -> list[int]:
    return [int(part) for part in text.split(",") if part.strip()]


def parse_link(line: str, path: str | Path | None = None, line_number: int | None = None) -> Link:
    """Parse one `[i, j]:[k]` line into a Link (confidence 1.0)."""
    match = _LINE.match(line)
    if not match:
        raise LinkFormatError(f"not a link `[i, j]:[k]`: {line.strip()!r}", path, line_number)
    try:
        return Link(_indices(match.group(1)), _indices(match.group(2)), 1.0)
    except ValueError:
        raise LinkFormatError(f"bad index in link: {line.strip()!r}", path, line_number) from None


def read_links(path: str | Path) -> list[Link]:
    """Read a link file; blank lines are skipped."""
    links = []
    with open(path, encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                links.append(parse_link(line, path, number))
    return links


def format_link(link: Link | tuple[Iterable[int], Iterable[int]]) -> str:
    """Render a link as `[i, j]:[k]`."""
    source, target = (link.source, link.target) if isinstance(link, Link) else link
    return f"[{', '.join(map(str, source))}]:[{', '.join(map(str, target))}]"


def format_links(links: Iterable[Link | tuple[Iterable[int], Iterable[int]]]) -> str:
    """Render links one per line, with a final newline when there is any."""
    lines = [format_link(link) for link in links]
    return "".join(line + "\n" for line in lines)
