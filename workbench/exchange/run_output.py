"""The translated documents of a batch run (`translate PATH... --out DIR`), mirroring the input folders.

Sits above the format registry (`formats`), which it uses to write each document,
while `documents` (what a translated document holds) sits below it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from workbench.documents.discover import discover_documents
from workbench.documents.ingest import MAX_DOCUMENT_BYTES
from workbench.errors import DocumentError
from workbench.exchange.documents import output_format_for, write_document_files
from workbench.exchange.formats import FORMATS, write_export
from workbench.files import read_guarded


def write_run_documents(store, inputs: list[str | Path], out: Path, *, fmt: str | None = None,
                        bilingual: bool = False, glossary=None, follow_symlinks: bool = False
                        ) -> tuple[list[Path], list[str]]:
    """Write the translated document of every input file stored as it is now, mirroring the input layout.

    A file under a folder given as input goes to the same relative sub-folder of
    `out`; a file given by itself goes into `out`. Files that are not in the store
    as their current content (they failed to ingest in this run) are left out and
    named in the second list.
    """
    by_path = {row.path: row for row in store.documents()}
    written: list[Path] = []
    skipped: list[str] = []
    for raw in inputs:
        root = Path(raw).resolve()
        files, _ = discover_documents([raw], follow_symlinks=follow_symlinks)
        for path in files:
            row = by_path.get(str(path))
            try:
                current = hashlib.sha256(read_guarded(path, MAX_DOCUMENT_BYTES)).hexdigest()
            except DocumentError:
                current = None
            if row is None or row.content_hash != current:
                skipped.append(f"{path}: not stored as it is now (it failed to import); no translated document")
                continue
            chosen = output_format_for(path, fmt)
            exported = write_export(store, [row.id], chosen,
                                    bilingual=bilingual and FORMATS[chosen].bilingual_applies, glossary=glossary)
            try:
                folder = path.parent.relative_to(root) if root.is_dir() else Path()
            except ValueError:  # a link followed out of the input folder: its document goes to the top
                folder = Path()
            written += write_document_files(exported, out, [folder / item.file_name for item in exported])
    return written, skipped
