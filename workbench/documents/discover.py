"""Which files a batch run reads: document files under the given files and folders."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from workbench.documents.ingest import SIDECAR_SUFFIX

DOCUMENT_SUFFIXES = {".txt", ".text", ".md"}


def discover_documents(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into document files (sorted); report paths that do not exist."""
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
                and not p.name.endswith(SIDECAR_SUFFIX) and not p.name.startswith(".")))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(f"{path}: no such file or folder")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, problems
