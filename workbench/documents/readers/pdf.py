"""PDFs with a text layer, via pypdf: paragraphs rebuilt, running headers and page numbers dropped.

pypdf reports each run of text with its position. Runs on one baseline form a
line; a paragraph ends where the gap to the next line is clearly wider than the
page's usual line spacing, or where a line ending a sentence is clearly shorter
than the page's full lines. Lines are joined with a space, except that a word
hyphenated at a line end is joined back ("inter-" + "national" keeps its hyphen
only before a capital or a digit) and Chinese lines join without a space. A
paragraph cut by a page break continues on the next page when it did not end a
sentence and the next page goes on in lower case.

A line at the top or bottom of a page that repeats on other pages (digits
ignored: "Page 3 of 9") is a running header or footer; a lone number there
("3", "- 3 -", "Page 3", "3/9") is a page number: both are dropped and kept as
removed text. A PDF with no text at all is a scan: `readers.ocr` reads it with
Tesseract when that optional part is installed, else refuses it naming the packages.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

from workbench.documents.readers import DroppedText, ExtractedBlock, ExtractedDocument, clean_block_text
from workbench.errors import DocumentError

_PAGE_NUMBER = re.compile(r"^\s*(?:[-–—]\s*)?(?:page|trang|第)?\s*\d{1,4}\s*(?:(?:/|of|trên)\s*\d{1,4})?\s*(?:页)?"
                          r"(?:\s*[-–—])?\s*$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…:;。！？”\"»)]\s*$")
#: Lines within this share of the page height from its top or bottom edge may be running headers.
_EDGE_SHARE = 0.12


@dataclass
class _Line:
    text: str
    y: float
    size: float


def read_pdf(raw: bytes, path: str) -> ExtractedDocument:
    """Read the text layer of a PDF into paragraphs with page locations (see module docstring)."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, FileNotDecryptedError, PdfReadError

    try:
        reader = PdfReader(io.BytesIO(raw), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise FileNotDecryptedError("a password is needed")
        pages = list(reader.pages)
    except FileNotDecryptedError:
        raise DocumentError("the PDF is encrypted with a password; save an unprotected copy", path) from None
    except DependencyError as exc:
        raise DocumentError(f"the PDF is encrypted in a way this installation cannot open ({exc}); save an "
                            "unprotected copy", path) from None
    except (PdfReadError, ValueError, KeyError, TypeError) as exc:
        raise DocumentError(f"not a readable PDF ({exc})", path) from None
    page_lines: list[list[_Line]] = []
    heights: list[float] = []
    for number, page in enumerate(pages, start=1):
        try:
            page_lines.append(_lines_of(page))
        except Exception as exc:  # pypdf raises many kinds on damaged content streams
            raise DocumentError(f"page {number}: cannot read its text ({exc})", path) from None
        heights.append(float(page.mediabox.height) or 1.0)
    if not any(page_lines):
        from workbench.documents.readers.ocr import read_scanned_pdf  # a scan: OCR when installed, else refused

        return read_scanned_pdf(pages, path)

    dropped = _drop_running_lines(page_lines, heights)
    for number, lines in enumerate(page_lines, start=1):
        if not lines and number <= len(pages):
            dropped.append(DroppedText(number, "", f"page {number} has no text layer (an image?)"))
    blocks = _paragraphs(page_lines)
    metadata = _metadata(reader)
    return ExtractedDocument("pdf", "pdf", blocks, {k: v for k, v in metadata.items() if v}, dropped)


def _metadata(reader) -> dict[str, str]:
    """Title and author from the document information, when they are text (a crafted /Info may hold anything)."""
    try:
        info = reader.metadata
        values = {"title": info.get("/Title"), "author": info.get("/Author")} if info is not None else {}
    except Exception:  # noqa: BLE001 - a damaged /Info costs the metadata, not the document
        return {}
    metadata = {}
    for key, value in values.items():
        if isinstance(value, str):  # pypdf's TextStringObject is a str; numbers, arrays, dicts are not
            text = clean_block_text(value)
            if text:
                metadata[key] = text[:1000]
    return metadata


def _lines_of(page) -> list[_Line]:
    """The text lines of one page, top to bottom, from pypdf's positioned text runs."""
    runs: list[tuple[float, float, str, float]] = []  # (y, x, text, font size)

    def visit(text, cm, tm, font, size):
        if not text or not text.strip():
            return
        # The run's origin in page space: text matrix times current transformation matrix.
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        scale = abs(tm[3] * cm[3]) or 1.0
        runs.append((y, x, text.replace("\n", " "), size * scale))

    page.extract_text(visitor_text=visit)
    lines: list[_Line] = []
    for y, _x, text, size in sorted(runs, key=lambda run: (-run[0], run[1])):
        if lines and abs(lines[-1].y - y) <= max(1.0, 0.3 * size):
            lines[-1].text += text
            continue
        lines.append(_Line(text, y, size))
    for line in lines:
        line.text = clean_block_text(line.text)
    return [line for line in lines if line.text]


def _digits_folded(text: str) -> str:
    return re.sub(r"\d+", "#", text).casefold()


def _drop_running_lines(page_lines: list[list[_Line]], heights: list[float]) -> list[DroppedText]:
    """Remove page numbers and headers/footers repeated across pages; return what was removed."""
    edge_counts: dict[str, int] = {}
    for lines, height in zip(page_lines, heights, strict=True):
        for key in {_digits_folded(line.text) for line in lines if _at_edge(line, height)}:
            edge_counts[key] = edge_counts.get(key, 0) + 1
    repeated = {key for key, count in edge_counts.items() if count >= 2}
    dropped: list[DroppedText] = []
    for number, (lines, height) in enumerate(zip(page_lines, heights, strict=True), start=1):
        kept = []
        for line in lines:
            if _at_edge(line, height) and _PAGE_NUMBER.match(line.text):
                dropped.append(DroppedText(number, line.text, f"page number (page {number})"))
            elif _at_edge(line, height) and len(page_lines) > 1 and _digits_folded(line.text) in repeated:
                dropped.append(DroppedText(number, line.text, f"running header or footer (page {number})"))
            else:
                kept.append(line)
        lines[:] = kept
    return dropped


def _at_edge(line: _Line, height: float) -> bool:
    return line.y >= height * (1 - _EDGE_SHARE) or line.y <= height * _EDGE_SHARE


def _paragraphs(page_lines: list[list[_Line]]) -> list[ExtractedBlock]:
    """Join lines into paragraphs within and across pages."""
    blocks: list[ExtractedBlock] = []
    sizes: list[float] = []  # font size of each block's first line
    open_block: list[str] | None = None  # the lines of the paragraph being built
    for number, lines in enumerate(page_lines, start=1):
        if not lines:
            continue
        gaps = [above.y - below.y for above, below in zip(lines, lines[1:], strict=False)
                if above.y - below.y > 0]
        spacing = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
        widest = max(len(line.text) for line in lines)
        paragraph_number = 0
        for index, line in enumerate(lines):
            starts_new = open_block is None
            if index == 0 and open_block is not None:
                # Across a page break: go on only if the last paragraph was cut mid-sentence.
                starts_new = bool(_SENTENCE_END.search(open_block[-1])) or not line.text[:1].islower()
            elif index > 0:
                above = lines[index - 1]
                gap = above.y - line.y
                size_changed = abs(above.size - line.size) > 0.5
                short_end = bool(_SENTENCE_END.search(above.text)) and len(above.text) < 0.8 * widest
                starts_new = size_changed or (spacing and gap > 1.4 * spacing) or short_end
            if starts_new:
                paragraph_number += 1
                open_block = [line.text]
                blocks.append(ExtractedBlock("", f"page {number}, paragraph {paragraph_number}"))
                sizes.append(line.size)
            else:
                open_block.append(line.text)
            blocks[-1].text = _join_lines(open_block)
    all_sizes = sorted(line.size for lines in page_lines for line in lines)
    body_size = all_sizes[len(all_sizes) // 2] if all_sizes else 0.0
    for block, size in zip(blocks, sizes, strict=True):
        # Set in a clearly larger font than the body text: a headline.
        block.heading = body_size > 0 and size > 1.15 * body_size and len(block.text) <= 300
    return [block for block in blocks if block.text]


def _join_lines(lines: list[str]) -> str:
    """One paragraph from its lines: hyphenated words rejoined, CJK lines joined without a space."""
    text = lines[0]
    for line in lines[1:]:
        if re.search(r"\w-$", text) and line[:1].islower():
            text = text[:-1] + line  # "inter-" + "national": a word broken by hyphenation
        elif re.search(r"\w-$", text) and line[:1].isalnum():
            text += line  # "Xi-" + "Jinping", "COVID-" + "19": a hyphenated name, kept
        elif re.search(r"[\u3400-\u9fff，。！？；：]$", text) and re.match(r"[\u3400-\u9fff]", line):
            text += line
        else:
            text += " " + line
    return clean_block_text(text)
