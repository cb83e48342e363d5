"""Word documents (.docx), via python-docx: paragraphs in order, headings, tables, footnotes.

The body is read in document order, paragraphs and tables interleaved. A paragraph
in a heading style ("Heading 1".."Heading 9", "Title") is a heading (a headline
segment); a table is read row by row, cell by cell (a merged cell once). python-docx
has no footnote API, but it gives the package parts: the footnotes part is read as
XML and its notes come after the body, each located as "footnote N". The core
properties give title and author.

Before python-docx unpacks anything, the package passes `workbench.files`'
checks: total uncompressed size and compression ratio (zip bombs), and every XML
part parsed safely (no DTD, no entities, depth limits).
"""

from __future__ import annotations

import io
import zipfile

from workbench.documents.readers import ExtractedBlock, ExtractedDocument, clean_block_text
from workbench.errors import DocumentError
from workbench.files import check_archive, parse_xml, safe_xml_parser

_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
#: The XML of one Word file may expand to this much (images are not XML and do not count).
MAX_XML_UNPACKED = 32 * 1024 * 1024
_FOOTNOTES_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/footnotes"


def read_docx(raw: bytes, path: str) -> ExtractedDocument:
    """Read a .docx file into text blocks with their locations (see module docstring)."""
    import docx
    from docx.opc.exceptions import PackageNotFoundError
    from docx.table import Table

    if not zipfile.is_zipfile(io.BytesIO(raw)):
        hint = " (an old binary .doc? save it as .docx)" if raw.startswith(b"\xd0\xcf\x11\xe0") else ""
        raise DocumentError(f"not a Word .docx file: it is not a ZIP package{hint}", path)
    _check_package(raw, path)
    try:
        document = docx.Document(io.BytesIO(raw))
    except (PackageNotFoundError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise DocumentError(f"not a readable Word .docx file ({exc})", path) from None

    blocks: list[ExtractedBlock] = []
    paragraph_number = table_number = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            table_number += 1
            seen_cells: set = set()  # the cells' XML elements: held, so identity stays meaningful
            for row_number, row in enumerate(item.rows, start=1):
                for cell_number, cell in enumerate(row.cells, start=1):
                    if cell._tc in seen_cells:
                        continue  # a merged cell appears once per spanned column
                    seen_cells.add(cell._tc)
                    text = clean_block_text(cell.text)
                    if text:
                        blocks.append(ExtractedBlock(
                            text, f"table {table_number}, row {row_number}, cell {cell_number}"))
            continue
        paragraph_number += 1
        text = clean_block_text(item.text)
        if text:
            style = (item.style.name if item.style is not None else "") or ""
            heading = style.startswith("Heading") or style == "Title"
            blocks.append(ExtractedBlock(text, f"paragraph {paragraph_number}", heading))
    blocks.extend(_footnotes(document))
    if not blocks:
        raise DocumentError("the Word document holds no text", path)

    # The core properties' dates are the file's (often its template's), not the report's: not used.
    properties = document.core_properties
    metadata = {"title": clean_block_text(properties.title or ""),
                "author": clean_block_text(properties.author or "")}
    return ExtractedDocument("docx", "docx", blocks, {k: v for k, v in metadata.items() if v})


def _check_package(raw: bytes, path: str) -> None:
    """Refuse a zip bomb, and any XML part with a DTD, entities or excess depth, before python-docx parses."""
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            check_archive(archive, path)
            parts = [m for m in archive.infolist() if m.filename.lower().endswith((".xml", ".rels"))]
            text_size = sum(member.file_size for member in parts)
            if text_size > MAX_XML_UNPACKED:  # a parsed tree takes several times its text
                raise DocumentError(f"the Word file's XML parts expand to {text_size / 2**20:.0f} MiB, above "
                                    f"the {MAX_XML_UNPACKED // 2**20} MiB limit for one document; split it", path)
            for member in parts:
                parse_xml(archive.read(member), path, what=f"the package part '{member.filename}'", in_file=False)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise DocumentError(f"not a readable Word .docx file ({exc})", path) from None


def _footnotes(document) -> list[ExtractedBlock]:
    """The document's footnotes, read from the footnotes part (python-docx has no API for them)."""
    from lxml import etree

    part = next((rel.target_part for rel in document.part.rels.values()
                 if rel.reltype == _FOOTNOTES_TYPE and not rel.is_external), None)
    if part is None:
        return []
    root = etree.fromstring(part.blob, safe_xml_parser())
    blocks = []
    for note in root.iter(f"{{{_WORD_NS}}}footnote"):
        if note.get(f"{{{_WORD_NS}}}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        text = clean_block_text("".join(note.itertext()))
        if text:
            blocks.append(ExtractedBlock(text, f"footnote {note.get(f'{{{_WORD_NS}}}id')}"))
    return blocks
