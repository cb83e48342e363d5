"""The glossary side of term candidates: what the glossary already has, and what a string adds to it.

`Known` (an entry's forms, forbidden forms and match spans in one language; a
Vietnamese entry's diacritic-free forms), `content_classes` (English content
words, spelling and the MT's near-synonyms folded), `entry_for` (the one entry
an English form most likely names), `leftover_words` and `compositional` (a
glossary term plus nothing new), `inside` and `cuts` (a string within, or across,
a glossary match).
"""

from __future__ import annotations

import re

from workbench.glossary.candidates.language import Language, Unit, is_name, language_of
from workbench.glossary.matching import tokenize
from workbench.text import fold_for_search

_EN_SYNONYMS = {
    "frontier": "border", "border": "border",
    "protection": "defense", "defence": "defense", "defense": "defense",
    "committee": "commission", "commission": "commission",
    "programme": "program", "program": "program", "project": "program",
    "organisation": "organization", "modernisation": "modernization",
}


class Known:
    """What the glossary already has in one language: forms, match spans, content classes."""

    def __init__(self, glossary, lang: str):
        self.lang = lang
        self.glossary = glossary
        self.keys: set[tuple] = set()
        self.stripped: dict[str, str] = {}  # diacritic-free form -> entry id (vi)
        self.entry_classes: list[tuple[str, frozenset, bool, str]] = []  # entry id, classes, name-like, form
        if glossary is None:
            return
        language = language_of(lang)
        for entry in glossary:
            forms = list(entry.forms(lang)) + list(entry.forbidden.get(lang, ()))
            for form in forms:
                self.keys.add(tuple(tokenize(form, language.folder).keys))
                if lang == "vi":
                    self.stripped.setdefault(stripped_key(form), entry.id)
            if lang == "en":
                for form in entry.forms("en"):
                    classes = content_classes(form)
                    if classes:
                        self.entry_classes.append((entry.id, classes, is_name(form, language), form))

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.glossary is None:
            return []
        return [(m.start, m.end) for m in self.glossary.match(text, self.lang)]


def stripped_key(form: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", fold_for_search(form)))


def content_classes(form: str) -> frozenset[str]:
    """English content words of a form, spelling and MT near-synonyms folded to one class each."""
    language = language_of("en")
    classes = set()
    for unit in language.units(form):
        if not unit.word or unit.key in language.stopwords:
            continue
        key = unit.key.removesuffix("'s")
        key = re.sub(r"ise$", "ize", re.sub(r"isation$", "ization", key))
        classes.add(_EN_SYNONYMS.get(key, key))
    return frozenset(classes)


def same_referent(a: frozenset, a_name: bool, b: frozenset, b_name: bool) -> bool:
    """Whether two English forms most likely name the same thing (see the module docstring)."""
    if len(a & b) < 2:
        return False
    if a == b:
        return True
    # A shorter form of a capitalised name ("Border Defense Committee" for the full title).
    return a_name and b_name and a < b


def entry_for(classes: frozenset, name: bool, known: Known) -> str | None:
    """The one entry this English form most likely names, or None (none, or ambiguous)."""
    if not classes:
        return None
    exact = {entry for entry, entry_classes, _, _ in known.entry_classes if entry_classes == classes}
    if len(exact) == 1:
        return exact.pop()
    if exact:
        return None
    shorter = {entry for entry, entry_classes, entry_name, _ in known.entry_classes
               if same_referent(classes, name, entry_classes, entry_name)}
    return shorter.pop() if len(shorter) == 1 else None


def leftover_words(surface: str, language: Language, known: Known) -> list[Unit] | None:
    """The content words of a string outside its glossary matches (None: it holds no glossary term)."""
    if known.glossary is None:
        return None
    matches = known.glossary.match(surface, language.lang)
    if not matches:
        return None
    rest = surface
    for match in sorted(matches, key=lambda m: -m.start):
        rest = rest[:match.start] + " \n " + rest[match.end:]
    return [u for u in language.units(rest) if u.word and u.key not in language.stopwords
            and not u.surface.isdigit() and u.key != "s"]  # "s": a possessive cut off its word


def compositional(leftover: list[Unit] | None, language: Language) -> bool:
    """A glossary term plus nothing new: function words, numbers, a proper name ("Tỉnh uỷ Lạng Sơn"),
    or in English one common word ("spirit of General Secretary Xi Jinping")."""
    if leftover is None:
        return False
    if not leftover:
        return True
    if language.lang == "vi":
        return all(u.surface[:1].isupper() and not u.acronym for u in leftover)
    return len(leftover) == 1 and leftover[0].surface[:1].islower()


def inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def cuts(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """The string cuts a glossary match in two ("Region and Chairman of the Autonomous")."""
    return any(s < start < e < end or start < s < end < e for s, e in spans)
