"""What the review screen shows: segments with their checks, filters, pages, term highlights.

Everything here is plain Python over the review store, so the Streamlit pages
only lay it out. Text from documents, the glossary and reviewers becomes HTML
only through `escape_html`/`highlight_terms`, which escape every character of
it; nothing from a document is ever interpreted as markup.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.mt.plausibility import RANDOM_WEIGHTS_REASON, check_plausibility
from workbench.review.checks import Issue, check_machine_translation, check_segment, usual_length_ratio
from workbench.review.live_segments import live_segments
from workbench.review.store import SegmentRecord
from workbench.text import escape_attribute, escape_html, fold_for_search, highlight_spans

RANDOM_WEIGHTS_LABEL = RANDOM_WEIGHTS_REASON
TERM_STYLE = "background-color: #fff3b0; border-bottom: 1px dotted #8a6d00; padding: 0 1px;"


@dataclass
class SegmentView:
    """A segment as the reviewer sees it: the record, the text checked and its issues."""

    segment: SegmentRecord
    checked_text: str | None  # see `text_to_check`
    checked_is_mt: bool
    issues: list[Issue] = field(default_factory=list)
    mt_problems: list[str] = field(default_factory=list)  # why its MT is not plausible ([]: it is)

    @property
    def flagged(self) -> bool:
        """True when any check raised an issue."""
        return bool(self.issues)

    @property
    def issue_codes(self) -> set[str]:
        """The codes of the issues raised."""
        return {issue.code for issue in self.issues}

    @property
    def initial_target(self) -> str:
        """What the editor starts from (`initial_target`, without checking the MT's plausibility again)."""
        if self.segment.target_text is not None:
            return self.segment.target_text
        return self.usable_mt or ""

    @property
    def usable_mt(self) -> str | None:
        """The machine translation when it is a plausible starting point, else None."""
        return self.segment.mt_text if self.segment.mt_text and not self.mt_problems else None


def mt_problems(segment: SegmentRecord, source_lang: str, target_lang: str) -> list[str]:
    """Why a segment's machine translation is not plausible ([] when it is, or when there is none)."""
    if segment.mt_text is None:
        return []
    return check_plausibility(segment.source_text, segment.mt_text, source_lang, target_lang,
                              random_weights=segment.random_weights)


def initial_target(segment: SegmentRecord, source_lang: str, target_lang: str) -> str:
    """Text the target editor starts from: the reviewer's target, else a plausible MT.

    Implausible machine translation (a random-weight test model's noise, a
    repetition loop, the wrong language...) is never a starting point, so the
    editor starts empty instead.
    """
    if segment.target_text is not None:
        return segment.target_text
    if segment.mt_text and not mt_problems(segment, source_lang, target_lang):
        return segment.mt_text
    return ""


def text_to_check(segment: SegmentRecord, source_lang: str, target_lang: str) -> tuple[str | None, bool]:
    """The text the checks look at, and whether it is machine translation.

    The reviewer's target when there is one, else a plausible MT. Implausible
    MT is not checked term by term: such a segment simply has no target yet
    (its MT is flagged by the `implausible_mt` check instead).
    """
    if segment.target_text is not None:
        return segment.target_text, False
    if segment.mt_text is not None and not mt_problems(segment, source_lang, target_lang):
        return segment.mt_text, True
    return None, False


def segment_views(store, document_id: int, glossary=None, *, cache: dict | None = None,
                  accepted_words: frozenset[str] | None = None) -> list[SegmentView]:
    """The live segments of a document in order, each with its checks run.

    `cache` (any dict kept between calls, e.g. in the session) keeps the checks
    of segments whose version, MT, glossary, accepted words and the document's
    usual length ratio are unchanged, and their records (`live_segments`), so a
    save re-reads and re-checks one segment, not the document. `accepted_words`
    None: no spelling check; a set (maybe empty): the spelling check runs, never
    flagging those words or the glossary's.
    """
    document = store.document(document_id)
    source_lang, target_lang = document.lang, document.target_lang
    if cache is not None and (cache.get("_glossary") is not glossary or cache.get("_accepted") != accepted_words):
        cache.clear()
        cache["_glossary"] = glossary
        cache["_accepted"] = accepted_words
    segments = live_segments(store, document_id, cache) if cache is not None else store.segments(document_id)
    spell_checker = None
    if accepted_words is not None:
        from workbench.review.spelling import SpellChecker

        spell_checker = cache.get("_speller") if cache is not None else None
        if spell_checker is None:
            spell_checker = SpellChecker(target_lang, glossary=glossary, accepted=accepted_words)
            if cache is not None:
                cache["_speller"] = spell_checker

    def problems_of(segment):
        key = ("mt", segment.id, segment.checkpoint, segment.random_weights, segment.mt_text)
        if cache is None:
            return mt_problems(segment, source_lang, target_lang)
        if key not in cache:
            cache[key] = mt_problems(segment, source_lang, target_lang)
        return cache[key]

    problems = [problems_of(segment) for segment in segments]
    checked = [(s.target_text, False) if s.target_text is not None
               else (s.mt_text, True) if s.mt_text is not None and not p else (None, False)
               for s, p in zip(segments, problems, strict=True)]
    usual = usual_length_ratio((s.source_text, text) for s, (text, _) in zip(segments, checked, strict=True))
    views = []
    for segment, (text, is_mt), problem in zip(segments, checked, problems, strict=True):
        key = ("checks", segment.id, segment.version, text, usual)
        issues = cache.get(key) if cache is not None else None
        if issues is None:
            issues = check_segment(segment.source_text, text, source_lang=source_lang, target_lang=target_lang,
                                   glossary=glossary, usual_ratio=usual, spell_checker=spell_checker)
            issues += check_machine_translation(segment.source_text, segment.mt_text, source_lang=source_lang,
                                                target_lang=target_lang, random_weights=segment.random_weights,
                                                reasons=problem)
            if cache is not None:
                cache[key] = issues
        views.append(SegmentView(segment, text, is_mt, list(issues), list(problem)))
    return views


def review_query(document_id: int, segment_id: int) -> str:
    """Query string of the Review page that opens one segment: "?doc=7&seg=12" (the UI's `URL_STATE`)."""
    return f"?doc={int(document_id)}&seg={int(segment_id)}"


@dataclass(frozen=True)
class SegmentFilter:
    """Which segments to show: statuses, flagged only, particular checks, a search text."""

    statuses: tuple[str, ...] = ()  # empty: every status
    flagged_only: bool = False
    checks: tuple[str, ...] = ()  # empty: any check (or none)
    text: str = ""

    def accepts(self, view: SegmentView) -> bool:
        """True when the segment passes every part of the filter."""
        segment = view.segment
        if self.statuses and segment.status not in self.statuses:
            return False
        if self.flagged_only and not view.flagged:
            return False
        if self.checks and not view.issue_codes & set(self.checks):
            return False
        if self.text.strip():
            needle = fold_for_search(self.text.strip())
            haystack = " ".join(t for t in (segment.source_text, segment.mt_text,
                                             segment.target_text) if t)
            if needle not in fold_for_search(haystack):
                return False
        return True

    def apply(self, views: Sequence[SegmentView]) -> list[SegmentView]:
        """The views that pass, in order."""
        return [view for view in views if self.accepts(view)]


def page_count(total: int, page_size: int) -> int:
    """Number of pages for `total` items (at least 1)."""
    return max(1, math.ceil(total / page_size))


def page_items(items: Sequence, page: int, page_size: int) -> list:
    """Items of 1-based `page` (clamped to the valid range)."""
    page = min(max(1, page), page_count(len(items), page_size))
    return list(items[(page - 1) * page_size: page * page_size])


def page_of(index: int, page_size: int) -> int:
    """The 1-based page holding the item at 0-based `index`."""
    return index // page_size + 1


def next_segment_id(ordered_ids: Sequence[int], current: int) -> int | None:
    """The segment after `current` in the shown order, or None at the end."""
    try:
        position = list(ordered_ids).index(current)
    except ValueError:
        return None
    return ordered_ids[position + 1] if position + 1 < len(ordered_ids) else None


def highlight_terms(text: str, glossary, source_lang: str, target_lang: str) -> str:
    """The text as escaped HTML, glossary terms wrapped in <mark> with target and note on hover."""
    if glossary is None:
        return escape_html(text)

    def opening_tag(match) -> str:
        entry = glossary.get(match.entry_id)
        hover = [f"{entry.term(target_lang) or '(no ' + target_lang + ' term)'}"] if entry else []
        if entry and entry.note:
            hover.append(entry.note)
        hover.append(f"[{match.entry_id}]")
        return f'<mark style="{TERM_STYLE}" title="{escape_attribute(" — ".join(hover))}">'

    return highlight_spans(text, glossary.match(text, source_lang), opening_tag)


@dataclass(frozen=True)
class TermHint:
    """A glossary term found in a source: the form found and the target the glossary requires."""

    entry_id: str
    surface: str
    required: str | None
    note: str | None
    forbidden: tuple[str, ...] = ()


def term_hints(text: str, glossary, source_lang: str, target_lang: str) -> list[TermHint]:
    """The glossary entries found in `text`, once each, in order of first occurrence."""
    if glossary is None:
        return []
    hints: dict[str, TermHint] = {}
    for match in sorted(glossary.match(text, source_lang), key=lambda m: m.start):
        if match.entry_id in hints:
            continue
        entry = glossary.get(match.entry_id)
        forbidden = tuple(entry.forbidden.get(target_lang, ())) if entry else ()
        hints[match.entry_id] = TermHint(match.entry_id, match.surface, entry.term(target_lang) if entry else None,
                                         entry.note if entry else None, forbidden)
    return list(hints.values())


_WORD_OR_SPACE = re.compile(r"\s+|\w+|[^\w\s]", re.UNICODE)


def word_diff(before: str | None, after: str | None) -> list[tuple[str, str]]:
    """`after` against `before` word by word: ("equal" | "delete" | "insert", text) pieces in order."""
    import difflib

    old, new = _WORD_OR_SPACE.findall(before or ""), _WORD_OR_SPACE.findall(after or "")
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            pieces.append(("equal", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            pieces.append(("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            pieces.append(("insert", "".join(new[j1:j2])))
    return [piece for piece in pieces if piece[1]]


DELETED_STYLE = "background:#fde2e2;color:#991b1b;text-decoration:line-through"
INSERTED_STYLE = "background:#dcfce7;color:#166534;text-decoration:none"


def diff_html(before: str | None, after: str | None) -> str:
    """The word diff of two texts as escaped HTML: removed words struck out in red, added in green."""
    parts = []
    for op, text in word_diff(before, after):
        if op == "equal":
            parts.append(escape_html(text))
        elif op == "delete":
            parts.append(f'<del style="{DELETED_STYLE}">{escape_html(text)}</del>')
        else:
            parts.append(f'<ins style="{INSERTED_STYLE}">{escape_html(text)}</ins>')
    return "".join(parts)


@dataclass(frozen=True)
class TermOccurrenceInCorpus:
    """Where a glossary entry occurs in the store: document, segment and the form found."""

    document_id: int
    document_name: str
    segment_id: int
    position: int
    side: str  # "source" or "target"
    surface: str
    text: str


def term_occurrences(store, glossary, entry_id: str, *, limit: int = 200
                     ) -> list[TermOccurrenceInCorpus]:
    """Occurrences of one entry's forms in the sources and targets of the listed documents."""
    found: list[TermOccurrenceInCorpus] = []
    for row, side, text, lang in live_segment_sides(store):
        for match in glossary.match(text, lang):
            if match.entry_id == entry_id:
                found.append(TermOccurrenceInCorpus(
                    row.document_id, row.document_name, row.segment_id,
                    row.position, side, match.surface, text))
                if len(found) >= limit:
                    return found
    return found


def live_segment_sides(store):
    """(row, side, text, language) of every live segment's source and target; empty sides left out."""
    for row in store.live_segment_texts():
        for side, text, lang in (("source", row.source_text, row.lang),
                                 ("target", row.target_text, row.target_lang)):
            if text:
                yield row, side, text, lang


#: Background of each status chip in the grid.
STATUS_COLOURS = {"new": "#e5e7eb", "draft": "#fef3c7", "translated": "#dbeafe", "reviewed": "#ede9fe",
                  "approved": "#dcfce7", "rejected": "#fee2e2"}
MISSPELLING_STYLE = "text-decoration: underline wavy #dc2626; text-decoration-skip-ink: none;"


def mark_misspellings(text: str, spell_checker) -> str:
    """The text as escaped HTML, each word the dictionary does not know underlined (wavy red)."""
    if spell_checker is None:
        return escape_html(text)
    parts, last = [], 0
    for found in spell_checker.misspellings(text):
        parts.append(escape_html(text[last:found.start]))
        parts.append(f'<span class="wb-misspelt" style="{MISSPELLING_STYLE}" title="not in the dictionary">'
                     f"{escape_html(found.word)}</span>")
        last = found.end
    parts.append(escape_html(text[last:]))
    return "".join(parts)


def grid_html(views: Sequence[SegmentView], open_id: int | None, *, spell_checker=None) -> str:
    """Rows of the review grid as escaped HTML: whole source and target, status and check labels in words.

    Nothing is cut: the reviewer reads the segments around the open one as context.
    The target column shows the reviewer's target (misspellings underlined), else a
    plausible MT in grey italics, else why the MT is not offered.
    """
    rows = []
    for view in views:
        segment = view.segment
        if segment.target_text is not None:
            target = mark_misspellings(segment.target_text, spell_checker) or '<span class="wb-mt">(empty)</span>'
        elif view.usable_mt:
            target = f'<span class="wb-mt">{mark_misspellings(view.usable_mt, spell_checker)}</span>'
        elif segment.mt_text is not None:
            target = '<span class="wb-bad-mt">MT not plausible, not offered</span>'
        else:
            target = ""
        labels = "".join(f'<span class="wb-label" title="{escape_attribute(issue.message)}">'
                         f"{escape_html(issue.label)}</span>" for issue in view.issues)
        colour = STATUS_COLOURS.get(segment.status, "#eee")
        rows.append(
            f'<tr data-wb-seg="{segment.id}" class="{"wb-open" if segment.id == open_id else ""}">'
            f'<td class="wb-num">{segment.position + 1}</td>'
            f'<td class="wb-text">{escape_html(segment.source_text)}</td><td class="wb-text">{target}</td>'
            f'<td><span class="wb-chip" style="background:{colour}">{escape_html(segment.status)}</span>'
            f'{"<div class=wb-labels>" + labels + "</div>" if labels else ""}</td></tr>')
    return ('<table><colgroup><col style="width:2.6em"><col><col><col style="width:9.5em"></colgroup>'
            "<thead><tr><th>#</th><th>Source</th><th>Target</th><th>Status · checks</th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table>")
