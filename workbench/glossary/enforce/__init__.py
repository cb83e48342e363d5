"""Term-aware translation: the required target terms, carried in by three parts.

1. Acronym expansion (source side, off unless `EnforcementSettings.expand_acronyms`).
   A variant that contains an acronym ("BĐBP", "UBND tỉnh", "BTL BĐBP") is
   replaced by the entry's full source term before translation. Off by default:
   replacement finds the model's rendering of the acronym itself, and an expanded
   source changes what the model reads, so its words elsewhere too when the term
   is then not placed. Report spans still refer to the original sentence.
2. Replacement (`enforce.replacement`), the same on every engine. Each sentence
   is translated exactly as without terms; where the output lacks a required
   term, the words that render its source span are found by the model's own
   scores (which tokens lose their probability when the span is masked in
   the source) and the term takes their place. Nothing outside those words
   changes, decoding never runs past the sentence the model ended, and when the
   model scores the result much worse than its own output, its own output is
   kept and the term flagged for the reviewer.
3. A final pass on the chosen output: a forbidden rendering of an entry whose
   source term was found is replaced by the canonical target term, and so is
   a variant form when the canonical term is absent.

Why no nudging during decoding (the earlier logits bonuses and forced-prefix
placement): a bonus cannot tell the model's rendering of the source term from the
words beside it, so on a model that reads its input it put terms beside their
rendering (duplicated), over neighbouring names, and, through an end-of-sentence
penalty, kept decoding past the sentence (docs/term-enforcement.md has the
figures). Replacement acts only on the words the model itself ties to the source
term. Enforcement can be switched off as a whole per run (`enforce=False`), its
parts in `EnforcementSettings`, and per entry (the glossary's `enforce` column):
such entries are still found and reported.
"""

from __future__ import annotations

from workbench.glossary.enforce.final import TermTranslation, apply_final_pass, finish
from workbench.glossary.enforce.planning import EnforcementSettings, plan_segment
from workbench.glossary.enforce.replacement import translate_replacing_terms
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

    `translator` is a `workbench.mt.base.Translator` (any engine: it decodes and scores
    given targets). Without enforcement, or where no sentence has an enforced term, this is
    one plain translation pass.
    """
    settings = settings or EnforcementSettings()
    plans = [plan_segment(s, glossary, source_lang, target_lang, enforce, settings)
             for s in sentences]
    if not sentences:
        return []
    model = model_label(translator)
    if enforce and any(o.enforced for plan in plans for o in plan.occurrences):
        chosen = translate_replacing_terms(translator, plans, settings, decoding, glossary,
                                           source_lang, target_lang)
        decode = translator.tokenizer.decode
        return [finish(plan, decode(c.token_ids, skip_special_tokens=True).strip(), glossary,
                       source_lang, target_lang, enforce, settings, notes=c.notes, model=model)
                for plan, c in zip(plans, chosen, strict=True)]
    texts = translator.translate_best([plan.model_source for plan in plans], decoding)
    return [finish(plan, text, glossary, source_lang, target_lang, enforce, settings, model=model)
            for plan, text in zip(plans, texts, strict=True)]


def model_label(translator) -> str:
    """Which model wrote an output, for its term report: checkpoint, engine, and random weights said so."""
    checkpoint = getattr(translator, "checkpoint", "") or "unknown checkpoint"
    engine = getattr(translator, "engine", "")
    try:
        random_weights = bool(translator.is_random_weights)
    except Exception:  # a model that cannot be loaded has already failed the translation
        random_weights = False
    label = f"{checkpoint} ({engine})" if engine else checkpoint
    return label + (", random weights: test output, not a translation" if random_weights else "")


__all__ = ["EnforcementSettings", "TermTranslation", "apply_final_pass", "model_label", "translate_with_terms"]
