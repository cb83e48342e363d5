"""Documents out: the translated document as TXT, DOCX and HTML, monolingual and bilingual.

The round trip builds a Word file, ingests and translates it with the tiny
random-weight checkpoint, saves some reviewer targets through the store, and
exports it: paragraphs keep their number and order, reviewer targets appear where
their segments were, and the random model's output never appears as a translation.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from document_fixtures import vietnamese_portal_page

from workbench.cli import main
from workbench.exchange.documents import build_translated_document, render_document
from workbench.exchange.formats import FORMATS, bundle_files, write_export
from workbench.pipeline import BatchOptions, run_batch

PARAGRAPHS = [
    ("heading", "Đồn Biên phòng Lũng Cú tuần tra biên giới"),
    ("body", "Sáng 19/2, Đồn Biên phòng Lũng Cú tổ chức tuần tra đường biên. Các tổ đã kiểm tra mốc quốc giới."),
    ("body", "Trong đợt tuần tra, cán bộ đồn đã tuyên truyền cho nhân dân về Luật Biên phòng Việt Nam."),
    ("heading", "Kết quả sau một năm thực hiện"),
    ("body", "Nhân dân đã cung cấp nhiều nguồn tin có giá trị. Tình hình an ninh trật tự được giữ vững."),
]
HEADER_LABELS = ("Title", "Date", "Outlet", "Source file", "Direction", "Checkpoint", "Glossary version",
                 "Reviewed or approved")


def build_report_docx() -> bytes:
    word = docx.Document()
    for kind, text in PARAGRAPHS:
        if kind == "heading":
            word.add_heading(text, level=1)
        else:
            word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def translated_report(tmp_path, store, tiny_checkpoints):
    """The Word report ingested and translated by the tiny vi-en model, two segments reviewed."""
    source = tmp_path / "in" / "report.docx"
    source.parent.mkdir()
    source.write_bytes(build_report_docx())
    summary = run_batch([source], store, BatchOptions(models={"vi-en": str(tiny_checkpoints["vi-en"])}, beams=1,
                                                      engine="transformers"))
    assert not summary.failures and summary.translated > 0
    document_id = store.documents()[0].id
    segments = store.segments(document_id)
    reviewed = {segments[1].id: "On 19 February, Lung Cu Border Post patrolled the border line.",
                segments[-1].id: "Security and order were maintained."}
    for segment in segments:
        if segment.id in reviewed:
            store.save_target(segment.id, reviewed[segment.id], "approved" if segment is segments[1] else "reviewed",
                              reviewer="Lan", expected_version=segment.version)
    return source, document_id, reviewed


def test_round_trip_docx_keeps_paragraphs_and_order_and_shows_only_reviewed_translations(
        translated_report, store, tmp_path):
    source, document_id, reviewed = translated_report
    out = tmp_path / "out"
    assert main(["export", "--db", str(store.path), "--format", "docx", "--doc", str(document_id),
                 "--out", str(out)]) == 0
    word = docx.Document(out / "report.en.docx")
    header = {row.cells[0].text: row.cells[1].text for row in word.tables[0].rows}
    assert set(HEADER_LABELS) <= set(header)
    assert header["Source file"] == source.name  # by name: no server folder leaves in an export
    assert header["Direction"].startswith("vi → en")
    assert header["Checkpoint"] == "vi-en (random-weight test model)"  # the tiny checkpoint's folder name
    assert header["Reviewed or approved"] == "2 of 7 (29%); approved: 1 of 7 (14%)"
    body = [p for p in word.paragraphs[1:] if p.text.strip()]  # after the title
    assert len(body) == len(PARAGRAPHS)
    assert [p.style.name.startswith("Heading") for p in body] == [kind == "heading" for kind, _ in PARAGRAPHS]
    first_reviewed, last_reviewed = reviewed.values()
    # Paragraph 2 holds the approved first sentence, then its second sentence as untranslated source.
    assert body[1].text.startswith(first_reviewed + " [untranslated] Các tổ đã kiểm tra mốc quốc giới.")
    assert body[4].text.strip().endswith(last_reviewed)
    assert body[2].text.startswith("[untranslated] Trong đợt tuần tra")
    mt_texts = [s.mt_text for s in store.segments(document_id) if s.mt_text]
    exported = "\n".join(p.text for p in word.paragraphs)
    assert mt_texts and not any(mt in exported for mt in mt_texts)  # random-weight output is never shown


def test_round_trip_txt_has_the_header_and_one_line_per_paragraph(translated_report, store, tmp_path, capsys):
    _, document_id, reviewed = translated_report
    assert main(["export", "--db", str(store.path), "--format", "txt", "--doc", str(document_id)]) == 0
    text = capsys.readouterr().out
    header, body = text.split("=" * 72 + "\n", 1)
    for label in HEADER_LABELS:
        assert f"\n{label}: " in "\n" + header
    paragraphs = [line for line in body.split("\n") if line]
    assert len(paragraphs) == len(PARAGRAPHS)
    for (_, source), line in zip(PARAGRAPHS, paragraphs, strict=True):
        first_words = source.split()[0]
        assert first_words in line or any(target in line for target in reviewed.values())
    assert paragraphs[0] == f"[untranslated: {PARAGRAPHS[0][1]}]"
    assert paragraphs[1] == f"{list(reviewed.values())[0]} [untranslated: Các tổ đã kiểm tra mốc quốc giới.]"


def _store_with_mt(store, tmp_path, mt_texts: list[str], *, random_weights: bool = False) -> int:
    """A Vietnamese page stored with the given machine translations for its segments, in order."""
    page = tmp_path / "page.html"
    # The article quotes markup as text (escaped in the page); the page's own <script> is code, never text.
    page.write_bytes(vietnamese_portal_page(hostile="<p>Bộ đội &lt;script&gt;window.__injected = 1&lt;/script&gt; "
                                                    "tuần tra đêm tại cột mốc số 5.</p>"))
    assert not run_batch([page], store, BatchOptions(translate=False)).failures
    document_id = store.documents()[0].id
    segments = store.segments(document_id)
    store.record_translations([
        dict(segment_id=s.id, source_text=s.source_text, source_lang="vi", target_lang="en", checkpoint="real/vi-en",
             random_weights=random_weights, glossary_version="g1", engine="transformers", beams=1, text=text,
             term_report=None)
        for s, text in zip(segments, mt_texts, strict=False)])
    return document_id


def test_plausible_mt_is_marked_unreviewed_implausible_mt_counts_as_untranslated(store, tmp_path):
    plausible = "Lung Cu Border Post patrolled the border and the markers on Vi Xuyen district."
    looping = "the the the the the the the the the the the the"
    document_id = _store_with_mt(store, tmp_path, ["Thanh Thuy border post patrols the border line and markers",
                                                   plausible, looping])
    document = build_translated_document(store, document_id)
    states = [s.state for s in document.segments[:3]]
    assert states == ["mt", "mt", "untranslated"]
    assert any(reason.startswith("repetition loop") for reason in document.segments[2].reasons)
    text = render_document(document, "txt").decode("utf-8")
    assert f"[MT, unreviewed: {plausible}" in text
    assert looping not in text
    assert "Glossary version: g1" in text and "Checkpoint: real/vi-en" in text


def test_random_weight_mt_is_never_presented_even_when_it_looks_plausible(store, tmp_path):
    plausible = "Lung Cu Border Post patrolled the border and the markers on Vi Xuyen district."
    document_id = _store_with_mt(store, tmp_path, ["x", plausible], random_weights=True)
    document = build_translated_document(store, document_id)
    assert {s.state for s in document.segments} == {"untranslated"}
    for fmt in ("txt", "html", "docx"):
        data = render_document(document, fmt)
        assert plausible.encode() not in data if fmt != "docx" else plausible not in _docx_text(data)


def _docx_text(data: bytes) -> str:
    word = docx.Document(io.BytesIO(data))
    cells = [cell.text for table in word.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in word.paragraphs] + cells)


def test_html_escapes_document_glossary_and_reviewer_text(store, tmp_path):
    from workbench.glossary import load_glossary

    document_id = _store_with_mt(store, tmp_path, [])
    segment = next(s for s in store.segments(document_id) if "__injected" in s.source_text)
    store.save_target(segment.id, 'Border <img src=x onerror="window.__injected=2"> guards & "patrols"', "draft",
                      reviewer="<b>Lan</b>", expected_version=segment.version)
    glossary = load_glossary(Path(__file__).resolve().parent.parent / "glossaries")
    for bilingual in (False, True):
        page = render_document(build_translated_document(store, document_id), "html", bilingual=bilingual,
                               glossary=glossary).decode("utf-8")
        assert "<script" not in page and "<img" not in page
        # The quoted markup is the source of the reviewed segment: only the bilingual form shows it.
        assert ("&lt;script&gt;window.__injected = 1&lt;/script&gt;" in page) is bilingual
        assert "&lt;img src=x onerror=&quot;window.__injected=2&quot;&gt; guards &amp; &quot;patrols&quot;" in page
    assert '<mark class="term"' in page  # "Bộ đội" / "Đồn Biên phòng" are glossary terms


@pytest.mark.parametrize("field", ["title", "author", "outlet", "date", "name"])
def test_html_escapes_markup_in_the_documents_metadata(store, tmp_path, field):
    """Title, author, outlet... come from the document (its <title>, a byline, a sidecar): never markup."""
    import dataclasses

    document = build_translated_document(store, _store_with_mt(store, tmp_path, []))
    document = dataclasses.replace(document, **{field: '<img src=x onerror="window.__injected=3">A & B'})
    for bilingual in (False, True):
        page = render_document(document, "html", bilingual=bilingual).decode("utf-8")
        assert "<img" not in page
        assert "&lt;img src=x onerror=&quot;window.__injected=3&quot;&gt;A &amp; B" in page


def test_bilingual_html_has_one_row_per_paragraph_with_statuses(translated_report, store):
    from workbench.glossary import load_glossary

    _, document_id, _ = translated_report
    glossary = load_glossary(Path(__file__).resolve().parent.parent / "glossaries")
    [exported] = write_export(store, [document_id], "html", bilingual=True, glossary=glossary)
    assert exported.file_name == "report.vi-en.bilingual.html"
    page = exported.data.decode("utf-8")
    assert page.count('<tr class="paragraph') == len(PARAGRAPHS)
    assert page.count('<td class="source"') == page.count('<td class="target"') == len(PARAGRAPHS)
    assert page.count('class="status approved"') == 1 and page.count('class="status reviewed"') == 1
    assert page.count('class="status new"') == 5
    assert 'data-entry="' in page  # "Đồn Biên phòng" is marked as a term


def test_bilingual_docx_is_a_two_column_table_with_statuses(translated_report, store):
    _, document_id, reviewed = translated_report
    [exported] = write_export(store, [document_id], "docx", bilingual=True)
    word = docx.Document(io.BytesIO(exported.data))
    table = word.tables[1]
    assert len(table.rows) == len(PARAGRAPHS) + 1 and len(table.columns) == 2
    assert table.rows[2].cells[0].text.startswith(PARAGRAPHS[1][1].split(".")[0])
    assert table.rows[2].cells[1].text.startswith(f"{list(reviewed.values())[0]} [approved]")


def test_the_registry_offers_the_document_formats_to_the_cli_and_refuses_bilingual_elsewhere(store, capsys):
    assert {"txt", "docx", "html", "tmx", "tsv", "jsonl", "xliff"} <= set(FORMATS)
    assert [name for name, fmt in FORMATS.items() if fmt.per_document] == ["txt", "docx", "html"]
    assert [name for name, fmt in FORMATS.items() if fmt.bilingual_applies] == ["docx", "html"]
    assert main(["export", "--db", str(store.path), "--format", "tmx", "--bilingual"]) == 2
    assert "--bilingual applies to docx and html, not tmx" in capsys.readouterr().err
    assert main(["export", "--db", str(store.path), "--format", "txt", "--bilingual"]) == 2
    assert "--bilingual applies to docx and html, not txt" in capsys.readouterr().err


def test_word_documents_need_an_output_folder(translated_report, store, capsys):
    assert main(["export", "--db", str(store.path), "--format", "docx"]) == 2
    assert "docx writes one file per document (1 chosen): give --out DIR" in capsys.readouterr().err


def test_several_documents_zip_with_unique_names(store, tmp_path):
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text("Bộ đội Biên phòng tuần tra biên giới.\n", encoding="utf-8")
    assert not run_batch([tmp_path / "a", tmp_path / "b"], store, BatchOptions(translate=False)).failures
    files = write_export(store, None, "html")
    assert [f.file_name for f in files] == ["same.en.html", "same-2.en.html"]
    name, data, mime = bundle_files(files, FORMATS["html"], "workbench")
    assert (name, mime) == ("workbench.zip", "application/zip")
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == ["same.en.html", "same-2.en.html"]
        assert archive.read("same.en.html") == files[0].data


def test_translate_out_mirrors_the_input_layout_and_refuses_a_folder_inside_it(tmp_path, capsys):
    inbox = tmp_path / "inbox"
    (inbox / "web").mkdir(parents=True)
    (inbox / "web" / "page.html").write_bytes(vietnamese_portal_page())
    (inbox / "report.docx").write_bytes(build_report_docx())
    (inbox / "note.txt").write_text("Bộ đội Biên phòng tuần tra biên giới.\n", encoding="utf-8")
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 nothing")
    db, out = str(tmp_path / "store.db"), tmp_path / "translated"
    assert main(["translate", str(inbox), "--db", db, "--ingest-only", "--out", str(out)]) == 1  # broken.pdf
    written = sorted(str(p.relative_to(out)) for p in out.rglob("*") if p.is_file())
    assert written == ["note.en.txt", "report.en.docx", "web/page.en.html"]
    streams = capsys.readouterr()
    assert "translated documents: 3 written to" in streams.out
    assert "not written: " in streams.err and "broken.pdf" in streams.err
    assert main(["translate", str(inbox), "--db", db, "--ingest-only", "--out", str(inbox / "out")]) == 2
    assert "is inside the input folder" in capsys.readouterr().err
    assert main(["translate", str(inbox / "note.txt"), "--db", db, "--ingest-only", "--out", str(out),
                 "--out-format", "html", "--bilingual"]) == 0
    assert (out / "note.vi-en.bilingual.html").is_file()


@pytest.mark.parametrize(("name", "bilingual", "expected"), [
    ("report.docx", False, "report.en.txt"),
    ("bien-phong.html", True, "bien-phong.vi-en.bilingual.txt"),
    ("a.txt ↔ b/c:d.txt", False, "a.txt ↔ b_c_d.en.txt"),  # saved from an alignment: no folder part
    ("..", False, "document-7.en.txt"),
])
def test_file_names_never_name_a_folder(name, bilingual, expected):
    from workbench.exchange.documents import TranslatedDocument, file_name

    document = TranslatedDocument(7, name, "/x", None, None, None, None, "vi", "en", None, [], [], [])
    assert file_name(document, "txt", bilingual=bilingual) == expected


def test_the_export_page_offers_documents_and_zips_several(tmp_path, monkeypatch):
    """The Export page, headless: bilingual HTML of two documents comes as one zip of per-document files."""
    import shutil

    from streamlit.testing.v1 import AppTest
    from ui_support import APP, REPO

    from workbench.review.store import ReviewStore

    db = tmp_path / "data" / "workbench.db"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "page.html").write_bytes(vietnamese_portal_page())
    (inbox / "report.docx").write_bytes(build_report_docx())
    with ReviewStore(db) as store:
        assert not run_batch([inbox], store, BatchOptions(translate=False)).failures
        ids = [row.id for row in store.documents()]
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(tmp_path / "glossaries"))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/export.py").run()
    at.multiselect(key="export_documents").set_value(ids).run()
    at.selectbox(key="export_format").set_value("html").run()
    at.checkbox(key="export_bilingual").check().run()
    at.button(key="export_prepare").click().run()
    assert not at.exception, [e.value for e in at.exception]
    payload = at.session_state["export_payload"]
    assert payload["name"].endswith(".zip") and payload["mime"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(payload["data"])) as archive:
        assert sorted(archive.namelist()) == ["page.vi-en.bilingual.html", "report.vi-en.bilingual.html"]
        assert '<mark class="term"' in archive.read("page.vi-en.bilingual.html").decode("utf-8")
    at.multiselect(key="export_documents").set_value(ids[1:]).run()
    at.selectbox(key="export_format").set_value("docx").run()
    at.button(key="export_prepare").click().run()
    payload = at.session_state["export_payload"]
    assert payload["name"] == "report.vi-en.bilingual.docx"  # the checkbox is still ticked
    assert len(docx.Document(io.BytesIO(payload["data"])).tables[1].rows) == len(PARAGRAPHS) + 1
