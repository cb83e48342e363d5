"""The one registry of export formats, used by the `export` command and the Export page.

Each `ExportFormat` names itself, its file extension and MIME type, and how it is
written from the review store. Segment formats (TMX, TSV, JSONL) carry approved
segments unless told otherwise; XLIFF carries every live segment with its state,
one language pair per file (`write_export` returns one file per pair when the
chosen documents hold several). Document formats (TXT, DOCX, HTML: the translated
document itself, `workbench.exchange.documents`) write one file per document, each
with its own file name, and DOCX and HTML can be bilingual; the command line and the
UI offer the same list, and the UI zips several documents into one download.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass

from workbench.exchange.export import (
    ExportedFile,
    ExportError,
    collect_segments,
    rows_to_jsonl,
    rows_to_tmx,
    rows_to_tsv,
)


@dataclass(frozen=True)
class ExportFormat:
    """A way out of the review store."""

    name: str  # the `--format` value
    label: str  # what the Export page shows
    extension: str
    mime: str
    # (store, document ids or None, approved_only, **options) -> files; most segment formats write one.
    write: Callable[..., list[ExportedFile]]
    approved_only_applies: bool = True  # False: the format always carries every live segment
    per_document: bool = False  # True: one file per document (the translated document itself)
    bilingual_applies: bool = False  # True: `bilingual=True` puts source and target side by side


def _segment_writer(render: Callable, *, spreadsheet: bool = False) -> Callable[..., list[ExportedFile]]:
    """`spreadsheet`: the format is opened in spreadsheets, so `raw=True` may turn off formula neutralising."""
    def write(store, document_ids, approved_only: bool = True, *, raw: bool = False,
              **options) -> list[ExportedFile]:
        rows = collect_segments(store, document_ids, approved_only=approved_only)
        return [ExportedFile("", render(rows, raw=raw) if spreadsheet else render(rows), len(rows))]
    return write


def _write_xliff(store, document_ids, approved_only: bool = True, **options) -> list[ExportedFile]:
    from workbench.exchange.xliff import export_xliff_by_pair

    return export_xliff_by_pair(store, document_ids)


def _document_writer(fmt: str) -> Callable[..., list[ExportedFile]]:
    def write(store, document_ids, approved_only: bool = True, *, bilingual: bool = False, glossary=None,
              **options) -> list[ExportedFile]:
        from workbench.exchange.documents import (
            build_translated_document,
            file_name,
            render_document,
            translatable_document_ids,
            unique_file_names,
        )

        documents = [build_translated_document(store, document_id)
                     for document_id in translatable_document_ids(store, document_ids)]
        names = unique_file_names([file_name(document, fmt, bilingual=bilingual) for document in documents])
        return [ExportedFile("", render_document(document, fmt, bilingual=bilingual, glossary=glossary),
                             len(document.segments), file_name=name, document_id=document.document_id)
                for document, name in zip(documents, names, strict=True)]
    return write


FORMATS: dict[str, ExportFormat] = {}


def register_format(fmt: ExportFormat) -> None:
    """Add a format to the registry."""
    FORMATS[fmt.name] = fmt


for _fmt in (
    ExportFormat("tmx", "TMX 1.4", "tmx", "application/x-tmx+xml", _segment_writer(rows_to_tmx)),
    ExportFormat("tsv", "TSV (tab-separated)", "tsv", "text/tab-separated-values",
                 _segment_writer(rows_to_tsv, spreadsheet=True)),
    ExportFormat("jsonl", "JSONL (one JSON object per line)", "jsonl", "application/jsonl",
                 _segment_writer(rows_to_jsonl)),
    ExportFormat("xliff", "XLIFF 2.0 (every segment, with its state; one file per language pair)", "xlf",
                 "application/xliff+xml", _write_xliff, approved_only_applies=False),
    ExportFormat("txt", "Translated document, plain text (one file per document)", "txt",
                 "text/plain; charset=utf-8", _document_writer("txt"), approved_only_applies=False,
                 per_document=True),
    ExportFormat("docx", "Translated document, Word (one file per document; can be bilingual)", "docx",
                 "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                 _document_writer("docx"), approved_only_applies=False, per_document=True, bilingual_applies=True),
    ExportFormat("html", "Translated document, HTML (one file per document; can be bilingual)", "html",
                 "text/html; charset=utf-8", _document_writer("html"), approved_only_applies=False,
                 per_document=True, bilingual_applies=True),
):
    register_format(_fmt)


def export_format(name: str) -> ExportFormat:
    """The registered format called `name`, or an ExportError listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format '{name}' (one of {', '.join(FORMATS)})") from None


def write_export(store, document_ids: list[int] | None, name: str, *, approved_only: bool = True,
                 bilingual: bool = False, glossary=None) -> list[ExportedFile]:
    """Write the chosen documents in the named format.

    One file for TMX/TSV/JSONL, one per language pair for XLIFF, one per document for
    TXT/DOCX/HTML. `bilingual` (DOCX, HTML) puts source and target side by side;
    `glossary` marks its terms there.
    """
    fmt = export_format(name)
    if bilingual and not fmt.bilingual_applies:
        raise ExportError(f"--bilingual applies to {', '.join(n for n, f in FORMATS.items() if f.bilingual_applies)}"
                          f", not {name}")
    options = {"bilingual": bilingual, "glossary": glossary} if fmt.per_document else {}
    return fmt.write(store, document_ids, approved_only, **options)


def bundle_files(files: list[ExportedFile], fmt: ExportFormat, stem: str) -> tuple[str, bytes, str]:
    """(file name, bytes, MIME type) of a download: the single file, or a ZIP of one file per pair or document.

    Document formats name each file after its document (NAME.en.docx); the others use `stem`
    and their suffix (workbench-all-vi-en.xlf).
    """
    def name_of(exported: ExportedFile) -> str:
        return exported.file_name or f"{stem}{exported.name_suffix}.{fmt.extension}"

    if len(files) == 1:
        return name_of(files[0]), files[0].data, fmt.mime
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for exported in files:
            archive.writestr(name_of(exported), exported.data)
    return f"{stem}.zip", buffer.getvalue(), "application/zip"
