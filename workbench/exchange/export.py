"""Export reviewed segments as TMX 1.4, TSV or JSONL.

One row per live segment that has a reviewer's target text; by default only
approved segments leave the store, since a translation memory should hold only
what a reviewer signed off. Languages come from each document row (`lang` ->
`target_lang`), so one export may mix vi->en and en->vi documents: TMX carries
the source language on every unit, TSV and JSONL on every row.

TMX is written with translate-toolkit (`translate.storage.tmx`); each unit keeps
the document, segment id, status and checkpoint as `x-` properties. TSV has a
header row and escapes backslash, tab, CR and newline as `\\\\`, `\\t`, `\\r`,
`\\n` (`read_tsv` undoes it). JSONL is UTF-8, one object per line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath, PureWindowsPath

from workbench.errors import StoreError, WorkbenchError
from workbench.files import spreadsheet_safe, spreadsheet_unsafe
from workbench.mt.plausibility import is_plausible
from workbench.text import xml_forbidden_character

TSV_COLUMNS = ("document", "segment_id", "position", "status", "source_lang", "target_lang",
               "source", "target", "mt")
_TSV_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}
_TSV_UNESCAPES = {"\\\\": "\\", "\\t": "\t", "\\n": "\n", "\\r": "\r"}


class ExportError(WorkbenchError):
    """An export cannot be written (unknown format, nothing that fits the format...)."""


class UnknownDocument(ExportError):
    """A document named for export is not in the review store."""


@dataclass(frozen=True)
class ExportedFile:
    """One written export: bytes, how many segments, and how to name the file.

    Segment formats give a `name_suffix` to put before the extension of the file the
    user chose; document formats give the whole `file_name` of each document.
    """

    name_suffix: str
    data: bytes
    segments: int
    file_name: str | None = None
    document_id: int | None = None


@dataclass
class ExportRow:
    """One segment as it leaves the store."""

    document_id: int
    document_path: str
    document_name: str
    segment_id: int
    position: int
    source: str
    target: str | None
    mt: str | None
    status: str
    version: int
    source_lang: str
    target_lang: str
    checkpoint: str | None


def resolve_documents(store, refs: Iterable[str | int] | None) -> list[int] | None:
    """Document ids for references given as ids, file names or paths; None stays None."""
    if refs is None:
        return None
    refs = list(refs)
    if not refs:
        return None
    rows = store.documents(include_archived=True)
    ids: list[int] = []
    for ref in refs:
        text = str(ref).strip()
        matches = [row.id for row in rows if text.isdigit() and row.id == int(text)]
        if not matches:
            matches = [row.id for row in rows if text in (row.path, row.name)]
        if not matches:
            raise UnknownDocument(f"no document '{text}' in {store.path} "
                                  "(give an id, a file name or a path; see `status`)")
        if len(matches) > 1:
            raise UnknownDocument(f"'{text}' names {len(matches)} documents "
                                  f"(ids {', '.join(map(str, matches))}); give the id instead")
        if matches[0] not in ids:
            ids.append(matches[0])
    return ids


def _document_rows(store, document_ids: list[int] | None) -> list:
    if document_ids is None:
        return list(store.documents())
    rows = []
    for document_id in dict.fromkeys(document_ids):
        try:
            rows.append(store.document(document_id))
        except StoreError as exc:
            raise UnknownDocument(str(exc)) from None
    return rows


def collect_segments(store, document_ids: list[int] | None = None, *, approved_only: bool = True,
                     with_target_only: bool = True) -> list[ExportRow]:
    """The live segments of the chosen documents (None: all non-archived) as export rows."""
    rows: list[ExportRow] = []
    for doc in _document_rows(store, document_ids):
        for segment in store.segments(doc.id):
            if approved_only and segment.status != "approved":
                continue
            if with_target_only and not (segment.target_text or "").strip():
                continue
            # Implausible MT (a random-weight test model's noise, a repetition loop, the wrong
            # language...) never leaves the store as machine translation.
            mt = segment.mt_text if is_plausible(segment.source_text, segment.mt_text, doc.lang,
                                                 doc.target_lang, random_weights=segment.random_weights) else None
            rows.append(ExportRow(
                document_id=doc.id, document_path=doc.path, document_name=doc.name,
                segment_id=segment.id, position=segment.position, source=segment.source_text,
                target=segment.target_text, mt=mt, status=segment.status,
                version=segment.version, source_lang=doc.lang,
                target_lang=doc.target_lang, checkpoint=checkpoint_label(segment.checkpoint)))
    return rows


def checkpoint_label(checkpoint: str | None) -> str | None:
    """A checkpoint as exports name it: a hub name as is, a local folder by its last part (no server path)."""
    if checkpoint and (checkpoint.startswith(("/", "~", ".")) or "\\" in checkpoint or checkpoint[1:3] == ":\\"):
        return PureWindowsPath(checkpoint).name if "\\" in checkpoint else PurePosixPath(checkpoint).name
    return checkpoint


def export_segments(store, document_ids: list[int] | None, fmt: str, *,
                    approved_only: bool = True) -> bytes:
    """The chosen segments in one of the segment formats (tmx, tsv, jsonl), as bytes."""
    if fmt not in WRITERS:
        raise ExportError(f"unknown export format '{fmt}' (one of the segment formats {', '.join(WRITERS)})")
    return WRITERS[fmt](collect_segments(store, document_ids, approved_only=approved_only))


def refuse_what_xml_cannot_carry(rows: Iterable[ExportRow], format_name: str) -> None:
    """Raise ExportError naming the first segment holding a character XML forbids (a C0 control).

    translate-toolkit would drop such a character without a word, and the file would no
    longer say what the store holds; the reviewer edits it out instead.
    """
    for row in rows:
        for part, text in (("source", row.source), ("target", row.target), ("machine translation", row.mt),
                           ("document name", row.document_name)):
            char = xml_forbidden_character(text)
            if char is not None:
                raise ExportError(
                    f"{row.document_name}: segment {row.position + 1} (id {row.segment_id}): its {part} holds "
                    f"U+{ord(char):04X}, a control character that {format_name} (XML) cannot carry; "
                    "edit it out and export again")


def rows_to_tmx(rows: list[ExportRow]) -> bytes:
    """A TMX 1.4 file with one unit per row and the row's provenance as `x-` properties.

    A text holding a character XML forbids is refused (`refuse_what_xml_cannot_carry`).
    """
    from lxml import etree
    from translate.storage.tmx import tmxfile

    from workbench import __version__

    refuse_what_xml_cannot_carry(rows, "TMX")
    source_langs = {row.source_lang for row in rows}
    # TMX wants one header srclang; "*all*" is its word for "see each unit".
    header_lang = source_langs.pop() if len(source_langs) == 1 else "*all*"
    tmx = tmxfile(sourcelanguage=header_lang)
    tmx.addheader()
    header = tmx.document.getroot().find("header")
    header.set("creationtool", "workbench")
    header.set("creationtoolversion", __version__)
    for row in rows:
        unit = tmx.addsourceunit(row.source, row.source_lang)
        unit.settarget(row.target, row.target_lang, append=True)
        unit.xmlelement.set("tuid", f"seg-{row.segment_id}")
        first_tuv = unit.xmlelement.find("tuv")
        # The TMX DTD orders a unit's children note*, prop*, tuv+.
        for kind, value in (("x-document", row.document_name), ("x-segment-id", row.segment_id),
                            ("x-status", row.status), ("x-checkpoint", row.checkpoint)):
            if value is None:
                continue
            prop = etree.Element("prop", type=kind)
            prop.text = str(value)
            first_tuv.addprevious(prop)
    return bytes(tmx)


def _escape_tsv(value, raw: bool = False) -> str:
    if value is None:
        return ""
    text = str(value) if raw else spreadsheet_safe(str(value))
    return re.sub(r"[\\\t\n\r]", lambda m: _TSV_ESCAPES[m.group()], text)


def _unescape_tsv(value: str) -> str:
    return spreadsheet_unsafe(re.sub(r"\\[\\tnr]", lambda m: _TSV_UNESCAPES[m.group()], value))


def rows_to_tsv(rows: list[ExportRow], *, raw: bool = False) -> bytes:
    """Tab-separated values with a header row; tabs and line breaks inside fields escaped.

    Cells a spreadsheet would evaluate are neutralised (`workbench.files.spreadsheet_safe`)
    unless `raw`; `read_tsv` reads either back to the stored text (raw output cannot be
    told apart from a neutralised cell when a text itself starts with `'=`).
    """
    lines = ["\t".join(TSV_COLUMNS)]
    for row in rows:
        values = (row.document_name, row.segment_id, row.position, row.status, row.source_lang,
                  row.target_lang, row.source, row.target, row.mt)
        lines.append("\t".join(_escape_tsv(v, raw) for v in values))
    return ("\n".join(lines) + "\n").encode("utf-8")


def read_tsv(data: bytes) -> list[dict[str, str]]:
    """Parse `rows_to_tsv` output back into dicts keyed by the header (escapes undone)."""
    lines = data.decode("utf-8").rstrip("\n").split("\n")
    header = lines[0].split("\t")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        fields = line.split("\t")
        if len(fields) != len(header):
            raise ExportError(f"TSV line {number}: {len(fields)} fields, expected {len(header)}")
        records.append({name: _unescape_tsv(value) for name, value in zip(header, fields, strict=True)})
    return records


def rows_to_jsonl(rows: list[ExportRow]) -> bytes:
    """One JSON object per row and line, UTF-8, non-ASCII kept as is."""
    lines = []
    for row in rows:
        lines.append(json.dumps({
            # The document's name, never the server's path to it.
            "document": row.document_name, "document_name": row.document_name,
            "segment_id": row.segment_id, "position": row.position, "source": row.source,
            "target": row.target, "status": row.status, "mt": row.mt,
            "source_lang": row.source_lang, "target_lang": row.target_lang,
            "checkpoint": row.checkpoint,
        }, ensure_ascii=False))
    return "".join(line + "\n" for line in lines).encode("utf-8")


WRITERS = {"tmx": rows_to_tmx, "tsv": rows_to_tsv, "jsonl": rows_to_jsonl}
