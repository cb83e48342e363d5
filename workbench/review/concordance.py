"""Concordance: a word or phrase across every document's sources and targets, in context.

`search(store, text)` finds the query in the source and target of every live
segment of the listed documents and returns keyword-in-context lines (left
context, the match as written, right context) with document and segment ids.
Matching uses the glossary matcher's tokens and folding (`glossary.matching`):
word boundaries, case, English plurals, and Vietnamese tone marks, where their
placement ("uỷ"/"ủy") never matters and, when the query has no diacritics at
all, neither do the marks themselves, so "dang uy" finds "Đảng uỷ" (in any
language: "thanh thuy" finds "Thanh Thủy" in an English target). Case never matters.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.glossary.matching import TermMatcher
from workbench.review.views import fold_for_search

CONTEXT_CHARS = 50


@dataclass(frozen=True)
class ConcordanceLine:
    """One occurrence: where it is and its keyword-in-context pieces."""

    document_id: int
    document: str
    segment_id: int
    position: int
    side: str  # "source" or "target"
    lang: str
    left: str
    match: str
    right: str

    @property
    def link(self) -> str:
        """Query string of the Review page that opens this segment."""
        return f"?doc={self.document_id}&seg={self.segment_id}"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"document_id": self.document_id, "document": self.document, "segment_id": self.segment_id,
                "position": self.position, "side": self.side, "lang": self.lang, "left": self.left,
                "match": self.match, "right": self.right, "link": self.link}


def _plain(text: str) -> bool:
    """No letter carries a diacritic (and no đ): the query was typed without them."""
    return fold_for_search(text) == text.casefold()


class _Finder:
    """Finds one query in texts of one language."""

    def __init__(self, query: str, lang: str):
        self.plain = _plain(query)
        self.lang = lang
        self.matcher = TermMatcher(lang)
        # Lower case: a concordance ignores case, acronyms included ("ĐẢNG UỶ" finds "Đảng uỷ").
        self.matcher.add("query", query.lower(), "term", case_sensitive=False)

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.plain and self.lang != "zh":
            # A query typed without diacritics: search the text with its diacritics folded away,
            # character by character, and map the spans back to the text as written.
            folded, offsets = _fold_with_offsets(text)
            return [(offsets[m.start], offsets[m.end - 1] + 1) for m in self.matcher.find(folded)]
        return [(m.start, m.end) for m in self.matcher.find(text)]


def _fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Text without diacritics (đ as d), and for each folded character its index in `text`."""
    chars, offsets = [], []
    for index, char in enumerate(text):
        folded = fold_for_search(char) if not char.isspace() else char
        for piece in folded or " ":
            chars.append(piece)
            offsets.append(index)
    return "".join(chars), offsets


def search(store, query: str, *, limit: int = 500, context: int = CONTEXT_CHARS) -> list[ConcordanceLine]:
    """Keyword-in-context lines for `query` in every live segment's source and target (the first `limit`)."""
    return search_counted(store, query, limit=limit, context=context)[0]


def search_counted(store, query: str, *, limit: int = 500, context: int = CONTEXT_CHARS
                   ) -> tuple[list[ConcordanceLine], int]:
    """The first `limit` keyword-in-context lines for `query`, and how many occurrences there are in all.

    Counting goes on past the limit (only the shown lines are kept), so a page or the
    CLI can say "514 occurrences, the first 500 shown" instead of a silent cap.
    """
    query = query.strip()
    if not query:
        return [], 0
    finders: dict[str, _Finder] = {}
    lines: list[ConcordanceLine] = []
    total = 0
    for row in store.live_segment_texts():
        for side, text, lang in (("source", row["source_text"], row["lang"]),
                                 ("target", row["target_text"], row["target_lang"])):
            if not text:
                continue
            finder = finders.get(lang)
            if finder is None:
                finder = finders[lang] = _Finder(query, lang)
            for start, end in finder.spans(text):
                total += 1
                if len(lines) >= limit:
                    continue
                lines.append(ConcordanceLine(
                    row["document_id"], row["document_name"], row["segment_id"], row["position"], side, lang,
                    ("…" if start > context else "") + text[max(0, start - context):start],
                    text[start:end],
                    text[end:end + context] + ("…" if end + context < len(text) else "")))
    return lines, total
    return lines


def concordance_url(text: str) -> str:
    """Relative URL of the Terms page's concordance on `text` (for links from other pages)."""
    from urllib.parse import quote

    return "terms?q=" + quote(text.strip(), safe="")


def format_lines(lines: list[ConcordanceLine]) -> str:
    """Aligned keyword-in-context lines with document and segment ids."""
    width = max((len(line.left) for line in lines), default=0)
    return "\n".join(f"doc {line.document_id:>3} seg {line.segment_id:>5} {line.side:<6} "
                     f"{line.left.replace(chr(10), ' '):>{width}} [{line.match}] {line.right.replace(chr(10), ' ')}"
                     for line in lines)
