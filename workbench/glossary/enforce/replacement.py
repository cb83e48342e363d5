"""During and after decoding: a required term takes the place of the model's own rendering.

The same steps for every engine (CTranslate2 and transformers alike):

1. Plain pass. Each sentence is translated exactly as without terms (the run's beams).
   A sentence whose output already renders each required term as often as the source
   holds it costs nothing more, and its output is the plain one, untouched.
2. Which words render the source term.
   a. The model translates the source term alone (once per model and term:
      `renderings_alone`). Where the plain hypothesis holds that rendering exactly once,
      as whole words in any case, that is the run (`find_rendering`).
   b. Elsewhere the plain hypothesis is scored token by token given the source, and
      given the source with the term replaced by a placeholder (`placeholder`: a number
      the model copies, or one unknown-word token a word; forced decoding: no search,
      one batched call). Tokens that render the term lose most of their probability;
      the run is the contiguous run of tokens (at most `extra_words` words beyond the
      longer of the source term and the term) with the largest loss beyond
      `span_margin`, widened to whole words. When no run loses at least
      `min_span_loss`, the model did not render the term where it can be found: the
      term is flagged for the reviewer, nothing is guessed. Where the runs of two terms
      overlap, each word goes to the term whose masking costs it more (`separate`).
3. Replacement. The term replaces that run: `H[:a] + term + H[b:]`. Nothing outside
   the run changes, so neighbours are never overwritten, the term never stands beside
   the model's own rendering, and the output ends where the plain one ended.
4. Check: what could the replacement damage? Only the words outside the run, if the
   run was not exactly the term's rendering (it took a neighbour's words, or left part
   of the rendering behind). The plain hypothesis with the run replaced by the
   placeholder is scored given the source with the term replaced by the same
   placeholder; when its other tokens (and the end of the sentence) lose more than
   `max_damage` nats against the plain scores, the replacement is refused. A run found
   in step 2b is checked beside itself without its last word (masking unsettles the
   word after a rendering), and the least damaging one that passes is taken. Where
   none passes, the plain hypothesis is kept and the term flagged. The term's own
   tokens are never judged: a model that never met the glossary's words scores them
   (and what follows them) badly wherever they stand.

Cost: one plain decoding pass, a short decode of each new source term, then two
scoring passes (no decoding) for the sentences that lack a term; decoding never runs
past a sentence the model would have ended.
"""

from __future__ import annotations

import re
import weakref
from dataclasses import dataclass, field, replace

from workbench.glossary.enforce.planning import EnforcementSettings, SegmentPlan, canonical_matcher, target_ids
from workbench.glossary.entries import Glossary
from workbench.glossary.matching import TermMatcher
from workbench.mt.base import DecodingSettings

NOT_RENDERED = "no words of the plain output render the source term: not placed"
SCORED_WORSE = "taking out the words the term would replace damages the rest of the sentence: kept the model's"
OVERLAPPING = "the words rendering this term also render another one: not placed"


@dataclass
class Replacement:
    """One source-term occurrence and the tokens [start, end) of the plain hypothesis rendering it."""

    occurrence: int  # index into the plan's occurrences
    start: int
    end: int
    term_ids: list[int]
    source_span: tuple[int, int] = (0, 0)  # characters of the model's source it renders
    source_text: str = ""
    term: str = ""
    gains: list[float] = field(default_factory=list)  # per plain token: loss beyond span_margin without the source term
    longest: int = 0  # the most words a rendering of this term may have
    alone: bool = False  # found as the model's rendering of the source term translated alone


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
    plain_pieces: dict[int, list[str]] = {}

    def pieces_of(i: int) -> list[str]:
        """The plain hypothesis's pieces of sentence i (worked out once)."""
        if i not in plain_pieces:
            plain_pieces[i] = tokenizer.convert_ids_to_tokens(plain[i])
        return plain_pieces[i]

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

    # Step 2a: the model's own rendering of each source term, translated alone (once per
    # model and term), where the plain hypothesis holds it exactly once, is the run.
    alone = (renderings_alone(translator, sorted({sources[i][a:b] for i, _, (a, b) in work}), decoding)
             if settings.find_alone else {})
    candidates: list[tuple[int, Replacement]] = []
    unfound = []
    for i, k, (first, last) in work:
        occurrence = plans[i].occurrences[k]
        pieces = pieces_of(i)
        term = occurrence.required_target
        longest = longest_rendering(sources[i][first:last], term, settings)
        span = find_rendering(pieces, alone.get(sources[i][first:last], ""), longest)
        if span is None:
            unfound.append((i, k, (first, last)))
            continue
        gains = [settings.min_span_loss if span[0] <= t < span[1] else -settings.span_margin
                 for t in range(len(pieces))]
        candidates.append((i, Replacement(k, span[0], span[1], [], (first, last), sources[i][first:last],
                                          term, gains, longest, alone=True)))

    # Step 2b: elsewhere, per-token losses when the source term is masked. (The plain
    # scores of the other sentences are left out: see `_damages`.)
    rows = sorted({i for i, _, _ in unfound})
    ablated = [stand_in(tokenizer, sources[i], span, settings)[0] for i, _, span in unfound]
    scores = translator.token_log_probs([sources[i] for i in rows] + ablated,
                                        [plain[i] for i in rows] + [plain[i] for i, _, _ in unfound]) if unfound else []
    plain_scores = dict(zip(rows, scores[:len(rows)], strict=True))
    for (i, k, (first, last)), without in zip(unfound, scores[len(rows):], strict=True):
        occurrence = plans[i].occurrences[k]
        pieces = pieces_of(i)
        term = occurrence.required_target
        longest = longest_rendering(sources[i][first:last], term, settings)
        span = rendering_span(plain_scores[i], without, pieces, settings, longest)
        if span is None:
            results[i].notes[k] = NOT_RENDERED
            continue
        gains = [plain_scores[i][t] - without[t] - settings.span_margin for t in range(len(pieces))]
        candidates.append((i, Replacement(k, span[0], span[1], [], (first, last), sources[i][first:last], term,
                                          gains, longest)))
    kept_candidates = []
    for i, replacement in candidates:
        occurrence = plans[i].occurrences[replacement.occurrence]
        if _renders(decode(plain[i][replacement.start:replacement.end]), occurrence.required_target, target_lang):
            continue  # this occurrence is the one already rendered right
        ids = list(target_ids(tokenizer, replacement.term))
        if not ids or tokenizer.unk_token_id in ids:
            results[i].notes[replacement.occurrence] = NOT_RENDERED
            continue
        kept_candidates.append((i, replacement))
    candidates = kept_candidates
    if not candidates:
        return results

    # Step 4: renderings that overlap share their words out, and each replacement is
    # checked alone. A run found by masking that damages the rest at all is then checked
    # again without its last word (see `shorter_runs`); of the runs that pass, the one that
    # damages the rest least is taken.
    options: list[tuple[int, Replacement]] = []
    for i, found in _by_sentence(candidates).items():
        kept, overlapping = separate(found, pieces_of(i), settings)
        for replacement in overlapping:
            results[i].notes[replacement.occurrence] = OVERLAPPING
        options += [(i, _with_term(replacement, plans[i], pieces_of(i), tokenizer)) for replacement in kept]
    damages = _damages(translator, sources, plain, plain_scores, options, settings)
    shorter = [(i, _with_term(option, plans[i], pieces_of(i), tokenizer))
               for (i, replacement), damage in zip(options, damages, strict=True)
               if damage > 0 and not replacement.alone
               for option in shorter_runs(replacement, pieces_of(i))]
    # Judged against a plain hypothesis taken as certain, a refused run may still pass
    # against the plain scores, which are fetched for those sentences alone.
    unsure = [n for n, ((i, _), damage) in enumerate(zip(options, damages, strict=True))
              if damage > settings.max_damage and i not in plain_scores]
    rows = sorted({options[n][0] for n in unsure})
    again = [options[n] for n in unsure] + shorter
    if rows:
        plain_scores.update(zip(rows, translator.token_log_probs([sources[i] for i in rows],
                                                                 [plain[i] for i in rows]), strict=True))
    if again:
        judged = _damages(translator, sources, plain, plain_scores, again, settings)
        for n, damage in zip(unsure, judged[:len(unsure)], strict=True):
            damages[n] = damage
        options += shorter
        damages += judged[len(unsure):]
    best: dict[tuple[int, int], tuple[float, Replacement]] = {}  # (sentence, occurrence) -> least damage
    for (i, option), damage in zip(options, damages, strict=True):
        key = (i, option.occurrence)
        if damage <= settings.max_damage and (key not in best or damage < best[key][0]):
            best[key] = (damage, option)
    for i, option in options:
        if (i, option.occurrence) not in best:
            results[i].notes[option.occurrence] = SCORED_WORSE
    chosen = _by_sentence([(i, option) for (i, _), (_, option) in best.items()])
    for i, group in chosen.items():
        results[i].token_ids = _apply(plain[i], group)
    return results


_renderings_alone: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def renderings_alone(translator, terms: list[str], decoding: DecodingSettings) -> dict[str, str]:
    """Each source term translated on its own by this model (kept for the model's lifetime)."""
    try:
        known = _renderings_alone.setdefault(translator, {})
    except TypeError:  # a translator that cannot be referenced weakly: nothing kept
        known = {}
    missing = [term for term in terms if term not in known]
    if missing:
        # Greedy: a term of a few words comes out the same at any beam, and the check judges it.
        texts = translator.translate_best(missing, replace(decoding, beams=1))
        known.update(zip(missing, texts, strict=True))
    return {term: known[term] for term in terms}


def find_rendering(pieces: list[str], rendering: str, longest: int) -> tuple[int, int] | None:
    """Tokens [start, end) of the hypothesis that write `rendering` (whole words, any case), if exactly once."""
    words = re.sub(r"^\W+|\W+$", "", rendering).split()
    if not words or len(words) > longest:
        return None
    text, starts = "", []
    for piece in pieces:
        starts.append(len(text))
        text += piece.replace("▁", " ")
    pattern = r"(?<!\w)" + r"\s+".join(map(re.escape, words)) + r"(?!\w)"
    found = list(re.finditer(pattern, text, flags=re.IGNORECASE))
    if len(found) != 1:
        return None
    first, last = found[0].span()
    start = max(t for t in range(len(pieces)) if starts[t] <= first)
    end = max(t for t in range(len(pieces)) if starts[t] < last) + 1
    while start > 0 and _continues_word(pieces[start]):
        start -= 1
    while end < len(pieces) and _continues_word(pieces[end]):
        end += 1
    return _trim(pieces, start, end)


def _with_term(replacement: Replacement, plan: SegmentPlan, pieces: list[str], tokenizer) -> Replacement:
    """The replacement with its term's tokens, capitalised where it starts the sentence."""
    term = plan.occurrences[replacement.occurrence].required_target
    if replacement.start == 0 and pieces and _capitalised(pieces[0]):
        term = term[:1].upper() + term[1:]
    ids = list(target_ids(tokenizer, term))
    if 0 < replacement.start < len(pieces) and not pieces[replacement.start].startswith("▁") and ids:
        # The run is glued to what comes before it ("(an security" for "(an ninh"): so is the
        # term, where the vocabulary has its first piece without the word-start mark.
        first = tokenizer.convert_ids_to_tokens([ids[0]])[0]
        glued = tokenizer.convert_tokens_to_ids(first[1:]) if first.startswith("▁") and len(first) > 1 else None
        if glued is not None and glued != tokenizer.unk_token_id:
            ids[0] = glued
    return replace(replacement, term=term, term_ids=ids)


def _by_sentence(pairs) -> dict[int, list[Replacement]]:
    grouped: dict[int, list[Replacement]] = {}
    for i, replacement in pairs:
        grouped.setdefault(i, []).append(replacement)
    return grouped


def _damages(translator, sources, plain, plain_scores, options, settings) -> list[float]:
    """For each (sentence, replacement), how much taking the run's words out damages the rest.

    The words a replacement removes should be exactly the model's rendering of the source
    term. The test: in the source, the term becomes a placeholder (`stand_in`); in the
    plain hypothesis, so do the removed words. When the run was the rendering, both sides
    hold the placeholder at the same place and every other token still renders the
    source words it rendered, so it scores as in the plain hypothesis. A run that took a
    neighbour's words leaves those source words unrendered (the next token, or the end
    of the sentence, becomes unlikely); a run that left part of the rendering behind
    leaves words the source no longer accounts for. A number as the placeholder is what a
    model copies from source to output unchanged, so it reads the pair as it reads any
    sentence; an unknown-word token is something it never met, and it unsettles the words
    after it (on the proxy, "Pho 2000 Dinh Hue" for "Phó 2000 Vương Đình Huệ" loses 7.8
    nats on "Dinh"; with unknown-word tokens, 0.6). (Deleting the words on both sides
    instead would leave a gap, "in ." for "ở .", that a model penalises even where
    nothing was damaged.) The placeholder's own tokens take no part, nor would the term's:
    a model that never met the glossary's words scores any placement of them badly, which
    says nothing about the words around them. The damage: what the kept tokens (and the
    end of the sentence) lose in all, counting each one's loss beyond `damage_tolerance`.
    """
    if not options:
        return []
    tokenizer = translator.tokenizer
    shortened, kept_positions, stood_in = [], [], []
    for i, replacement in options:
        source, placeholder_ids = stand_in(tokenizer, sources[i], replacement.source_span, settings)
        hypothesis = plain[i]
        shortened.append(hypothesis[:replacement.start] + placeholder_ids + hypothesis[replacement.end:])
        kept_positions.append([*range(replacement.start), *range(replacement.end, len(hypothesis) + 1)])
        stood_in.append(source)
    scores = translator.token_log_probs(stood_in, shortened)
    damages = []
    for (i, replacement), positions, without in zip(options, kept_positions, scores, strict=True):
        placeholder_length = len(without) - len(positions)
        # kept token t sits at t before the run, at t - (run length) + placeholder length after it
        shifted = [t if t < replacement.start else t - (replacement.end - replacement.start) + placeholder_length
                   for t in positions]
        # Without the plain scores, the plain hypothesis is taken as certain (every token
        # at log-probability 0): a damage that can only be larger, so what passes so passes.
        baseline = plain_scores.get(i) or [0.0] * (len(plain[i]) + 1)
        damages.append(damage_outside(baseline, [without[j] for j in shifted], positions, settings))
    return damages


def stand_in(tokenizer, source: str, span: tuple[int, int], settings: EnforcementSettings) -> tuple[str, list[int]]:
    """The source with the term at `span` replaced by a placeholder, and the placeholder's target ids."""
    if settings.placeholder == "number":
        number = placeholder_for(tokenizer, source)
        return substitute(source, span, number), list(target_ids(tokenizer, number))
    start, end = span
    return mask(source, span, tokenizer.unk_token or "<unk>"), [tokenizer.unk_token_id] * _words(source[start:end])


def damage_outside(plain_scores: list[float], shortened_scores: list[float], positions: list[int],
                   settings: EnforcementSettings) -> float:
    """Nats the words left outside the replaced spans lose once the spans and their source are gone.

    `positions[j]`: which plain token (or the end of sentence, the last one) the j-th
    token of the shortened hypothesis is. Each token's loss counts beyond
    `damage_tolerance`, so the small shifts of a model's confidence do not add up.
    """
    return sum(max(0.0, plain_scores[t] - shortened_scores[j] - settings.damage_tolerance)
               for j, t in enumerate(positions))


def separate(replacements: list[Replacement], pieces: list[str],
             settings: EnforcementSettings) -> tuple[list[Replacement], list[Replacement]]:
    """(kept, refused): disjoint replacements, the words of overlapping renderings shared out.

    Two renderings overlap where the model's words for neighbouring source terms run
    into each other ("President People Committee" for "Chủ tịch UBND"). Each word goes
    to the term whose masking costs it more: the boundary between them is the word
    boundary with the largest summed loss on each side, and each side must still lose
    `min_span_loss`. A rendering nested inside another (or one that cannot be split so)
    is refused.
    """
    kept: list[Replacement] = []
    refused: list[Replacement] = []
    for replacement in sorted(replacements, key=lambda r: (r.start, r.end)):
        if not kept or replacement.start >= kept[-1].end:
            kept.append(replacement)
            continue
        split = _split(kept[-1], replacement, pieces, settings)
        if split is None:
            refused.append(replacement)
        else:
            kept[-1:] = list(split)
    return kept, refused


def _split(left: Replacement, right: Replacement, pieces: list[str], settings: EnforcementSettings):
    """`left` and `right` (overlapping, left starting first) cut at one word boundary, or None."""
    first, last = min(left.start, right.start), max(left.end, right.end)
    best, best_cut = None, None
    for a, b in ((left, right), (right, left)):
        if a.end > b.end or a.start > b.start:
            continue  # a must keep the start of the union, b its end
        for cut in range(max(b.start, first + 1), min(a.end, last - 1) + 1):
            if cut < len(pieces) and _continues_word(pieces[cut]):
                continue
            a_span = _trim(pieces, first, cut)
            b_span = _trim(pieces, cut, last)
            if a_span is None or b_span is None:
                continue
            a_loss = sum(a.gains[a_span[0]:a_span[1]])
            b_loss = sum(b.gains[b_span[0]:b_span[1]])
            if min(a_loss, b_loss) < settings.min_span_loss:
                continue
            if best is None or a_loss + b_loss > best:
                best, best_cut = a_loss + b_loss, (a, a_span, b, b_span)
    if best_cut is None:
        return None
    a, (a_start, a_end), b, (b_start, b_end) = best_cut
    return (replace(a, start=a_start, end=a_end), replace(b, start=b_start, end=b_end))


def _trim(pieces: list[str], start: int, end: int) -> tuple[int, int] | None:
    while start < end and _is_punctuation(pieces[start]):
        start += 1
    while end > start and _is_punctuation(pieces[end - 1]):
        end -= 1
    return (start, end) if start < end else None


def longest_rendering(source_term: str, term: str, settings: EnforcementSettings) -> int:
    """A rendering is not much longer, in words, than what it renders or the term."""
    return max(_words(source_term), _words(term)) + settings.extra_words


def _words(text: str) -> int:
    """Words of a text; each CJK character counts as one (Chinese writes no spaces)."""
    cjk = sum(1 for c in text if "\u3400" <= c <= "\u9fff" or "\uf900" <= c <= "\ufaff")
    return len(re.sub(r"[\u3400-\u9fff\uf900-\ufaff]", " ", text).split()) + cjk


def rendering_span(with_source: list[float], without_source: list[float], pieces: list[str],
                   settings: EnforcementSettings, longest: int | None = None) -> tuple[int, int] | None:
    """Tokens [start, end) of a hypothesis that render a masked source span, or None.

    `with_source`/`without_source`: log-probabilities of the hypothesis's tokens (then
    EOS) given the full source and given it with the span masked. The run of at most
    `longest` words whose tokens' losses beyond `span_margin` add up to the most (at
    least `min_span_loss`), widened to whole words and without punctuation at its edges.
    """
    gains = [(with_source[t] - without_source[t]) - settings.span_margin for t in range(len(pieces))]
    return best_run(gains, pieces, settings, longest)


def best_run(gains: list[float], pieces: list[str], settings: EnforcementSettings,
             longest: int | None = None) -> tuple[int, int] | None:
    """The run of at most `longest` words with the largest summed gain (see `rendering_span`)."""
    count = len(pieces)
    word_of, word = [], -1
    for piece in pieces:  # words as the decoded text's spaces cut it ("self-rule" is one)
        word += piece.startswith("▁") or word < 0
        word_of.append(word)
    longest = longest or count
    best, best_span = 0.0, None
    for start in range(count):
        total = 0.0
        for end in range(start, count):
            if word_of[end] - word_of[start] >= longest:
                break
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
    return _trim(pieces, start, end)


def shorter_runs(replacement: Replacement, pieces: list[str]) -> list[Replacement]:
    """The replacement's run without its last word (none for a one-word run).

    Masking a term unsettles the word after its rendering, so the run found often took
    that word too; a run that took the word before it was rare on the proxy (1 in 105).
    """
    starts = [t for t in range(replacement.start, replacement.end) if pieces[t].startswith("▁") or t == 0]
    span = _trim(pieces, replacement.start, starts[-1]) if len(starts) > 1 else None
    return [replace(replacement, start=span[0], end=span[1])] if span else []


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
    counts: dict[str, int] = {}
    for match in canonical_matcher(plan, glossary, target_lang).find(text):
        counts[match.form] = counts.get(match.form, 0) + 1
    return counts


def _renders(text: str, term: str, lang: str) -> bool:
    matcher = TermMatcher(lang)
    matcher.add("term", term)
    return bool(matcher.find(text))


def mask(source: str, span: tuple[int, int], unknown: str) -> str:
    """The source with the span's words each replaced by the unknown-word token.

    Masked rather than deleted: a model that follows its source position by position
    loses its place when words vanish, and then every token after the span loses
    probability too, so the span's own rendering could not be told from what follows it.
    With a placeholder per word the source keeps its shape, and only the tokens that
    rendered the span's words lose (measured on the proxy of docs/term-enforcement.md).
    """
    start, end = span
    return source[:start] + " ".join([unknown] * _words(source[start:end])) + source[end:]


_NUMBERS = tuple(str(n) for n in [*range(2000, 2031), *range(1990, 2000), *range(10, 100), *range(100, 1000, 100)])
_placeholder_numbers: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def placeholder_numbers(tokenizer) -> tuple[str, ...]:
    """Numbers, those the model writes in the fewest tokens first (one on each side where it can).

    A number is what every translation model learns to carry over unchanged, so it can stand
    for a term while the rest of the sentence is judged: source and hypothesis then agree in
    a way the model knows (an unknown-word token is something it never met).
    """
    try:
        known = _placeholder_numbers.get(tokenizer)
    except TypeError:  # a tokenizer that cannot be referenced weakly: worked out each time
        known = None
    if known is None:
        pieces = {n: len(tokenizer(n, add_special_tokens=False)["input_ids"]) + len(target_ids(tokenizer, n))
                  for n in _NUMBERS}
        known = tuple(sorted(_NUMBERS, key=lambda n: pieces[n]))  # stable: years first among equals
        try:
            _placeholder_numbers[tokenizer] = known
        except TypeError:
            pass
    return known


def placeholder_for(tokenizer, source: str) -> str:
    """The first placeholder number not written in the source."""
    numbers = placeholder_numbers(tokenizer)
    return next((n for n in numbers if n not in source), numbers[0])


def substitute(source: str, span: tuple[int, int], placeholder: str) -> str:
    start, end = span
    return source[:start] + placeholder + source[end:]


def _apply(hypothesis: list[int], replacements: list[Replacement]) -> list[int]:
    out = list(hypothesis)
    for replacement in sorted(replacements, key=lambda r: r.start, reverse=True):
        out[replacement.start:replacement.end] = replacement.term_ids
    return out


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
