"""After decoding: n-best reranking and the final replacement pass (parts 3 and 4), and the term report."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from workbench.glossary.enforce.planning import EnforcementSettings, SegmentPlan, canonical_matcher
from workbench.glossary.entries import Glossary, GlossaryEntry
from workbench.glossary.matching import TermMatcher
from workbench.glossary.report import TermReport


@dataclass
class TermTranslation:
    """A translated segment and its term report."""

    text: str
    report: TermReport


def finish(plan: SegmentPlan, hypotheses: Sequence[str], glossary: Glossary, source_lang: str,
            target_lang: str, enforce: bool, settings: EnforcementSettings) -> TermTranslation:
    """The translation of one planned segment from its n-best hypotheses, with its term report.

    With enforcement and reranking, the hypothesis holding most required terms (then fewest
    forbidden renderings, then the model's own order) is chosen; the final pass then replaces
    forbidden renderings and variants by the canonical terms. The report records, per
    occurrence, whether its required term is present and whether the final pass put it there.
    """
    canonical = canonical_matcher(plan, glossary, target_lang)
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
        text, changes = final_pass(raw, plan.enforced_entries, target_lang, before)
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
    return final_pass(text, entries, target_lang, present)


def final_pass(text: str, entries: list[GlossaryEntry], target_lang: str,
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
