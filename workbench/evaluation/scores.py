"""Quality of the machine translation, measured against what reviewers approved.

Once reviewers approve segments, their targets are references for the machine
translation the segment had: corpus-level BLEU, chrF and TER (sacrebleu, each
with its signature string) per document, per language pair, per checkpoint and
overall; a per-segment edit rate (HTER-like: TER of the MT against the approved
target, in percent; 0 means the reviewer changed nothing) with its mean, median
and histogram; the term success rate of the machine translations with the terms
most often missed; and reviewer progress per day from the segment history.

Everything is returned as plain dataclasses (`EvaluationReport.to_dict()` for
JSON) so the UI can chart it; `format_table` and `format_csv` render it for the
command line. sacrebleu is imported only when scores are computed.
"""

from __future__ import annotations

import csv
import io
import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from workbench.mt.plausibility import is_plausible

# Edit-rate histogram: ten-point buckets, and one for 100% and more (TER can pass 100).
HISTOGRAM_BUCKETS = tuple(f"{low}-{low + 10}" for low in range(0, 100, 10)) + ("100+",)
PROGRESS_STATUSES = ("reviewed", "approved")


@dataclass
class Scores:
    """Corpus-level scores of hypotheses against one reference each; None with no segments."""

    segments: int
    bleu: float | None = None
    chrf: float | None = None
    ter: float | None = None
    signatures: dict[str, str] = field(default_factory=dict)


@dataclass
class EditRateSummary:
    """Distribution of per-segment edit rates (percent)."""

    segments: int
    mean: float | None = None
    median: float | None = None
    unedited: int = 0  # segments approved exactly as the machine translated them
    histogram: dict[str, int] = field(default_factory=lambda: dict.fromkeys(HISTOGRAM_BUCKETS, 0))


@dataclass
class GroupReport:
    """Scores and edit rates of one group of approved segments (a pair, a checkpoint, all)."""

    scope: str  # "overall", "pair" or "checkpoint"
    key: str
    scores: Scores
    edit_rate: EditRateSummary
    random_weights: bool = False  # a test checkpoint: its scores mean nothing


@dataclass
class DocumentReport:
    """Per document: how far review got, and the scores of what was approved."""

    document_id: int
    name: str
    path: str
    lang_pair: str
    segments: int  # live segments
    approved: int  # approved with a target
    evaluated: int  # approved with a target and a machine translation
    scores: Scores
    edit_rate: EditRateSummary
    term_success: dict | None = None


@dataclass
class ReviewerDay:
    """Changes of one reviewer on one day (UTC): status changes into reviewed/approved, and all."""

    day: str
    reviewer: str
    reviewed: int = 0
    approved: int = 0
    changes: int = 0


@dataclass
class SegmentEditRate:
    """The edit rate of one approved segment."""

    segment_id: int
    document_id: int
    lang_pair: str
    checkpoint: str | None
    edit_rate: float


@dataclass
class EvaluationReport:
    """The whole quality report; see the module docstring."""

    overall: GroupReport
    by_pair: list[GroupReport]
    by_checkpoint: list[GroupReport]
    documents: list[DocumentReport]
    segments: list[SegmentEditRate]
    term_success: dict
    reviewer_progress: list[ReviewerDay]
    sacrebleu_version: str

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return asdict(self)


@dataclass
class _Pair:
    segment_id: int
    document_id: int
    lang_pair: str
    target_lang: str
    checkpoint: str | None
    random_weights: bool
    mt: str
    target: str


def corpus_scores(hypotheses: list[str], references: list[str],
                  target_lang: str | None = None) -> Scores:
    """BLEU, chrF and TER of hypotheses against references, with sacrebleu's signatures."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    if not hypotheses:
        return Scores(segments=0)
    # sacrebleu's default 13a tokeniser suits en and vi; Chinese needs its own.
    bleu = BLEU(tokenize="zh") if target_lang == "zh" else BLEU()
    chrf, ter = CHRF(), TER()
    refs = [list(references)]
    return Scores(
        segments=len(hypotheses),
        bleu=bleu.corpus_score(hypotheses, refs).score,
        chrf=chrf.corpus_score(hypotheses, refs).score,
        ter=ter.corpus_score(hypotheses, refs).score,
        signatures={"bleu": str(bleu.get_signature()), "chrf": str(chrf.get_signature()),
                    "ter": str(ter.get_signature())},
    )


def edit_rates(pairs: Iterable[tuple[str, str]]) -> list[float]:
    """Per-segment edit rate (percent): TER of each (machine translation, approved target)."""
    from sacrebleu.metrics import TER

    ter = TER()
    return [ter.sentence_score(mt, [target]).score for mt, target in pairs]


def summarise_edit_rates(rates: list[float]) -> EditRateSummary:
    """Mean, median, unedited count and histogram of edit rates."""
    summary = EditRateSummary(segments=len(rates))
    if not rates:
        return summary
    summary.mean = statistics.fmean(rates)
    summary.median = statistics.median(rates)
    summary.unedited = sum(1 for rate in rates if rate == 0)
    for rate in rates:
        index = int(rate // 10)
        summary.histogram[HISTOGRAM_BUCKETS[min(index, len(HISTOGRAM_BUCKETS) - 1)]] += 1
    return summary


def _group(scope: str, key: str, pairs: list[_Pair], rates: dict[int, float]) -> GroupReport:
    target_langs = {p.target_lang for p in pairs}
    return GroupReport(
        scope=scope, key=key,
        scores=corpus_scores([p.mt for p in pairs], [p.target for p in pairs],
                             target_langs.pop() if len(target_langs) == 1 else None),
        edit_rate=summarise_edit_rates([rates[p.segment_id] for p in pairs]),
        random_weights=any(p.random_weights for p in pairs))


def term_success(store, document_ids: list[int] | None = None, *, top: int = 10) -> dict:
    """Term success rate of the stored machine translations overall and per document path.

    The one definition of the rate is `workbench.glossary.report.term_success_by_document`.
    """
    from workbench.glossary.report import term_success_by_document

    paths = None if document_ids is None else {store.document(i).path for i in document_ids}
    overall = term_success_by_document((path, report) for path, report in store.iter_term_reports()
                                       if paths is None or path in paths)
    overall["missing"] = overall["missing"][:top]
    return overall


def reviewer_progress(store, document_ids: list[int] | None = None) -> list[ReviewerDay]:
    """Per reviewer and day: segments moved to reviewed / approved, and all changes made."""
    # The store has no history-wide query, so read segment_history directly (read-only).
    where, params = "d.archived = 0", []
    if document_ids is not None:
        where = f"d.id IN ({', '.join('?' * len(document_ids))})"
        params = list(document_ids)
    rows = store.conn.execute(
        f"""SELECT h.reviewer, substr(h.changed_at, 1, 10) AS day, h.before_status,
                   h.after_status FROM segment_history h
            JOIN segments s ON s.id = h.segment_id JOIN documents d ON d.id = s.document_id
            WHERE {where} ORDER BY h.id""", params)  # streamed: one row at a time
    days: dict[tuple[str, str], ReviewerDay] = {}
    for row in rows:
        entry = days.setdefault((row["day"], row["reviewer"]), ReviewerDay(row["day"], row["reviewer"]))
        entry.changes += 1
        if row["after_status"] in PROGRESS_STATUSES and row["before_status"] != row["after_status"]:
            setattr(entry, row["after_status"], getattr(entry, row["after_status"]) + 1)
    return [days[key] for key in sorted(days)]


def _document_filter(document_ids: list[int] | None) -> tuple[str, list]:
    if document_ids is None:
        return "d.archived = 0", []
    return f"d.id IN ({', '.join('?' * len(document_ids))})", list(document_ids)


def _segment_counts(store, document_ids: list[int] | None) -> dict[int, tuple[int, int]]:
    """Per document: live segments, and approved ones with a target."""
    where, params = _document_filter(document_ids)
    return {row[0]: (row[1], row[2]) for row in store.conn.execute(
        f"""SELECT s.document_id, COUNT(*),
                   SUM(s.status = 'approved'
                       AND trim(coalesce(s.target_text, ''), ' ' || char(9, 10, 13)) != '')
            FROM segments s JOIN documents d ON d.id = s.document_id
            WHERE s.retired_at IS NULL AND {where} GROUP BY s.document_id""", params)}


def _approved_with_mt(store, document_ids: list[int] | None):
    """Approved live segments with a target and a machine translation, streamed in document order."""
    where, params = _document_filter(document_ids)
    for row in store.conn.execute(
            f"""SELECT s.id, s.document_id, d.lang, d.target_lang, s.source_text, s.target_text,
                       t.text AS mt_text, t.checkpoint, t.random_weights
                FROM segments s JOIN documents d ON d.id = s.document_id
                JOIN translations t ON t.id = s.translation_id
                WHERE s.retired_at IS NULL AND s.status = 'approved' AND {where}
                ORDER BY d.id, s.position""", params):
        if (row["target_text"] or "").strip():
            yield row


def evaluate(store, document_ids: list[int] | None = None, *, top_missed: int = 10) -> EvaluationReport:
    """The quality report of the chosen documents (None: all non-archived)."""
    import sacrebleu

    documents = ([store.document(i) for i in document_ids] if document_ids is not None
                 else list(store.documents()))
    # Two grouped reads instead of every segment of every document: live and approved counts per
    # document, and the approved segments that have a machine translation (the pairs scored).
    counts = _segment_counts(store, document_ids)
    by_document: dict[int, list[_Pair]] = {}
    for row in _approved_with_mt(store, document_ids):
        doc_lang, target_lang = row["lang"], row["target_lang"]
        # Implausible MT (noise, loops, the wrong language) is no translation to score.
        if not is_plausible(row["source_text"], row["mt_text"], doc_lang, target_lang,
                            random_weights=bool(row["random_weights"])):
            continue
        by_document.setdefault(row["document_id"], []).append(_Pair(
            row["id"], row["document_id"], f"{doc_lang}-{target_lang}", target_lang, row["checkpoint"],
            bool(row["random_weights"]), row["mt_text"], row["target_text"]))
    pairs: list[_Pair] = []
    per_document: list[tuple[object, tuple[int, int], list[_Pair]]] = []
    for doc in documents:
        doc_pairs = by_document.get(doc.id, [])
        per_document.append((doc, counts.get(doc.id, (0, 0)), doc_pairs))
        pairs.extend(doc_pairs)

    rates = dict(zip((p.segment_id for p in pairs), edit_rates((p.mt, p.target) for p in pairs),
                     strict=True))
    terms = term_success(store, document_ids, top=top_missed)
    document_reports = []
    for doc, (live, approved), doc_pairs in per_document:
        group = _group("document", doc.name, doc_pairs, rates)
        document_reports.append(DocumentReport(
            document_id=doc.id, name=doc.name, path=doc.path,
            lang_pair=f"{doc.lang}-{doc.target_lang}", segments=live, approved=approved,
            evaluated=len(doc_pairs), scores=group.scores, edit_rate=group.edit_rate,
            term_success=terms["documents"].get(doc.path)))

    def grouped(scope: str, key_of) -> list[GroupReport]:
        groups: dict[str, list[_Pair]] = {}
        for pair in pairs:
            groups.setdefault(key_of(pair), []).append(pair)
        return [_group(scope, key, members, rates) for key, members in sorted(groups.items())]

    return EvaluationReport(
        overall=_group("overall", "all", pairs, rates),
        by_pair=grouped("pair", lambda p: p.lang_pair),
        by_checkpoint=grouped("checkpoint", lambda p: p.checkpoint or "(unknown)"),
        documents=document_reports,
        segments=[SegmentEditRate(p.segment_id, p.document_id, p.lang_pair, p.checkpoint,
                                  rates[p.segment_id]) for p in pairs],
        term_success=terms,
        reviewer_progress=reviewer_progress(store, document_ids),
        sacrebleu_version=sacrebleu.__version__,
    )


# -- rendering ----------------------------------------------------------------------------

CSV_COLUMNS = ("scope", "key", "segments", "bleu", "chrf", "ter", "edit_rate_mean",
               "edit_rate_median", "unedited", "random_weights", "bleu_signature",
               "chrf_signature", "ter_signature")


def score_rows(report: EvaluationReport) -> list[dict]:
    """One flat row per group and document (overall, pairs, checkpoints, documents)."""
    groups = [report.overall, *report.by_pair, *report.by_checkpoint]
    groups += [GroupReport("document", d.name, d.scores, d.edit_rate) for d in report.documents]
    rows = []
    for group in groups:
        rows.append({
            "scope": group.scope, "key": group.key, "segments": group.scores.segments,
            "bleu": group.scores.bleu, "chrf": group.scores.chrf, "ter": group.scores.ter,
            "edit_rate_mean": group.edit_rate.mean, "edit_rate_median": group.edit_rate.median,
            "unedited": group.edit_rate.unedited, "random_weights": group.random_weights,
            "bleu_signature": group.scores.signatures.get("bleu", ""),
            "chrf_signature": group.scores.signatures.get("chrf", ""),
            "ter_signature": group.scores.signatures.get("ter", ""),
        })
    return rows


def format_csv(report: EvaluationReport, *, raw: bool = False) -> str:
    """The score rows as CSV with a header (empty cells where nothing was approved).

    Text cells a spreadsheet would evaluate (a document named `=cmd...`) are neutralised
    unless `raw` (`workbench.files.spreadsheet_safe`).
    """
    from workbench.files import spreadsheet_safe

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in score_rows(report):
        writer.writerow({k: "" if v is None else spreadsheet_safe(v) if isinstance(v, str) and not raw else v
                         for k, v in row.items()})
    return out.getvalue()


def _number(value: float | None, width: int = 6) -> str:
    return f"{value:>{width}.2f}" if value is not None else f"{'-':>{width}}"


def format_table(report: EvaluationReport) -> str:
    """A plain-text report for the terminal."""
    lines = []
    if report.overall.scores.segments == 0:
        lines.append("No approved segment with a machine translation yet: scores appear once "
                     "reviewers approve segments.")
    lines.append(f"{'scope':<10} {'name':<44} {'segs':>5} {'BLEU':>6} {'chrF':>6} {'TER':>6} "
                 f"{'edit mean':>9} {'median':>6}")
    for row in score_rows(report):
        name = row["key"] + (" (random weights)" if row["random_weights"] else "")
        lines.append(f"{row['scope']:<10} {name[:44]:<44} {row['segments']:>5} "
                     f"{_number(row['bleu'])} {_number(row['chrf'])} {_number(row['ter'])} "
                     f"{_number(row['edit_rate_mean'], 9)} {_number(row['edit_rate_median'])}")
    edit = report.overall.edit_rate
    if edit.segments:
        lines.append("")
        lines.append(f"Edit rate (TER of MT vs approved target, %): {edit.unedited} of "
                     f"{edit.segments} approved unedited; histogram "
                     + " ".join(f"{k}:{v}" for k, v in edit.histogram.items() if v))
    terms = report.term_success
    lines.append("")
    if terms.get("occurrences"):
        lines.append(f"Term success: {terms['matched']} of {terms['occurrences']} occurrences "
                     f"({terms['success_rate']:.1%})")
        for item in terms.get("missing", []):
            lines.append(f"  missed {item['count']}x: {item['entry_id']} -> {item['required_target']}")
    else:
        lines.append("Term success: no term occurrences in the stored machine translations.")
    if report.reviewer_progress:
        lines.append("")
        lines.append(f"{'day':<10} {'reviewer':<20} {'reviewed':>8} {'approved':>8} {'changes':>7}")
        for day in report.reviewer_progress:
            lines.append(f"{day.day:<10} {day.reviewer[:20]:<20} {day.reviewed:>8} "
                         f"{day.approved:>8} {day.changes:>7}")
    signatures = report.overall.scores.signatures
    if signatures:
        lines.append("")
        lines.extend(f"{name} signature: {value}" for name, value in signatures.items())
    return "\n".join(lines) + "\n"
