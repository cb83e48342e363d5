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

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

METADATA_KEYS = ("title", "date", "outlet", "author")


@dataclass
class ExtractedBlock:
    """One paragraph of a formatted document, with where it was found."""

    text: str
    location: str  # e.g. "paragraph 4", "page 2, paragraph 1", "table 1, row 2, cell 3"
    heading: bool = False


@dataclass
class DroppedText:
    """Text the reader left out of the article (page furniture, running headers...)."""

    line: int  # HTML: the source line; PDF: the page; DOCX: the paragraph number
    text: str
    reason: str


@dataclass
class ExtractedDocument:
    """What a reader got out of one file."""

    format: str  # "html", "docx" or "pdf"
    encoding: str  # stored as the document's encoding, e.g. "html/utf-8", "docx", "pdf"
    blocks: list[ExtractedBlock]
    metadata: dict[str, str] = field(default_factory=dict)
    dropped: list[DroppedText] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The blocks as text lines, one block per line (what ingest reads like a .txt)."""
        return "\n".join(block.text for block in self.blocks)

    def location(self, line: int) -> str | None:
        """Where the 1-based `line` of `text` came from in the file."""
        if 1 <= line <= len(self.blocks):
            return self.blocks[line - 1].location
        return None


def clean_block_text(text: str) -> str:
    """One line of text in NFC: inner line breaks and runs of whitespace become single spaces."""
    return unicodedata.normalize("NFC", re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip())


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
