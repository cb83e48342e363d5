"""During and after decoding: a required term takes the place of the model's own rendering.

The same steps for every engine (CTranslate2 and transformers alike):

1. Plain pass. Each sentence is translated exactly as without terms (the run's beams).
   A sentence whose output already renders each required term as often as the source
   holds it costs nothing more, and its output is the plain one, untouched.
2. Which words render the source term. The plain hypothesis is scored token by token
   given the source, and given the source with the term's span deleted (forced
   decoding: no search, one batched call). Tokens that render the deleted span lose
   most of their probability; the rendering is the contiguous run of tokens (at most
   `span_length_ratio` times the source term's tokens, plus two) with the largest loss
   beyond `span_margin`, widened to whole words. When no run loses at
   least `min_span_loss`, the model did not render the span where it can be found: the
   term is flagged for the reviewer, nothing is guessed.
3. Replacement. The term replaces that run: `H[:a] + term + H[b:]`. Nothing outside
   the run changes, so neighbours are never overwritten, the term never stands beside
   the model's own rendering, and the output ends where the plain one ended.
4. Check. The replaced hypothesis is scored; when the model's mean log-probability per
   token after the term (end of sentence left out) falls by more than `max_score_drop` against the plain one
   (the model reads the result as much worse: a wrong span, a broken phrase), the
   plain hypothesis is kept and the term flagged.

Cost: one plain decoding pass, then two scoring passes (no decoding) for the sentences
that lack a term (a third, rare one where several replacements of a sentence fail
together); decoding never runs past a sentence the model would have ended.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.glossary.enforce.planning import EnforcementSettings, SegmentPlan, target_ids
from workbench.glossary.entries import Glossary
from workbench.glossary.matching import TermMatcher
from workbench.mt.base import DecodingSettings

NOT_RENDERED = "no words of the plain output render the source term: not placed"
SCORED_WORSE = "the output with the term scored much worse than the model's own: kept the model's"
OVERLAPPING = "the words rendering this term also render another one: not placed"


@dataclass
class Replacement:
    """One source-term occurrence and the tokens [start, end) of the plain hypothesis rendering it."""

    occurrence: int  # index into the plan's occurrences
    start: int
    end: int
    term_ids: list[int]


@dataclass
class Enforced:
    """A sentence's chosen hypothesis (token ids) and what became of its missing occurrences."""

    token_ids: list[int]
    notes: dict[int, str]  # occurrence index -> why it is still missing


def translate_replacing_terms(translator, plans: list[SegmentPlan], settings: EnforcementSettings,
                              decoding: DecodingSettings, glossary: Glossary, source_lang: str,
                              target_lang: str) -> list[Enforced]:
    """The plain hypothesis of each sentence, with missing required terms put in place of their rendering."""
    sources = [plan.model_source for plan in plans]
    plain = [hyps[0] if hyps else [] for hyps in translator.translate_token_ids(sources, decoding)]
    results = [Enforced(list(ids), {}) for ids in plain]
    if not settings.place_terms:
        return results
    tokenizer = translator.tokenizer
    decode = _decoder(tokenizer)
    pieces_of = tokenizer.convert_ids_to_tokens

    # Occurrences whose term is rendered fewer times than the source holds it.
    work: list[tuple[int, int, tuple[int, int]]] = []  # (sentence, occurrence index, model-source span)
    for i, plan in enumerate(plans):
        spans = model_source_spans(plan, glossary, source_lang)
        counts = term_counts(decode(plain[i]), plan, glossary, target_lang)
        needed: dict[str, int] = {}
        for k, occurrence in enumerate(plan.occurrences):
            if occurrence.enforced and spans[k] is not None:
                needed[occurrence.required_target] = needed.get(occurrence.required_target, 0) + 1
        for k, occurrence in enumerate(plan.occurrences):
            target = occurrence.required_target
            if occurrence.enforced and spans[k] is not None and counts.get(target, 0) < needed[target]:
                work.append((i, k, spans[k]))
    if not work:
        return results

    # Step 2: per-token losses when the source term is deleted.
    rows = sorted({i for i, _, _ in work})
    ablated = [_delete(sources[i], span) for i, _, span in work]
    scores = translator.token_log_probs([sources[i] for i in rows] + ablated,
                                        [plain[i] for i in rows] + [plain[i] for i, _, _ in work])
    plain_scores = dict(zip(rows, scores[:len(rows)], strict=True))
    candidates: list[tuple[int, Replacement]] = []
    for (i, k, (first, last)), without in zip(work, scores[len(rows):], strict=True):
        occurrence = plans[i].occurrences[k]
        pieces = pieces_of(plain[i])
        # A rendering is not much longer than what it renders (in tokens of either side).
        source_tokens = len(translator.source_token_ids([sources[i][first:last]])[0])
        longest = int(settings.span_length_ratio * source_tokens) + 2
        span = rendering_span(plain_scores[i], without, pieces, settings, longest)
        if span is None:
            results[i].notes[k] = NOT_RENDERED
            continue
        start, end = span
        if _renders(decode(plain[i][start:end]), occurrence.required_target, target_lang):
            continue  # this occurrence is the one already rendered right
        term = occurrence.required_target
        if start == 0 and pieces and _capitalised(pieces[0]):
            term = term[:1].upper() + term[1:]
        ids = list(target_ids(tokenizer, term))
        if not ids or tokenizer.unk_token_id in ids:
            results[i].notes[k] = NOT_RENDERED
            continue
        candidates.append((i, Replacement(k, start, end, ids)))
    if not candidates:
        return results

    # Step 4: the replacements of a sentence are checked together (one scoring row); where
    # that fails and there were several, each alone.
    by_sentence: dict[int, list[Replacement]] = {}
    for i, replacement in candidates:
        by_sentence.setdefault(i, []).append(replacement)
    groups = [(i, _disjoint(found)) for i, found in by_sentence.items()]
    for i, found in by_sentence.items():
        kept = dict(groups)[i]
        for replacement in found:
            if replacement not in kept:
                results[i].notes[replacement.occurrence] = OVERLAPPING
    passed, failed = _check(translator, sources, plain, plain_scores, groups, settings)
    singles = [(i, [r]) for i, group in failed if len(group) > 1 for r in group]
    passed_alone, failed_alone = _check(translator, sources, plain, plain_scores, singles, settings)
    for i, group in failed_alone + [(i, group) for i, group in failed if len(group) == 1]:
        results[i].notes[group[0].occurrence] = SCORED_WORSE
    accepted: dict[int, list[Replacement]] = {}
    for i, group in passed + passed_alone:
        accepted.setdefault(i, []).extend(group)
    for i, group in accepted.items():
        results[i].token_ids = _apply(plain[i], group)
    return results


def _check(translator, sources, plain, plain_scores, groups, settings):
    """(passed, failed) groups of replacements: failed where the model scores the result much worse.

    Compared: the model's mean log-probability of the tokens outside the terms, from the
    first replacement on (EOS left out: a model may still expect its own word at the
    end), in the replaced hypothesis and in the plain one.
    """
    if not groups:
        return [], []
    replaced = [_apply(plain[i], group) for i, group in groups]
    scores = translator.token_log_probs([sources[i] for i, _ in groups], replaced)
    passed, failed = [], []
    for (i, group), candidate_scores in zip(groups, scores, strict=True):
        plain_after, replaced_after = [], []
        shift = 0
        for replacement, following in zip(group, group[1:] + [None], strict=True):
            end = following.start if following else len(plain[i])
            plain_after += plain_scores[i][replacement.end:end]
            shift += len(replacement.term_ids) - (replacement.end - replacement.start)
            replaced_after += candidate_scores[replacement.end + shift:end + shift]
        worse = _mean(plain_after) - _mean(replaced_after) > settings.max_score_drop
        (failed if worse else passed).append((i, group))
    return passed, failed


def rendering_span(with_source: list[float], without_source: list[float], pieces: list[str],
                   settings: EnforcementSettings, longest: int | None = None) -> tuple[int, int] | None:
    """Tokens [start, end) of a hypothesis that render a deleted source span, or None.

    `with_source`/`without_source`: log-probabilities of the hypothesis's tokens (then
    EOS) given the full source and given it without the span. The run of at most
    `longest` tokens whose losses beyond `span_margin` add up to the most (at least
    `min_span_loss`), widened to whole words and without punctuation at its edges.
    """
    count = len(pieces)
    longest = min(longest or count, count)
    gains = [(with_source[t] - without_source[t]) - settings.span_margin for t in range(count)]
    best, best_span = 0.0, None
    for start in range(count):
        total = 0.0
        for end in range(start, min(count, start + longest)):
            total += gains[end]
            if total > best:
                best, best_span = total, (start, end + 1)
    if best_span is None or best < settings.min_span_loss:
        return None
    start, end = best_span
    while start > 0 and _continues_word(pieces[start]):
        start -= 1
    while end < count and _continues_word(pieces[end]):
        end += 1
    while start < end and _is_punctuation(pieces[start]):
        start += 1
    while end > start and _is_punctuation(pieces[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def model_source_spans(plan: SegmentPlan, glossary: Glossary, source_lang: str) -> list[tuple[int, int] | None]:
    """Each occurrence's character span in the model's source (acronyms expanded), or None."""
    if plan.model_source == plan.source:
        return [(o.source_start, o.source_end) for o in plan.occurrences]
    found = [m for m in glossary.match(plan.model_source, source_lang)]
    spans: list[tuple[int, int] | None] = []
    used = 0
    for occurrence in plan.occurrences:
        while used < len(found) and found[used].entry_id != occurrence.entry_id:
            used += 1
        spans.append((found[used].start, found[used].end) if used < len(found) else None)
        used += 1
    return spans


def term_counts(text: str, plan: SegmentPlan, glossary: Glossary, target_lang: str) -> dict[str, int]:
    """How often each required target term of the plan is rendered in `text` (longest first, no overlap)."""
    matcher = TermMatcher(target_lang)
    for entry_id in dict.fromkeys(o.entry_id for o in plan.occurrences):
        entry = glossary[entry_id]
        if entry.term(target_lang):
            matcher.add(entry.id, entry.terms[target_lang], "term", entry.case_sensitive)
    counts: dict[str, int] = {}
    for match in matcher.find(text):
        counts[match.form] = counts.get(match.form, 0) + 1
    return counts


def _renders(text: str, term: str, lang: str) -> bool:
    matcher = TermMatcher(lang)
    matcher.add("term", term)
    return bool(matcher.find(text))


def _delete(source: str, span: tuple[int, int]) -> str:
    start, end = span
    return re.sub(r"\s{2,}", " ", source[:start] + " " + source[end:]).strip()


def _apply(hypothesis: list[int], replacements: list[Replacement]) -> list[int]:
    out = list(hypothesis)
    for replacement in sorted(replacements, key=lambda r: r.start, reverse=True):
        out[replacement.start:replacement.end] = replacement.term_ids
    return out


def _disjoint(replacements: list[Replacement]) -> list[Replacement]:
    """Replacements whose spans do not overlap (the earlier-starting one wins)."""
    kept: list[Replacement] = []
    for replacement in sorted(replacements, key=lambda r: (r.start, r.end)):
        if not kept or replacement.start >= kept[-1].end:
            kept.append(replacement)
    return kept


def _mean(values) -> float:
    values = list(values)
    return sum(values) / len(values) if values else 0.0


def _continues_word(piece: str) -> bool:
    return not piece.startswith("▁") and piece[:1].isalnum()


def _is_punctuation(piece: str) -> bool:
    stripped = piece.lstrip("▁")
    return not stripped or not any(c.isalnum() for c in stripped)


def _capitalised(piece: str) -> bool:
    stripped = piece.lstrip("▁")
    return bool(stripped) and stripped[0].isupper()


def _decoder(tokenizer):
    def decode(ids) -> str:
        return tokenizer.decode(list(ids), skip_special_tokens=True).strip()
    return decode
