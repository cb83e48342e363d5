"""XLIFF 2.0 export and re-import, keeping segment states, for a round trip through a CAT tool.

Export writes one XLIFF 2.0 file per language pair with translate-toolkit's
`translate.storage.xliff2` (new in translate-toolkit 3.20): one `<file id="doc-N"
original=NAME>` per document and one `<unit id="seg-N">` per live segment, with
the reviewer's target (if any), the state, and the exact workbench status kept
in `subState="workbench:STATUS"`. The store status maps onto the four XLIFF
states as:

    new -> initial            translated -> translated     approved -> final
    draft -> initial, or translated once it has a target   reviewed -> reviewed
    rejected -> initial (with a note)

A unit also carries the segment's version, status and checkpoint as metadata
(`mda:metadata`, the XLIFF 2 metadata module) and the machine translation as a note.

Import reads the file with a hardened parser (no entity expansion, no network,
no huge trees; a DOCTYPE is refused outright), checks every unit first (known
segment ids, the right document and language) and only then applies anything:
a broken file changes nothing. Each changed unit is saved with
`ReviewStore.save_target`, so the history records the reviewer. A unit is
skipped, with a reason, when its source no longer matches the store, when the
store changed the segment since the export, or when the file drops a target the
store holds. When the state in the file still agrees with its `subState`, the
subState's exact status wins; otherwise the CAT tool changed the state and the
state decides (initial -> draft or new, translated, reviewed, final -> approved).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import DocumentError, LocatedError, SegmentRetired, StaleVersion, StoreError
from workbench.exchange.export import (
    ExportedFile,
    ExportError,
    ExportRow,
    collect_segments,
    refuse_what_xml_cannot_carry,
)
from workbench.text import collapse_spaces

XLIFF_NS = "urn:oasis:names:tc:xliff:document:2.0"
MDA_NS = "urn:oasis:names:tc:xliff:metadata:2.0"
XLIFF_STATES = ("initial", "translated", "reviewed", "final")
SUBSTATE_PREFIX = "workbench:"
_XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
_UNIT_ID = re.compile(r"^seg-(\d+)$")
_FILE_ID = re.compile(r"^doc-(\d+)$")
_STATE_OF_STATUS = {"new": "initial", "draft": "translated", "translated": "translated",
                    "reviewed": "reviewed", "approved": "final", "rejected": "initial"}
_STATUS_OF_STATE = {"translated": "translated", "reviewed": "reviewed", "final": "approved"}
# Largest XLIFF file imported at once. lxml's tree takes about 12 times the file's size
# (1.2 GB for a 103 MB file), so 50 MiB stays well under a GB; a bigger round trip is
# exported and imported in parts (`export --doc`).
MAX_XLIFF_BYTES = 50 * 2**20


class XliffImportError(LocatedError):
    """An XLIFF file cannot be imported: not XML, not XLIFF 2, or units the store does not know.

    `problems` holds every (line, reason) found; the message names the first.
    """

    def __init__(self, reason: str, path: str | Path | None = None, line: int | None = None,
                 problems: list[tuple[int | None, str]] | None = None):
        self.problems = problems or [(line, reason)]
        super().__init__(reason, path, line)


@dataclass
class SkippedUnit:
    """A unit of an imported file that was not applied, and why."""

    unit_id: str
    line: int | None
    reason: str


@dataclass
class ImportResult:
    """What importing one XLIFF file changed."""

    updated: list[int] = field(default_factory=list)  # segment ids
    unchanged: int = 0
    skipped: list[SkippedUnit] = field(default_factory=list)

    def summary(self) -> str:
        """One line: `updated N, unchanged N, skipped N`."""
        return (f"updated {len(self.updated)}, unchanged {self.unchanged}, "
                f"skipped {len(self.skipped)}")


def status_to_state(status: str, has_target: bool) -> str:
    """The XLIFF 2 state of a store status; always `initial` without a target."""
    if not has_target:
        return "initial"
    return _STATE_OF_STATUS[status]


def state_to_status(state: str, sub_state: str | None, has_target: bool) -> str:
    """The store status for an XLIFF state, preferring a workbench subState that still fits."""
    if sub_state and sub_state.startswith(SUBSTATE_PREFIX):
        status = sub_state[len(SUBSTATE_PREFIX):]
        # A subState that disagrees with the state is stale: the CAT tool moved the state.
        if (status in _STATE_OF_STATUS and status_to_state(status, has_target) == state
                and not (status == "new" and has_target)):
            return status
    if state == "initial":
        return "draft" if has_target else "new"
    return _STATUS_OF_STATE[state]


# -- export -----------------------------------------------------------------------------

def export_xliff(store, document_ids: list[int] | None = None) -> bytes:
    """Every live segment of the chosen documents (None: all non-archived) as one XLIFF 2.0 file.

    An XLIFF 2 file holds one language pair; documents of several pairs raise an ExportError
    (`export_xliff_by_pair` writes one file per pair instead).
    """
    rows = collect_segments(store, document_ids, approved_only=False, with_target_only=False)
    if not rows:
        raise ExportError("nothing to export: the chosen documents have no live segments")
    pairs = sorted({(row.source_lang, row.target_lang) for row in rows})
    if len(pairs) > 1:
        raise ExportError(
            "an XLIFF 2 file holds one language pair, and these documents have "
            f"{', '.join(f'{s}->{t}' for s, t in pairs)}; export each pair separately")
    return _xliff_bytes(rows)


def export_xliff_by_pair(store, document_ids: list[int] | None = None) -> list:
    """One XLIFF 2.0 file per language pair of the chosen documents, as `ExportedFile`s named `-vi-en`..."""
    rows = collect_segments(store, document_ids, approved_only=False, with_target_only=False)
    if not rows:
        raise ExportError("nothing to export: the chosen documents have no live segments")
    by_pair: dict[tuple[str, str], list[ExportRow]] = {}
    for row in rows:
        by_pair.setdefault((row.source_lang, row.target_lang), []).append(row)
    return [ExportedFile(f"-{source}-{target}" if len(by_pair) > 1 else "", _xliff_bytes(pair_rows), len(pair_rows))
            for (source, target), pair_rows in sorted(by_pair.items())]


def _xliff_bytes(rows: list[ExportRow]) -> bytes:
    from lxml import etree
    from translate.storage.xliff2 import Xliff2File

    refuse_what_xml_cannot_carry(rows, "XLIFF")
    source_lang, target_lang = rows[0].source_lang, rows[0].target_lang
    xliff = Xliff2File(sourcelanguage=source_lang, targetlanguage=target_lang)
    root = xliff.document.getroot()
    first_file = xliff.body  # the skeleton's empty <file>, reused for the first document
    current = None
    for row in rows:
        if row.document_id != current:
            current = row.document_id
            file_node = first_file if first_file is not None else etree.SubElement(
                root, f"{{{XLIFF_NS}}}file")
            first_file = None
            file_node.set("id", f"doc-{row.document_id}")
            file_node.set("original", row.document_name)  # the name: no server path leaves the store
            xliff.body = file_node
        _add_unit(xliff, row)
    etree.cleanup_namespaces(root, top_nsmap={"mda": MDA_NS})
    return bytes(xliff)


def _add_unit(xliff, row: ExportRow) -> None:
    from lxml import etree

    has_target = bool(row.target)
    unit = xliff.addsourceunit(row.source)
    unit.setid(f"seg-{row.segment_id}")
    if has_target:
        unit.target = row.target
    unit.xmlelement.set("state", status_to_state(row.status, has_target))
    unit.xmlelement.set("subState", SUBSTATE_PREFIX + row.status)
    unit_node = unit.getunitelement()
    # translate-toolkit marks <segment> xml:space="preserve", an attribute XLIFF 2 allows on
    # <unit> but not on <segment>; move it up (it still covers source and target).
    space = unit.xmlelement.attrib.pop(_XML_SPACE, None)
    if space:
        unit_node.set(_XML_SPACE, space)
    # Core XLIFF 2 orders a unit's children: module elements, <notes>, then <segment>s.
    # translate-toolkit's addnote would put the note inside <segment>, so build them here.
    metadata = etree.Element(f"{{{MDA_NS}}}metadata")
    group = etree.SubElement(metadata, f"{{{MDA_NS}}}metaGroup", category="workbench")
    for kind, value in (("document", row.document_name), ("version", row.version),
                        ("status", row.status), ("checkpoint", row.checkpoint)):
        if value is not None:
            etree.SubElement(group, f"{{{MDA_NS}}}meta", type=kind).text = str(value)
    unit_node.insert(0, metadata)
    notes = []
    if row.status == "rejected":
        notes.append(("workbench-status", "Rejected by a reviewer: needs a new translation."))
    if row.mt:
        notes.append(("machine-translation", row.mt))
    if notes:
        notes_node = etree.Element(f"{{{XLIFF_NS}}}notes")
        for category, text in notes:
            etree.SubElement(notes_node, f"{{{XLIFF_NS}}}note", category=category).text = text
        metadata.addnext(notes_node)


# -- import -----------------------------------------------------------------------------

@dataclass
class _Unit:
    """One unit as read from the file."""

    unit_id: str
    line: int | None
    segment_id: int
    file_document_id: int | None
    segments: int
    source: str | None
    target: str | None
    state: str
    sub_state: str | None
    exported_version: int | None


@dataclass
class _Change:
    segment_id: int
    unit_id: str
    line: int | None
    text: str | None
    status: str
    version: int


def check_xliff_size(size: int, path: str | Path | None = None) -> None:
    """Refuse an XLIFF file above MAX_XLIFF_BYTES before it is read or parsed."""
    if size > MAX_XLIFF_BYTES:
        raise XliffImportError(
            f"the file is {size / 2**20:.1f} MiB, above the {MAX_XLIFF_BYTES // 2**20} MiB limit of one "
            "XLIFF import (parsing takes about 12 times the file's size in memory); export and import "
            "fewer documents at a time (`export --format xliff --doc ...`); nothing was imported", path)


def read_xliff_file(path: str | Path) -> bytes:
    """The bytes of an XLIFF file through the guarded door: a regular file, at most MAX_XLIFF_BYTES read."""
    from workbench.files import check_regular, read_guarded

    try:
        check_xliff_size(check_regular(path).st_size, path)  # before reading it all into memory
        return read_guarded(path, MAX_XLIFF_BYTES, what="the XLIFF file",
                            advice=" of one XLIFF import; export and import fewer documents at a time "
                                   "(`export --format xliff --doc ...`); nothing was imported")
    except DocumentError as exc:
        raise XliffImportError(exc.reason, path) from None


def parse_xliff_bytes(data: bytes, path: str | Path | None = None):
    """Parse untrusted XLIFF bytes safely; return the root element of an XLIFF 2.x file.

    Entities are never expanded, so checking the root before refusing a DOCTYPE is safe,
    and names the real problem when someone passes a TMX or XLIFF 1.2 file.
    """
    from lxml import etree

    if isinstance(data, str):
        data = data.encode("utf-8")
    check_xliff_size(len(data), path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False,
                             load_dtd=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise XliffImportError(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None
    name = etree.QName(root)
    if name.namespace != XLIFF_NS or name.localname != "xliff":
        found = f"<{name.localname}>" + (f" in namespace {name.namespace}" if name.namespace
                                         else " without a namespace")
        raise XliffImportError(f"not an XLIFF 2 file: the root element is {found}, expected "
                               f"<xliff> in namespace {XLIFF_NS}", path, root.sourceline)
    version = root.get("version", "")
    if not version.startswith("2."):
        raise XliffImportError(f"not an XLIFF 2 file: version '{version}' (expected 2.x)",
                               path, root.sourceline)
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        # XLIFF 2 needs no DTD; one in a received file is an entity attack or a mistake.
        line = data[:data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1
        raise XliffImportError("refusing a file with a DOCTYPE declaration "
                               "(XLIFF 2 uses no DTD, and entities are not expanded)", path, line)
    return root


def _text(node) -> str | None:
    if node is None:
        return None
    # Inline codes (<mrk>, <pc>) a CAT tool may add keep their text; placeholders drop.
    return "".join(node.itertext())


def _read_units(root) -> tuple[list[_Unit], list[tuple[int | None, str]]]:
    units: list[_Unit] = []
    problems: list[tuple[int | None, str]] = []
    seen: dict[str, int | None] = {}
    for file_node in root.iterchildren(f"{{{XLIFF_NS}}}file"):
        file_match = _FILE_ID.match(file_node.get("id") or "")
        file_document_id = int(file_match.group(1)) if file_match else None
        for unit in file_node.iter(f"{{{XLIFF_NS}}}unit"):
            unit_id = unit.get("id") or ""
            line = unit.sourceline
            match = _UNIT_ID.match(unit_id)
            if not match:
                problems.append((line, f"unit id '{unit_id}' is not a workbench segment id "
                                       "(seg-N); only files exported by the workbench come back"))
                continue
            if unit_id in seen:
                problems.append((line, f"unit '{unit_id}' appears twice (first on line "
                                       f"{seen[unit_id]})"))
                continue
            seen[unit_id] = line
            segments = unit.findall(f"{{{XLIFF_NS}}}segment")
            segment = segments[0] if segments else None
            state = segment.get("state", "initial") if segment is not None else "initial"
            if state not in XLIFF_STATES:
                problems.append((segment.sourceline, f"unit '{unit_id}': unknown state "
                                 f"'{state}' (one of {', '.join(XLIFF_STATES)})"))
                continue
            source = _text(segment.find(f"{{{XLIFF_NS}}}source")) if segment is not None else None
            if len(segments) == 1 and source is None:
                problems.append((segment.sourceline, f"unit '{unit_id}' has no <source>"))
                continue
            version_text = unit.findtext(
                f"{{{MDA_NS}}}metadata/{{{MDA_NS}}}metaGroup[@category='workbench']/"
                f"{{{MDA_NS}}}meta[@type='version']")
            try:
                exported_version = int(version_text) if version_text else None
            except ValueError:
                problems.append((line, f"unit '{unit_id}': version '{version_text}' is not a number"))
                continue
            target = _text(segment.find(f"{{{XLIFF_NS}}}target")) if segment is not None else None
            units.append(_Unit(
                unit_id=unit_id, line=line, segment_id=int(match.group(1)),
                file_document_id=file_document_id, segments=len(segments), source=source,
                target=target or None, state=state,
                sub_state=segment.get("subState") if segment is not None else None,
                exported_version=exported_version))
    return units, problems


def _plan(store, root, units: list[_Unit], problems: list) -> tuple[list[_Change], ImportResult]:
    """Check every unit against the store; problems are collected, decisions returned."""
    result = ImportResult()
    changes: list[_Change] = []
    source_lang, target_lang = root.get("srcLang"), root.get("trgLang")
    documents: dict[int, object] = {}
    for unit in units:
        try:
            segment = store.segment(unit.segment_id)
        except StoreError:
            problems.append((unit.line, f"unit '{unit.unit_id}': no segment {unit.segment_id} "
                                        f"in {store.path}"))
            continue
        if unit.file_document_id is not None and segment.document_id != unit.file_document_id:
            problems.append((unit.line, f"unit '{unit.unit_id}': segment {segment.id} belongs to "
                                        f"document {segment.document_id}, not "
                                        f"{unit.file_document_id}"))
            continue
        if segment.document_id not in documents:
            documents[segment.document_id] = store.document(segment.document_id)
        document = documents[segment.document_id]
        # trgLang is optional in XLIFF 2 until a target exists; compare it only when given.
        if (source_lang != document.lang
                or (target_lang is not None and target_lang != document.target_lang)):
            problems.append((unit.line, f"unit '{unit.unit_id}': the file is {source_lang}->"
                                        f"{target_lang} but document {document.name} is "
                                        f"{document.lang}->{document.target_lang}"))
            continue

        def skip(reason: str, unit=unit) -> None:
            result.skipped.append(SkippedUnit(unit.unit_id, unit.line, reason))

        if unit.segments != 1:
            skip(f"the unit holds {unit.segments} segments; the workbench keeps one per unit "
                 "(undo the split or join in the CAT tool)")
            continue
        if segment.position is None:
            skip("the segment is no longer in its document (retired when the document changed)")
            continue
        if collapse_spaces(unit.source) != collapse_spaces(segment.source_text):
            skip(f"the source changed: the store has {segment.source_text!r}, "
                 f"the file {unit.source!r}")
            continue
        status = state_to_status(unit.state, unit.sub_state, unit.target is not None)
        if unit.target == (segment.target_text or None) and status == segment.status:
            result.unchanged += 1
            continue
        if unit.exported_version is not None and unit.exported_version != segment.version:
            skip(f"the segment changed in the store since the export (exported version "
                 f"{unit.exported_version}, stored version {segment.version}); export again")
            continue
        if unit.target is None and segment.target_text:
            skip("the file has no target for a segment the store has translated; "
                 "clear it in the workbench instead")
            continue
        changes.append(_Change(segment.id, unit.unit_id, unit.line, unit.target, status,
                               segment.version))
    return changes, result


def import_xliff(store, data: bytes, *, reviewer: str, path: str | Path | None = None,
                 vet=None) -> ImportResult:
    """Apply the targets and states of an XLIFF 2 file to the store; all checks come first.

    `vet(changes)`, when given, sees every planned change (segment_id, unit_id, line, text,
    status, version) before anything is written and may refuse the import by raising
    (`workbench.actions.import_xliff` checks the reviewer's role and approved work there).
    """
    if not reviewer or not reviewer.strip():
        raise StoreError("a reviewer name is required to import changes")
    root = parse_xliff_bytes(data, path)
    units, problems = _read_units(root)
    changes, result = _plan(store, root, units, problems)
    if problems:
        problems.sort(key=lambda p: (p[0] is None, p[0] or 0))
        line, reason = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise XliffImportError(reason + more + "; nothing was imported", path, line, problems)
    if vet is not None:
        vet(changes)
    with store.transaction():  # all of it or nothing: a kill or an error midway applies no change
        _apply(store, changes, result, reviewer)
    return result


def _apply(store, changes, result: ImportResult, reviewer: str) -> None:
    for change in changes:
        try:
            store.save_target(change.segment_id, change.text, change.status, reviewer=reviewer,
                              expected_version=change.version)
        except StaleVersion as exc:
            # Someone saved this segment between our check and our write: theirs stands.
            result.skipped.append(SkippedUnit(change.unit_id, change.line,
                                              f"changed by someone else during the import "
                                              f"(stored version {exc.current})"))
            continue
        except SegmentRetired:
            # A re-import of the document retired it between our check and our write.
            result.skipped.append(SkippedUnit(change.unit_id, change.line,
                                              "the document was re-imported during the import and this "
                                              "segment was retired"))
            continue
        result.updated.append(change.segment_id)
