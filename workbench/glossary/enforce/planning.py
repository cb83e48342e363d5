"""Before decoding: what each sentence requires, in source words and in target tokens.

`plan_segment` finds the glossary terms of a sentence, the target terms it must
contain and the renderings it must not, and expands acronyms on the source side
(part 1 of the enforcement). `row_constraints` turns a plan into target-token
sequences, which the decoding strategies (`logits`, `placement`) work with.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.glossary.matching import TermMatch, TermMatcher, is_acronym_base
from workbench.glossary.report import TermOccurrence
from workbench.text import split_tones


@dataclass
class EnforcementSettings:
    """How hard enforcement pushes; the defaults carry a random-weight model too."""

    n_best: int | None = None  # hypotheses to rerank; None: as many as the run's beams
    continue_bonus: float = 8.0  # added to the next token of a started term (inf: forced)
    open_bonus: float = 2.0  # added to a term's first token at its expected position
    open_ramp: float = 1.0  # added per step past the expected position
    open_bonus_max: float = 6.0
    eos_penalty: float = 6.0  # taken from end-of-sentence while a required term is missing
    length_ratio: float = 1.0  # target tokens per source token, to place terms
    block_forbidden: bool = True
    expand_acronyms: bool = True
    rerank: bool = True
    final_pass: bool = True
    # Engines without logits processors (CTranslate2): forced-prefix placement of missing terms.
    place_terms: bool = True
    placement_positions: int = 3  # word boundaries tried per missing term (and as many after earlier terms)
    placement_alternatives: int = 3  # continuations per boundary, differing in their first token
    max_placements: int = 16  # rounds per sentence; each places a term or gives it up


@dataclass
class RequiredTerm:
    target: str
    position: float  # relative position (0..1) of its first source occurrence
    token_ids: tuple[int, ...] = ()


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
                        list(required.values()), forbidden if settings.block_forbidden else [])


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


def attach_token_ids(translator, plans: list[SegmentPlan]) -> None:
    """Target-side token ids of each required term (terms with unknown pieces are left out)."""
    tokenizer = translator.tokenizer
    unknown = tokenizer.unk_token_id
    cache: dict[str, tuple[int, ...]] = {}
    for plan in plans:
        for term in plan.required:
            if term.target not in cache:
                cache[term.target] = target_ids(tokenizer, term.target)
            ids = cache[term.target]
            term.token_ids = () if unknown in ids else ids


def target_ids(tokenizer, text: str) -> tuple[int, ...]:
    ids = tokenizer(text_target=text, add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    return tuple(i for i in ids if i != eos)


@dataclass
class TermConstraints:
    """What the logits processor enforces for one sentence, in target-token ids."""

    terms: list[tuple[tuple[int, ...], int]]  # (term's token ids, expected step)
    forbidden: list[tuple[int, ...]]


def row_constraints(plan: SegmentPlan, translator, settings) -> TermConstraints | None:
    terms = []
    if plan.required:
        source_tokens = len(translator.tokenizer(plan.model_source)["input_ids"])
        expected_length = source_tokens * settings.length_ratio
        terms = [(t.token_ids, int(t.position * expected_length))
                 for t in plan.required if t.token_ids]
    required_ids = [ids for ids, _ in terms]
    forbidden = []
    for form in plan.forbidden:
        ids = target_ids(translator.tokenizer, form)
        # Never block a sequence that a required term begins with.
        if ids and not any(req[:len(ids)] == ids for req in required_ids):
            forbidden.append(ids)
    if not terms and not forbidden:
        return None
    return TermConstraints(terms, forbidden)


_HARMLESS_SUFFIXES = {"s", "es"}


def glue_token_ids(tokenizer) -> list[int]:
    """Ids of SentencePiece pieces that continue a word (no "▁" and starting with a letter/digit)."""
    ids = []
    for piece, index in tokenizer.get_vocab().items():
        if (piece and not piece.startswith("▁") and piece[0].isalnum()
                and piece not in _HARMLESS_SUFFIXES):
            ids.append(index)
    return sorted(ids)


def canonical_matcher(plan: SegmentPlan, glossary: Glossary, target_lang: str) -> TermMatcher:
    """Finds the canonical target terms of the entries found in this segment's source."""
    matcher = TermMatcher(target_lang)
    for entry_id in dict.fromkeys(o.entry_id for o in plan.occurrences):
        entry = glossary[entry_id]
        matcher.add(entry.id, entry.terms[target_lang], "term", entry.case_sensitive)
    return matcher
