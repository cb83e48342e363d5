"""Term reports and the term success rate.

Every translated segment keeps a `TermReport`: each source-term occurrence,
the target term it requires, whether the output renders it, whether the final
pass put it there, whether it is still missing (flagged for the reviewer, with
why), and which model produced the output. An occurrence counts as rendered only
when the output holds its required term exactly as often as the source holds the
source term: a term written twice for one source term ("border security border
security") is reported as duplicated, never as a success. The term success rate
follows the WMT terminology shared tasks: the share of source-term occurrences
whose required target term is rendered, per document and overall.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields


@dataclass
class TermOccurrence:
    """One source-term occurrence in a segment and what became of it in the output."""

    entry_id: str
    source_start: int
    source_end: int
    source_surface: str
    required_target: str
    enforced: bool = True
    present: bool = False
    inserted_by_final_pass: bool = False
    duplicated: bool = False  # the output holds the term more often than the source holds it
    note: str = ""  # why a required term is missing (enforcement gave it up)

    @property
    def missing(self) -> bool:
        """True when the required target term is not rendered (absent or duplicated)."""
        return not self.present

    def to_dict(self) -> dict:
        """A JSON-ready dict, `missing` included."""
        return {**asdict(self), "missing": self.missing}


@dataclass
class TermReport:
    """Term handling of one translated segment."""

    source_lang: str
    target_lang: str
    glossary_version: str = ""
    enforcement: bool = True
    occurrences: list[TermOccurrence] = field(default_factory=list)
    model_source: str | None = None  # the source as given to the model, when expanded
    final_pass_changes: list[dict] = field(default_factory=list)  # spans in the raw hypothesis
    forbidden_remaining: list[dict] = field(default_factory=list)
    model: str = ""  # which checkpoint and engine wrote the output ("random weights" said so)

    @property
    def source_terms(self) -> list[str]:
        """Entry ids of the source terms found, in source order."""
        return [o.entry_id for o in self.occurrences]

    @property
    def required_terms(self) -> list[str]:
        """Required target terms, one per distinct term."""
        return list(dict.fromkeys(o.required_target for o in self.occurrences))

    @property
    def present_terms(self) -> list[str]:
        """Required target terms that appear in the output."""
        return list(dict.fromkeys(o.required_target for o in self.occurrences if o.present))

    @property
    def inserted_terms(self) -> list[str]:
        """Required target terms that the final pass put in."""
        return list(dict.fromkeys(o.required_target for o in self.occurrences
                                  if o.inserted_by_final_pass))

    @property
    def duplicated_terms(self) -> list[str]:
        """Required target terms written more often than the source holds them."""
        return list(dict.fromkeys(o.required_target for o in self.occurrences if o.duplicated))

    @property
    def missing_terms(self) -> list[str]:
        """Required target terms still missing (for the reviewer)."""
        return list(dict.fromkeys(o.required_target for o in self.occurrences if o.missing))

    def to_dict(self) -> dict:
        """A JSON-serialisable dict (what the review store keeps)."""
        data = {f.name: getattr(self, f.name) for f in fields(self) if f.name != "occurrences"}
        data["occurrences"] = [o.to_dict() for o in self.occurrences]
        data["summary"] = {"source_terms": self.source_terms, "required": self.required_terms,
                           "present": self.present_terms, "inserted": self.inserted_terms,
                           "duplicated": self.duplicated_terms, "missing": self.missing_terms}
        return data

    @classmethod
    def from_dict(cls, data: dict) -> TermReport:
        """Rebuild a report from `to_dict()` output."""
        names = {f.name for f in fields(TermOccurrence)}
        occurrences = [TermOccurrence(**{k: v for k, v in o.items() if k in names})
                       for o in data.get("occurrences", [])]
        own = {f.name for f in fields(cls)} - {"occurrences"}
        return cls(occurrences=occurrences, **{k: v for k, v in data.items() if k in own})


def _occurrences(report) -> list[dict]:
    if isinstance(report, TermReport):
        return [o.to_dict() for o in report.occurrences]
    return list((report or {}).get("occurrences", []))


def _model(report) -> str:
    if isinstance(report, TermReport):
        return report.model
    return (report or {}).get("model", "")


def term_success_rate(reports: Iterable) -> dict:
    """Occurrences, matched, success_rate (None when nothing to count), duplicated, missing terms, models.

    Accepts `TermReport` objects or their `to_dict()` form; None entries (segments
    translated without a glossary) are skipped. An occurrence is matched only when its
    term is rendered once for it (`present`); a duplicated one is counted apart.
    `models`: the models that wrote the outputs, so a figure is never read without them
    (reports stored before the model was recorded count as "unknown model").
    """
    occurrences = matched = duplicated = 0
    missing: Counter = Counter()
    models: Counter = Counter()
    for report in reports:
        found = _occurrences(report)
        if found:
            models[_model(report) or "unknown model"] += len(found)
        for occurrence in found:
            occurrences += 1
            if occurrence.get("present") and not occurrence.get("duplicated"):
                matched += 1
            else:
                duplicated += bool(occurrence.get("duplicated"))
                missing[(occurrence["entry_id"], occurrence["required_target"])] += 1
    return {
        "occurrences": occurrences,
        "matched": matched,
        "success_rate": round(matched / occurrences, 4) if occurrences else None,
        "duplicated": duplicated,
        "models": sorted(models),
        "missing_count": occurrences - matched,
        "missing": [{"entry_id": entry_id, "required_target": target, "count": count}
                    for (entry_id, target), count in sorted(missing.items(),
                                                            key=lambda kv: (-kv[1], kv[0]))],
    }


def term_success_by_document(items: Iterable[tuple[str, dict]]) -> dict:
    """The term success rate overall and per document from (document, report) pairs."""
    by_document: dict[str, list] = {}
    for document, report in items:
        by_document.setdefault(document, []).append(report)
    overall = term_success_rate(r for reports in by_document.values() for r in reports)
    overall["documents"] = {document: term_success_rate(reports)
                            for document, reports in by_document.items()}
    return overall
