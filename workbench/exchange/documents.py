"""The translated document itself: TXT, DOCX and HTML, monolingual or bilingual.

A document is rebuilt from the review store in the paragraph structure of the
original: every live segment keeps the index of the paragraph it came from, so
segments are regrouped paragraph by paragraph, headings and datelines kept apart.
Each segment shows, in this order of preference:

1. the reviewer's target ("reviewer": any status but "rejected", with a text);
2. the machine translation, marked as unreviewed ("mt"), but only when it is
   plausible (`workbench.mt.plausibility`): output of a random-weight test model
   or MT that fails the plausibility check is never presented as a translation;
3. the source, marked as untranslated ("untranslated").

A header gives title, date, outlet, source file, direction, checkpoint, glossary
version and the share of segments reviewed or approved. The bilingual forms (HTML,
DOCX) put source and target side by side, one row per paragraph, with glossary
terms marked and each segment's status shown. HTML output escapes every piece of
text that came from a document, the glossary or a reviewer.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import StoreError
from workbench.text import SUPPORTED_LANGUAGES, escape_html, highlight_spans, language_name

#: Statuses whose target a reviewer signed off.
SIGNED_OFF = ("reviewed", "approved")
STATE_LABELS = {
    "reviewer": "reviewer's translation",
    "mt": "machine translation, not reviewed",
    "untranslated": "untranslated: source text",
}
#: How the plain-text form marks a run of segments that is not a reviewer's translation.
TEXT_MARKS = {"mt": "[MT, unreviewed: {}]", "untranslated": "[untranslated: {}]"}


@dataclass
class SegmentView:
    """One segment as the translated document shows it."""

    segment_id: int
    position: int
    source: str
    text: str  # what the translation side shows
    state: str  # "reviewer", "mt" or "untranslated"
    status: str  # the store's status
    reasons: list[str] = field(default_factory=list)  # why the MT is not shown, if it is not


@dataclass
class ParagraphView:
    """The segments of one paragraph of the original, in order."""

    index: int
    kind: str  # "heading", "dateline" or "body"
    segments: list[SegmentView]


@dataclass
class TranslatedDocument:
    """A stored document rebuilt for reading: header fields and paragraphs."""

    document_id: int
    name: str
    path: str
    title: str | None
    date: str | None
    outlet: str | None
    author: str | None
    source_lang: str
    target_lang: str
    mt_source_lang: str | None
    checkpoints: list[str]
    glossary_versions: list[str]
    paragraphs: list[ParagraphView]

    @property
    def segments(self) -> list[SegmentView]:
        """Every segment, in document order."""
        return [segment for paragraph in self.paragraphs for segment in paragraph.segments]

    def count(self, *, state: str | None = None, statuses: tuple[str, ...] | None = None) -> int:
        """Segments in a state, or with one of the statuses."""
        return sum(1 for s in self.segments
                   if (state is None or s.state == state) and (statuses is None or s.status in statuses))

    @property
    def direction(self) -> str:
        """e.g. 'vi → en (Vietnamese to English)', with the MT origin of the source if any."""
        text = (f"{self.source_lang} → {self.target_lang} "
                f"({language_name(self.source_lang)} to "
                f"{language_name(self.target_lang)})")
        if self.mt_source_lang:
            text += f"; the source is a machine translation from {language_name(self.mt_source_lang)}"
        return text

    def header(self) -> list[tuple[str, str]]:
        """(label, value) pairs of the document header, in order."""
        total = len(self.segments)

        def share(count: int) -> str:
            return f"{count} of {total} ({100 * count / total:.0f}%)" if total else "0 of 0"

        signed = self.count(statuses=SIGNED_OFF)
        return [
            ("Title", self.title or "(none)"),
            ("Date", self.date or "(unknown)"),
            ("Outlet", self.outlet or "(unknown)"),
            ("Author", self.author or "(unknown)"),
            ("Source file", self.name),
            ("Direction", self.direction),
            ("Checkpoint", ", ".join(self.checkpoints) or "(no machine translation)"),
            ("Glossary version", ", ".join(self.glossary_versions) or "(none)"),
            ("Reviewed or approved", f"{share(signed)}; approved: {share(self.count(statuses=('approved',)))}"),
            ("Shown", f"reviewer's translation: {self.count(state='reviewer')}, machine translation "
                      f"(not reviewed): {self.count(state='mt')}, untranslated (source shown): "
                      f"{self.count(state='untranslated')}"),
        ]


#: Characters XML 1.0 cannot hold (Word and HTML files are XML): a text saved before saves
#: were checked for them must not make a whole export fail.
_NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    """`text` without the characters an XML document cannot hold."""
    return _NOT_IN_XML.sub("", text)


def choose_text(segment, source_lang: str, target_lang: str) -> SegmentView:
    """What a segment's translation side shows, and why (see module docstring)."""
    from workbench.mt.plausibility import check_plausibility

    base = dict(segment_id=segment.id, position=segment.position, source=xml_safe(segment.source_text),
                status=segment.status)
    target = xml_safe(segment.target_text or "").strip()
    if target and segment.status != "rejected":
        return SegmentView(text=target, state="reviewer", **base)
    reasons: list[str] = []
    if segment.mt_text is not None:
        reasons = check_plausibility(segment.source_text, segment.mt_text, source_lang, target_lang,
                                     random_weights=segment.random_weights)
        if not reasons:
            return SegmentView(text=xml_safe(segment.mt_text).strip(), state="mt", **base)
    else:
        reasons = ["no machine translation"]
    if segment.status == "rejected":
        reasons.insert(0, "the reviewer rejected the translation")
    return SegmentView(text=base["source"], state="untranslated", reasons=reasons, **base)


def build_translated_document(store, document_id: int) -> TranslatedDocument:
    """Rebuild one stored document, paragraph by paragraph, with what each segment shows."""
    doc = store.document(document_id)
    paragraphs: dict[int, ParagraphView] = {}
    for segment in store.segments(document_id):
        view = choose_text(segment, doc.lang, doc.target_lang)
        paragraph = paragraphs.setdefault(segment.paragraph, ParagraphView(segment.paragraph, segment.kind, []))
        paragraph.segments.append(view)
    from workbench.exchange.export import checkpoint_label

    settings = store.translation_settings(document_id)
    # Checkpoints and the source file by name only: an export never shows the server's folders.
    checkpoints = list(dict.fromkeys(
        checkpoint_label(row.checkpoint) + (" (random-weight test model)" if row.random_weights else "")
        for row in settings))
    versions = list(dict.fromkeys(row.glossary_version for row in settings if row.glossary_version))
    return TranslatedDocument(
        document_id=document_id, name=doc.name, path=doc.path, title=doc.title, date=doc.date,
        outlet=doc.outlet, author=doc.author, source_lang=doc.lang, target_lang=doc.target_lang,
        mt_source_lang=doc.mt_source_lang, checkpoints=checkpoints, glossary_versions=versions,
        paragraphs=[paragraphs[index] for index in sorted(paragraphs)])


def _joiner(lang: str) -> str:
    return "" if lang == "zh" else " "


def _runs(segments: list[SegmentView]) -> list[tuple[str, list[SegmentView]]]:
    """Consecutive segments grouped by state, so one mark covers a run of them."""
    runs: list[tuple[str, list[SegmentView]]] = []
    for segment in segments:
        if runs and runs[-1][0] == segment.state:
            runs[-1][1].append(segment)
        else:
            runs.append((segment.state, [segment]))
    return runs


def file_name(document: TranslatedDocument, fmt: str, *, bilingual: bool = False) -> str:
    """The suggested file name: `NAME.en.docx`, or `NAME.vi-en.bilingual.html`."""
    # A stored name is a file name, but one saved from an alignment joins two ("a.txt ↔ b.txt").
    safe_name = re.sub(r'[\\/:*?"<>|\x00-\x1f]+', "_", document.name)
    stem = Path(safe_name).stem.strip(" .") or f"document-{document.document_id}"
    middle = (f"{document.source_lang}-{document.target_lang}.bilingual" if bilingual
              else document.target_lang)
    return f"{stem}.{middle}.{fmt}"


# -- plain text ------------------------------------------------------------------------------
def render_txt(document: TranslatedDocument) -> bytes:
    """The translation as UTF-8 text: the header, a rule, then one paragraph per line, blank lines between."""
    lines = [f"{label}: {value}" for label, value in document.header()]
    lines.append("Marks: " + "; ".join(f"{mark.format('...')} = {STATE_LABELS[state]}"
                                     for state, mark in TEXT_MARKS.items()))
    lines += ["=" * 72, ""]
    for paragraph in document.paragraphs:
        pieces = []
        for state, run in _runs(paragraph.segments):
            joiner = _joiner(document.source_lang if state == "untranslated" else document.target_lang)
            text = joiner.join(segment.text for segment in run)
            pieces.append(TEXT_MARKS[state].format(text) if state in TEXT_MARKS else text)
        lines += [" ".join(pieces), ""]
    return "\n".join(lines).encode("utf-8")


# -- HTML --------------------------------------------------------------------------------------
_CSS = """
body { font-family: system-ui, sans-serif; max-width: 72rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.5; }
table.header { border-collapse: collapse; margin-bottom: 1.5rem; font-size: 0.9rem; }
table.header th { text-align: left; padding-right: 1rem; color: #555; font-weight: 600; }
.mt { background: #fff6d5; }
.untranslated { background: #f1f1f1; color: #555; }
.mark { font-size: 0.75rem; color: #8a5a00; font-weight: 600; margin-right: 0.25rem; }
.untranslated .mark { color: #666; }
table.bilingual { border-collapse: collapse; width: 100%; table-layout: fixed; }
table.bilingual td, table.bilingual th { vertical-align: top; padding: 0.5rem; border-top: 1px solid #ddd; }
table.bilingual th { text-align: left; }
.status { font-size: 0.7rem; color: #fff; background: #777; border-radius: 0.2rem; padding: 0 0.25rem;
  margin: 0 0.2rem; vertical-align: super; }
.status.approved { background: #2e7d32; } .status.reviewed { background: #1565c0; }
mark.term { background: #d9ecff; border-bottom: 1px dotted #1565c0; }
.heading { font-weight: 700; font-size: 1.15rem; } .dateline { font-style: italic; }
"""


def mark_terms(text: str, lang: str, glossary) -> str:
    """`text` escaped, with glossary occurrences wrapped in <mark class="term"> (title: the entry)."""
    if glossary is None:
        return escape_html(text)

    def opening_tag(match) -> str:
        entry = glossary.get(match.entry_id)
        hint = "; ".join(f"{code}: {entry.term(code)}" for code in SUPPORTED_LANGUAGES
                         if entry is not None and entry.term(code)) or match.entry_id
        return f'<mark class="term" data-entry="{escape_html(match.entry_id)}" title="{escape_html(hint)}">'

    return highlight_spans(text, glossary.match(text, lang), opening_tag)


def _html_header(document: TranslatedDocument) -> str:
    rows = "".join(f"<tr><th>{escape_html(label)}</th><td>{escape_html(value)}</td></tr>"
                   for label, value in document.header())
    return f'<table class="header">{rows}</table>'


def _html_page(document: TranslatedDocument, body: str, lang: str) -> bytes:
    title = escape_html(document.title or document.name)
    page = (f'<!DOCTYPE html>\n<html lang="{escape_html(lang)}">\n<head>\n<meta charset="utf-8">\n'
            # No script may run in an exported document, whatever its text holds.
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
            f"<title>{title}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
            f"<h1>{title}</h1>\n{_html_header(document)}\n{body}\n</body>\n</html>\n")
    return page.encode("utf-8")


def _html_segment(segment: SegmentView, lang: str, glossary, *, show_status: bool) -> str:
    title = STATE_LABELS[segment.state] + (f" ({'; '.join(segment.reasons)})" if segment.reasons else "")
    status = (f'<span class="status {escape_html(segment.status)}">{escape_html(segment.status)}</span>'
              if show_status else "")
    return (f'<span class="seg {segment.state}" data-segment="{segment.segment_id}" '
            f'data-status="{escape_html(segment.status)}" title="{escape_html(title)}">'
            f"{mark_terms(segment.text, lang, glossary)}{status}</span>")


def render_html(document: TranslatedDocument, *, glossary=None) -> bytes:
    """The translation as one HTML page: header, then the paragraphs, unreviewed runs marked."""
    parts = []
    for paragraph in document.paragraphs:
        pieces = []
        for state, run in _runs(paragraph.segments):
            lang = document.source_lang if state == "untranslated" else document.target_lang
            inner = _joiner(lang).join(_html_segment(s, lang, glossary, show_status=False) for s in run)
            if state in TEXT_MARKS:
                label = "MT, unreviewed" if state == "mt" else "untranslated"
                inner = f'<span class="{state}"><span class="mark">[{label}]</span>{inner}</span>'
            pieces.append(inner)
        tag = "h2" if paragraph.kind == "heading" else "p"
        parts.append(f'<{tag} class="{paragraph.kind}" data-paragraph="{paragraph.index}">{" ".join(pieces)}</{tag}>')
    return _html_page(document, "\n".join(parts), document.target_lang)


def render_bilingual_html(document: TranslatedDocument, *, glossary=None) -> bytes:
    """Source and translation side by side, one table row per paragraph, terms and statuses shown."""
    source_name = language_name(document.source_lang)
    target_name = language_name(document.target_lang)
    rows = [f"<tr><th>{escape_html(source_name)} (source)</th><th>{escape_html(target_name)} (translation)</th></tr>"]
    for paragraph in document.paragraphs:
        source = _joiner(document.source_lang).join(
            f'<span class="seg" data-segment="{s.segment_id}">{mark_terms(s.source, document.source_lang, glossary)}'
            "</span>" for s in paragraph.segments)
        target = " ".join(_html_segment(
            s, document.source_lang if s.state == "untranslated" else document.target_lang, glossary,
            show_status=True) for s in paragraph.segments)
        rows.append(f'<tr class="paragraph {paragraph.kind}" data-paragraph="{paragraph.index}">'
                    f'<td class="source" lang="{escape_html(document.source_lang)}">{source}</td>'
                    f'<td class="target" lang="{escape_html(document.target_lang)}">{target}</td></tr>')
    legend = ('<p class="legend">Status after each translated segment; <span class="mt">yellow</span>: machine '
              'translation not reviewed; <span class="untranslated">grey</span>: untranslated (source shown); '
              '<mark class="term">blue</mark>: glossary term.</p>')
    body = f'{legend}\n<table class="bilingual">{"".join(rows)}</table>'
    return _html_page(document, body, document.target_lang)


# -- DOCX --------------------------------------------------------------------------------------
def _docx_header(word, document: TranslatedDocument) -> None:
    word.add_heading(document.title or document.name, level=0)
    table = word.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in document.header():
        cells = table.add_row().cells
        cells[0].text = label
        cells[1].text = value
    word.add_paragraph()


def _docx_runs(paragraph, segments: list[SegmentView], document: TranslatedDocument, glossary, *,
               show_status: bool) -> None:
    from docx.enum.text import WD_COLOR_INDEX
    from docx.shared import Pt, RGBColor

    for state, run_segments in _runs(segments):
        lang = document.source_lang if state == "untranslated" else document.target_lang
        if state in TEXT_MARKS:
            mark = paragraph.add_run("[MT, unreviewed] " if state == "mt" else "[untranslated] ")
            mark.bold = True
            mark.font.size = Pt(8)
            mark.font.color.rgb = RGBColor(0x8A, 0x5A, 0x00) if state == "mt" else RGBColor(0x66, 0x66, 0x66)
        for number, segment in enumerate(run_segments):
            if number:
                paragraph.add_run(_joiner(lang))
            for text, is_term in _term_pieces(segment.text, lang, glossary):
                run = paragraph.add_run(text)
                run.italic = state != "reviewer"
                if is_term:
                    run.font.highlight_color = WD_COLOR_INDEX.TURQUOISE
            if show_status:
                status = paragraph.add_run(f" [{segment.status}]")
                status.font.size = Pt(7)
                status.font.color.rgb = RGBColor(0x55, 0x55, 0x55)
        paragraph.add_run(" ")


def _term_pieces(text: str, lang: str, glossary) -> list[tuple[str, bool]]:
    """`text` cut into (piece, is a glossary term) pieces."""
    if glossary is None:
        return [(text, False)]
    pieces, cursor = [], 0
    for match in sorted(glossary.match(text, lang), key=lambda m: m.start):
        if match.start < cursor:
            continue
        if match.start > cursor:
            pieces.append((text[cursor:match.start], False))
        pieces.append((text[match.start:match.end], True))
        cursor = match.end
    if cursor < len(text):
        pieces.append((text[cursor:], False))
    return pieces


def _word_paragraph_style(kind: str) -> str | None:
    return "Heading 1" if kind == "heading" else None


def render_docx(document: TranslatedDocument, *, glossary=None) -> bytes:
    """The translation as a Word document: header table, then one Word paragraph per original paragraph."""
    import docx

    word = docx.Document()
    word.core_properties.title = (document.title or document.name)[:255]  # the property's limit
    _docx_header(word, document)
    for paragraph in document.paragraphs:
        out = word.add_paragraph(style=_word_paragraph_style(paragraph.kind))
        _docx_runs(out, paragraph.segments, document, glossary, show_status=False)
        if paragraph.kind == "dateline":
            for run in out.runs:
                run.italic = True
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


def render_bilingual_docx(document: TranslatedDocument, *, glossary=None) -> bytes:
    """Source and translation side by side in a two-column Word table, one row per paragraph."""
    import docx

    word = docx.Document()
    word.core_properties.title = (document.title or document.name)[:255]  # the property's limit
    _docx_header(word, document)
    table = word.add_table(rows=1, cols=2)
    table.style = "Table Grid"
    table.rows[0].cells[0].text = f"{language_name(document.source_lang)} (source)"
    table.rows[0].cells[1].text = f"{language_name(document.target_lang)} (translation)"
    for paragraph in document.paragraphs:
        source_cell, target_cell = table.add_row().cells
        source = source_cell.paragraphs[0]
        for number, segment in enumerate(paragraph.segments):
            if number:
                source.add_run(_joiner(document.source_lang))
            for text, is_term in _term_pieces(segment.source, document.source_lang, glossary):
                run = source.add_run(text)
                run.bold = paragraph.kind == "heading"
                if is_term:
                    from docx.enum.text import WD_COLOR_INDEX

                    run.font.highlight_color = WD_COLOR_INDEX.TURQUOISE
        _docx_runs(target_cell.paragraphs[0], paragraph.segments, document, glossary, show_status=True)
    buffer = io.BytesIO()
    word.save(buffer)
    return buffer.getvalue()


# -- entry points ------------------------------------------------------------------------------
#: (format, bilingual) -> renderer. Which formats the user is offered, and which may be bilingual,
#: is the registry's to say (`workbench.exchange.formats`); this is only how each is drawn.
_RENDERERS = {
    ("txt", False): lambda document, glossary: render_txt(document),
    ("html", False): render_html,
    ("html", True): render_bilingual_html,
    ("docx", False): render_docx,
    ("docx", True): render_bilingual_docx,
}


def render_document(document: TranslatedDocument, fmt: str, *, bilingual: bool = False, glossary=None) -> bytes:
    """The document as TXT, HTML or DOCX; bilingual only for HTML and DOCX."""
    from workbench.exchange.export import ExportError

    renderer = _RENDERERS.get((fmt, bilingual))
    if renderer is None:
        kind = "bilingual document" if bilingual else "document"
        known = ", ".join(name for name, both in _RENDERERS if both == bilingual)
        raise ExportError(f"no {kind} format '{fmt}' (one of {known})")
    return renderer(document, glossary=glossary)


def translatable_document_ids(store, document_ids: list[int] | None) -> list[int]:
    """The chosen documents (None: every non-archived one), checked to exist."""
    from workbench.exchange.export import UnknownDocument

    if document_ids is None:
        return [row.id for row in store.documents()]
    ids = []
    for document_id in dict.fromkeys(document_ids):
        try:
            store.document(document_id)
        except StoreError as exc:
            raise UnknownDocument(str(exc)) from None
        ids.append(document_id)
    return ids


def unique_file_names(names: list[str]) -> list[str]:
    """File names made unique by `-2`, `-3`... before the first dot, in order."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        if count > 1:
            stem, dot, rest = name.partition(".")
            name = f"{stem}-{count}{dot}{rest}"
        unique.append(name)
    return unique


def safe_relative_path(relative: str | Path) -> Path:
    """A relative output path with no part that climbs out of the output folder."""
    parts = [part for part in Path(relative).parts if part not in ("", ".", "..", "/")]
    return Path(*parts) if parts else Path("document")



def write_document_files(files, folder: Path, relative_paths: list[str | Path] | None = None) -> list[Path]:
    """Write per-document exports into `folder` (created), each atomically; return the paths written.

    `relative_paths` (one per file) places each file in a sub-folder of `folder`, for
    mirroring an input folder's layout; without them every file goes into `folder`.
    """
    from workbench.errors import WorkbenchError
    from workbench.files import write_atomic

    if folder.exists() and not folder.is_dir():
        raise WorkbenchError(f"{folder}: is a file, not a folder; name a folder for the documents "
                             "(it is created if missing)")
    written = []
    for index, exported in enumerate(files):
        name = exported.file_name or f"document-{exported.document_id}"
        relative = safe_relative_path(relative_paths[index]) if relative_paths else Path(name)
        path = folder / relative
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WorkbenchError(f"{path.parent}: cannot create this folder ({exc.strerror})") from None
        write_atomic(path, exported.data)
        written.append(path)
    return written


#: `translate --out` with the format left to the input: Word in, Word out; a page in, a page out.
AUTO_FORMATS = {".docx": "docx", ".html": "html", ".htm": "html", ".pdf": "docx"}


def output_format_for(source: Path, requested: str | None) -> str:
    """The document format for one input file: the requested one, else chosen by its suffix (txt otherwise)."""
    if requested and requested != "auto":
        return requested
    return AUTO_FORMATS.get(source.suffix.lower(), "txt")


def check_output_folder(out: Path, inputs: list[str | Path]) -> None:
    """Refuse an output folder that is a file, or inside an input's folder (the next run would read it).

    For an input file, its own folder counts: translations written beside the
    originals would be read as documents by the next run over that folder.
    """
    from workbench.errors import UsageError

    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {out} is a file, not a folder; name a folder (it is created if missing)")
    resolved = out.resolve()
    for raw in inputs:
        given = Path(raw).resolve()
        folder = given if given.is_dir() else given.parent
        if resolved == folder or folder in resolved.parents:
            what = "the input folder" if given.is_dir() else "the folder of the input file"
            raise UsageError(f"--out {out} is inside {what} {raw}: the next run would read the "
                             "translated documents as new input; choose a folder outside it")
