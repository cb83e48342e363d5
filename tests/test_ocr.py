"""OCR of scanned PDFs: text the test draws onto a page image is read back by Tesseract (when installed)."""

from __future__ import annotations

import pytest

from workbench.documents.ingest import parse_document
from workbench.documents.readers import ocr
from workbench.errors import DocumentError

LINES = ["The provincial border guard held a meeting", "on the protection of border sovereignty."]
needs_ocr = pytest.mark.skipif(not ocr.ocr_available(), reason=f"OCR part not installed ({ocr.OCR_PACKAGES})")


def scanned_page_pdf(lines: list[str] = LINES) -> bytes:
    """A one-page PDF holding only an image of printed lines: what a scanner makes."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (1700, 400), color=255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=48)
    for index, line in enumerate(lines):
        draw.text((60, 60 + index * 90), line, fill=0, font=font)
    pdf = FPDF(format="A4")
    pdf.add_page()
    pdf.image(image, x=10, y=20, w=190)
    return bytes(pdf.output())


@needs_ocr
def test_a_scanned_pdf_is_read_and_marked_as_ocr():
    document = parse_document(scanned_page_pdf(), path="scan.pdf")
    text = " ".join(p.text for p in document.paragraphs)
    assert "border guard held a meeting" in text
    assert "sovereignty" in text
    assert document.lang == "en"
    assert document.encoding == ocr.OCR_ENCODING


@needs_ocr
def test_a_scan_without_any_text_is_refused():
    from document_fixtures import scanned_pdf

    with pytest.raises(DocumentError, match="OCR found no text on its 2 page"):
        parse_document(scanned_pdf(), path="blank-scan.pdf")


def test_without_tesseract_the_refusal_names_the_packages(monkeypatch):
    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(DocumentError) as caught:
        parse_document(scanned_page_pdf(), path="scan.pdf")
    message = str(caught.value)
    assert message.startswith("scan.pdf: the PDF has no text layer (1 page(s) of images: a scan?)")
    assert "Tesseract is not installed" in message
    assert f"apt-get install {ocr.OCR_PACKAGES}" in message


def test_paragraphs_of_tesseract_text():
    assert ocr._paragraphs("Line one\nline two\n\n\nNext  one\n") == ["Line one line two", "Next one"]

