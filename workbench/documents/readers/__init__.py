"""Readers for document files that are not plain text: saved web pages, Word files, PDFs.

One module per format (`html`, `docx`, `pdf`) behind a table keyed by file suffix
(`READERS`). Each reader turns the bytes of one file into an `ExtractedDocument`:
the text blocks in reading order, one paragraph each, with where they came from
("page 2, paragraph 3", "table 1, row 2, cell 1"), the metadata the file itself
declares, and what the reader dropped (kept for inspection like removed
boilerplate). `workbench.documents.ingest` then treats the blocks exactly like the
lines of a `.txt` file: sidecar metadata, language detection, the MT flag,
boilerplate rules and segmentation are the same for every format.

The heavy libraries (trafilatura, python-docx, pypdf) load only when a file of
their format is read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# The shared types live in `extracted`, which the format modules import; this module is only
# the registry, so that it imports them and they never import it.
from workbench.documents.readers.extracted import (
    METADATA_KEYS,
    DroppedText,
    ExtractedBlock,
    ExtractedDocument,
    clean_block_text,
)

__all__ = ["METADATA_KEYS", "READERS", "DroppedText", "ExtractedBlock", "ExtractedDocument", "clean_block_text",
           "extract_document", "reader_for"]


# Readers take (raw, path, decode_text): decode_text is ingest's text decoding, handed in
# so that readers never import ingest (ingest imports them).
def _read_html(raw: bytes, path: str, decode_text) -> ExtractedDocument:
    from workbench.documents.readers.html import read_html

    return read_html(raw, path, decode_text)


def _read_docx(raw: bytes, path: str, decode_text) -> ExtractedDocument:
    from workbench.documents.readers.docx import read_docx

    return read_docx(raw, path)


def _read_pdf(raw: bytes, path: str, decode_text) -> ExtractedDocument:
    from workbench.documents.readers.pdf import read_pdf

    return read_pdf(raw, path)


#: File suffix (lower case) -> reader of that format. Plain-text suffixes are not here.
READERS: dict[str, Callable[..., ExtractedDocument]] = {
    ".html": _read_html,
    ".htm": _read_html,
    ".docx": _read_docx,
    ".pdf": _read_pdf,
}


def reader_for(path: str | Path) -> Callable[..., ExtractedDocument] | None:
    """The reader for a file by its suffix, or None for plain text."""
    return READERS.get(Path(path).suffix.lower())


def extract_document(raw: bytes, path: str, decode_text: Callable[[bytes, str], tuple[str, str]]
                     ) -> ExtractedDocument | None:
    """Read a formatted document by its suffix; None when the file is plain text.

    `decode_text(raw, path) -> (text, encoding)` decodes bytes that declare no charset.
    """
    reader = reader_for(path)
    return reader(raw, path, decode_text) if reader else None
