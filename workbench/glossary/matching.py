"""Finding glossary terms in text: tokens, folding, and a longest-match trie.

Text and terms go through the same tokenizer: runs of letters, digits and
combining marks are words, each ideograph (Chinese) is a token of its own,
every other non-space character is a one-character punctuation token, and
whitespace only separates tokens (words are maximal runs, so two adjacent
word tokens always had whitespace between them; any amount, line breaks
included, is the same). A term therefore matches on word boundaries in
Vietnamese and English, by substring in Chinese, and terms with `(`, `+` or
`.` are compared literally, token by token; "quốc phòng - an ninh" and "quốc
phòng-an ninh" match each other because space next to punctuation is not
significant.

Each token is folded to a key before comparison:

- NFKC, then the five Vietnamese tone marks are taken off the vowels and put at
  the end of the syllable, so "hoà"/"hòa" and "uỷ"/"ủy" (tone placement), NFC
  and NFD spellings all give the same key; the Icelandic Ð is read as Đ.
- case is folded, except on acronyms (BĐBP, UBND: two or more letters, all
  capitals) and on every token of a case-sensitive entry;
- English words are reduced by a light plural stemmer (guards -> guard,
  policies -> policy) applied alike to text and terms, so plurals match; the
  possessive "'s" is a separate token and never blocks a match.

A form can require context before it matches (`ContextRule`): quotes around it,
a capital first letter, or given words right before or after it. "năm trong một"
("five in one", a slogan) is also an ordinary phrase ("3 năm trong một vụ tai nạn":
three years in an accident), so its entry requires quotes or "mô hình" before it.
A match whose context fails is passed over as if the form were absent.

Keys go into a trie of token keys; matching walks it from each token and keeps
the longest terminal, then continues after it, so matches never overlap. The
work is linear in the text length times the longest term, whatever the size
of the glossary.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import accumulate

from workbench.text import CJK_START, is_cjk, split_tones

# Every character falls in exactly one token, so token lengths add up to the text's
# and spans come from running sums: `findall` is much faster than match objects.
# Letters, digits and (for NFD text) Latin combining marks make words.
_TOKEN_RE = re.compile(r"[^\W_]+|\s+|.", re.DOTALL)
_TOKEN_WITH_MARKS_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+|\s+|.", re.DOTALL)
_COMBINING_RE = re.compile(r"[\u0300-\u036f]")
_WORD_CHAR_RE = re.compile(r"[^\W_]")
# Typographic variants that editors and MT systems swap freely.
_PUNCT_FOLD = {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "„": '"',
               "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-"}
_END = ""  # trie slot for the patterns that end at a node; no token key is empty
_SPACE_INFO = ()  # fold result of a whitespace run: no token

KIND_RANK = {"term": 0, "variant": 1, "forbidden": 2}
CONTEXT_KINDS = ("quoted", "capital", "after", "before")
_QUOTE_KEYS = frozenset({'"', "'"})


@dataclass(frozen=True)
class ContextRule:
    """What must surround a match: `quoted`, `capital`, or `after`/`before` given words.

    Written in a glossary's `context` column as `LANG:KIND` or `LANG:KIND=WORDS`
    (`vi:quoted|vi:after=mô hình`); a form with rules matches where any one holds.
    """

    kind: str
    words: str = ""

    @classmethod
    def parse(cls, text: str) -> ContextRule:
        """`KIND` or `KIND=WORDS`; ValueError naming what is wrong."""
        kind, _, words = text.partition("=")
        kind, words = kind.strip().lower(), " ".join(words.split())
        if kind not in CONTEXT_KINDS:
            raise ValueError(f"unknown context '{kind}' (known: {', '.join(CONTEXT_KINDS)})")
        if kind in ("after", "before") and not words:
            raise ValueError(f"context '{kind}' needs words: {kind}=WORDS")
        if kind in ("quoted", "capital") and words:
            raise ValueError(f"context '{kind}' takes no words")
        return cls(kind, words)

    def __str__(self) -> str:
        return f"{self.kind}={self.words}" if self.words else self.kind


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a glossary form in a text: character span [start, end)."""

    entry_id: str
    start: int
    end: int
    surface: str
    form: str = ""
    kind: str = "term"  # "term" (canonical), "variant" or "forbidden"

    def to_dict(self) -> dict:
        """A JSON-ready dict of the match."""
        return {"entry_id": self.entry_id, "start": self.start, "end": self.end,
                "surface": self.surface, "form": self.form, "kind": self.kind}


class Tokens:
    """Tokens of a text as parallel lists (cheaper than one object per token).

    Whitespace is not a token: word tokens are maximal runs, so two words are
    adjacent in the list exactly when only whitespace separates them in the text.
    """

    def __init__(self, parts: list[tuple], starts: list[int], ends: list[int]):
        self._parts = parts
        self.keys: list[str] = [part[2] for part in parts]  # case-folded keys
        self.starts = starts
        self.ends = ends

    @property
    def cased(self) -> list[str]:
        """Keys with case kept, for acronyms and case-sensitive entries."""
        return [part[3] for part in self._parts]

    @property
    def acronyms(self) -> list[bool]:
        """Whether each token is an acronym (two or more letters, all capitals)."""
        return [part[4] for part in self._parts]


@dataclass(frozen=True)
class Pattern:
    """A glossary form ready for the trie."""

    entry_id: str
    form: str
    kind: str
    cased_positions: tuple[tuple[int, str], ...]  # (token index, cased key) that must match exactly
    order: int
    context: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (kind, folded word keys); any one must hold


class _Folder:
    """Folds tokens of one language to keys, with a cache (texts repeat their words)."""

    def __init__(self, lang: str):
        self.lang = lang
        self._cache: dict[str, tuple] = {}

    def fold(self, token: str) -> tuple:
        """Sub-tokens of one raw token: (offset, end, key, cased, is_acronym, is_word) each.

        A raw word holding ideographs splits into one sub-token per ideograph and
        runs of other letters; whitespace gives the empty tuple.
        """
        cached = self._cache.get(token)
        if cached is not None:
            return cached
        if token.isspace():
            result = _SPACE_INFO
        elif not (token[0].isalnum() or "\u0300" <= token[0] <= "\u036f"):
            folded = unicodedata.normalize("NFKC", _PUNCT_FOLD.get(token, token))
            result = ((0, len(token), folded, folded, False, False),)
        elif max(token) >= CJK_START:
            result = tuple(self._split_ideographs(token))
        else:
            result = ((0, len(token), *self._fold_word(token), True),)
        if len(self._cache) < 500_000:
            self._cache[token] = result
        return result

    def _fold_word(self, word: str) -> tuple[str, str, bool]:
        base, tones = split_tones(word)
        is_acronym = is_acronym_base(base)
        lowered = base.casefold()
        if self.lang == "en" and not is_acronym:
            lowered = stem_english(lowered)
        return lowered + tones, base + tones, is_acronym

    def _split_ideographs(self, token: str):
        run_start = None
        for index, char in enumerate(token):
            if is_cjk(char):
                if run_start is not None:
                    yield (run_start, index, *self._fold_word(token[run_start:index]), True)
                    run_start = None
                folded = unicodedata.normalize("NFKC", char)
                yield (index, index + 1, folded, folded, False, False)
            elif run_start is None:
                run_start = index
        if run_start is not None:
            yield (run_start, len(token), *self._fold_word(token[run_start:]), True)


_FOLDERS: dict[str, _Folder] = {}


def _shared_folder(lang: str) -> _Folder:
    """One folder per language for every matcher: term enforcement builds a small matcher
    per sentence (several per sentence), which otherwise folded every word again."""
    folder = _FOLDERS.get(lang)
    if folder is None:
        folder = _FOLDERS[lang] = _Folder(lang)
    return folder


def is_acronym_base(base: str) -> bool:
    letters = [c for c in base if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def stem_english(word: str) -> str:
    """Reduce an English plural to its singular, roughly; the same rule runs on terms and text."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "zes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokenize(text: str, folder: _Folder) -> Tokens:
    """Tokens of `text` with folded keys and character spans."""
    pattern = _TOKEN_WITH_MARKS_RE if _COMBINING_RE.search(text) else _TOKEN_RE
    raw = pattern.findall(text)
    parts: list[tuple] = []
    starts: list[int] = []
    ends: list[int] = []
    fold = folder.fold
    for position, token_parts in zip(accumulate(map(len, raw), initial=0), map(fold, raw), strict=False):
        for part in token_parts:  # usually one; none for whitespace
            parts.append(part)
            starts.append(position + part[0])
            ends.append(position + part[1])
    return Tokens(parts, starts, ends)


def has_matchable_content(form: str) -> bool:
    """True if the form holds at least one letter, digit or ideograph (not punctuation only)."""
    return _WORD_CHAR_RE.search(form) is not None


class TermMatcher:
    """Longest-match-first, non-overlapping search for many forms in one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self._folder = _shared_folder(lang)
        self._root: dict = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, entry_id: str, form: str, kind: str = "term", case_sensitive: bool = False,
            context: tuple[ContextRule, ...] = ()) -> None:
        """Add one surface form of an entry; acronym tokens are always compared with case.

        With `context`, the form matches only where one of the rules holds.
        """
        tokens = tokenize(form, self._folder)
        if not tokens.keys:
            return
        cased_keys, acronyms = tokens.cased, tokens.acronyms
        cased = tuple((i, cased_keys[i]) for i in range(len(cased_keys))
                      if case_sensitive or acronyms[i])
        node = self._root
        for key in tokens.keys:
            node = node.setdefault(key, {})
        patterns = node.setdefault(_END, [])
        rules = tuple((rule.kind, tuple(tokenize(rule.words, self._folder).keys)) for rule in context)
        patterns.append(Pattern(entry_id, form, kind, cased, self._count, rules))
        # More specific first: case-checked forms, then canonical before variant before forbidden.
        patterns.sort(key=lambda p: (not p.cased_positions, KIND_RANK.get(p.kind, 9), p.order))
        self._count += 1

    def form_keys(self, form: str) -> tuple[str, ...]:
        """The case-folded token keys of a form (for comparing forms)."""
        return tuple(tokenize(form, self._folder).keys)

    def find(self, text: str, accept=None) -> list[TermMatch]:
        """All non-overlapping matches in `text`, leftmost, longest first.

        `accept(pattern) -> bool` can refuse some patterns (they are then passed over
        as if absent, so a shorter accepted form can still match).
        """
        tokens = tokenize(text, self._folder)
        keys = tokens.keys
        cased_keys = None  # built only if a case-checked pattern is reached
        root = self._root
        matches: list[TermMatch] = []
        count = len(keys)
        following = 0  # matches may not start before this token
        for i in [i for i, key in enumerate(keys) if key in root]:
            if i < following:
                continue
            node = root[keys[i]]
            best: tuple[Pattern, int] | None = None
            j = i
            while True:
                patterns = node.get(_END)
                if patterns:
                    for pattern in patterns:
                        if pattern.cased_positions and cased_keys is None:
                            cased_keys = tokens.cased
                        if all(cased_keys[i + k] == cased for k, cased in pattern.cased_positions) \
                                and (not pattern.context or _context_holds(pattern.context, tokens, text, i, j)) \
                                and (accept is None or accept(pattern)):
                            best = (pattern, j)
                            break
                j += 1
                if j >= count:
                    break
                node = node.get(keys[j])
                if node is None:
                    break
            if best is None:
                continue
            pattern, last = best
            start, end = tokens.starts[i], tokens.ends[last]
            matches.append(TermMatch(pattern.entry_id, start, end, text[start:end],
                                     pattern.form, pattern.kind))
            following = last + 1
        return matches


def _context_holds(rules, tokens: Tokens, text: str, first: int, last: int) -> bool:
    """Whether one of the rules holds around the tokens [first, last] of a match."""
    keys = tokens.keys
    for kind, words in rules:
        if kind == "quoted":
            if first > 0 and last + 1 < len(keys) and keys[first - 1] in _QUOTE_KEYS \
                    and keys[last + 1] in _QUOTE_KEYS:
                return True
        elif kind == "capital":
            if text[tokens.starts[first]].isupper():
                return True
        elif kind == "after":
            if first >= len(words) and tuple(keys[first - len(words):first]) == words:
                return True
        elif kind == "before" and tuple(keys[last + 1:last + 1 + len(words)]) == words:
            return True
    return False
