"""Which files a batch run reads: document files under the given files and folders.

Nothing is skipped in silence: a path that does not exist, a folder that cannot
be read (or holds no document file at all), and anything that is not a regular
file (a named pipe, a device, a socket) each come back as a problem, which the
batch run reports and counts as a failure. So does a symbolic link inside a
folder that leads outside it, unless the run asks to follow links.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from workbench.documents.ingest import SIDECAR_SUFFIX
from workbench.documents.readers import READERS
from workbench.files import link_outside, special_kind

#: Plain text, plus the formats that have a reader (saved web pages, Word, PDF).
DOCUMENT_SUFFIXES = {".txt", ".text", ".md", *READERS}


def _is_document_name(name: str) -> bool:
    return (Path(name).suffix.lower() in DOCUMENT_SUFFIXES and not name.endswith(SIDECAR_SUFFIX)
            and not name.startswith("."))


def _walk_folder(folder: Path, found: list[Path], problems: list[str], follow_symlinks: bool) -> None:
    """Add the document files under `folder`; report unreadable sub-folders, special files, links out."""
    before = len(found)
    unreadable: list[str] = []
    visited: set[str] = set()

    def refused(error: OSError) -> None:
        unreadable.append(f"{error.filename}: cannot read this folder ({error.strerror}); "
                          "its documents were not imported")

    def leads_out(path: Path) -> bool:
        """True (and the skip named) when `path` is a link out of `folder` that is not to be followed."""
        if follow_symlinks or not path.is_symlink():
            return False
        outside = link_outside(path, folder)
        if outside is None:
            return False
        problems.append(f"{path}: a symbolic link to {outside}, outside {folder}; not followed "
                        "(give --follow-symlinks to read it)")
        return True

    for root, dirs, files in os.walk(folder, onerror=refused, followlinks=follow_symlinks):
        real = os.path.realpath(root)
        if real in visited:  # a link loop, or a folder reached twice through links
            dirs[:] = []
            continue
        visited.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not leads_out(Path(root) / d))
        for name in sorted(files):
            if not _is_document_name(name):
                continue
            path = Path(root) / name
            if leads_out(path):
                continue
            try:
                mode = path.stat().st_mode
            except OSError as exc:
                problems.append(f"{path}: cannot read ({exc.strerror})")
                continue
            kind = special_kind(mode)
            if kind is None:
                found.append(path)
            else:
                problems.append(f"{path}: {kind}, not a document file; left out")
    found[before:] = sorted(found[before:])  # the order of a sorted recursive glob, as before
    problems.extend(unreadable)
    if len(found) == before and not unreadable:
        problems.append(f"{folder}: no document files ({', '.join(sorted(DOCUMENT_SUFFIXES))}) in this "
                        "folder or below it")


def discover_documents(paths: Iterable[str | Path], *, follow_symlinks: bool = False
                       ) -> tuple[list[Path], list[str]]:
    """Expand files and folders into document files (sorted); report every path that gives none.

    Inside a folder, a symbolic link (file or folder) leading outside it is skipped and
    named unless `follow_symlinks`; a file named directly is read where it leads.
    """
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
            _walk_folder(path, found, problems, follow_symlinks)
        elif stat.S_ISREG(mode):
            found.append(path)
        else:
            problems.append(f"{path}: {special_kind(mode)}, not a document file")
    unique = list(dict.fromkeys(p.resolve() for p in found))
    return unique, problems
