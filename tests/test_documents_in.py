"""Documents in: saved web pages, Word files and PDFs read into the same pipeline as .txt.

Every fixture is built here or in `document_fixtures` at test time (no downloaded
files): two news pages in the style of the seeds' outlets, Word files made with
python-docx, PDFs made with fpdf2.
"""

from __future__ import annotations

import io
import json

import pytest
from document_fixtures import (
    EN_FURNITURE,
    EN_PARAGRAPHS,
    EN_TITLE,
    PDF_PARAGRAPHS,
    PDF_TITLE,
    VI_FURNITURE,
    VI_PARAGRAPHS,
    VI_TITLE,
    chinese_daily_english_page,
    scanned_pdf,
    text_pdf,
    vietnamese_portal_page,
)

from workbench.documents import ingest
from workbench.documents.discover import DOCUMENT_SUFFIXES, discover_documents
from workbench.documents.ingest import parse_document, read_document
from workbench.documents.segment import segment_document
from workbench.documents.uploads import check_upload
from workbench.errors import DocumentError, EncodingRefused
from workbench.pipeline import BatchOptions, run_batch


def texts(document) -> list[str]:
    return [paragraph.text for paragraph in document.paragraphs]


def removed_texts(document) -> str:
    return "\n".join(item.text for item in document.removed)


# -- HTML ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("charset", ["utf-8", "windows-1258"])
def test_vietnamese_portal_page_gives_the_article_and_keeps_the_furniture_aside(tmp_path, charset):
    page = tmp_path / "bien-phong.html"
    page.write_bytes(vietnamese_portal_page(charset))
    document = read_document(page)
    assert document.lang == "vi"
    assert texts(document) == [VI_TITLE, *VI_PARAGRAPHS]
    assert document.paragraphs[0].kind == "heading"
    article = "\n".join(texts(document))
    for furniture in VI_FURNITURE:
        assert furniture not in article
    # What was removed is kept for inspection, with its line in the page's source.
    removed = removed_texts(document)
    for furniture in ("Đường dây nóng: 0983449277 - 0913303903", "Trang chủ", "Tin liên quan",
                      "Hà Giang đón đoàn công tác của Bộ Quốc phòng"):
        assert furniture in removed
    hotline = next(item for item in document.removed if item.text.startswith("Đường dây nóng"))
    source_lines = vietnamese_portal_page("utf-8").decode("utf-8").split("\n")
    assert "Đường dây nóng" in source_lines[hotline.line - 1]
    assert (document.title, document.date, document.outlet, document.author) == (
        VI_TITLE, "2020-02-19", "Báo Hà Giang", "Minh Anh")
    assert document.encoding == ("html/utf-8" if charset == "utf-8" else "html/cp1258")


def test_chinese_daily_english_page_with_breadcrumbs_wechat_block_and_editor_line(tmp_path):
    page = tmp_path / "imd.htm"
    page.write_bytes(chinese_daily_english_page())
    (tmp_path / "imd.meta.json").write_text(json.dumps({"machine_translated_from": "zh"}))
    document = read_document(page)
    assert (document.lang, document.machine_translated_from, document.kind) == ("en", "zh", "machine_translation")
    assert texts(document) == [EN_TITLE, *EN_PARAGRAPHS]
    article = "\n".join(texts(document))
    for furniture in [*EN_FURNITURE, "Editor in charge"]:
        assert furniture not in article
    reasons = {item.text: item.reason for item in document.removed}
    # Our own boilerplate rules still run on what the extractor kept.
    assert reasons["(Editor in charge: Wang Lei)"] == "editor line"
    assert "WeChat \"Scan\" to follow Inner Mongolia Daily" in reasons
    assert (document.title, document.date, document.outlet) == (EN_TITLE, "2021-03-20", "Inner Mongolia Daily")


def test_a_sidecar_still_overrides_what_the_page_declares(tmp_path):
    page = tmp_path / "page.html"
    page.write_bytes(vietnamese_portal_page())
    (tmp_path / "page.meta.json").write_text(json.dumps({"outlet": "Báo Biên phòng", "date": "2020-02-20"}),
                                             encoding="utf-8")
    document = read_document(page)
    assert (document.outlet, document.date, document.author) == ("Báo Biên phòng", "2020-02-20", "Minh Anh")


def test_a_page_that_does_not_decode_in_its_declared_charset_is_refused_with_the_line(tmp_path):
    raw = vietnamese_portal_page("utf-8").replace(b'charset="utf-8"', b'charset="us-ascii"')
    with pytest.raises(EncodingRefused) as caught:
        parse_document(raw, path="bad.html")
    first_bad = next(number for number, line in enumerate(raw.split(b"\n"), start=1)
                     if any(byte > 127 for byte in line))
    assert caught.value.line == first_bad
    assert "declares charset 'us-ascii'" in str(caught.value) and str(caught.value).startswith("bad.html:")


def test_an_unknown_declared_charset_is_refused(tmp_path):
    raw = vietnamese_portal_page().replace(b'charset="utf-8"', b'charset="vni-windows"')
    with pytest.raises(EncodingRefused, match="'vni-windows', which is not a known encoding"):
        parse_document(raw, path="vni.html")


def test_a_page_without_article_text_is_refused():
    raw = b"<html><head><meta charset='utf-8'></head><body><nav><a>Trang ch\xe1\xbb\xa7</a></nav></body></html>"
    with pytest.raises(DocumentError, match="no article text"):
        parse_document(raw, path="empty.html")


# -- DOCX ----------------------------------------------------------------------------------------
def build_docx(*, footnote: str | None = None) -> bytes:
    """A Word file: title, heading, body paragraphs, a table with a merged cell, maybe a footnote."""
    import docx

    word = docx.Document()
    word.add_heading("Đồn Biên phòng Lũng Cú tuần tra biên giới", level=0)
    word.add_paragraph("Sáng 19/2, Đồn Biên phòng Lũng Cú tổ chức tuần tra đường biên. Các tổ đã kiểm tra mốc.")
    word.add_heading("Kết quả tuần tra", level=1)
    table = word.add_table(rows=2, cols=3)
    for (row, column), text in {(0, 0): "Số mốc", (0, 1): "12", (1, 0): "Số tổ", (1, 1): "3"}.items():
        table.cell(row, column).text = text
    table.cell(0, 2).merge(table.cell(1, 2)).text = "Đã kiểm tra"
    word.add_paragraph("")  # an empty paragraph is not a paragraph of the text
    word.add_paragraph("Đồng chí Đồn trưởng cho biết nhân dân đã cung cấp nhiều nguồn tin có giá trị.")
    word.core_properties.author = "Minh Anh"
    if footnote:
        _add_footnote(word, footnote)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def _add_footnote(word, text: str) -> None:
    """Add a footnotes part as Word writes it (python-docx cannot create footnotes itself)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    namespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    xml = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:footnotes xmlns:w="{namespace}">'
           '<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
           f'<w:footnote w:id="1"><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:footnote></w:footnotes>')
    part = Part(PackURI("/word/footnotes.xml"),
                "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml",
                xml.encode("utf-8"), word.part.package)
    word.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


def test_docx_paragraphs_in_order_headings_tables_cell_by_cell_and_footnotes(tmp_path):
    path = tmp_path / "bao-cao.docx"
    path.write_bytes(build_docx(footnote="Theo báo cáo của Bộ Chỉ huy Bộ đội Biên phòng tỉnh."))
    document = read_document(path)
    assert document.lang == "vi" and document.encoding == "docx"
    assert texts(document) == [
        "Đồn Biên phòng Lũng Cú tuần tra biên giới",
        "Sáng 19/2, Đồn Biên phòng Lũng Cú tổ chức tuần tra đường biên. Các tổ đã kiểm tra mốc.",
        "Kết quả tuần tra",
        "Số mốc", "12", "Đã kiểm tra", "Số tổ", "3",
        "Đồng chí Đồn trưởng cho biết nhân dân đã cung cấp nhiều nguồn tin có giá trị.",
        "Theo báo cáo của Bộ Chỉ huy Bộ đội Biên phòng tỉnh.",
    ]
    kinds = {paragraph.text: paragraph.kind for paragraph in document.paragraphs}
    assert kinds["Kết quả tuần tra"] == "heading"
    assert kinds["Đồng chí Đồn trưởng cho biết nhân dân đã cung cấp nhiều nguồn tin có giá trị."] == "body"
    assert (document.title, document.author) == ("Đồn Biên phòng Lũng Cú tuần tra biên giới", "Minh Anh")
    segments = segment_document(document)
    assert [s.kind for s in segments[:3]] == ["heading", "body", "body"]  # two sentences in paragraph 2
    assert segments[0].text == "Đồn Biên phòng Lũng Cú tuần tra biên giới"


@pytest.mark.parametrize(("raw", "message"), [
    (b"PK\x03\x04 not really a zip", "not a Word .docx file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "old binary .doc"),
])
def test_a_broken_word_file_is_refused_naming_the_file(raw, message):
    with pytest.raises(DocumentError, match=message) as caught:
        parse_document(raw, path="broken.docx")
    assert str(caught.value).startswith("broken.docx: ")


# -- PDF -----------------------------------------------------------------------------------------
def test_pdf_paragraphs_rebuilt_across_lines_and_hyphens_headers_and_page_numbers_dropped(tmp_path):
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf())
    document = read_document(path)
    assert document.lang == "en" and document.encoding == "pdf"
    assert texts(document) == [PDF_TITLE, *PDF_PARAGRAPHS]
    assert "international cooperation" in document.paragraphs[2].text  # "inter-" + "national" rejoined
    assert document.paragraphs[0].kind == "heading"
    reasons = [item.reason for item in document.removed]
    assert reasons.count("page number (page 1)") == 1 and "page number (page 2)" in reasons
    assert sum(1 for r in reasons if r.startswith("running header or footer")) == 2
    assert (document.title, document.author) == (PDF_TITLE, "Liu Xiaodong")


def test_a_pdf_paragraph_cut_by_a_page_break_is_joined_again():
    first, second = PDF_PARAGRAPHS[0].split(" checking ")
    # One paragraph per page, the first one cut mid-sentence: it goes on on page 2.
    pieces = [first, "checking " + second, *PDF_PARAGRAPHS[1:]]
    document = parse_document(text_pdf(pieces, per_page=1), path="cut.pdf")
    assert texts(document) == [PDF_TITLE, f"{first} checking {second}", *PDF_PARAGRAPHS[1:]]


def test_a_scanned_pdf_is_refused_with_that_reason(monkeypatch):
    from workbench.documents.readers import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)  # the OCR part absent (tests/test_ocr.py: present)
    with pytest.raises(DocumentError, match="no text layer .*scan.*Tesseract is not installed") as caught:
        parse_document(scanned_pdf(), path="scan.pdf")
    assert str(caught.value).startswith("scan.pdf: ")


def test_a_damaged_pdf_is_refused_naming_the_file():
    with pytest.raises(DocumentError, match="not a readable PDF") as caught:
        parse_document(b"%PDF-1.4\n garbage without objects", path="damaged.pdf")
    assert str(caught.value).startswith("damaged.pdf: ")


# -- the pipeline around them ---------------------------------------------------------------------
def test_the_batch_reads_every_format_reports_a_bad_file_and_goes_on(tmp_path, store, monkeypatch):
    from workbench.documents.readers import ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)  # the OCR part absent
    folder = tmp_path / "inbox"
    (folder / "web").mkdir(parents=True)
    (folder / "web" / "page.html").write_bytes(vietnamese_portal_page())
    (folder / "report.docx").write_bytes(build_docx())
    (folder / "report.pdf").write_bytes(text_pdf())
    (folder / "scan.pdf").write_bytes(scanned_pdf())
    (folder / "note.txt").write_text("Bộ đội Biên phòng tuần tra biên giới.\n", encoding="utf-8")
    files, problems = discover_documents([folder])
    assert not problems and len(files) == 5
    summary = run_batch([folder], store, BatchOptions(translate=False))
    assert summary.documents == 4
    assert summary.failures == [f"{(folder / 'scan.pdf').resolve()}: the PDF has no text layer (2 page(s) of "
                                "images: a scan?) and Tesseract is not installed; install the OCR part (apt-get "
                                f"install {ocr.OCR_PACKAGES}) and add it again, or supply the text"]
    stored = {row.name: row for row in store.documents()}
    assert set(stored) == {"page.html", "report.docx", "report.pdf", "note.txt"}
    assert stored["page.html"].outlet == "Báo Hà Giang"
    removed = stored["page.html"].removed
    assert any(item["text"] == "Tin liên quan" for item in removed)
    headings = [s for s in store.segments(stored["report.docx"].id) if s.kind == "heading"]
    assert headings[0].source_text == "Đồn Biên phòng Lũng Cú tuần tra biên giới"


def test_the_new_suffixes_are_accepted_for_uploads_and_size_limits_apply(store, monkeypatch):
    assert {".html", ".htm", ".docx", ".pdf"} <= DOCUMENT_SUFFIXES
    assert check_upload(store, "Báo cáo.docx", build_docx()).name == "Bao_cao.docx"
    path = store.path.parent / "big.pdf"
    path.write_bytes(text_pdf())
    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 1000)
    with pytest.raises(DocumentError, match="above the .* limit for one document; split it") as caught:
        read_document(path)
    assert caught.value.path == str(path)


def test_a_password_protected_pdf_is_refused():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("Helvetica", size=12)
    pdf.cell(0, 10, "The border guards patrolled the line at night.")
    pdf.set_encryption(owner_password="owner", user_password="reader")
    with pytest.raises(DocumentError, match="the PDF is encrypted .*save an unprotected copy"):
        parse_document(bytes(pdf.output()), path="locked.pdf")
