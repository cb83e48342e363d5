"""Quality checks on a segment's translation: what a reviewer should look at twice.

Each check looks at one (source, target) pair and returns `Issue`s with a code
from `CHECKS` and a message that names what is wrong. The checks are hints,
not rules: a flagged segment may be right (a date rewritten as words, a
heading without a full stop). The glossary checks need a `Glossary`; the
length check needs the document's usual target/source length ratio
(`usual_length_ratio`), because Vietnamese runs longer than English and each
document has its own habits; the spelling check needs a
`workbench.review.spelling.SpellChecker` for the target language (Hunspell
dictionaries; glossary words and the team's accepted words are never flagged).
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from workbench.mt.plausibility import check_plausibility

#: Check codes and their labels, in the order the UI lists them.
CHECKS: dict[str, str] = {
    "missing_term": "required term missing",
    "forbidden_term": "forbidden rendering present",
    "numbers": "numbers differ",
    "empty_target": "empty target",
    "same_as_source": "target identical to source",
    "double_space": "doubled spaces",
    "end_punctuation": "end punctuation differs",
    "length_ratio": "length ratio unusual",
    "implausible_mt": "implausible machine translation",
    "spelling": "possible misspelling",
}

#: A target more than this many times longer or shorter than the usual ratio is flagged.
LENGTH_RATIO_FACTOR = 2.0
#: Sources shorter than this (characters) are too short for a meaningful length ratio.
MIN_LENGTH_FOR_RATIO = 20
#: The document needs this many translated segments before its usual ratio is trusted.
MIN_SEGMENTS_FOR_RATIO = 3

_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_CLOSERS = "\"'”’»)]}」』）］》〉"
_END_CLASSES = {
    ".": "full stop", "。": "full stop", "．": "full stop",
    "?": "question mark", "？": "question mark",
    "!": "exclamation mark", "！": "exclamation mark",
    ":": "colon", "：": "colon",
    ";": "semicolon", "；": "semicolon",
    "…": "ellipsis",
    ",": "comma", "，": "comma", "、": "comma",
}


@dataclass(frozen=True)
class Issue:
    """One problem found in a segment: a code from `CHECKS` and a readable message."""

    code: str
    message: str

    @property
    def label(self) -> str:
        """The short name of the check that raised it."""
        return CHECKS[self.code]


def number_keys(text: str) -> Counter:
    """The numbers of a text as digit strings, separators dropped ("21.790" and "21,790" agree)."""
    text = unicodedata.normalize("NFKC", text)
    return Counter(re.sub(r"[.,]", "", match.group()) for match in _NUMBER.finditer(text))


def end_punctuation(text: str) -> str:
    """The class of a text's final punctuation ("full stop", "question mark"...) or "none"."""
    stripped = text.rstrip().rstrip(_CLOSERS).rstrip()
    if stripped.endswith("..."):
        return "ellipsis"
    return _END_CLASSES.get(stripped[-1:], "none") if stripped else "none"


def length_ratio(source: str, target: str) -> float | None:
    """len(target) / len(source) in characters, None when either is empty."""
    source, target = source.strip(), target.strip()
    if not source or not target:
        return None
    return len(target) / len(source)


def usual_length_ratio(pairs: Iterable[tuple[str, str | None]]) -> float | None:
    """The median target/source length ratio of a document's translated segments.

    Only segments long enough to count are used; None when fewer than
    `MIN_SEGMENTS_FOR_RATIO` of them have a target.
    """
    ratios = [ratio for source, target in pairs
              if target and len(source.strip()) >= MIN_LENGTH_FOR_RATIO
              and (ratio := length_ratio(source, target)) is not None]
    if len(ratios) < MIN_SEGMENTS_FOR_RATIO:
        return None
    return statistics.median(ratios)


def check_segment(
    source: str,
    target: str | None,
    *,
    source_lang: str,
    target_lang: str,
    glossary=None,
    usual_ratio: float | None = None,
    spell_checker=None,
) -> list[Issue]:
    """Every issue of one translated segment (see `CHECKS`); [] when nothing is wrong."""
    if target is None or not target.strip():
        return [Issue("empty_target", "the target is empty")]
    issues: list[Issue] = []
    if glossary is not None:
        issues.extend(_term_issues(source, target, source_lang, target_lang, glossary))
    issues.extend(_number_issues(source, target))
    if any(ch.isalpha() for ch in source) and _same_text(source, target):
        issues.append(Issue("same_as_source", "the target is identical to the source"))
    if "  " in target.strip():
        issues.append(Issue("double_space", "the target contains doubled spaces"))
    source_end, target_end = end_punctuation(source), end_punctuation(target)
    if source_end != target_end:
        issues.append(Issue("end_punctuation",
                            f"the source ends with {_describe_end(source_end)}, "
                            f"the target with {_describe_end(target_end)}"))
    ratio = length_ratio(source, target)
    if (usual_ratio and ratio is not None and len(source.strip()) >= MIN_LENGTH_FOR_RATIO
            and not usual_ratio / LENGTH_RATIO_FACTOR <= ratio <= usual_ratio * LENGTH_RATIO_FACTOR):
        issues.append(Issue("length_ratio",
                            f"target/source length ratio {ratio:.2f}, the document's usual "
                            f"is {usual_ratio:.2f}"))
    if spell_checker is not None:
        issues.extend(spelling_issues(target, spell_checker))
    return issues


def spelling_issues(target: str, spell_checker) -> list[Issue]:
    """A `spelling` issue naming the words of `target` the target language's dictionary does not know."""
    words = list(dict.fromkeys(m.word for m in spell_checker.misspellings(target)))
    if not words:
        return []
    return [Issue("spelling", "not in the dictionary: " + ", ".join(words))]


def check_machine_translation(source: str, mt_text: str | None, *, source_lang: str, target_lang: str,
                              random_weights: bool = False, reasons: list[str] | None = None) -> list[Issue]:
    """An `implausible_mt` issue when a segment's machine translation is not a plausible starting point.

    No machine translation at all is not an issue here (the model may be missing);
    the reasons come from `workbench.mt.plausibility.check_plausibility`, or are given when the caller
    already has them (the Review page computes them once per segment).
    """
    if mt_text is None:
        return []
    if reasons is None:
        reasons = check_plausibility(source, mt_text, source_lang, target_lang, random_weights=random_weights)
    if not reasons:
        return []
    return [Issue("implausible_mt", "the machine translation is not plausible: " + "; ".join(reasons))]


def _same_text(source: str, target: str) -> bool:
    def fold(text: str) -> str:
        return " ".join(unicodedata.normalize("NFC", text).casefold().split())

    return fold(source) == fold(target)


def _describe_end(kind: str) -> str:
    return "no punctuation" if kind == "none" else f"a {kind}"


def _number_issues(source: str, target: str) -> list[Issue]:
    source_numbers, target_numbers = number_keys(source), number_keys(target)
    if source_numbers == target_numbers:
        return []
    lacking = sorted((source_numbers - target_numbers).elements())
    extra = sorted((target_numbers - source_numbers).elements())
    parts = []
    if lacking:
        parts.append(f"not in the target: {', '.join(lacking)}")
    if extra:
        parts.append(f"not in the source: {', '.join(extra)}")
    return [Issue("numbers", "numbers differ (" + "; ".join(parts) + ")")]


def _term_issues(source: str, target: str, source_lang: str, target_lang: str,
                 glossary) -> list[Issue]:
    issues: list[Issue] = []
    present = {match.entry_id for match in glossary.matcher(target_lang, ("term",)).find(target)}
    missing: dict[str, str] = {}
    for match in glossary.match(source, source_lang):
        entry = glossary.get(match.entry_id)
        required = entry.term(target_lang) if entry else None
        if required and match.entry_id not in present:
            missing.setdefault(match.entry_id, f"'{match.surface}' requires '{required}'")
    if missing:
        issues.append(Issue("missing_term", "required term missing: " + "; ".join(missing.values())))
    forbidden = []
    for match in glossary.match_forbidden(target, target_lang):
        entry = glossary.get(match.entry_id)
        canonical = entry.term(target_lang) if entry else None
        forbidden.append(f"'{match.surface}'" + (f" (use '{canonical}')" if canonical else ""))
    if forbidden:
        issues.append(Issue("forbidden_term",
                            "forbidden rendering present: " + "; ".join(dict.fromkeys(forbidden))))
    return issues
