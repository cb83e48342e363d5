"""During decoding, for engines without logits processors (CTranslate2): part 2b of the enforcement.

Forbidden renderings become suppressed sequences; a required term missing from the
best hypothesis is placed by forced-prefix decoding, the model's own score choosing
among the placements.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence

from workbench.glossary.enforce.planning import (
    EnforcementSettings,
    SegmentPlan,
    TermConstraints,
    canonical_matcher,
    glue_token_ids,
)
from workbench.glossary.entries import Glossary
from workbench.mt.base import DecodingSettings


def translate_placing_terms(translator, plans: list[SegmentPlan], constraints: list[TermConstraints | None],
                            settings: EnforcementSettings, decoding: DecodingSettings, n_best: int,
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
    n-best list, best first, so `finish` keeps the model's own hypothesis unless a
    candidate carries more required terms.
    """
    sources = [plan.model_source for plan in plans]
    suppress = [list(c.forbidden) if c else [] for c in constraints]
    nbest = translator.translate_token_ids(sources, decoding, num_return_sequences=n_best,
                                           suppress_sequences=suppress)
    decode = functools.partial(translator.tokenizer.decode, skip_special_tokens=True)
    placed: list[list[list[int]]] = [[] for _ in plans]
    pending = [{t.target: t for t in plan.required if t.token_ids} for plan in plans]
    if settings.place_terms and any(pending):
        matchers = [canonical_matcher(plan, glossary, target_lang) for plan in plans]

        def present(i: int, hypothesis: list[int]) -> set[str]:
            return {m.form for m in matchers[i].find(decode(hypothesis))} & pending[i].keys()

        pieces = translator.tokenizer.convert_ids_to_tokens
        room = translator.max_positions - 1
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
                for cut in placement_positions(hyp, pieces(hyp), term.position, written,
                                               settings.placement_positions):
                    # A forced prefix must leave the model room for a token within its positions
                    # (a runaway hypothesis can be as long as the decoder allows).
                    if cut + len(term.token_ids) + 1 < room:
                        requests.append((i, cut + len(term.token_ids), hyp[:cut] + list(term.token_ids)))
            if not requests:
                break
            # Greedy after the forced prefix: each alternative is one hypothesis, so placing a
            # term costs a few greedy decodes rather than a few full beam searches.
            continuations = translator.translate_token_ids(
                [sources[i] for i, _, _ in requests], dataclasses.replace(decoding, beams=1),
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


def placement_positions(hypothesis: list[int], pieces: list[str], position: float,
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
