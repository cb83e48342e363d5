"""Which files a batch run reads: document files under the given files and folders.

Nothing is skipped in silence: a path that does not exist, a folder that cannot
be read (or holds no document file at all), and anything that is not a regular
file (a named pipe, a device, a socket) each come back as a problem, which the
batch run reports and counts as a failure.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from workbench.documents.ingest import SIDECAR_SUFFIX
from workbench.documents.readers import READERS

#: Plain text, plus the formats that have a reader (saved web pages, Word, PDF).
DOCUMENT_SUFFIXES = {".txt", ".text", ".md", *READERS}


def _kind_of_special(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a regular file"


def _is_document_name(name: str) -> bool:
    return (Path(name).suffix.lower() in DOCUMENT_SUFFIXES and not name.endswith(SIDECAR_SUFFIX)
            and not name.startswith("."))


def _walk_folder(folder: Path, found: list[Path], problems: list[str]) -> None:
    """Add the document files under `folder`; report unreadable sub-folders and special files."""
    before = len(found)
    unreadable: list[str] = []

    def refused(error: OSError) -> None:
        unreadable.append(f"{error.filename}: cannot read this folder ({error.strerror}); "
                          "its documents were not imported")

    for root, dirs, files in os.walk(folder, onerror=refused, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not _is_document_name(name):
                continue
            path = Path(root) / name
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(f"{path}: cannot read ({exc.strerror})")
                continue
            if stat.S_ISREG(mode):
                found.append(path)
            else:
                problems.append(f"{path}: {_kind_of_special(mode)}, not a document file; left out")
    found[before:] = sorted(found[before:])  # the order of a sorted recursive glob, as before
    problems.extend(unreadable)
    if len(found) == before and not unreadable:
        problems.append(f"{folder}: no document files ({', '.join(sorted(DOCUMENT_SUFFIXES))}) in this "
                        "folder or below it")


def discover_documents(paths: Iterable[str | Path]) -> tuple[list[Path], list[str]]:
    """Expand files and folders into document files (sorted); report every path that gives none."""
    found: list[Path] = []
    problems: list[str] = []
    for raw in paths:
        path = Path(raw)
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            problems.append(f"{path}: no such file or folder")
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot read ({exc.strerror})")
            continue
        if stat.S_ISDIR(mode):
            if not os.access(path, os.R_OK | os.X_OK):
                problems.append(f"{path}: cannot read this folder (Permission denied)")
                continue
            _walk_folder(path, found, problems)
        elif stat.S_ISREG(mode):
            found.append(path)
        else:
            problems.append(f"{path}: {_kind_of_special(mode)}, not a document file")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, problems
