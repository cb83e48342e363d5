"""Finding glossary terms in text: tokens, folding, and a longest-match trie.

Text and terms go through the same tokenizer: runs of letters, digits and
combining marks are words, each ideograph (Chinese) is a token of its own,
every other non-space character is a one-character punctuation token, and a
run of whitespace counts only between two words. A term therefore matches on
word boundaries in Vietnamese and English, by substring in Chinese, and terms
with `(`, `+` or `.` are compared literally, token by token; "quốc phòng - an
ninh" and "quốc phòng-an ninh" match each other because space next to
punctuation is not significant.

Each token is folded to a key before comparison:

- NFKC, then the five Vietnamese tone marks are taken off the vowels and put at
  the end of the syllable, so "hoà"/"hòa" and "uỷ"/"ủy" (tone placement), NFC
  and NFD spellings all give the same key; the Icelandic Ð is read as Đ.
- case is folded, except on acronyms (BĐBP, UBND: two or more letters, all
  capitals) and on every token of a case-sensitive entry;
- English words are reduced by a light plural stemmer (guards -> guard,
  policies -> policy) applied alike to text and terms, so plurals match; the
  possessive "'s" is a separate token and never blocks a match.

Keys go into a trie of token keys; matching walks it from each token and keeps
the longest terminal, then continues after it, so matches never overlap. The
work is linear in the text length times the longest term, whatever the size
of the glossary.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

import regex

# Vietnamese tone marks (as combining characters). Other marks (circumflex, breve,
# horn) change the vowel itself and stay attached.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
_IDEOGRAPH = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}"
_TOKEN_RE = regex.compile(
    rf"(?P<space>\s+)|(?P<ideo>[{_IDEOGRAPH}])|(?P<word>(?:(?![{_IDEOGRAPH}])[\p{{L}}\p{{N}}\p{{M}}])+)"
    r"|(?P<punct>.)",
    regex.DOTALL,
)
# Typographic variants that editors and MT systems swap freely.
_PUNCT_FOLD = {"’": "'", "‘": "'", "ʼ": "'", "`": "'", "“": '"', "”": '"', "„": '"',
               "«": '"', "»": '"', "–": "-", "—": "-", "‐": "-", "‑": "-"}
_END = ""  # trie slot for the patterns that end at a node; no token key is empty

KIND_RANK = {"term": 0, "variant": 1, "forbidden": 2}


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


@dataclass(frozen=True)
class Token:
    """A token of text with its span and folded keys."""

    start: int
    end: int
    key: str  # case-folded key
    cased: str  # key with case kept, for acronyms and case-sensitive entries
    is_acronym: bool


@dataclass(frozen=True)
class Pattern:
    """A glossary form ready for the trie."""

    entry_id: str
    form: str
    kind: str
    cased_positions: tuple[tuple[int, str], ...]  # (token index, cased key) that must match exactly
    order: int


class _Folder:
    """Folds tokens of one language to keys, with a cache (texts repeat their words)."""

    def __init__(self, lang: str):
        self.lang = lang
        self._cache: dict[str, tuple[str, str, bool]] = {}

    def fold(self, kind: str, text: str) -> tuple[str, str, bool]:
        """(case-folded key, cased key, is_acronym) of one token."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        if kind == "punct":
            folded = unicodedata.normalize("NFKC", _PUNCT_FOLD.get(text, text))
            result = (folded, folded, False)
        elif kind == "ideo":
            folded = unicodedata.normalize("NFKC", text)
            result = (folded, folded, False)
        else:
            base, tones = split_tones(text)
            is_acronym = _is_acronym(base)
            lowered = base.casefold()
            if self.lang == "en" and not is_acronym:
                lowered = stem_english(lowered)
            result = (lowered + tones, base + tones, is_acronym)
        if len(self._cache) < 200_000:
            self._cache[text] = result
        return result


def split_tones(word: str) -> tuple[str, str]:
    """Separate a word into (base letters, its tone marks sorted) after NFKC and Ð->Đ."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", word))
    base_chars = []
    tones = set()
    for char in decomposed:
        if char in TONE_MARKS:
            tones.add(char)
        else:
            base_chars.append(char)
    base = unicodedata.normalize("NFC", "".join(base_chars)).replace("Ð", "Đ").replace("ð", "đ")
    return base, "".join(sorted(tones))


def _is_acronym(base: str) -> bool:
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


def tokenize(text: str, folder: _Folder) -> list[Token]:
    """Tokens of `text` with folded keys; whitespace is kept only between two words."""
    raw = [(m.lastgroup, m.start(), m.end()) for m in _TOKEN_RE.finditer(text)]
    tokens: list[Token] = []
    for index, (kind, start, end) in enumerate(raw):
        if kind == "space":
            if (0 < index < len(raw) - 1 and raw[index - 1][0] == "word"
                    and raw[index + 1][0] == "word"):
                tokens.append(Token(start, end, " ", " ", False))
            continue
        key, cased, is_acronym = folder.fold(kind, text[start:end])
        tokens.append(Token(start, end, key, cased, is_acronym))
    return tokens


def has_matchable_content(form: str) -> bool:
    """True if the form holds at least one letter, digit or ideograph (not punctuation only)."""
    return any(unicodedata.category(c)[0] in "LN" for c in form)


class TermMatcher:
    """Longest-match-first, non-overlapping search for many forms in one language."""

    def __init__(self, lang: str):
        self.lang = lang
        self._folder = _Folder(lang)
        self._root: dict = {}
        self._count = 0

    def __len__(self) -> int:
        return self._count

    def add(self, entry_id: str, form: str, kind: str = "term", case_sensitive: bool = False) -> None:
        """Add one surface form of an entry; acronym tokens are always compared with case."""
        tokens = tokenize(form, self._folder)
        if not tokens:
            return
        cased = tuple((i, t.cased) for i, t in enumerate(tokens)
                      if t.key != " " and (case_sensitive or t.is_acronym))
        node = self._root
        for token in tokens:
            node = node.setdefault(token.key, {})
        patterns = node.setdefault(_END, [])
        patterns.append(Pattern(entry_id, form, kind, cased, self._count))
        # More specific first: case-checked forms, then canonical before variant before forbidden.
        patterns.sort(key=lambda p: (not p.cased_positions, KIND_RANK.get(p.kind, 9), p.order))
        self._count += 1

    def form_keys(self, form: str) -> tuple[str, ...]:
        """The case-folded token keys of a form (for comparing forms)."""
        return tuple(t.key for t in tokenize(form, self._folder))

    def find(self, text: str, accept=None) -> list[TermMatch]:
        """All non-overlapping matches in `text`, leftmost, longest first.

        `accept(pattern) -> bool` can refuse some patterns (they are then passed over
        as if absent, so a shorter accepted form can still match).
        """
        tokens = tokenize(text, self._folder)
        keys = [t.key for t in tokens]
        root = self._root
        matches: list[TermMatch] = []
        count = len(tokens)
        i = 0
        while i < count:
            node = root.get(keys[i])
            if node is None:
                i += 1
                continue
            best: tuple[Pattern, int] | None = None
            j = i
            while True:
                patterns = node.get(_END)
                if patterns:
                    for pattern in patterns:
                        if all(tokens[i + k].cased == cased for k, cased in pattern.cased_positions) \
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
                i += 1
                continue
            pattern, last = best
            start, end = tokens[i].start, tokens[last].end
            matches.append(TermMatch(pattern.entry_id, start, end, text[start:end],
                                     pattern.form, pattern.kind))
            i = last + 1
        return matches
