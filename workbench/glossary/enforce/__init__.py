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
   score (`translate_placing_terms`).
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

from workbench.glossary.enforce.final import TermTranslation, apply_final_pass, finish
from workbench.glossary.enforce.logits import make_processors, term_processor_class
from workbench.glossary.enforce.placement import translate_placing_terms
from workbench.glossary.enforce.planning import (
    EnforcementSettings,
    TermConstraints,
    attach_token_ids,
    glue_token_ids,
    plan_segment,
    row_constraints,
)
from workbench.glossary.entries import Glossary
from workbench.mt.base import DEFAULT_DECODING, DecodingSettings


def translate_with_terms(
    translator,
    sentences: list[str],
    glossary: Glossary,
    source_lang: str,
    target_lang: str,
    *,
    decoding: DecodingSettings = DEFAULT_DECODING,
    enforce: bool = True,
    settings: EnforcementSettings | None = None,
) -> list[TermTranslation]:
    """Translate sentences so that glossary terms come out right; one report per sentence.

    `translator` is a `workbench.mt.base.Translator`; its declared capability
    (`runs_logits_processors`) chooses the decoding strategy: logits processors
    (`enforce.logits`), or forced-prefix placement (`enforce.placement`).
    """
    settings = settings or EnforcementSettings()
    plans = [plan_segment(s, glossary, source_lang, target_lang, enforce, settings)
             for s in sentences]
    if not sentences:
        return []
    if enforce and any(plan.required or plan.forbidden for plan in plans):
        attach_token_ids(translator, plans)
        constraints = [row_constraints(plan, translator, settings) for plan in plans]
        beams = decoding.beams
        n_best = min(settings.n_best or beams, beams) if settings.rerank else 1
        if translator.runs_logits_processors:
            hypotheses = translator.translate(
                [plan.model_source for plan in plans], decoding, num_return_sequences=n_best,
                logits_processor_factory=functools.partial(
                    make_processors, constraints, settings, translator.tokenizer.eos_token_id,
                    glue_token_ids(translator.tokenizer)))
        else:
            hypotheses = translate_placing_terms(translator, plans, constraints, settings, decoding, n_best,
                                                 glossary, target_lang)
    else:
        hypotheses = translator.translate([plan.model_source for plan in plans], decoding)
    return [finish(plan, hyps, glossary, source_lang, target_lang, enforce, settings)
            for plan, hyps in zip(plans, hypotheses, strict=True)]


__all__ = ["EnforcementSettings", "TermConstraints", "TermTranslation", "apply_final_pass", "term_processor_class",
           "translate_with_terms"]
