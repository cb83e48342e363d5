"""TMX files into the translation memory: the memories teams bring from OmegaT, MateCat, Trados.

`read_tmx` parses a TMX 1.4 (or 1.1) file safely (lxml without entities, DTDs or
network; a DOCTYPE with an internal subset is refused, the usual external
`tmx14.dtd` reference is ignored) and returns its units for every direction between
the languages the workbench translates: a unit with `vi-VN` and `en-US` variants
serves vi→en and en→vi. Language codes are read by their first part
(`vi-VN`, `VI`, `en_GB`, `zh-Hans-CN`), `xml:lang` (TMX 1.4) or `lang` (TMX 1.1).
Inline codes (`<bpt>`, `<ept>`, `<ph>`, `<it>`, `<ut>`) are formatting of another
tool and are left out; the text of `<hi>` and `<sub>` is kept.

Every problem of the file is collected with its line before anything is stored;
`import_tmx` refuses a file with any problem (`TmxImportError`: file:line, nothing
stored), else stores its units through `workbench.review.memory.store_imported_units`,
labelled with the file's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import LocatedError
from workbench.review.memory import ImportedUnit, store_imported_units

#: Larger files are refused before parsing (lxml holds the whole tree, about 10 times the file).
MAX_TMX_BYTES = 100 * 2**20
#: The languages the workbench translates; variants in other languages are skipped.
MEMORY_LANGUAGES = ("vi", "en", "zh")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_KEPT_INLINE = {"hi", "sub"}


class TmxImportError(LocatedError):
    """A TMX file cannot be imported; `problems` holds every (line, reason) found, the message the first."""

    def __init__(self, reason: str, path=None, line=None, problems: list[tuple[int | None, str]] | None = None):
        super().__init__(reason, path, line)
        self.problems = problems or [(line, reason)]


@dataclass
class TmxContents:
    """What a TMX file holds for the workbench: units per direction and what was left out."""

    units: list[ImportedUnit] = field(default_factory=list)
    tu_count: int = 0
    single_language: int = 0  # units with fewer than two of our languages
    other_languages: set[str] = field(default_factory=set)

    def directions(self) -> dict[str, int]:
        """Units per direction, e.g. {"vi-en": 120, "en-vi": 120}."""
        counts: dict[str, int] = {}
        for unit in self.units:
            key = f"{unit.source_lang}-{unit.target_lang}"
            counts[key] = counts.get(key, 0) + 1
        return counts


@dataclass(frozen=True)
class TmxImportResult:
    """What one import stored."""

    origin: str
    contents: TmxContents
    added: int

    @property
    def already_present(self) -> int:
        """Units that an earlier import of a file of the same name had stored."""
        return len(self.contents.units) - self.added

    def summary(self) -> str:
        """One line for the CLI and the page."""
        directions = ", ".join(f"{count} {pair}" for pair, count in sorted(self.contents.directions().items()))
        line = (f"{self.origin}: {self.contents.tu_count} translation units read; {self.added} memory entries "
                f"added ({directions or 'none'})")
        if self.already_present:
            line += f", {self.already_present} already imported"
        if self.contents.single_language:
            line += f"; {self.contents.single_language} unit(s) without two of vi, en, zh skipped"
        if self.contents.other_languages:
            line += f"; languages not translated here skipped: {', '.join(sorted(self.contents.other_languages))}"
        return line


def language_code(value: str | None) -> str | None:
    """The primary language of a TMX language code: "vi-VN" -> "vi", "EN_us" -> "en"; None if empty."""
    if not value or not value.strip():
        return None
    return value.strip().replace("_", "-").split("-")[0].casefold()


def segment_text(seg) -> str:
    """The text of a `<seg>`: inline codes of other tools left out, highlighted text kept."""
    from lxml import etree

    parts = [seg.text or ""]
    for child in seg:
        if isinstance(child.tag, str) and etree.QName(child).localname in _KEPT_INLINE:
            parts.append(segment_text(child))
        parts.append(child.tail or "")
    return " ".join("".join(parts).split())


def _parse(data: bytes, path):
    from lxml import etree

    if len(data) > MAX_TMX_BYTES:
        raise TmxImportError(f"the file is {len(data) / 2**20:.1f} MiB, above the {MAX_TMX_BYTES // 2**20} MiB "
                             "limit of one TMX import; split it and import the parts; nothing was stored", path)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise TmxImportError(f"not well-formed XML: {exc.msg}; nothing was stored", path, exc.lineno) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.elements())):
        line = data[:data.find(b"<!DOCTYPE")].count(b"\n") + 1 if b"<!DOCTYPE" in data else 1
        raise TmxImportError("refusing a DOCTYPE with its own declarations (entities are not expanded); "
                             "nothing was stored", path, line)
    if not isinstance(root.tag, str) or etree.QName(root).localname != "tmx":
        raise TmxImportError(f"not a TMX file: the root element is <{etree.QName(root).localname}>, expected <tmx>; "
                             "nothing was stored", path, root.sourceline)
    return root


def read_tmx(data: bytes | str, path: str | Path | None = None) -> TmxContents:
    """Every unit of a TMX file for each direction between vi, en and zh; raise TmxImportError on any problem."""
    from lxml import etree

    if isinstance(data, str):
        data = data.encode("utf-8")
    root = _parse(data, path)
    body = root.find("body")
    if body is None:
        raise TmxImportError("no <body> element; nothing was stored", path, root.sourceline)
    contents = TmxContents()
    problems: list[tuple[int | None, str]] = []
    for tu in body.iter("tu"):
        contents.tu_count += 1
        variants: dict[str, tuple[str, object]] = {}
        for tuv in tu:
            if not isinstance(tuv.tag, str) or etree.QName(tuv).localname != "tuv":
                continue
            lang = language_code(tuv.get(_XML_LANG) or tuv.get("lang"))
            if lang is None:
                problems.append((tuv.sourceline, "<tuv> without xml:lang"))
                continue
            seg = tuv.find("seg")
            if seg is None:
                problems.append((tuv.sourceline, f"<tuv xml:lang=\"{tuv.get(_XML_LANG) or tuv.get('lang')}\"> "
                                                 "without <seg>"))
                continue
            if lang not in MEMORY_LANGUAGES:
                contents.other_languages.add(lang)
                continue
            text = segment_text(seg)
            if text and lang not in variants:
                variants[lang] = (text, tuv)
        if len(variants) < 2:
            contents.single_language += 1
            continue
        for source_lang, (source_text, _) in variants.items():
            for target_lang, (target_text, tuv) in variants.items():
                if target_lang != source_lang:
                    # Who wrote the target: OmegaT says it on the <tuv>, Trados on the <tu>.
                    changed_by = next((node.get(name) for node in (tuv, tu) for name in ("changeid", "creationid")
                                       if node.get(name)), None)
                    changed_at = next((node.get(name) for node in (tuv, tu)
                                       for name in ("changedate", "creationdate") if node.get(name)), None)
                    contents.units.append(ImportedUnit(source_lang, target_lang, source_text, target_text,
                                                       tu.sourceline, changed_by, changed_at))
    if problems:
        line, reason = problems[0]
        more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
        raise TmxImportError(f"{reason}{more}; nothing was stored", path, line, problems)
    if not contents.units:
        raise TmxImportError(f"none of its {contents.tu_count} translation unit(s) holds two of "
                             f"{', '.join(MEMORY_LANGUAGES)}; nothing was stored", path, root.sourceline)
    return contents


def import_tmx(store, data: bytes | str, *, name: str, imported_by: str,
               path: str | Path | None = None) -> TmxImportResult:
    """Read a TMX file and store its units as translation memory labelled `name`; all checks come first."""
    contents = read_tmx(data, path or name)
    added = store_imported_units(store, contents.units, origin=name, imported_by=imported_by)
    return TmxImportResult(name, contents, added)
