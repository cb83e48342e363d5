"""Glossary forms that are ordinary word sequences of the language, found against a corpus.

A source form such as "năm trong một" (the slogan "five-in-one") is also plain
Vietnamese ("3 năm trong một vụ tai nạn": three years in an accident); matched
everywhere, enforcement forces "five-in-one" into sentences about accidents. Such a
form is recognisable in a corpus: its words are among the most common of the language,
and they occur together hardly more often than chance would put them side by side
(a real term, "công an", occurs together tens of times more often than chance), and its
matches mostly sit in sentences with no other glossary term.

`ordinary_forms(glossary, texts, lang)` streams the texts once (word counts, and
counts of each candidate form, in memory proportional to the vocabulary, not the
corpus) and returns a warning per suspicious form. Forms whose entry already requires
context in that language (the `context` column) are not suspects. A corpus under
`min_words` words cannot tell chance from habit: the result says so instead of guessing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.glossary.entries import Glossary
from workbench.glossary.matching import TermMatcher

COMMON_WORD = 1e-3  # a word this frequent (share of all words) is a common word
ASSOCIATION = 20.0  # together at most this many times more often than chance: ordinary
MIN_WORDS = 100_000  # smaller corpora leave the counts to chance


@dataclass(frozen=True)
class OrdinaryForm:
    """A glossary form that looks like an ordinary word sequence, with the evidence."""

    entry_id: str
    form: str
    lang: str
    matches: int  # occurrences of the form in the corpus
    association: float  # occurrences / the count chance would give
    unrelated: int  # occurrences in sentences with no other glossary term
    corpus_words: int

    def message(self) -> str:
        """The warning `glossary check` prints."""
        return (f"{self.entry_id}: the {self.lang} form '{self.form}' is an ordinary word sequence: its words "
                f"are common and occur together only {self.association:.1f}x as often as by chance "
                f"({self.matches} times in {self.corpus_words:,} words, {self.unrelated} of them in sentences "
                f"with no other glossary term); require context (column 'context', e.g. "
                f"{self.lang}:quoted) or use a longer form")


@dataclass
class OrdinaryFormsResult:
    """The warnings, and how much text they were judged on."""

    warnings: list[OrdinaryForm]
    corpus_words: int
    enough_text: bool


def ordinary_forms(glossary: Glossary, texts: Iterable[str], lang: str = "vi", *,
                   common: float = COMMON_WORD, association: float = ASSOCIATION,
                   min_words: int = MIN_WORDS) -> OrdinaryFormsResult:
    """Forms of `lang` (terms and variants of several words, no context required) that look ordinary."""
    keys_of = TermMatcher(lang).form_keys
    candidates: dict[tuple[str, ...], list[tuple[str, str]]] = {}
    for entry in glossary:
        if entry.context.get(lang):
            continue
        for form in entry.forms(lang):
            keys = keys_of(form)
            if len(keys) >= 2 and all(key[:1].isalpha() for key in keys) and not any(w.isupper() and len(w) > 1
                                                                                  for w in form.split()):
                candidates.setdefault(keys, []).append((entry.id, form))
    by_first: dict[str, list[tuple[str, ...]]] = {}
    for keys in candidates:
        by_first.setdefault(keys[0], []).append(keys)
    words: Counter = Counter()
    matches: Counter = Counter()
    unrelated: Counter = Counter()
    for text in texts:
        for line in text.splitlines():
            keys = keys_of(line)
            words.update(keys)
            found = [form for i, key in enumerate(keys) for form in by_first.get(key, ())
                     if tuple(keys[i:i + len(form)]) == form]
            if not found:
                continue
            matches.update(found)
            entries = {m.entry_id for m in glossary.match(line, lang)}
            for form in found:
                own = {entry_id for entry_id, _ in candidates[form]}
                unrelated[form] += not (entries - own)
    total = sum(words.values())
    warnings = []
    if total >= min_words:
        for keys, owners in candidates.items():
            shares = [words[key] / total for key in keys]
            if min(shares) < common:
                continue
            expected = total
            for share in shares:
                expected *= share
            ratio = matches[keys] / expected
            if ratio < association:
                warnings += [OrdinaryForm(entry_id, form, lang, matches[keys], ratio, unrelated[keys], total)
                             for entry_id, form in owners]
    return OrdinaryFormsResult(sorted(warnings, key=lambda w: (w.entry_id, w.form)), total, total >= min_words)
