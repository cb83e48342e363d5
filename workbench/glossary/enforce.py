"""Term-aware translation: the required target terms, carried in by four parts.

`transformers` 5 dropped built-in constrained beam search, so enforcement is
assembled from parts that run offline and work with any Marian checkpoint:

1. Acronym expansion (source side). A variant that contains an acronym
   ("BĐBP", "UBND tỉnh", "BTL BĐBP") is replaced by the entry's full source
   term before translation: real models know "Bộ đội Biên phòng" but not
   "BĐBP". Report spans still refer to the original sentence.
2. A logits processor (`TermLogitsProcessor`). Per hypothesis it tracks which
   required target terms (as target-token sequences) are already complete,
   which one is started, and how far decoding has got:
   - the next token of a started term gets `continue_bonus`;
   - the first token of a term not yet produced gets `open_bonus` once
     decoding reaches the term's expected position (its relative position in
     the source times the source length), growing by `open_ramp` per step
     after that, up to `open_bonus_max`, so a late term is still opened;
   - end-of-sentence is penalised by `eos_penalty` while a term is missing;
   - right after a term, pieces that would glue onto its last word
     ("commune" + "01") are penalised, so the term stays a separate word;
   - the last token of a forbidden rendering is blocked once the rest of it
     has been generated.
   Terms are credited the way the matcher later reads the output (longest
   first, no overlap), so "Party Committee" written inside "Party Committee
   of the Border Guard" does not count for both.
   Bonuses are added to the log-probabilities, so they are nudges whose
   strength is configurable: a real model that wants the term anyway places
   it where its own probabilities put it, and the bonus only decides close
   calls; with a random-weight model (near-uniform log-probabilities) the same
   bonuses decide everything, which is how the tests show the mechanism.
2b. Engines without logits processors (CTranslate2) get the same job done
   differently: forbidden renderings are suppressed sequences during
   decoding, and a required term missing from the best hypothesis is placed
   by forced-prefix decoding (the hypothesis up to a word boundary near the
   term's expected position, then the term; the model writes the rest),
   choosing among a few boundaries and first continuations by the model's own
   score (`_translate_placing_terms`).
3. N-best reranking. Several hypotheses come back (`n_best`); the first one,
   in model order, that contains the most required terms and the fewest
   forbidden renderings wins. Beam search alone may prefer a hypothesis the
   bonus did not reach; reranking recovers the one it did.
4. A final pass on the chosen output: a forbidden rendering of an entry whose
   source term was found is replaced by the canonical target term, and so is
   a variant form when the canonical term is absent. Nothing is inserted
   where no known wrong rendering stands: a term still missing is flagged in
   the report for the reviewer rather than pasted in at a guessed place.

Why this combination: (1) and (2) act before and during decoding, where the
term can still be placed in context; (3) costs no extra decoding beyond the
beams already searched; (4) is exact for the errors we know of and does no
harm elsewhere. Each part can be switched off in `EnforcementSettings`,
enforcement as a whole per run (`enforce=False`), and per entry (the
glossary's `enforce` column): such entries are still found and reported.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass, field

from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.glossary.matching import TermMatch, TermMatcher, _is_acronym, split_tones
from workbench.glossary.report import TermOccurrence, TermReport


@dataclass
class EnforcementSettings:
    """How hard enforcement pushes; the defaults carry a random-weight model too."""

    beams: int | None = None  # None: the translator's own beam size
    n_best: int | None = None  # hypotheses to rerank; None: as many as beams
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
class TermTranslation:
    """A translated segment and its term report."""

    text: str
    report: TermReport


@dataclass
class _RequiredTerm:
    target: str
    position: float  # relative position (0..1) of its first source occurrence
    token_ids: tuple[int, ...] = ()


@dataclass
class _SegmentPlan:
    source: str
    model_source: str
    occurrences: list[TermOccurrence]
    enforced_entries: list[GlossaryEntry]
    required: list[_RequiredTerm] = field(default_factory=list)
    forbidden: list[str] = field(default_factory=list)


def translate_with_terms(
    translator,
    sentences: list[str],
    glossary: Glossary,
    source_lang: str,
    target_lang: str,
    *,
    enforce: bool = True,
    settings: EnforcementSettings | None = None,
) -> list[TermTranslation]:
    """Translate sentences so that glossary terms come out right; one report per sentence."""
    settings = settings or EnforcementSettings()
    plans = [_plan_segment(s, glossary, source_lang, target_lang, enforce, settings)
             for s in sentences]
    if not sentences:
        return []
    if enforce and any(plan.required or plan.forbidden for plan in plans):
        _attach_token_ids(translator, plans)
        constraints = [_row_constraints(plan, translator, settings) for plan in plans]
        beams = settings.beams or getattr(translator, "beams", None) or 4
        n_best = min(settings.n_best or beams, beams) if settings.rerank else 1
        if getattr(translator, "runs_logits_processors", True):
            hypotheses = translator.translate(
                [plan.model_source for plan in plans], beams=beams, num_return_sequences=n_best,
                logits_processor_factory=functools.partial(
                    _make_processors, constraints, settings, translator.tokenizer.eos_token_id,
                    glue_token_ids(translator.tokenizer)))
        else:
            hypotheses = _translate_placing_terms(translator, plans, constraints, settings, beams, n_best,
                                                  glossary, target_lang)
    else:
        hypotheses = translator.translate([plan.model_source for plan in plans])
    return [_finish(plan, hyps, glossary, source_lang, target_lang, enforce, settings)
            for plan, hyps in zip(plans, hypotheses, strict=True)]


# -- before translation --------------------------------------------------------------------
def _plan_segment(source: str, glossary: Glossary, source_lang: str, target_lang: str,
                  enforce: bool, settings: EnforcementSettings) -> _SegmentPlan:
    matches = glossary.match(source, source_lang)
    occurrences = []
    enforced: dict[str, GlossaryEntry] = {}
    required: dict[str, _RequiredTerm] = {}
    for match in matches:
        entry = glossary[match.entry_id]
        target = entry.term(target_lang)
        if not target:
            continue
        occurrences.append(TermOccurrence(entry.id, match.start, match.end, match.surface, target,
                                          enforced=enforce and entry.enforce))
        if enforce and entry.enforce:
            enforced.setdefault(entry.id, entry)
            required.setdefault(target, _RequiredTerm(target, match.start / max(len(source), 1)))
    model_source = source
    if enforce and settings.expand_acronyms:
        model_source = _expand_acronyms(source, matches, glossary, source_lang)
    forbidden = [form for entry in enforced.values() for form in entry.forbidden.get(target_lang, ())]
    return _SegmentPlan(source, model_source, occurrences, list(enforced.values()),
                        list(required.values()), forbidden if settings.block_forbidden else [])


def _expand_acronyms(source: str, matches: list[TermMatch], glossary: Glossary, lang: str) -> str:
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
                and _has_acronym(match.surface) and not _has_acronym(full)):
            pieces.append(source[position:match.start])
            pieces.append(full)
            position = match.end
        previous = match
    pieces.append(source[position:])
    return "".join(pieces)


def _has_acronym(text: str) -> bool:
    return any(_is_acronym(split_tones(word)[0]) for word in text.split())


def _attach_token_ids(translator, plans: list[_SegmentPlan]) -> None:
    """Target-side token ids of each required term (terms with unknown pieces are left out)."""
    tokenizer = translator.tokenizer
    unknown = tokenizer.unk_token_id
    cache: dict[str, tuple[int, ...]] = {}
    for plan in plans:
        for term in plan.required:
            if term.target not in cache:
                cache[term.target] = _target_ids(tokenizer, term.target)
            ids = cache[term.target]
            term.token_ids = () if unknown in ids else ids


def _target_ids(tokenizer, text: str) -> tuple[int, ...]:
    ids = tokenizer(text_target=text, add_special_tokens=False)["input_ids"]
    eos = tokenizer.eos_token_id
    return tuple(i for i in ids if i != eos)


@dataclass
class TermConstraints:
    """What the logits processor enforces for one sentence, in target-token ids."""

    terms: list[tuple[tuple[int, ...], int]]  # (term's token ids, expected step)
    forbidden: list[tuple[int, ...]]


def _row_constraints(plan: _SegmentPlan, translator, settings) -> TermConstraints | None:
    terms = []
    if plan.required:
        source_tokens = len(translator.tokenizer(plan.model_source)["input_ids"])
        expected_length = source_tokens * settings.length_ratio
        terms = [(t.token_ids, int(t.position * expected_length))
                 for t in plan.required if t.token_ids]
    required_ids = [ids for ids, _ in terms]
    forbidden = []
    for form in plan.forbidden:
        ids = _target_ids(translator.tokenizer, form)
        # Never block a sequence that a required term begins with.
        if ids and not any(req[:len(ids)] == ids for req in required_ids):
            forbidden.append(ids)
    if not terms and not forbidden:
        return None
    return TermConstraints(terms, forbidden)


def _make_processors(constraints: list[TermConstraints | None], settings: EnforcementSettings,
                     eos_token_id: int, glue_ids: list[int], batch_indices: list[int],
                     num_beams: int) -> list:
    rows = [constraints[i] for i in batch_indices]
    if not any(rows):
        return []
    return [term_processor_class()(rows, num_beams, settings, eos_token_id, glue_ids)]


# Word-internal pieces that may follow a term without breaking it: English plural endings.
_HARMLESS_SUFFIXES = {"s", "es"}


def glue_token_ids(tokenizer) -> list[int]:
    """Ids of SentencePiece pieces that continue a word (no "▁" and starting with a letter/digit)."""
    ids = []
    for piece, index in tokenizer.get_vocab().items():
        if (piece and not piece.startswith("▁") and piece[0].isalnum()
                and piece not in _HARMLESS_SUFFIXES):
            ids.append(index)
    return sorted(ids)


# -- during decoding -----------------------------------------------------------------------
@functools.cache
def term_processor_class():
    """The TermLogitsProcessor class (built on first use: it subclasses a transformers class)."""
    from transformers import LogitsProcessor

    class TermLogitsProcessor(LogitsProcessor):
        """Favours the tokens of required target terms and blocks forbidden renderings."""

        def __init__(self, rows: list[TermConstraints | None], num_beams: int,
                     settings: EnforcementSettings, eos_token_id: int = 0,
                     glue_ids: list[int] | None = None):
            self.rows = rows
            self.num_beams = num_beams
            self.settings = settings
            self.eos_token_id = eos_token_id
            self.glue_ids = glue_ids or None
            self._glue_index = None
            # Completed terms per generated prefix, from the previous step only.
            self._done_before: dict[tuple, tuple[frozenset, int]] = {}

        def __call__(self, input_ids, scores):
            import torch

            settings = self.settings
            done_now: dict[tuple, tuple[frozenset, int]] = {}
            # Edits are collected per row in Python, then applied in a few tensor operations.
            bonus_rows, bonus_tokens, bonus_values = [], [], []
            forced_rows, forced_tokens = [], []
            blocked_rows, blocked_tokens = [], []
            eos_rows, glue_rows = [], []
            for row, ids in enumerate(input_ids.tolist()):
                constraint = self.rows[row // self.num_beams]
                if constraint is None:
                    continue
                generated = tuple(ids[1:])  # ids[0] is the decoder start token
                done, last_end = self._completed(generated, constraint.terms)
                done_now[generated] = (done, last_end)
                step = len(generated)
                # A term counts as started only after the last completed one, so two
                # terms never share tokens (the matcher would not find both).
                next_token, longest = None, 0
                for index, (term_ids, _) in enumerate(constraint.terms):
                    if index not in done:
                        started = _started_length(generated, term_ids, step - last_end)
                        if started > longest:
                            longest, next_token = started, term_ids[started]
                bonuses: dict[int, float] = {}
                if next_token is not None:
                    bonuses[next_token] = settings.continue_bonus
                else:
                    for index, (term_ids, expected) in enumerate(constraint.terms):
                        if index not in done and step >= expected:
                            bonus = min(settings.open_bonus_max,
                                        settings.open_bonus + settings.open_ramp * (step - expected))
                            bonuses[term_ids[0]] = max(bonus, bonuses.get(term_ids[0], 0.0))
                if len(done) < len(constraint.terms):
                    eos_rows.append(row)
                if last_end == step and step:
                    # Just after a term: a piece glued onto its last word ("commune01")
                    # would hide the term from word-boundary matching.
                    glue_rows.append(row)
                for token, bonus in bonuses.items():
                    if bonus == float("inf"):
                        forced_rows.append(row)
                        forced_tokens.append(token)
                    elif bonus:
                        bonus_rows.append(row)
                        bonus_tokens.append(token)
                        bonus_values.append(bonus)
                for forbidden in constraint.forbidden:
                    last = forbidden[-1]
                    if last != next_token and (len(forbidden) == 1 or generated[-(len(forbidden) - 1):]
                                               == forbidden[:-1]):
                        blocked_rows.append(row)
                        blocked_tokens.append(last)
            self._done_before = done_now
            device = scores.device
            if eos_rows and settings.eos_penalty:
                scores[torch.tensor(eos_rows, device=device), self.eos_token_id] -= settings.eos_penalty
            if glue_rows and self.glue_ids:
                if self._glue_index is None:
                    self._glue_index = torch.tensor(self.glue_ids, device=device)
                rows = torch.tensor(glue_rows, device=device).unsqueeze(1)
                scores[rows, self._glue_index] -= settings.continue_bonus
            if bonus_rows:
                rows = torch.tensor(bonus_rows, device=device)
                tokens = torch.tensor(bonus_tokens, device=device)
                scores.index_put_((rows, tokens), torch.tensor(bonus_values, dtype=scores.dtype,
                                                               device=device), accumulate=True)
            if forced_rows:
                rows = torch.tensor(forced_rows, device=device)
                tokens = torch.tensor(forced_tokens, device=device)
                kept = scores[rows, tokens].clone()
                scores[rows] = float("-inf")
                scores[rows, tokens] = kept
            if blocked_rows:
                scores[torch.tensor(blocked_rows, device=device),
                       torch.tensor(blocked_tokens, device=device)] = float("-inf")
            return scores

        def _completed(self, generated: tuple, terms) -> tuple[frozenset, int]:
            """(indices of completed terms, position just after the latest one)."""
            parent = self._done_before.get(generated[:-1]) if generated else (frozenset(), 0)
            if parent is None:  # not seen at the previous step: rebuild from scratch
                done, last_end = frozenset(), 0
                for length in range(1, len(generated) + 1):
                    done, last_end = _newly_completed(generated[:length], terms, done, last_end)
                return done, last_end
            return _newly_completed(generated, terms, *parent)

    return TermLogitsProcessor


def _newly_completed(generated: tuple, terms, done: frozenset, last_end: int
                     ) -> tuple[frozenset, int]:
    """Update (done, last_end) for a hypothesis that has just grown by one token.

    Terms are credited the way the matcher will later read the text: longest
    first and without overlap. A term that ends here inside a longer term, or
    that is the beginning of a longer term still being written, is not credited.
    """
    step = len(generated)
    room = step - last_end
    ending = [i for i, (ids, _) in enumerate(terms)
              if i not in done and len(ids) <= room and generated[-len(ids):] == ids]
    if not ending:
        return done, last_end
    longest = max(ending, key=lambda i: len(terms[i][0]))
    length = len(terms[longest][0])
    for j, (ids, _) in enumerate(terms):
        if j not in done and len(ids) > length and _started_length(generated, ids, room) >= length:
            return done, last_end
    return done | {longest}, step


def _started_length(generated: tuple, term_ids: tuple, room: int) -> int:
    """Length of the longest proper prefix of the term that the hypothesis ends with.

    Only the last `room` tokens may belong to the prefix.
    """
    if not generated or room <= 0:
        return 0
    last = generated[-1]
    for length in range(min(len(term_ids) - 1, room), 0, -1):
        if term_ids[length - 1] == last and generated[-length:] == term_ids[:length]:
            return length
    return 0


# -- engines without logits processors: place missing terms by forced prefixes -------------
def _translate_placing_terms(translator, plans: list[_SegmentPlan], constraints: list[TermConstraints | None],
                             settings: EnforcementSettings, beams: int, n_best: int,
                             glossary: Glossary, target_lang: str) -> list[list[str]]:
    """N-best hypotheses with forbidden renderings suppressed, plus placed-term candidates.

    For an engine that cannot run `TermLogitsProcessor` (CTranslate2). A required term
    missing from the best hypothesis is placed the way the processor's bonus would place
    it, but with the model deciding what follows: at the few word boundaries nearest the
    term's expected position, the hypothesis up to the boundary plus the term's tokens is
    given as a forced target prefix and the model continues from there. The continuations
    are scored by the model (mean log-probability), and ones that glue a piece onto the
    term's last word are dropped. Terms are placed one per round, in source order, each
    round on the best candidate of the previous one; a term counts as present the way the
    term report will read the text (longest first, no overlap). Candidates come after the
    n-best list, best first, so `_finish` keeps the model's own hypothesis unless a
    candidate carries more required terms.
    """
    sources = [plan.model_source for plan in plans]
    suppress = [list(c.forbidden) if c else [] for c in constraints]
    nbest = translator.translate_token_ids(sources, beams=beams, num_return_sequences=n_best,
                                           suppress_sequences=suppress)
    decode = functools.partial(translator.tokenizer.decode, skip_special_tokens=True)
    placed: list[list[list[int]]] = [[] for _ in plans]
    pending = [{t.target: t for t in plan.required if t.token_ids} for plan in plans]
    if settings.place_terms and any(pending):
        matchers = [_canonical_matcher(plan, glossary, target_lang) for plan in plans]

        def present(i: int, hypothesis: list[int]) -> set[str]:
            return {m.form for m in matchers[i].find(decode(hypothesis))} & pending[i].keys()

        pieces = translator.tokenizer.convert_ids_to_tokens
        glue = set(glue_token_ids(translator.tokenizer))
        base = [max(hyps, key=lambda h, i=i: len(present(i, h))) if hyps and pending[i] else []
                for i, hyps in enumerate(nbest)]
        for _ in range(settings.max_placements):
            requests = []  # (sentence, forced length, prefix)
            attempted = {}  # sentence -> the term placed in this round
            for i, hyp in enumerate(base):
                found = present(i, hyp)
                missing = [term for target, term in pending[i].items() if target not in found]
                if not missing:
                    continue
                term = attempted[i] = min(missing, key=lambda t: t.position)
                written = [(t.token_ids, t.position) for target, t in pending[i].items() if target in found]
                for cut in _placement_positions(hyp, pieces(hyp), term.position, written,
                                                settings.placement_positions):
                    requests.append((i, cut + len(term.token_ids), hyp[:cut] + list(term.token_ids)))
            if not requests:
                break
            # Greedy after the forced prefix: each alternative is one hypothesis, so placing a
            # term costs a few greedy decodes rather than a few full beam searches.
            continuations = translator.translate_token_ids(
                [sources[i] for i, _, _ in requests], beams=1,
                num_return_sequences=settings.placement_alternatives, alternatives=True,
                target_prefixes=[prefix for _, _, prefix in requests],
                suppress_sequences=[suppress[i] for i, _, _ in requests])
            candidates = []  # (sentence, token ids)
            for (i, forced, _), hyps in zip(requests, continuations, strict=True):
                unglued = [h for h in dict.fromkeys(map(tuple, hyps)) if len(h) <= forced or h[forced] not in glue]
                candidates += [(i, list(h)) for h in unglued]
            scores = translator.score_token_ids([sources[i] for i, _ in candidates],
                                                [h for _, h in candidates])
            ranked: dict[int, list[tuple]] = {}
            for (i, hyp), score in zip(candidates, scores, strict=True):
                ranked.setdefault(i, []).append((-len(present(i, hyp)), -score, hyp))
            for i, term in attempted.items():
                best = [hyp for *_, hyp in sorted(ranked.get(i, []), key=lambda r: r[:2])]
                placed[i] = best + placed[i]
                if best and len(present(i, best[0])) > len(present(i, base[i])):
                    base[i] = best[0]
                else:  # nothing fitted, or placing it cost another term: give this term up
                    del pending[i][term.target]
    return [[decode(h).strip() for h in hyps + extra] for hyps, extra in zip(nbest, placed, strict=True)]


def _canonical_matcher(plan: _SegmentPlan, glossary: Glossary, target_lang: str) -> TermMatcher:
    """Finds the canonical target terms of the entries found in this segment's source."""
    matcher = TermMatcher(target_lang)
    for entry_id in dict.fromkeys(o.entry_id for o in plan.occurrences):
        entry = glossary[entry_id]
        matcher.add(entry.id, entry.terms[target_lang], "term", entry.case_sensitive)
    return matcher


def _placement_positions(hypothesis: list[int], pieces: list[str], position: float,
                         written: Sequence[tuple[Sequence[int], float]], count: int) -> list[int]:
    """Word boundaries of the hypothesis at which to place a term at relative source `position`.

    The `count` boundaries nearest the term's expected position, plus the `count`
    nearest ones after the required terms already written that come before it in the
    source (`written`: their token ids and source positions), since cutting the
    hypothesis before them would make the model write them again. Never inside a
    written term, and not after the closing punctuation when there is anywhere else to go.
    """
    inside, after = set(), 0
    for ids, source_position in written:
        n = len(ids)
        for k in range(len(hypothesis) - n + 1):
            if tuple(hypothesis[k:k + n]) == tuple(ids):
                inside.update(range(k + 1, k + n))
                if source_position <= position:
                    after = max(after, k + n)
    boundaries = [k for k in range(len(hypothesis) + 1)
                  if k not in inside and (k == len(hypothesis) or pieces[k].startswith("▁")
                                          or not pieces[k][:1].isalnum())]
    if len(boundaries) > 1 and pieces and pieces[-1] in _CLOSING:
        boundaries.remove(len(hypothesis))
    expected = position * len(hypothesis)

    def nearest(options):
        return sorted(options, key=lambda k: (abs(k - expected), k))[:count]

    return sorted(set(nearest(boundaries)) | set(nearest([k for k in boundaries if k >= after])))


_CLOSING = {".", "▁.", "!", "?", "…", "▁!", "▁?"}


# -- after translation ---------------------------------------------------------------------
def _finish(plan: _SegmentPlan, hypotheses: Sequence[str], glossary: Glossary, source_lang: str,
            target_lang: str, enforce: bool, settings: EnforcementSettings) -> TermTranslation:
    canonical = _canonical_matcher(plan, glossary, target_lang)
    forbidden = TermMatcher(target_lang)
    for entry in plan.enforced_entries:
        for form in entry.forbidden.get(target_lang, ()):
            forbidden.add(entry.id, form, "forbidden", entry.case_sensitive)

    def present_terms(text: str) -> set[str]:
        return {m.form for m in canonical.find(text)}

    rank = 0
    if enforce and settings.rerank and len(hypotheses) > 1 and plan.occurrences:
        required = {o.required_target for o in plan.occurrences if o.enforced}

        def merit(item):
            index, text = item
            return (-len(required & present_terms(text)), len(forbidden.find(text)), index)

        rank = min(enumerate(hypotheses), key=merit)[0]
    raw = hypotheses[rank] if hypotheses else ""
    before = present_terms(raw)
    text, changes = raw, []
    if enforce and settings.final_pass and plan.enforced_entries:
        text, changes = _final_pass(raw, plan.enforced_entries, target_lang, before)
    after = present_terms(text)
    for occurrence in plan.occurrences:
        occurrence.present = occurrence.required_target in after
        occurrence.inserted_by_final_pass = (occurrence.present
                                             and occurrence.required_target not in before)
    report = TermReport(
        source_lang=source_lang, target_lang=target_lang, glossary_version=glossary.version,
        enforcement=enforce, occurrences=plan.occurrences,
        model_source=plan.model_source if plan.model_source != plan.source else None,
        hypothesis_rank=rank, final_pass_changes=changes,
        forbidden_remaining=[m.to_dict() for m in forbidden.find(text)])
    return TermTranslation(text, report)


def apply_final_pass(text: str, glossary: Glossary, entry_ids: Sequence[str],
                     target_lang: str) -> tuple[str, list[dict]]:
    """Replace known wrong renderings of the given entries in `text` by their canonical terms."""
    entries = [glossary[entry_id] for entry_id in entry_ids if glossary[entry_id].enforce]
    canonical = TermMatcher(target_lang)
    for entry in entries:
        if entry.term(target_lang):
            canonical.add(entry.id, entry.terms[target_lang])
    present = {m.form for m in canonical.find(text)}
    return _final_pass(text, entries, target_lang, present)


def _final_pass(text: str, entries: list[GlossaryEntry], target_lang: str,
                present: set[str]) -> tuple[str, list[dict]]:
    matcher = TermMatcher(target_lang)
    for entry in entries:
        if not entry.term(target_lang):
            continue
        matcher.add(entry.id, entry.terms[target_lang], "term", entry.case_sensitive)
        for form in entry.variants.get(target_lang, ()):
            matcher.add(entry.id, form, "variant", entry.case_sensitive)
        for form in entry.forbidden.get(target_lang, ()):
            matcher.add(entry.id, form, "forbidden", entry.case_sensitive)
    by_id = {entry.id: entry for entry in entries}
    changes = []
    for match in matcher.find(text):
        canonical_term = by_id[match.entry_id].terms[target_lang]
        if match.kind == "forbidden" or (match.kind == "variant" and canonical_term not in present):
            changes.append({"start": match.start, "end": match.end, "old": match.surface,
                            "new": canonical_term, "entry_id": match.entry_id, "kind": match.kind})
    pieces, position = [], 0
    for change in changes:
        pieces.append(text[position:change["start"]])
        pieces.append(change["new"])
        position = change["end"]
    pieces.append(text[position:])
    return "".join(pieces), changes


__all__ = ["EnforcementSettings", "TermConstraints", "TermTranslation", "apply_final_pass", "term_processor_class",
           "translate_with_terms"]
