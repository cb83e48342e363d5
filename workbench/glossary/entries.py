"""The glossary in memory: entries, their forms per language, and matching.

A `GlossaryEntry` is one concept: a canonical term per language (Vietnamese,
English, Chinese where it exists), variant surface forms used for matching
source text, forbidden renderings (known wrong translations), a note, two
switches (case-sensitive matching and term enforcement) and, for forms that are
also ordinary phrases, the context they need before they match. A `Glossary` is an
immutable set of entries with a `version` (a content hash) that is recorded
with every translation made under it.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from workbench.glossary.matching import ContextRule, TermMatch, TermMatcher

LANGUAGES = ("vi", "en", "zh")


@dataclass(frozen=True, eq=True)
class GlossaryEntry:
    """One concept of the glossary, with its forms per language."""

    id: str
    terms: dict[str, str]  # lang -> canonical term; languages without one are absent
    variants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    forbidden: dict[str, tuple[str, ...]] = field(default_factory=dict)
    note: str = ""
    case_sensitive: bool = False
    enforce: bool = True
    path: str | None = field(default=None, compare=False)
    line: int | None = field(default=None, compare=False)
    # lang -> rules one of which must hold around a term or variant before it matches
    context: dict[str, tuple[ContextRule, ...]] = field(default_factory=dict)

    def term(self, lang: str) -> str | None:
        """The canonical term in `lang`, or None."""
        return self.terms.get(lang) or None

    def forms(self, lang: str) -> tuple[str, ...]:
        """Canonical term then variants in `lang` (the forms that identify the concept)."""
        term = self.term(lang)
        return ((term,) if term else ()) + tuple(self.variants.get(lang, ()))

    def to_dict(self) -> dict:
        """A JSON-ready dict of the entry (without its file location)."""
        return {
            "id": self.id, "terms": dict(self.terms),
            "variants": {k: list(v) for k, v in self.variants.items() if v},
            "forbidden": {k: list(v) for k, v in self.forbidden.items() if v},
            "note": self.note, "case_sensitive": self.case_sensitive, "enforce": self.enforce,
            **({"context": format_context(self.context)} if self.context else {}),
        }


class Glossary:
    """An immutable, validated set of entries with a content-hash version."""

    def __init__(self, entries: Iterable[GlossaryEntry], version: str | None = None,
                 sources: Iterable[str] = ()):
        self.entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self._by_id = {entry.id: entry for entry in self.entries}
        self.version = version or entries_version(self.entries)
        self.sources = tuple(sources)
        self._matchers: dict[tuple[str, tuple[str, ...]], TermMatcher] = {}
        self._lock = threading.Lock()

    def __reduce__(self):
        # Pickled (to Ray workers) as its entries, version and sources; matchers are rebuilt there.
        return (Glossary, (self.entries, self.version, self.sources))

    def __len__(self) -> int:
        return len(self.entries)

    def __iter__(self) -> Iterator[GlossaryEntry]:
        return iter(self.entries)

    def __contains__(self, entry_id: object) -> bool:
        return entry_id in self._by_id

    def __getitem__(self, entry_id: str) -> GlossaryEntry:
        return self._by_id[entry_id]

    def __repr__(self) -> str:
        return f"Glossary({len(self.entries)} entries, version={self.version!r})"

    def get(self, entry_id: str) -> GlossaryEntry | None:
        """The entry with this id, or None."""
        return self._by_id.get(entry_id)

    def matcher(self, lang: str, kinds: tuple[str, ...] = ("term", "variant")) -> TermMatcher:
        """The compiled matcher for `lang` over the given kinds of forms (built once)."""
        key = (lang, tuple(kinds))
        matcher = self._matchers.get(key)
        if matcher is None:
            with self._lock:
                matcher = self._matchers.get(key)
                if matcher is None:
                    matcher = build_matcher(self.entries, lang, kinds)
                    self._matchers[key] = matcher
        return matcher

    def match(self, text: str, lang: str) -> list[TermMatch]:
        """Occurrences of entries (canonical terms and variants) in `text` written in `lang`."""
        return self.matcher(lang).find(text)

    def match_forbidden(self, text: str, lang: str) -> list[TermMatch]:
        """Occurrences of forbidden renderings in `text` written in `lang`."""
        return self.matcher(lang, ("forbidden",)).find(text)


def build_matcher(entries: Iterable[GlossaryEntry], lang: str,
                  kinds: tuple[str, ...] = ("term", "variant")) -> TermMatcher:
    """A matcher over the chosen kinds of forms ("term", "variant", "forbidden") in `lang`."""
    matcher = TermMatcher(lang)
    for entry in entries:
        context = entry.context.get(lang, ())
        if "term" in kinds and entry.term(lang):
            matcher.add(entry.id, entry.terms[lang], "term", entry.case_sensitive, context)
        if "variant" in kinds:
            for form in entry.variants.get(lang, ()):
                matcher.add(entry.id, form, "variant", entry.case_sensitive, context)
        if "forbidden" in kinds:
            for form in entry.forbidden.get(lang, ()):
                matcher.add(entry.id, form, "forbidden", entry.case_sensitive)
    return matcher


def parse_context(cell: str) -> dict[str, tuple[ContextRule, ...]]:
    """A `context` cell (`vi:quoted|vi:after=mô hình`) as rules per language; ValueError if malformed."""
    rules: dict[str, list[ContextRule]] = {}
    for part in (p.strip() for p in cell.split("|")):
        if not part:
            continue
        lang, colon, rule = part.partition(":")
        lang = lang.strip().lower()
        if not colon or lang not in LANGUAGES:
            prefixes = ", ".join(f"{code}:" for code in LANGUAGES)
            raise ValueError(f"context '{part}' must start with a language and a colon ({prefixes})")
        rules.setdefault(lang, []).append(ContextRule.parse(rule))
    return {lang: tuple(found) for lang, found in rules.items()}


def format_context(context: dict[str, tuple[ContextRule, ...]]) -> str:
    """The `context` cell of parsed rules (inverse of `parse_context`)."""
    return "|".join(f"{lang}:{rule}" for lang, rules in context.items() for rule in rules)


def entries_version(entries: Iterable[GlossaryEntry]) -> str:
    """Content hash of entries built in memory (files use the hash of their bytes instead)."""
    digest = hashlib.sha256()
    for entry in entries:
        digest.update(json.dumps(entry.to_dict(), ensure_ascii=False, sort_keys=True).encode())
        digest.update(b"\n")
    return "sha256:" + digest.hexdigest()[:16]
