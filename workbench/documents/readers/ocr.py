"""Scanned PDFs read by OCR: Tesseract with its Vietnamese, simplified-Chinese and English data, optional.

A PDF without a text layer is a scan: each page holds an image. When the `tesseract`
program is installed with the `vie`, `chi_sim` and `eng` language data (Debian:
`apt-get install tesseract-ocr tesseract-ocr-vie tesseract-ocr-chi-sim tesseract-ocr-eng`),
the page images (taken out of the PDF by pypdf, through Pillow) are read by Tesseract
and the text becomes the document, paragraph by paragraph, each located as
"page N (OCR)"; the document's encoding says `pdf/ocr`, so the Review page tells the
reviewer the text came from OCR and may hold its errors. Without Tesseract the scan
is refused with the packages to install. Nothing runs at import time.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

from workbench.documents.readers import ExtractedBlock, ExtractedDocument, clean_block_text
from workbench.errors import DocumentError

#: The Debian packages that make OCR available, as named in the refusal.
OCR_PACKAGES = "tesseract-ocr tesseract-ocr-vie tesseract-ocr-chi-sim tesseract-ocr-eng"
OCR_LANGUAGES = ("vie", "chi_sim", "eng")
OCR_ENCODING = "pdf/ocr"
#: Seconds Tesseract may take over one page before the document is refused.
PAGE_TIMEOUT = 120


def _missing_languages() -> list[str] | None:
    """The language data Tesseract lacks ([] when all are there); None when there is no tesseract."""
    program = shutil.which("tesseract")
    if program is None:
        return None
    listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30)
    have = set((listed.stdout + listed.stderr).split())
    return [lang for lang in OCR_LANGUAGES if lang not in have]


def ocr_available() -> bool:
    """Whether scans can be read here (tesseract and its vie, chi_sim and eng data)."""
    return _missing_languages() == []


def _refusal(pages: int, path: str) -> DocumentError:
    missing = _missing_languages()
    what = ("Tesseract is not installed" if missing is None
            else f"Tesseract lacks the language data {', '.join(missing)}")
    return DocumentError(
        f"the PDF has no text layer ({pages} page(s) of images: a scan?) and {what}; install the OCR part "
        f"(apt-get install {OCR_PACKAGES}) and add it again, or supply the text", path)


def recognise_image(image_bytes: bytes) -> str:
    """The text Tesseract reads in one page image (PNG, JPEG...)."""
    from PIL import Image

    with tempfile.TemporaryDirectory() as scratch:
        page = Path(scratch) / "page.png"
        with Image.open(io.BytesIO(image_bytes)) as image:
            image.convert("L").save(page)
        done = subprocess.run(["tesseract", str(page), "stdout", "-l", "+".join(OCR_LANGUAGES), "--psm", "3"],
                              capture_output=True, text=True, timeout=PAGE_TIMEOUT)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip().splitlines()[-1] if done.stderr.strip() else "tesseract failed")
    return done.stdout


def _paragraphs(text: str) -> list[str]:
    """Tesseract's text as paragraphs: blank lines separate them, line breaks inside one are spaces."""
    paragraphs, current = [], []
    for line in text.splitlines():
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append(" ".join(current))
            current = []
    if current:
        paragraphs.append(" ".join(current))
    return [clean_block_text(p) for p in paragraphs if clean_block_text(p)]


def read_scanned_pdf(pages, path: str) -> ExtractedDocument:
    """The text of a scanned PDF's pages (pypdf page objects) by OCR; refused when OCR is absent or finds nothing."""
    if not ocr_available():
        raise _refusal(len(pages), path)
    blocks: list[ExtractedBlock] = []
    for number, page in enumerate(pages, start=1):
        try:
            images = [image.data for image in page.images]
        except Exception as exc:  # pypdf raises many kinds on damaged image streams
            raise DocumentError(f"page {number}: cannot take out its image ({exc})", path) from None
        for image in images:
            try:
                text = recognise_image(image)
            except (OSError, RuntimeError, subprocess.TimeoutExpired) as exc:
                raise DocumentError(f"page {number}: OCR failed ({exc})", path) from None
            for index, paragraph in enumerate(_paragraphs(text), start=1):
                blocks.append(ExtractedBlock(paragraph, f"page {number}, paragraph {index} (OCR)"))
    if not blocks:
        raise DocumentError(f"the PDF has no text layer and OCR found no text on its {len(pages)} page(s)", path)
    return ExtractedDocument("pdf", OCR_ENCODING, blocks)
