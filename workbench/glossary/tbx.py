"""TBX import and export, so the glossary travels to and from CAT tools.

Export writes TBX-Basic in the TBX 2019 (ISO 30042:2019) DCA style: one
`conceptEntry` per glossary entry, one `langSec` per language, one `termSec`
per form. The canonical term is `preferredTerm-admn-sts`, variants are
`admittedTerm-admn-sts`, forbidden renderings are `deprecatedTerm-admn-sts`;
the note is a `note`. TBX-Basic has no data category for the two switches
(case_sensitive, enforce) or the context rules, so they go into a second `note` starting with
"workbench:", which a round trip reads back and other tools show as text.

Import reads that, and also the older TBX v2 (`martif`, `termEntry`,
`langSet`, `tig`/`ntig`) that many CAT tools still write. A language other
than vi, en or zh, or an entry without an English term, is reported with its
line in the TBX file; nothing is dropped silently.
"""

from __future__ import annotations

import re
from pathlib import Path

from workbench.errors import DocumentError, GlossaryError, LocatedError
from workbench.files import parse_xml, read_guarded, write_atomic
from workbench.glossary.entries import LANGUAGES, Glossary, GlossaryEntry, format_context, parse_context
from workbench.glossary.files import (
    COLUMNS,
    FORM_SEPARATOR,
    GlossaryFileError,
    cross_entry_problems,
)

MAX_TBX_BYTES = 50 * 1024 * 1024
TBX_NAMESPACE = "urn:iso:std:iso:30042:ed-2"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STATUS = {"term": "preferredTerm-admn-sts", "variant": "admittedTerm-admn-sts",
          "forbidden": "deprecatedTerm-admn-sts"}
FORBIDDEN_STATUSES = {"deprecatedTerm-admn-sts", "supersededTerm-admn-sts", "deprecatedterm",
                      "supersededterm", "deprecated", "forbidden", "notrecommended"}
PREFERRED_STATUSES = {"preferredTerm-admn-sts", "preferredterm", "preferred"}
FLAGS_PREFIX = "workbench:"


def export_tbx(glossary: Glossary, path: str | Path | None = None) -> bytes:
    """TBX-Basic bytes of the glossary; written to `path` too when given."""
    from lxml import etree

    root = etree.Element(f"{{{TBX_NAMESPACE}}}tbx", nsmap={None: TBX_NAMESPACE},
                         attrib={"type": "TBX-Basic", "style": "dca", XML_LANG: "en"})
    header = etree.SubElement(root, f"{{{TBX_NAMESPACE}}}tbxHeader")
    file_desc = etree.SubElement(header, f"{{{TBX_NAMESPACE}}}fileDesc")
    source_desc = etree.SubElement(file_desc, f"{{{TBX_NAMESPACE}}}sourceDesc")
    paragraph = etree.SubElement(source_desc, f"{{{TBX_NAMESPACE}}}p")
    paragraph.text = f"Workbench glossary, version {glossary.version}"
    body = etree.SubElement(etree.SubElement(root, f"{{{TBX_NAMESPACE}}}text"),
                            f"{{{TBX_NAMESPACE}}}body")
    for entry in glossary:
        concept = etree.SubElement(body, f"{{{TBX_NAMESPACE}}}conceptEntry", id=entry.id)
        if entry.note:
            etree.SubElement(concept, f"{{{TBX_NAMESPACE}}}note").text = entry.note
        flags = etree.SubElement(concept, f"{{{TBX_NAMESPACE}}}note")
        flags.text = (f"{FLAGS_PREFIX} case_sensitive={'yes' if entry.case_sensitive else 'no'}; "
                      f"enforce={'yes' if entry.enforce else 'no'}"
                      + (f"; context={format_context(entry.context)}" if entry.context else ""))
        for lang in LANGUAGES:
            forms = [(entry.term(lang), "term")] if entry.term(lang) else []
            forms += [(form, "variant") for form in entry.variants.get(lang, ())]
            forms += [(form, "forbidden") for form in entry.forbidden.get(lang, ())]
            if not forms:
                continue
            lang_sec = etree.SubElement(concept, f"{{{TBX_NAMESPACE}}}langSec",
                                        attrib={XML_LANG: lang})
            for form, kind in forms:
                term_sec = etree.SubElement(lang_sec, f"{{{TBX_NAMESPACE}}}termSec")
                etree.SubElement(term_sec, f"{{{TBX_NAMESPACE}}}term").text = form
                status = etree.SubElement(term_sec, f"{{{TBX_NAMESPACE}}}termNote",
                                          type="administrativeStatus")
                status.text = STATUS[kind]
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    if path is not None:
        write_atomic(path, data)
    return data


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element, *names):
    return [child for child in element if _local(child.tag) in names]


def _descendants(element, *names):
    return [node for node in element.iter() if _local(node.tag) in names]


def import_tbx(path: str | Path) -> Glossary:
    """Read a TBX file (TBX 2019 or TBX v2) into a glossary; raise GlossaryError on problems."""
    path = Path(path)
    problems: list[LocatedError] = []
    try:  # the guarded door: a regular file, bounded; no DTD, no entity, depth limits
        root = parse_xml(read_guarded(path, MAX_TBX_BYTES, what="the TBX file"), path, what="the TBX file",
                         allow_doctype=True)
    except DocumentError as exc:
        raise GlossaryError([GlossaryFileError(exc.reason, path, exc.line)]) from None
    entries = []
    concepts = _descendants(root, "conceptEntry", "termEntry")
    if not concepts:
        problems.append(GlossaryFileError("no conceptEntry or termEntry elements", path, 1))
    seen_ids: set[str] = set()
    for number, concept in enumerate(concepts, start=1):
        entry = _read_concept(concept, number, path, problems, seen_ids)
        if entry is not None:
            entries.append(entry)
    problems.extend(cross_entry_problems(entries))
    if problems:
        raise GlossaryError(problems)
    return Glossary(entries, sources=[str(path)])


def _read_concept(concept, number: int, path: Path, problems: list, seen_ids: set):
    def problem(reason: str, element=concept) -> None:
        problems.append(GlossaryFileError(reason, path, element.sourceline))

    entry_id = concept.get("id") or f"tbx-{number}"
    entry_id = re.sub(r"[^A-Za-z0-9._:-]", "-", entry_id).lstrip("._:-") or f"tbx-{number}"
    if entry_id in seen_ids:
        problem(f"duplicate id '{entry_id}'")
        return None
    seen_ids.add(entry_id)
    notes, case_sensitive, enforce, context = [], False, True, {}
    for note in _children(concept, "note", "descrip", "descripGrp"):
        text = "".join(note.itertext()).strip()
        if text.startswith(FLAGS_PREFIX):
            settings = dict(part.strip().split("=", 1) for part in text[len(FLAGS_PREFIX):].split(";")
                            if "=" in part)
            case_sensitive = settings.get("case_sensitive", "no").strip() == "yes"
            enforce = settings.get("enforce", "yes").strip() == "yes"
            try:
                context = parse_context(settings.get("context", ""))
            except ValueError as exc:
                problem(f"entry '{entry_id}': {exc}", note)
        elif text:
            notes.append(text)
    terms, variants, forbidden = {}, {}, {}
    for lang_sec in _children(concept, "langSec", "langSet"):
        raw_lang = lang_sec.get(XML_LANG) or lang_sec.get("lang") or ""
        lang = raw_lang.split("-")[0].split("_")[0].lower()
        if lang not in LANGUAGES:
            problem(f"entry '{entry_id}': language '{raw_lang}' is not one of vi, en, zh", lang_sec)
            continue
        preferred, admitted, deprecated = [], [], []
        for term_sec in _children(lang_sec, "termSec", "tig", "ntig"):
            term_nodes = _descendants(term_sec, "term")
            text = " ".join("".join(term_nodes[0].itertext()).split()) if term_nodes else ""
            if not text:
                problem(f"entry '{entry_id}': empty term", term_sec)
                continue
            status = ""
            for note in _descendants(term_sec, "termNote"):
                if note.get("type") == "administrativeStatus":
                    status = (note.text or "").strip()
            if status.lower() in {s.lower() for s in FORBIDDEN_STATUSES}:
                deprecated.append(text)
            elif status.lower() in {s.lower() for s in PREFERRED_STATUSES}:
                preferred.append(text)
            else:
                admitted.append(text)
        # The first preferred term is canonical; without one, the first admitted term is.
        ordered = preferred + admitted
        if ordered:
            terms[lang] = ordered[0]
            if ordered[1:]:
                variants[lang] = tuple(ordered[1:])
        if deprecated:
            forbidden[lang] = tuple(deprecated)
    if "en" not in terms:
        problem(f"entry '{entry_id}': no English term")
        return None
    if not terms.keys() & {"vi", "zh"}:
        problem(f"entry '{entry_id}': no Vietnamese or Chinese term")
        return None
    return GlossaryEntry(entry_id, terms, variants, forbidden, " ".join(notes), case_sensitive,
                         enforce, str(path), concept.sourceline, context)


def write_tsv(glossary: Glossary, path: str | Path) -> None:
    """Write a glossary as a TSV file in the format `load_glossary` reads."""
    lines = ["\t".join(COLUMNS)]
    for entry in glossary:
        cells = {"id": entry.id, "note": entry.note, "context": format_context(entry.context),
                 "case_sensitive": "yes" if entry.case_sensitive else "no",
                 "enforce": "yes" if entry.enforce else "no"}
        for lang in LANGUAGES:
            cells[lang] = entry.term(lang) or ""
            cells[f"{lang}_variants"] = FORM_SEPARATOR.join(entry.variants.get(lang, ()))
            cells[f"{lang}_forbidden"] = FORM_SEPARATOR.join(entry.forbidden.get(lang, ()))
        row = [" ".join(cells[column].split()) for column in COLUMNS]  # no tabs or newlines
        lines.append("\t".join(row))
    write_atomic(path, "\n".join(lines) + "\n")
