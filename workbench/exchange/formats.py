"""The one registry of export formats, used by the `export` command and the Export page.

Each `ExportFormat` names itself, its file extension and MIME type, and how it is
written from the review store. Segment formats (TMX, TSV, JSONL) carry approved
segments unless told otherwise; XLIFF carries every live segment with its state,
one language pair per file (`write_export` returns one file per pair when the
chosen documents hold several). Document formats (the translated document itself)
register here too, so the command line and the UI offer the same list.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench.exchange.export import ExportError, collect_segments, rows_to_jsonl, rows_to_tmx, rows_to_tsv


@dataclass(frozen=True)
class ExportedFile:
    """One written export: a suggested file name suffix (before the extension), bytes, how many segments."""

    name_suffix: str
    data: bytes
    segments: int


@dataclass(frozen=True)
class ExportFormat:
    """A way out of the review store."""

    name: str  # the `--format` value
    label: str  # what the Export page shows
    extension: str
    mime: str
    # (store, document ids or None, approved_only) -> files; most formats write one.
    write: Callable[..., list[ExportedFile]]
    approved_only_applies: bool = True  # False: the format always carries every live segment


def _segment_writer(render: Callable) -> Callable[..., list[ExportedFile]]:
    def write(store, document_ids, approved_only: bool = True) -> list[ExportedFile]:
        rows = collect_segments(store, document_ids, approved_only=approved_only)
        return [ExportedFile("", render(rows), len(rows))]
    return write


def _write_xliff(store, document_ids, approved_only: bool = True) -> list[ExportedFile]:
    from workbench.exchange.xliff import export_xliff_by_pair

    return export_xliff_by_pair(store, document_ids)


FORMATS: dict[str, ExportFormat] = {}


def register_format(fmt: ExportFormat) -> None:
    """Add a format to the registry (document formats register from their own module)."""
    FORMATS[fmt.name] = fmt


for _fmt in (
    ExportFormat("tmx", "TMX 1.4", "tmx", "application/x-tmx+xml", _segment_writer(rows_to_tmx)),
    ExportFormat("tsv", "TSV (tab-separated)", "tsv", "text/tab-separated-values", _segment_writer(rows_to_tsv)),
    ExportFormat("jsonl", "JSONL (one JSON object per line)", "jsonl", "application/jsonl",
                 _segment_writer(rows_to_jsonl)),
    ExportFormat("xliff", "XLIFF 2.0 (every segment, with its state; one file per language pair)", "xlf",
                 "application/xliff+xml", _write_xliff, approved_only_applies=False),
):
    register_format(_fmt)


def export_format(name: str) -> ExportFormat:
    """The registered format called `name`, or an ExportError listing the known ones."""
    try:
        return FORMATS[name]
    except KeyError:
        raise ExportError(f"unknown export format '{name}' (one of {', '.join(FORMATS)})") from None


def write_export(store, document_ids: list[int] | None, name: str, *, approved_only: bool = True
                 ) -> list[ExportedFile]:
    """Write the chosen documents in the named format; one file, or one per language pair for XLIFF."""
    return export_format(name).write(store, document_ids, approved_only)
