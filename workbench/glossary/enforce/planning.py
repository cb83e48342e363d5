"""Before decoding: what each sentence requires, in source words and in target tokens.

`plan_segment` finds the glossary terms of a sentence, the target terms it must
contain and the renderings it must not, and expands acronyms on the source side
(part 1 of the enforcement). `target_ids` gives a term's target tokens, which
`enforce.replacement` puts in place of the model's own rendering.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.glossary.matching import TermMatch, TermMatcher, is_acronym_base
from workbench.glossary.report import TermOccurrence
from workbench.text import split_tones


@dataclass
class EnforcementSettings:
    """What enforcement does; the defaults suit a model that reads its input.

    The span thresholds are in nats of the model's own log-probabilities (see
    `enforce.replacement`): a token renders a source term when replacing the term in the
    source by the placeholder costs it more than `span_margin`; a run of such tokens is
    taken as the rendering when its losses beyond the margin add up to `min_span_loss`,
    and it has at most `extra_words` words more than the longer of the source term and the
    term. A replacement is refused when taking its words out damages the rest of the
    sentence: the other tokens lose more than `max_damage` nats in all (each counted
    beyond `damage_tolerance`) once those words and the source term are replaced by the
    placeholder (`enforce.replacement._damages`).
    """

    # Off: replacement finds the acronym's own rendering. Expanding it changes what the
    # model reads, so its words elsewhere too when the term is then not placed.
    expand_acronyms: bool = False
    place_terms: bool = True  # replace the model's rendering of a missing term
    # Look for the model's rendering of a source term translated alone before masking it.
    find_alone: bool = True
    final_pass: bool = True
    span_margin: float = 1.0
    min_span_loss: float = 2.0
    extra_words: int = 1  # a rendering has at most this many words beyond the source term's or the term's
    # Chosen on the proxy's tuning sentences (bench/proxy_data.py --tuning-only), not on its
    # evaluation sentences: the most lenient setting that damaged none of the 124 right ones.
    damage_tolerance: float = 2.0
    max_damage: float = 6.0
    # What stands for the term while its rendering is looked for and checked: "number" (a
    # number the model copies from source to output) or "unk" (an unknown-word token a word).
    placeholder: str = "number"


@dataclass
class RequiredTerm:
    target: str
    position: float  # relative position (0..1) of its first source occurrence


@dataclass
class SegmentPlan:
    source: str
    model_source: str
    occurrences: list[TermOccurrence]
    enforced_entries: list[GlossaryEntry]
    required: list[RequiredTerm] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)


def plan_segment(source: str, glossary: Glossary, source_lang: str, target_lang: str,
                  enforce: bool, settings: EnforcementSettings) -> SegmentPlan:
    matches = glossary.match(source, source_lang)
    occurrences = []
    enforced: dict[str, GlossaryEntry] = {}
    required: dict[str, RequiredTerm] = {}
    for match in matches:
        entry = glossary[match.entry_id]
        target = entry.term(target_lang)
        if not target:
            continue
        occurrences.append(TermOccurrence(entry.id, match.start, match.end, match.surface, target,
                                          enforced=enforce and entry.enforce))
        if enforce and entry.enforce:
            enforced.setdefault(entry.id, entry)
            required.setdefault(target, RequiredTerm(target, match.start / max(len(source), 1)))
    model_source = source
    if enforce and settings.expand_acronyms:
        model_source = expand_acronyms(source, matches, glossary, source_lang)
    forbidden = [form for entry in enforced.values() for form in entry.forbidden.get(target_lang, ())]
    return SegmentPlan(source, model_source, occurrences, list(enforced.values()),
                        list(required.values()), forbidden)


def expand_acronyms(source: str, matches: list[TermMatch], glossary: Glossary, lang: str) -> str:
    """Replace variants that contain an acronym by the entry's full term (not inside "(...)")."""
    pieces = []
    position = 0
    previous: TermMatch | None = None
    for match in matches:
        entry = glossary[match.entry_id]
        full = entry.term(lang)
        spelled_out_before = (previous is not None and previous.entry_id == match.entry_id
                              and source[previous.end:match.start].strip() == "(")
        if (entry.enforce and match.kind == "variant" and full and not spelled_out_before
                and has_acronym(match.surface) and not has_acronym(full)):
            pieces.append(source[position:match.start])
            pieces.append(full)
            position = match.end
        previous = match
    pieces.append(source[position:])
    return "".join(pieces)


def has_acronym(text: str) -> bool:
    return any(is_acronym_base(split_tones(word)[0]) for word in text.split())


_target_ids: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def target_ids(tokenizer, text: str) -> tuple[int, ...]:
    """The target tokens of a text (kept per tokenizer: the same terms recur in every sentence)."""
    try:
        known = _target_ids.setdefault(tokenizer, {})
    except TypeError:  # a tokenizer that cannot be referenced weakly: nothing kept
        known = {}
    if text not in known:
        eos = tokenizer.eos_token_id
        known[text] = tuple(i for i in tokenizer(text_target=text, add_special_tokens=False)["input_ids"] if i != eos)
    return known[text]


_canonical_matchers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def canonical_matcher(plan: SegmentPlan, glossary: Glossary, target_lang: str) -> TermMatcher:
    """Finds the canonical target terms of the entries found in this segment's source.

    Kept per glossary, language and set of entries: sentences share their terms.
    """
    entry_ids = tuple(dict.fromkeys(o.entry_id for o in plan.occurrences))
    try:
        known = _canonical_matchers.setdefault(glossary, {})
    except TypeError:  # a glossary that cannot be referenced weakly: nothing kept
        known = {}
    if (target_lang, entry_ids) not in known:
        matcher = TermMatcher(target_lang)
        for entry_id in entry_ids:
            entry = glossary[entry_id]
            if entry.term(target_lang):
                matcher.add(entry.id, entry.terms[target_lang], "term", entry.case_sensitive)
        known[(target_lang, entry_ids)] = matcher
    return known[(target_lang, entry_ids)]
