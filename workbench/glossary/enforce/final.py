"""After decoding: the final replacement pass (part 4) and the term report."""

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


def finish(plan: SegmentPlan, raw: str, glossary: Glossary, source_lang: str, target_lang: str,
           enforce: bool, settings: EnforcementSettings, *, notes: dict[int, str] | None = None,
           model: str = "") -> TermTranslation:
    """The final pass on the chosen output, then its term report (`notes`: why terms are missing)."""
    forbidden = TermMatcher(target_lang)
    for entry in plan.enforced_entries:
        for form in entry.forbidden.get(target_lang, ()):
            forbidden.add(entry.id, form, "forbidden", entry.case_sensitive)
    canonical = canonical_matcher(plan, glossary, target_lang)
    before = {m.form for m in canonical.find(raw)}
    text, changes = raw, []
    if enforce and settings.final_pass and plan.enforced_entries:
        text, changes = final_pass(raw, plan.enforced_entries, target_lang, before)
    mark_rendered(plan.occurrences, text, canonical, notes or {})
    for occurrence in plan.occurrences:
        occurrence.inserted_by_final_pass = (occurrence.present
                                             and occurrence.required_target not in before)
    report = TermReport(
        source_lang=source_lang, target_lang=target_lang, glossary_version=glossary.version,
        enforcement=enforce, occurrences=plan.occurrences,
        model_source=plan.model_source if plan.model_source != plan.source else None,
        final_pass_changes=changes, forbidden_remaining=[m.to_dict() for m in forbidden.find(text)],
        model=model)
    return TermTranslation(text, report)


def mark_rendered(occurrences, text: str, canonical: TermMatcher, notes: dict[int, str]) -> None:
    """Set `present`, `duplicated` and `note` of each occurrence from the output `text`.

    A term is rendered for an occurrence only when the output holds it exactly as often as
    the source holds its source term: more is a duplication (every such occurrence is
    flagged, none counts), fewer leaves the occurrences enforcement gave up on missing
    first (they carry a note), then the later ones.
    """
    counts: dict[str, int] = {}
    for match in canonical.find(text):
        counts[match.form] = counts.get(match.form, 0) + 1
    by_target: dict[str, list[int]] = {}
    for index, occurrence in enumerate(occurrences):
        by_target.setdefault(occurrence.required_target, []).append(index)
    for target, indices in by_target.items():
        written = counts.get(target, 0)
        duplicated = written > len(indices)
        ordered = sorted(indices, key=lambda i: (i in notes, i))
        for rank, index in enumerate(ordered):
            occurrence = occurrences[index]
            occurrence.duplicated = duplicated
            occurrence.present = not duplicated and rank < written
            occurrence.note = "" if occurrence.present else (
                "the output writes this term more often than the source holds it" if duplicated
                else notes.get(index, ""))


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
