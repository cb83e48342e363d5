"""Crafted hostile input files, built on demand (never stored): for bench/reliability.py and the tests.

Each builder writes one case into a folder and returns its name and what the
workbench must do with it: "refused" (a `failed:` line naming the file) or
"ingested". The cases are the attacks of issue 18: a DOCX zip bomb, XML entity
attacks inside DOCX parts (billion laughs, an undefined entity, nesting deeper
than lxml's limit), PDFs with crafted /Info values, sidecars of the wrong types
or a named pipe, a symbolic link out of the folder, a device, a 255-byte name.
"""

from __future__ import annotations

import io
import os
import zipfile
from collections.abc import Callable
from pathlib import Path

_WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
BODY = ("Sáng 19/2, Đồn Biên phòng Lũng Cú tổ chức tuần tra đường biên. Các tổ công tác đã kiểm tra "
        "hệ thống mốc quốc giới và tuyên truyền cho nhân dân về Luật Biên phòng Việt Nam.")


def plain_docx(text: str = BODY) -> bytes:
    """A small valid Word file holding `text`."""
    import docx

    word = docx.Document()
    word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def docx_with_part(part: str, xml: bytes, *, base: bytes | None = None) -> bytes:
    """A valid Word file with one package part replaced (or added) by `xml`."""
    source = zipfile.ZipFile(io.BytesIO(base or plain_docx()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != part:
                out.writestr(item, source.read(item))
        out.writestr(part, xml)
    return buffer.getvalue()


def _document_xml(body: str, prologue: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{prologue}'
            f'<w:document xmlns:w="{_WORD_NS}"><w:body>{body}</w:body></w:document>').encode()


def zip_bomb_docx(unpacked_mb: int = 600) -> bytes:
    """A Word file whose document.xml expands to `unpacked_mb` MB of one repeated paragraph (streamed)."""
    paragraph = f"<w:p><w:r><w:t>{BODY}</w:t></w:r></w:p>".encode()
    head, tail = _document_xml("\x00").split(b"\x00")
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(plain_docx()))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, source.read(item))
        with out.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            block = paragraph * max(1, (1 << 20) // len(paragraph))
            for _ in range(unpacked_mb * 1_000_000 // len(block)):
                member.write(block)
            member.write(tail)
    return buffer.getvalue()


def large_text_docx(unpacked_mb: int = 40, seed: int = 1) -> bytes:
    """A Word file whose document.xml holds `unpacked_mb` MB of varied words (under the ratio limit)."""
    import random

    words = BODY.replace(".", "").replace(",", "").split()
    rng = random.Random(seed)
    head, tail = _document_xml("\x00").split(b"\x00")
    buffer = io.BytesIO()
    source = zipfile.ZipFile(io.BytesIO(plain_docx()))
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            if item.filename != "word/document.xml":
                out.writestr(item, source.read(item))
        with out.open("word/document.xml", "w", force_zip64=True) as member:
            member.write(head)
            written = 0
            while written < unpacked_mb * 1_000_000:
                text = " ".join(rng.choice(words) + str(rng.randrange(1000)) for _ in range(2000))
                block = f"<w:p><w:r><w:t>{text}.</w:t></w:r></w:p>".encode()
                member.write(block)
                written += len(block)
            member.write(tail)
    return buffer.getvalue()


def billion_laughs_docx() -> bytes:
    """document.xml declares nested entities (each level ten times the one below)."""
    levels = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{n} "{"".join(f"&lol{n - 1};" for _ in range(10))}">' for n in range(1, 10)]
    prologue = f"<!DOCTYPE w:document [{''.join(levels)}]>"
    return docx_with_part("word/document.xml",
                          _document_xml("<w:p><w:r><w:t>&lol9;</w:t></w:r></w:p>", prologue))


def xxe_docx() -> bytes:
    """document.xml declares an external entity reading /etc/passwd."""
    prologue = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
    return docx_with_part("word/document.xml", _document_xml("<w:p><w:r><w:t>&xxe;</w:t></w:r></w:p>", prologue))


def undefined_entity_docx(part: str = "word/document.xml") -> bytes:
    """An entity reference with no declaration at all."""
    if part == "word/document.xml":
        return docx_with_part(part, _document_xml("<w:p><w:r><w:t>&undefined;</w:t></w:r></w:p>"))
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:footnotes xmlns:w="{_WORD_NS}">'
           '<w:footnote w:id="1"><w:p><w:r><w:t>&undefined;</w:t></w:r></w:p></w:footnote></w:footnotes>')
    return docx_with_part(part, xml.encode())


def deep_docx(depth: int = 5000) -> bytes:
    """document.xml nested far deeper than lxml's 256-level default."""
    return docx_with_part("word/document.xml",
                          _document_xml("<w:p><w:r><w:t>x</w:t></w:r></w:p>" + "<w:sdt>" * depth + "</w:sdt>" * depth))


def pdf_with_info(info: str) -> bytes:
    """A one-page PDF with a text layer whose /Info dictionary is `info` (raw PDF syntax)."""
    text = "Border guards patrolled the boundary markers on Monday. The patrol checked every marker."
    stream = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        info.encode(),
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R /Info 6 0 R >>\nstartxref\n%d\n%%%%EOF\n"
              % (len(objects) + 1, xref))
    return out.getvalue()


def _write(folder: Path, name: str, data: bytes | str) -> str:
    path = folder / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return name


# name -> (builder writing the case into a folder and returning the document's file name, expected)
Case = tuple[Callable[[Path], str], str]
CASES: dict[str, Case] = {
    "docx zip bomb (600 MB document.xml)": (lambda f: _write(f, "bomb.docx", zip_bomb_docx()), "refused"),
    "docx XML of 40 MB under the ratio limit": (lambda f: _write(f, "large.docx", large_text_docx()), "refused"),
    "docx billion laughs": (lambda f: _write(f, "laughs.docx", billion_laughs_docx()), "refused"),
    "docx external entity (XXE)": (lambda f: _write(f, "xxe.docx", xxe_docx()), "refused"),
    "docx undefined entity in document.xml": (lambda f: _write(f, "undef.docx", undefined_entity_docx()), "refused"),
    "docx undefined entity in footnotes.xml": (
        lambda f: _write(f, "undef-notes.docx", undefined_entity_docx("word/footnotes.xml")), "refused"),
    "docx nesting 5,000 deep": (lambda f: _write(f, "deep.docx", deep_docx()), "refused"),
    "pdf /Title 123": (lambda f: _write(f, "pdf-title-number.pdf", pdf_with_info("<< /Title 123 >>")), "ingested"),
    "pdf /Title a dictionary": (
        lambda f: _write(f, "pdf-title-dict.pdf", pdf_with_info("<< /Title << /A 1 >> >>")), "ingested"),
    "pdf /Info deeply nested array": (
        lambda f: _write(f, "pdf-info-deep.pdf", pdf_with_info("<< /Keywords " + "[" * 5000 + "]" * 5000 + " >>")),
        "ingested"),
    "sidecar author is an object": (lambda f: _sidecar(f, "author-object", '{"author": {"x": 1}}'), "refused"),
    "sidecar title is a number": (lambda f: _sidecar(f, "title-number", '{"title": 12345}'), "refused"),
    "sidecar is a named pipe": (lambda f: _fifo_sidecar(f), "refused"),
    "symlink to /etc/passwd": (lambda f: _symlink(f), "refused"),
    "255-byte file name": (lambda f: _write(f, "n" * 251 + ".txt", BODY), "ingested"),
}


def _sidecar(folder: Path, stem: str, sidecar: str) -> str:
    (folder / f"{stem}.meta.json").write_text(sidecar, encoding="utf-8")
    return _write(folder, f"{stem}.txt", BODY)


def _fifo_sidecar(folder: Path) -> str:
    os.mkfifo(folder / "piped.meta.json")
    return _write(folder, "piped.txt", BODY)


def _symlink(folder: Path) -> str:
    (folder / "evil.txt").symlink_to("/etc/passwd")
    return "evil.txt"


def build_cases(folder: Path, names: list[str] | None = None) -> dict[str, tuple[str, str]]:
    """Write the chosen cases (all by default) into `folder`: case name -> (file name, expected)."""
    folder.mkdir(parents=True, exist_ok=True)
    built = {}
    for case, (builder, expected) in CASES.items():
        if names is None or case in names:
            built[case] = (builder(folder), expected)
    return built
