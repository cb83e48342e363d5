"""Concordance: a word or phrase across every document's sources and targets, in context.

`search(store, text)` finds the query in the source and target of every live
segment of the listed documents and returns keyword-in-context lines (left
context, the match as written, right context) with document and segment ids.
Matching uses the glossary matcher's tokens and folding (`glossary.matching`):
word boundaries, case, English plurals, and Vietnamese tone marks, where their
placement ("uỷ"/"ủy") never matters and, when the query has no diacritics at
all, neither do the marks themselves, so "dang uy" finds "Đảng uỷ" (in any
language: "thanh thuy" finds "Thanh Thủy" in an English target). Case never matters.

The segments are not read one by one: the store's full-text index (`segment_search`,
FTS5 over a folded copy of every source and target, kept in step by triggers) is
asked for the segments whose words could match (each query word as a prefix of
its diacritic-free, plural-free stem, in order), and only those are checked with
the matcher, so the answer is the matcher's and the cost follows the number of
hits, not the size of the corpus. `concordance` returns the first lines and the
true total of occurrences; past the first lines the occurrences are only counted
(`_Counter`: one regular expression over thousands of texts at once proposes
the stretches, the matcher checks each stretch), which gives the same number. A
query in Chinese (no spaces between words) reads the texts that hold it by
substring instead.
"""

from __future__ import annotations

import itertools
import re
import string
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass

from workbench.glossary.matching import TermMatcher, stem_english
from workbench.review.views import review_query
from workbench.text import CJK_START, VIETNAMESE_LETTERS, fold_for_search, is_cjk

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
        return review_query(self.document_id, self.segment_id)

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
            # A query typed without diacritics: search the text with its diacritics folded away
            # and map the spans back to the text as written. Precomposed text without loose marks
            # folds one character to one (the usual case): the spans are the same.
            if not _COMBINING.search(text):
                folded = fold_for_search(text)
                if len(folded) == len(text):
                    return [(m.start, m.end) for m in self.matcher.find(folded)]
            folded, offsets = fold_with_offsets(text)
            return [(offsets[m.start], offsets[m.end - 1] + 1) for m in self.matcher.find(folded)]
        return [(m.start, m.end) for m in self.matcher.find(text)]


_COMBINING = re.compile("[\u0300-\u036f]")
_FOLDED_CHARS: dict[str, str] = {}  # a character without its diacritics (texts repeat their letters)


_ONE_TO_ONE: dict[str, str] = {}  # a character and its folded form, for those that fold to one character
_FOLDING_TO: dict[str, set[str]] = {}  # a folded character and every character seen that folds to it
_NOT_ONE_TO_ONE: set[str] = set()


def _folds_char_by_char(text: str) -> bool:
    """Whether every character of the text folds to exactly one (and none is CJK): then a letter class
    of `_letter_class` matches where the folded text has that letter."""
    if not _ONE_TO_ONE:
        _learn(set(_SEED_CHARACTERS))
    if _KNOWN[0] is None or _KNOWN[1] != len(_ONE_TO_ONE):
        _KNOWN[:] = [re.compile("[^" + "".join(map(re.escape, sorted(_ONE_TO_ONE))) + "]"), len(_ONE_TO_ONE)]
    unknown = set(_KNOWN[0].findall(text))
    if not unknown:
        return True
    if max(unknown) >= CJK_START:
        return False
    return _learn(unknown)


_SEED_CHARACTERS = "\x00" + string.printable + "".join(VIETNAMESE_LETTERS) + "“”‘’–—«»·•"
_KNOWN: list = [None, 0]  # a pattern of any character not in _ONE_TO_ONE, and the table size it was made for


def _learn(unknown: set[str]) -> bool:
    """Add characters to the tables; False if one of them does not fold to exactly one character."""
    every_one = True
    for char in unknown - _NOT_ONE_TO_ONE:
        folded = char if char.isspace() else fold_for_search(char)
        if len(folded) != 1 or len(_ONE_TO_ONE) >= 100_000:
            _NOT_ONE_TO_ONE.add(char)
            continue
        _ONE_TO_ONE[char] = folded
        _FOLDING_TO.setdefault(folded, {folded}).add(char)
    return every_one and unknown.isdisjoint(_NOT_ONE_TO_ONE)


def _letter_class(letter: str) -> str:
    """A regular-expression class of every character seen that folds to the letter."""
    return "[" + "".join(re.escape(char) for char in sorted(_FOLDING_TO.get(letter, {letter}) | {letter})) + "]"


def fold_with_offsets(text: str) -> tuple[str, list[int]]:
    """Text without diacritics (đ as d), and for each folded character its index in `text`."""
    chars, offsets = [], []
    folded_chars = _FOLDED_CHARS
    for index, char in enumerate(text):
        folded = folded_chars.get(char)
        if folded is None:
            folded = char if char.isspace() else (fold_for_search(char) or " ")
            if len(folded_chars) < 100_000:
                folded_chars[char] = folded
        for piece in folded:
            chars.append(piece)
            offsets.append(index)
    return "".join(chars), offsets


@dataclass(frozen=True)
class Concordance:
    """The first lines of a concordance and how many occurrences there are in all."""

    query: str
    lines: list[ConcordanceLine]
    total: int


_SEGMENTS = """SELECT d.id AS document_id, d.name AS document_name, d.lang, d.target_lang,
                      s.id AS segment_id, s.position, s.source_text, s.target_text
               FROM {source} JOIN documents d ON d.id = s.document_id
               WHERE s.retired_at IS NULL AND d.archived = 0 {where}
               ORDER BY d.id, s.position"""


def index_query(query: str) -> str | None:
    """The FTS5 query that finds every segment the matcher could match (None: no word to look up).

    Each word, folded as the index folds it (case, diacritics, đ), becomes a prefix
    of its English singular stem ("policies" -> polic*; words under three letters are
    looked up whole), and the words form one phrase.
    """
    words = re.findall(r"[^\W_]+", fold_for_search(query))
    if not words or any(is_cjk(char) for word in words for char in word):
        return None
    prefixes = []
    for word in words:
        if len(word) < 3:
            # No English plural folds onto a word this short (the stemmer leaves words under four
            # letters alone), and a short prefix would expand to a large part of the vocabulary.
            prefixes.append(f'"{word}"')
            continue
        stem = stem_english(word)
        if len(stem) >= 4 and stem.endswith("y"):
            stem = stem[:-1]  # "policy" and "policies" share "polic"
        prefixes.append(f'"{stem}"*')
    return " + ".join(prefixes)


def _candidate_rows(store, query: str, *, ordered: bool = True) -> Iterator:
    fts = index_query(query)
    if fts is not None:
        sql = _SEGMENTS.format(
            source="segment_search f JOIN segments s ON s.id = f.rowid", where="AND segment_search MATCH ?")
        if not ordered:
            # The index hands its rows out by segment id without sorting them all first: a sample
            # of the first occurrences costs what it reads, however frequent the query.
            sql = sql.replace("ORDER BY d.id, s.position", "ORDER BY f.rowid")
        yield from store.conn.execute(sql, (fts,))
        return
    needle = query.strip()
    if any(is_cjk(char) for char in needle):
        # Chinese: the matcher finds terms by substring, so a substring test passes every match.
        yield from store.conn.execute(_SEGMENTS.format(
            source="segments s", where="AND (instr(s.source_text, ?) OR instr(coalesce(s.target_text, ''), ?))"),
            (needle, needle))
        return
    yield from store.conn.execute(_SEGMENTS.format(source="segments s", where=""))  # punctuation only


def _occurrences(rows, query: str, context: int, finders: dict | None = None) -> Iterator[ConcordanceLine]:
    """Every occurrence of the query in the rows' sources and targets, in row order."""
    finders = {} if finders is None else finders
    for row in rows:
        for side, text, lang in (("source", row["source_text"], row["lang"]),
                                 ("target", row["target_text"], row["target_lang"])):
            if not text:
                continue
            finder = finders.get(lang)
            if finder is None:
                finder = finders[lang] = _Finder(query, lang)
            for start, end in finder.spans(text):
                yield ConcordanceLine(
                    row["document_id"], row["document_name"], row["segment_id"], row["position"], side, lang,
                    ("…" if start > context else "") + text[max(0, start - context):start],
                    text[start:end],
                    text[end:end + context] + ("…" if end + context < len(text) else ""))


def occurrences(store, query: str, *, context: int = CONTEXT_CHARS,
                ordered: bool = True) -> Iterator[ConcordanceLine]:
    """Every occurrence of `query`, one at a time, in document order (by segment id if not `ordered`)."""
    query = query.strip()
    if query:
        yield from _occurrences(_candidate_rows(store, query, ordered=ordered), query, context)


def source_occurrences(store, query: str, lang: str, *, rows: int,
                       context: int = CONTEXT_CHARS) -> Iterator[ConcordanceLine]:
    """Occurrences of `query` in the sources of live documents in `lang`, found in the first `rows`
    segments the index returns (by segment id): a sample that costs the same however frequent the query."""
    query = query.strip()
    fts = index_query(query) if query else None
    if fts is None:
        return
    sql = _SEGMENTS.format(source="segment_search f JOIN segments s ON s.id = f.rowid",
                           where="AND segment_search MATCH ? AND d.lang = ?")
    sql = sql.replace("ORDER BY d.id, s.position", "ORDER BY f.rowid LIMIT ?")
    finder = _Finder(query, lang)
    for row in store.conn.execute(sql, (f"source : ({fts})", lang, rows)):
        text = row["source_text"]
        for start, end in finder.spans(text):
            yield ConcordanceLine(
                row["document_id"], row["document_name"], row["segment_id"], row["position"], "source", lang,
                ("…" if start > context else "") + text[max(0, start - context):start], text[start:end],
                text[end:end + context] + ("…" if end + context < len(text) else ""))


def concordance(store, query: str, *, limit: int = 500, context: int = CONTEXT_CHARS) -> Concordance:
    """The first `limit` keyword-in-context lines for `query` and the total number of occurrences.

    Past the first lines, occurrences are only counted (`_Counter`: the same answer
    as the matcher, found faster).
    """
    query = query.strip()
    lines: list[ConcordanceLine] = []
    total = 0
    if not query:
        return Concordance(query, lines, total)
    finders: dict[str, _Finder] = {}
    counters: dict[str, _Counter] = {}
    rows = _candidate_rows(store, query)
    listed: list[int] = []  # segments whose occurrences are counted with the lines
    for row in rows:
        listed.append(row["segment_id"])
        for line in _occurrences([row], query, context, finders):
            total += 1
            if len(lines) < limit:
                lines.append(line)
        if len(lines) >= limit:
            break
    else:
        return Concordance(query, lines, total)
    rows.close()
    fts = index_query(query)
    if fts is None:  # (Chinese or punctuation only: no index to ask) every other row, as it comes
        seen = set(listed)
        for row in _candidate_rows(store, query, ordered=False):
            if row["segment_id"] not in seen:
                total += sum(1 for _ in _occurrences([row], query, context, finders))
        return Concordance(query, lines, total)
    # The other occurrences are only counted: each side read from the segments the index says hold
    # the query on that side, a batch of texts of one language at a time.
    for side, lang_column in (("source", "lang"), ("target", "target_lang")):
        batches: dict[str, list[str]] = {}
        for text, lang in store.conn.execute(
                f"""SELECT s.{side}_text, d.{lang_column} FROM segment_search f JOIN segments s ON s.id = f.rowid
                        JOIN documents d ON d.id = s.document_id
                    WHERE segment_search MATCH ? AND s.retired_at IS NULL AND d.archived = 0
                      AND f.rowid NOT IN ({','.join(map(str, listed))})""", (f"{side} : ({fts})",)):
            if not text:
                continue
            batch = batches.setdefault(lang, [])
            batch.append(text)
            if len(batch) >= _COUNT_BATCH:
                total += _counter(counters, finders, query, lang).count(batch)
                batch.clear()
        for lang, batch in batches.items():
            if batch:
                total += _counter(counters, finders, query, lang).count(batch)
    return Concordance(query, lines, total)


_COUNT_BATCH = 5000


def _counter(counters: dict, finders: dict, query: str, lang: str) -> _Counter:
    counter = counters.get(lang)
    if counter is None:
        finder = finders.get(lang) or _Finder(query, lang)
        counter = counters[lang] = _Counter(query, lang, finder)
    return counter


class _Counter:
    """Counts one finder's matches in texts, the same number as `len(finder.spans(text))`, faster.

    A regular expression proposes where a match may start: each query word as its
    letters without diacritics, each letter standing for every character seen that
    folds to it (case and diacritics), an English word as the prefix its plurals
    share; punctuation as any; white space between. Only there is the finder asked,
    on that stretch alone. Matches do not overlap, as the matcher's do not. Texts
    with a character that does not fold to exactly one (a loose mark, a ligature)
    are folded with offsets first; those with CJK characters (words there need no
    space) are given to the finder whole.
    """

    def __init__(self, query: str, lang: str, finder: _Finder):
        self.finder = finder
        self.words: list[tuple[str, bool] | None] = []  # (folded letters, plural suffix allowed); None: punctuation
        # (NFC first: a query typed with loose marks splits into the same words.)
        for token in re.findall(r"[^\W_]+|\S", unicodedata.normalize("NFC", query).lower()):
            if not token[0].isalnum():
                self.words.append(None)
                continue
            folded = fold_for_search(token)
            if lang == "en" and folded.isalpha():  # ("boxes" is a plural of "box" too)
                stem = stem_english(folded)
                self.words.append((stem[:-1] if stem.endswith("y") else stem, True))
            else:
                self.words.append((folded, False))
        self.usable = bool(self.words) and not any(is_cjk(char) for char in query)
        self.folded_pattern = self._compile(lambda char: re.escape(char)) if self.usable else None
        self.pattern, self.pattern_version = None, -1
        self.verified: dict[str, bool] = {}  # a stretch the pattern found: whether the finder matches it whole

    def _compile(self, letter) -> re.Pattern:
        slots = []
        for index, word in enumerate(self.words):
            if word is None:
                slots.append(r"(?:[^\w\s\x00]|_)")
                continue
            letters, plural = word
            first, rest = letter(letters[0]), "".join(map(letter, letters[1:]))
            # The first word's boundary is checked after its first letter, so that the search can skip
            # quickly to where that letter is.
            start = first + r"(?<![^\W_].)" if index == 0 else r"(?<![^\W_])" + first
            slots.append(start + rest + (r"[^\W_]*" if plural else "") + r"(?![^\W_])")
        return re.compile(r"\s*".join(slots))

    def count(self, texts: list[str]) -> int:
        """How many matches the texts hold in all."""
        if not self.usable:
            return sum(len(self.finder.spans(text)) for text in texts)
        # One string, one scan: the texts apart by a character no slot matches.
        joined = "\x00".join(texts)
        if not _folds_char_by_char(joined):
            return sum(self._count_one(text) for text in texts)
        if self.pattern_version != len(_ONE_TO_ONE):
            self.pattern = self._compile(_letter_class)
            self.pattern_version = len(_ONE_TO_ONE)
        return self._count(self.pattern, joined)

    def _count_one(self, text: str) -> int:
        if _folds_char_by_char(text):
            return self.count([text])
        if max(text) >= CJK_START:
            return len(self.finder.spans(text))
        chars, offsets = [], []
        for index, char in enumerate(text):  # marks dropped (not spaced out, as for the finder)
            for piece in (char if char.isspace() else fold_for_search(char)):
                chars.append(piece)
                offsets.append(index)
        return self._count(self.folded_pattern, "".join(chars), text, offsets)

    def _count(self, pattern: re.Pattern, text: str, original: str | None = None,
               offsets: list[int] | None = None) -> int:
        found, position = 0, 0
        verified = self.verified
        search = pattern.search
        while (match := search(text, position)) is not None:
            start, end = match.span()
            if offsets is None:
                piece = text[start:end]
            else:
                last = offsets[end - 1] + 1
                while last < len(original) and unicodedata.combining(original[last]):
                    last += 1  # the marks of the last letter
                piece = original[offsets[start]:last]
            matches = verified.get(piece)
            if matches is None:
                matches = (0, len(piece)) in self.finder.spans(piece)
                if len(verified) < 10_000:
                    verified[piece] = matches
            if matches:
                found += 1
                position = end  # matches do not overlap
            else:
                position = start + 1  # a match may still start inside this stretch
        return found


def search(store, query: str, *, limit: int = 500, context: int = CONTEXT_CHARS) -> list[ConcordanceLine]:
    """Keyword-in-context lines for `query` in every live segment's source and target (the first `limit`)."""
    return concordance(store, query, limit=limit, context=context).lines


def search_by_scanning(store, query: str, *, limit: int = 500,
                       context: int = CONTEXT_CHARS) -> list[ConcordanceLine]:
    """The same lines found without the index, every segment read (the reference the tests compare with)."""
    query = query.strip()
    if not query:
        return []
    rows = store.conn.execute(_SEGMENTS.format(source="segments s", where=""))
    return list(itertools.islice(_occurrences(rows, query, context), limit))


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
