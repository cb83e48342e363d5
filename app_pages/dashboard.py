"""Quality page: BLEU, chrF and TER of the machine translation against approved targets, edit
rates, term success and reviewer progress (all from `workbench.evaluation.scores`).

Implausible machine translation (`workbench.mt.plausibility`) is left out of the scores; the page
says how many approved segments that left out. Scores show one decimal; a rate is shown only where
something was measured.
"""

import pandas as pd
import streamlit as st

from app_pages import common
from workbench.errors import WorkbenchError
from workbench.evaluation.scores import HISTOGRAM_BUCKETS, evaluate
from workbench.mt.plausibility import is_plausible
from workbench.review.views import RANDOM_WEIGHTS_LABEL


def _number(value) -> str:
    return "–" if value is None else f"{value:.1f}"


def implausible_approved(document_ids) -> int:
    """Approved segments whose machine translation is implausible, so not scored."""
    count = 0
    for document_id in document_ids:
        doc = store.document(document_id)
        count += sum(1 for s in store.segments(document_id)
                     if s.status == "approved" and s.mt_text is not None
                     and not is_plausible(s.source_text, s.mt_text, doc.lang, doc.target_lang,
                                          random_weights=s.random_weights))
    return count


store = common.store()
st.title("Quality")
by_id = common.documents_or_stop(store)
chosen = st.multiselect("Documents", list(by_id), default=list(by_id), key="dashboard_documents",
                        format_func=lambda i: common.document_label(by_id[i]))
if not chosen:
    st.stop()
try:
    report = evaluate(store, list(chosen))
except WorkbenchError as exc:
    common.show_error(exc)
    st.stop()

overall = report.overall
left_out = implausible_approved(chosen)
st.caption(f"Machine translation scored against the approved targets: {overall.scores.segments} approved "
           f"segment(s) with a plausible machine translation"
           + (f"; {left_out} approved segment(s) left out because their machine translation is not plausible"
              if left_out else "") + f". sacrebleu {report.sacrebleu_version}.")
if overall.random_weights:
    st.warning(f"Some of these machine translations come from a {RANDOM_WEIGHTS_LABEL}: their scores "
               "say nothing about translation quality.")
metrics = st.columns(4)
metrics[0].metric("BLEU", _number(overall.scores.bleu))
metrics[1].metric("chrF", _number(overall.scores.chrf))
metrics[2].metric("TER", _number(overall.scores.ter))
# The median: one rewritten short segment (TER far above 100) would make the mean say nothing of the rest.
metrics[3].metric("Median edit rate (%)", _number(overall.edit_rate.median),
                  help="Per approved segment: TER of its machine translation against the approved target, in "
                       "percent (0: approved unchanged). A segment can exceed 100 when the reviewer wrote more "
                       f"words than the machine translation had. Mean: {_number(overall.edit_rate.mean)}.")

st.subheader("Scores", anchor=False)
groups = [overall, *report.by_pair, *report.by_checkpoint]
# Numbers as text: a score not measured reads "–" as in the metrics above, not "None".
st.dataframe([{
    "scope": g.scope, "key": g.key, "segments": g.scores.segments, "BLEU": _number(g.scores.bleu),
    "chrF": _number(g.scores.chrf), "TER": _number(g.scores.ter), "edit rate (median %)": _number(g.edit_rate.median),
    "unedited": g.edit_rate.unedited, "random-weight model": g.random_weights,
} for g in groups], hide_index=True, key="dashboard_scores")
if overall.scores.signatures:
    st.markdown("**Signatures** (how the scores were computed)")
    st.code("\n".join(f"{name}: {signature}" for name, signature in overall.scores.signatures.items()),
            language=None)

st.subheader("Edit rate per approved segment", anchor=False)
st.caption("TER of the machine translation against the approved target, in percent; 0 means approved "
           "unchanged.")
if overall.edit_rate.segments:
    # Buckets in numeric order (0-10, 10-20, ..., 100+), not sorted as text.
    histogram = pd.DataFrame({"edit rate (%)": list(HISTOGRAM_BUCKETS),
                              "segments": [overall.edit_rate.histogram[b] for b in HISTOGRAM_BUCKETS]})
    st.bar_chart(histogram, x="edit rate (%)", y="segments", sort=False)
else:
    st.caption("No approved segment with a plausible machine translation yet: nothing to measure.")

st.subheader("Terms", anchor=False)
terms = report.term_success
rate = terms.get("success_rate")
if terms.get("occurrences"):
    st.metric("Term success rate", "–" if rate is None else f"{rate:.1%}",
              help=f"{terms.get('matched', 0)} of {terms.get('occurrences', 0)} source-term occurrences "
                   "have their required target term in the machine translation.")
if terms.get("missing"):
    st.markdown("**Most often missed terms**")
    st.dataframe([{"entry": m["entry_id"], "required target": m["required_target"], "missed": m["count"]}
                  for m in terms["missing"]], hide_index=True, key="dashboard_missed")
else:
    st.caption("No term was missed." if terms.get("occurrences") else
               "No term report for these documents (translated without the glossary): nothing measured.")

st.subheader("Reviewer progress", anchor=False)
if report.reviewer_progress:
    progress = pd.DataFrame([{"day": d.day, "reviewer": d.reviewer, "reviewed or approved": d.reviewed + d.approved,
                              "changes": d.changes} for d in report.reviewer_progress])
    st.bar_chart(progress, x="day", y="reviewed or approved", color="reviewer")
    st.dataframe(progress, hide_index=True, key="dashboard_progress_table")
else:
    st.caption("No reviewer has changed a segment of these documents yet.")

st.subheader("Documents", anchor=False)
st.dataframe([{
    "document": d.name, "pair": d.lang_pair, "segments": d.segments, "approved": d.approved,
    "scored": d.evaluated, "BLEU": _number(d.scores.bleu), "chrF": _number(d.scores.chrf),
    "TER": _number(d.scores.ter), "edit rate (median %)": _number(d.edit_rate.median),
    "term success (%)": _number(None if not (d.term_success or {}).get("occurrences")
                                else 100 * d.term_success["success_rate"]),
} for d in report.documents], hide_index=True, key="dashboard_documents_table")
