"""Quality page: BLEU, chrF and TER of the machine translation against approved targets, edit
rates, term success and reviewer progress (all from `workbench.evaluation.scores`)."""

import pandas as pd
import streamlit as st

from app_pages import common
from workbench.errors import WorkbenchError
from workbench.evaluation.scores import HISTOGRAM_BUCKETS, evaluate
from workbench.review.views import RANDOM_WEIGHTS_LABEL


def _number(value) -> str:
    return "–" if value is None else f"{value:.1f}"


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
    st.error(f"Error: {common.escape_markdown(str(exc))}")
    st.stop()

overall = report.overall
st.caption(f"Machine translation scored against the approved targets: {overall.scores.segments} approved "
           f"segment(s) with a machine translation. sacrebleu {report.sacrebleu_version}.")
if overall.random_weights:
    st.warning(f"Some of these machine translations come from a {RANDOM_WEIGHTS_LABEL}: their scores "
               "say nothing about translation quality.")
metrics = st.columns(4)
metrics[0].metric("BLEU", _number(overall.scores.bleu))
metrics[1].metric("chrF", _number(overall.scores.chrf))
metrics[2].metric("TER", _number(overall.scores.ter))
metrics[3].metric("Mean edit rate (%)", _number(overall.edit_rate.mean))

st.subheader("Scores", anchor=False)
groups = [overall, *report.by_pair, *report.by_checkpoint]
st.dataframe([{
    "scope": g.scope, "key": g.key, "segments": g.scores.segments, "BLEU": g.scores.bleu,
    "chrF": g.scores.chrf, "TER": g.scores.ter, "edit rate (mean %)": g.edit_rate.mean,
    "unedited": g.edit_rate.unedited, "random-weight model": g.random_weights,
} for g in groups], hide_index=True, key="dashboard_scores")
if overall.scores.signatures:
    st.markdown("**Signatures** (how the scores were computed)")
    st.code("\n".join(f"{name}: {signature}" for name, signature in overall.scores.signatures.items()),
            language=None)

st.subheader("Edit rate per approved segment", anchor=False)
st.caption("TER of the machine translation against the approved target, in percent; 0 means approved "
           "unchanged.")
histogram = pd.DataFrame({"segments": [overall.edit_rate.histogram[b] for b in HISTOGRAM_BUCKETS]},
                         index=pd.Index(HISTOGRAM_BUCKETS, name="edit rate (%)"))
st.bar_chart(histogram)

st.subheader("Terms", anchor=False)
terms = report.term_success
rate = terms.get("success_rate")
st.metric("Term success rate", "–" if rate is None else f"{rate:.1%}",
          help=f"{terms.get('matched', 0)} of {terms.get('occurrences', 0)} source-term occurrences "
               "have their required target term in the machine translation.")
if terms.get("missing"):
    st.markdown("**Most often missed terms**")
    st.dataframe([{"entry": m["entry_id"], "required target": m["required_target"], "missed": m["count"]}
                  for m in terms["missing"]], hide_index=True, key="dashboard_missed")
else:
    st.caption("No term report for these documents (translated without the glossary, or nothing missed).")

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
    "scored": d.evaluated, "BLEU": d.scores.bleu, "chrF": d.scores.chrf, "TER": d.scores.ter,
    "edit rate (mean %)": d.edit_rate.mean,
    "term success": (d.term_success or {}).get("success_rate"),
} for d in report.documents], hide_index=True, key="dashboard_documents_table")
