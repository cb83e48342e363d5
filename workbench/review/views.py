"""What the review screen shows: segments with their checks, filters, pages, term highlights.

Everything here is plain Python over the review store, so the Streamlit pages
only lay it out. Text from documents, the glossary and reviewers becomes HTML
only through `escape_html`/`highlight_terms`, which escape every character of
it; nothing from a document is ever interpreted as markup.
"""

from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.review.checks import Issue, check_segment, usual_length_ratio
from workbench.review.store import SegmentRecord

RANDOM_WEIGHTS_LABEL = "random-weight test model: not a translation"
TERM_STYLE = "background-color: #fff3b0; border-bottom: 1px dotted #8a6d00; padding: 0 1px;"


@dataclass
class SegmentView:
    """A segment as the reviewer sees it: the record, the text checked and its issues."""

    segment: SegmentRecord
    checked_text: str | None  # see `text_to_check`
    checked_is_mt: bool
    issues: list[Issue] = field(default_factory=list)

    @property
    def flagged(self) -> bool:
        """True when any check raised an issue."""
        return bool(self.issues)

    @property
    def issue_codes(self) -> set[str]:
        """The codes of the issues raised."""
        return {issue.code for issue in self.issues}


def initial_target(segment: SegmentRecord) -> str:
    """Text the target editor starts from: the reviewer's target, else a real model's MT.

    The output of a random-weight test model is noise, so the editor starts
    empty instead of starting from it.
    """
    if segment.target_text is not None:
        return segment.target_text
    if segment.mt_text and not segment.random_weights:
        return segment.mt_text
    return ""


def text_to_check(segment: SegmentRecord) -> tuple[str | None, bool]:
    """The text the checks look at, and whether it is machine translation.

    The reviewer's target when there is one, else a real model's MT. A
    random-weight test model's output is noise and is not checked: such a
    segment simply has no target yet.
    """
    if segment.target_text is not None:
        return segment.target_text, False
    if segment.mt_text is not None and not segment.random_weights:
        return segment.mt_text, True
    return None, False


def segment_views(store, document_id: int, glossary=None) -> list[SegmentView]:
    """The live segments of a document in order, each with its checks run."""
    document = store.document(document_id)
    segments = store.segments(document_id)
    checked = [text_to_check(segment) for segment in segments]
    usual = usual_length_ratio((s.source_text, text) for s, (text, _) in zip(segments, checked, strict=True))
    views = []
    for segment, (text, is_mt) in zip(segments, checked, strict=True):
        issues = check_segment(segment.source_text, text, source_lang=document["lang"],
                               target_lang=document["target_lang"], glossary=glossary,
                               usual_ratio=usual)
        views.append(SegmentView(segment, text, is_mt, issues))
    return views


def fold_for_search(text: str) -> str:
    """Case- and accent-folded text, so "bien phong" finds "Biên phòng"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


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


def escape_html(text: str | None) -> str:
    """Escape text for HTML, quotes included."""
    return html.escape(text or "", quote=True)


def highlight_terms(text: str, glossary, source_lang: str, target_lang: str) -> str:
    """The text as escaped HTML, glossary terms wrapped in <mark> with target and note on hover."""
    if glossary is None:
        return escape_html(text)
    parts, last = [], 0
    for match in sorted(glossary.match(text, source_lang), key=lambda m: m.start):
        if match.start < last:
            continue
        entry = glossary.get(match.entry_id)
        hover = [f"{entry.term(target_lang) or '(no ' + target_lang + ' term)'}"] if entry else []
        if entry and entry.note:
            hover.append(entry.note)
        hover.append(f"[{match.entry_id}]")
        parts.append(escape_html(text[last:match.start]))
        parts.append(f'<mark style="{TERM_STYLE}" title="{escape_html(" — ".join(hover))}">'
                     f"{escape_html(text[match.start:match.end])}</mark>")
        last = match.end
    parts.append(escape_html(text[last:]))
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
    for row in store.live_segment_texts():
        for side, text, lang in (("source", row["source_text"], row["lang"]),
                                 ("target", row["target_text"], row["target_lang"])):
            if not text:
                continue
            for match in glossary.match(text, lang):
                if match.entry_id == entry_id:
                    found.append(TermOccurrenceInCorpus(
                        row["document_id"], row["document_name"], row["segment_id"],
                        row["position"], side, match.surface, text))
                    if len(found) >= limit:
                        return found
    return found
