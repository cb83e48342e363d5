"""What a reader gets out of one file: text blocks with their locations, metadata, dropped text.

The types every format module (`html`, `docx`, `pdf`) fills in, apart from the registry
in `readers/__init__.py`, which imports the format modules.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

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
