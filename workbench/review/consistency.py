"""Consistency QA across the whole store, the way Xbench or Verifika check a project.

`check_consistency(store, glossary)` looks at every approved and reviewed
segment with a target (live segments of listed documents) and reports:

- `same_source_different_target`: one source segment (spacing and case aside)
  translated in more than one way;
- `same_target_different_source`: one target used for different sources;
- `term_not_as_glossary`: a glossary term in the source whose required target
  term (or one of its target-language forms) is not in the reviewer's target;
- `forbidden_term`: a known wrong rendering of a term of that source in the target;
- `numbers_differ`: the numbers of source and target differ ("21.790" and
  "21,790" agree).

Each finding names its segments (document id, segment id, position), so the UI
can link to them and the CLI can print them. Term consistency across segments
goes through the glossary: without one, only the segment-level checks run.

Nothing holds every segment at once: the groups of the first two checks come from
the store sorted by their comparison key (SQLite sorts on disk when it must), one
group at a time, and the per-segment checks read a cursor row by row, so memory
follows the largest group and the findings, not the corpus.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from workbench.review.checks import number_keys

REVIEWED_STATUSES = ("approved", "reviewed")

KINDS = {
    "same_source_different_target": "same source, different translations",
    "same_target_different_source": "same translation, different sources",
    "term_not_as_glossary": "glossary term rendered otherwise",
    "forbidden_term": "forbidden rendering",
    "numbers_differ": "numbers differ",
}


@dataclass(frozen=True)
class SegmentRef:
    """A segment a finding is about."""

    document_id: int
    document: str
    segment_id: int
    position: int
    status: str
    source: str
    target: str

    @property
    def link(self) -> str:
        """Query string of the Review page that opens this segment."""
        return f"?doc={self.document_id}&seg={self.segment_id}"

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"document_id": self.document_id, "document": self.document, "segment_id": self.segment_id,
                "position": self.position, "status": self.status, "source": self.source,
                "target": self.target, "link": self.link}


@dataclass
class Finding:
    """One inconsistency: its kind, a message and the segments involved."""

    kind: str
    message: str
    lang: str
    target_lang: str
    segments: list[SegmentRef] = field(default_factory=list)
    entry_id: str | None = None

    @property
    def label(self) -> str:
        """The short name of the kind."""
        return KINDS[self.kind]

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"kind": self.kind, "label": self.label, "message": self.message, "lang": self.lang,
                "target_lang": self.target_lang, "entry_id": self.entry_id,
                "segments": [s.to_dict() for s in self.segments]}


def _key(text: str) -> str:
    """Text compared for sameness: NFC, spacing collapsed, case folded."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()


_REVIEWED = """SELECT d.lang, d.target_lang, d.id AS document_id, d.name AS document_name,
                      s.id AS segment_id, s.position, s.status, s.source_text, s.target_text
               FROM segments s JOIN documents d ON d.id = s.document_id
               WHERE s.status IN ('approved', 'reviewed') AND s.retired_at IS NULL AND d.archived = 0
                 AND s.target_text IS NOT NULL
               ORDER BY {order}"""


def _ref(row) -> SegmentRef:
    return SegmentRef(row["document_id"], row["document_name"], row["segment_id"], row["position"], row["status"],
                      row["source_text"], row["target_text"])


def reviewed_segments(store, *, order: str = "d.id, s.position") -> Iterator[tuple[str, str, SegmentRef]]:
    """(source language, target language, segment) of every approved or reviewed segment with a target, streamed."""
    store.conn.create_function("workbench_same_key", 1, _key, deterministic=True)
    for row in store.conn.execute(_REVIEWED.format(order=order)):
        if row["target_text"].strip():
            yield row["lang"], row["target_lang"], _ref(row)


def check_consistency(store, glossary=None) -> list[Finding]:
    """Every inconsistency among the store's approved and reviewed segments (see the module docstring)."""
    findings: list[Finding] = []
    findings += _grouped(store, by="source")
    findings += _grouped(store, by="target")
    if glossary is not None:
        findings += _terms(reviewed_segments(store), glossary)
    for lang, target_lang, segment in reviewed_segments(store):
        source_numbers, target_numbers = number_keys(segment.source), number_keys(segment.target)
        if source_numbers != target_numbers:
            missing = sorted((source_numbers - target_numbers).elements())
            extra = sorted((target_numbers - source_numbers).elements())
            parts = ([f"missing in the target: {', '.join(missing)}"] if missing else []) + \
                    ([f"not in the source: {', '.join(extra)}"] if extra else [])
            findings.append(Finding("numbers_differ", "; ".join(parts), lang, target_lang, [segment]))
    return findings


def _grouped(store, *, by: str) -> list[Finding]:
    column = "s.source_text" if by == "source" else "s.target_text"
    rows = reviewed_segments(store, order=f"d.lang, d.target_lang, workbench_same_key({column}), d.id, s.position")
    findings = []
    for (lang, target_lang, _), group in itertools.groupby(
            rows, key=lambda item: (item[0], item[1], _key(item[2].source if by == "source" else item[2].target))):
        members = [segment for _, _, segment in group]
        if len(members) < 2:
            continue
        other = {_key(s.target if by == "source" else s.source): s for s in members}
        if len(other) < 2:
            continue
        if by == "source":
            kind = "same_source_different_target"
            message = f"{members[0].source!r} is translated {len(other)} ways: " + \
                " / ".join(repr(s.target) for s in other.values())
        else:
            kind = "same_target_different_source"
            message = f"{members[0].target!r} translates {len(other)} different sources: " + \
                " / ".join(repr(s.source) for s in other.values())
        findings.append(Finding(kind, message, lang, target_lang, members))
    return findings


def _terms(segments, glossary) -> list[Finding]:
    findings = []
    for lang, target_lang, segment in segments:
        in_source = {}
        for match in glossary.match(segment.source, lang):
            in_source.setdefault(match.entry_id, match.surface)
        if not in_source:
            continue
        in_target = {match.entry_id for match in glossary.match(segment.target, target_lang)}
        for match in glossary.match_forbidden(segment.target, target_lang):
            if match.entry_id in in_source:
                entry = glossary[match.entry_id]
                findings.append(Finding(
                    "forbidden_term", f"{in_source[match.entry_id]!r} is rendered {match.surface!r}, a known "
                    f"wrong rendering; the glossary says {entry.term(target_lang)!r}", lang, target_lang,
                    [segment], entry.id))
        for entry_id, surface in in_source.items():
            entry = glossary[entry_id]
            required = entry.term(target_lang)
            if not required or not entry.enforce or entry_id in in_target:
                continue
            if _covered_by_longer(entry_id, in_source, in_target, glossary, target_lang):
                continue
            findings.append(Finding(
                "term_not_as_glossary", f"{surface!r} should be rendered {required!r} ({entry_id}); the target "
                "has another form", lang, target_lang, [segment], entry_id))
    return findings


def _covered_by_longer(entry_id, in_source, in_target, glossary, target_lang) -> bool:
    """A shorter term inside a longer one that is rendered correctly ("Đảng ủy" in "Đảng ủy BĐBP")."""
    form = glossary[entry_id].term(target_lang) or ""
    for other in in_target:
        other_term = glossary[other].term(target_lang) or ""
        if other != entry_id and form and form.casefold() in other_term.casefold():
            return True
    return False


def format_findings(findings: list[Finding]) -> str:
    """A plain-text report: one block per finding, one line per segment."""
    lines = []
    counts = defaultdict(int)
    for finding in findings:
        counts[finding.kind] += 1
        lines.append(f"[{finding.label}] {finding.lang}->{finding.target_lang}: {finding.message}")
        for segment in finding.segments:
            lines.append(f"    doc {segment.document_id} seg {segment.segment_id} (#{segment.position + 1}, "
                         f"{segment.status}) {segment.document}: {segment.target!r}")
    lines.append("")
    lines.append(f"{len(findings)} finding(s): " + ", ".join(f"{KINDS[k]} {n}" for k, n in counts.items()))
    return "\n".join(lines)
