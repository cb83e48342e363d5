"""Sentence segmentation for Vietnamese, English and Chinese press text.

Rule-based on purpose: the texts are short news reports full of numbers
("19.2", "21.790", "22/7/2013"), document codes ("4440/QĐ-UBND"), abbreviations
("No. 01", "TP.") and quoted movement names (“...”), which statistical
splitters trained on other prose cut in the wrong places. A boundary is a
sentence-final mark followed by space and a capital letter, digit, quote or
bracket, outside quotes, and not after a known abbreviation or an initial.
Chinese ends sentences at 。！？ with no space needed. Each line of the
cleaned document is split on its own, so headlines and datelines stay
separate segments.

A sentence longer than MAX_SEGMENT_CHARS (a runaway line with no sentence end)
would be cut short by the translation model without a word; it is split at
the last clause mark or space before the limit instead, each piece marked
`forced_split`, and the document gets a warning saying where.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.documents.ingest import Document
from workbench.text import HAN_RANGES

# Lower-cased, without the final period. Multi-dot forms ("e.g") are matched on their last part too.
ABBREVIATIONS = {
    "en": {
        "no", "nos", "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "maj", "capt", "sgt",
        "st", "jr", "sr", "co", "corp", "inc", "ltd", "vs", "etc", "e.g", "i.e", "approx",
        "dept", "est", "fig", "vol", "art", "para", "sec", "jan", "feb", "mar", "apr", "jun",
        "jul", "aug", "sep", "sept", "oct", "nov", "dec", "u.s", "u.k", "p.m", "a.m", "rep",
        "sen", "gov", "pres", "hon", "rev",
    },
    "vi": {
        "tp", "ths", "ts", "pgs", "gs", "bs", "ks", "th.s", "q", "p", "tt", "ubnd", "ct",
        "đc", "đ/c", "trg", "tr", "x", "h", "ng", "số",
    },
}
_SENTENCE_END = ".!?…"
_CHINESE_END = "。！？"
_OPENING_QUOTES = "“«「『"  # ‘ ’ double as apostrophes, so they never nest
_CLOSING_QUOTES = "”»」』"
_SENTENCE_START = re.compile(f"[\"“‘«(\\[「『A-ZÀ-ỸĐ0-9{HAN_RANGES}]")
# Longest segment handed to translation: about 250 Marian tokens, well inside the 512
# positions of opus-mt. Longer sentences are split (see module docstring).
MAX_SEGMENT_CHARS = 1000
_CLAUSE_MARKS = ",;:，、；：)]”»"


@dataclass
class Segment:
    """One sentence (or headline/dateline line) of a document, in document order."""

    position: int
    paragraph: int
    text: str
    kind: str  # "heading", "dateline" or "body"
    forced_split: bool = False  # a piece of a sentence longer than MAX_SEGMENT_CHARS


def segment_document(document: Document) -> list[Segment]:
    """Split every paragraph of a cleaned document into segments; split over-long sentences.

    Each over-long sentence adds a line to `document.warnings` (when the document has that list).
    """
    segments: list[Segment] = []
    for paragraph_index, paragraph in enumerate(document.paragraphs):
        sentences = [paragraph.text] if paragraph.kind != "body" else split_sentences(
            paragraph.text, document.lang)
        for sentence in sentences:
            pieces = split_overlong(sentence)
            if len(pieces) > 1:
                warnings = getattr(document, "warnings", None)
                if warnings is not None:
                    warnings.append(
                        f"{document.path}:{paragraph.line}: a sentence of {len(sentence):,} characters "
                        f"has no sentence end within {MAX_SEGMENT_CHARS:,}; split into {len(pieces)} "
                        "segments for translation")
            for piece in pieces:
                segments.append(Segment(len(segments), paragraph_index, piece, paragraph.kind,
                                        forced_split=len(pieces) > 1))
    return segments


def split_overlong(text: str, limit: int = MAX_SEGMENT_CHARS) -> list[str]:
    """Cut text longer than `limit` into pieces of at most `limit` characters.

    Each cut goes after the last clause mark (, ; : ，、) in the second half of the
    window, else at the last space, else (Chinese, or one endless word) at the limit.
    """
    pieces: list[str] = []
    text = text.strip()
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max(window.rfind(mark) for mark in _CLAUSE_MARKS) + 1
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 4:
            cut = limit
        pieces.append(window[:cut].strip())
        start += cut
        while start < len(text) and text[start] == " ":
            start += 1
    pieces.append(text[start:].strip())
    return [piece for piece in pieces if piece]


def split_sentences(text: str, lang: str) -> list[str]:
    """Split one paragraph (or several, separated by newlines) into sentences."""
    sentences: list[str] = []
    for line in text.split("\n"):
        line = re.sub(r"\s+", " ", line).strip()
        if not line:
            continue
        if lang == "zh":
            sentences.extend(_split_chinese(line))
        else:
            pieces = _split_alphabetic(line, lang, respect_quotes=True)
            if len(pieces) == 1 and _has_unbalanced_quotes(line):
                # One unclosed quote would otherwise swallow the rest of the paragraph.
                pieces = _split_alphabetic(line, lang, respect_quotes=False)
            sentences.extend(pieces)
    return sentences


def _split_chinese(line: str) -> list[str]:
    pieces: list[str] = []
    start = 0
    depth = 0
    i = 0
    while i < len(line):
        ch = line[i]
        if ch in _OPENING_QUOTES:
            depth += 1
        elif ch in _CLOSING_QUOTES:
            depth = max(0, depth - 1)
        elif ch in _CHINESE_END or (ch in "!?" and i + 1 < len(line) and line[i + 1] != " "):
            end = i + 1
            while end < len(line) and line[end] in _CHINESE_END + _CLOSING_QUOTES:
                end += 1
            if depth == 0 or (end > i + 1 and line[end - 1] in _CLOSING_QUOTES):
                pieces.append(line[start:end].strip())
                start = end
                depth = 0
                i = end
                continue
        i += 1
    if line[start:].strip():
        pieces.append(line[start:].strip())
    return [p for p in pieces if p]


def _split_alphabetic(line: str, lang: str, *, respect_quotes: bool) -> list[str]:
    pieces: list[str] = []
    start = 0
    depth = 0
    for match in re.finditer(r"[“”«»]|[.!?…]+[\"”’»)]*(?=\s)", line):
        token = match.group()
        if token in _OPENING_QUOTES:
            depth += 1
            continue
        if token in _CLOSING_QUOTES:
            depth = max(0, depth - 1)
            continue
        if respect_quotes and depth > 0:
            continue
        end = match.end()
        rest = line[end:].lstrip()
        if not rest or not _SENTENCE_START.match(rest):
            continue
        if token[0] == "." and _ends_with_abbreviation(line[start:match.start()], lang, rest):
            continue
        pieces.append(line[start:end].strip())
        start = end
    tail = line[start:].strip()
    if tail:
        pieces.append(tail)
    return pieces


def _ends_with_abbreviation(before: str, lang: str, rest: str) -> bool:
    word_match = re.search(r"(\S+)$", before)
    if not word_match:
        return False
    word = word_match.group(1).lstrip("(\"“‘")
    bare = word.lower()
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. Smith", "Q. Ba Đình"
    known = ABBREVIATIONS.get(lang, set()) | ABBREVIATIONS["en"]
    if bare in known or bare.split(".")[-1] in known and "." in bare:
        # "No. 01" and "Mr. Li" continue the sentence; "etc." before a capital may end it.
        return bare != "etc" or not rest[:1].isupper()
    return False


def _has_unbalanced_quotes(line: str) -> bool:
    opened = sum(line.count(q) for q in _OPENING_QUOTES)
    closed = sum(line.count(q) for q in _CLOSING_QUOTES)
    return opened != closed
