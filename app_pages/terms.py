"""Terms page: term candidates (accept into a glossary file, or dismiss), consistency QA, concordance.

Everything is computed by the library (`workbench.glossary.candidates`,
`workbench.review.term_statistics`, `workbench.review.consistency`,
`workbench.review.concordance`); this page lays it out. Opening it computes
nothing over the corpus: it shows the candidate list as last ranked, with its
date, and when documents or the glossary changed since, starts a background
job that counts the changed documents and ranks again (its progress is shown;
the list is redrawn when it ends). Accepting writes through the validated, row-preserving glossary edit
after the reviewer has seen (and may change) every cell of the row. Links to
segments open the Review page at `?doc=ID&seg=ID`. `?q=TEXT` opens the
concordance on TEXT (the Review page links here with its open segment's text).
"""

from pathlib import Path

import streamlit as st

from app_pages import auth, common
from workbench import actions
from workbench.errors import WorkbenchError
from workbench.glossary import default_glossary_path
from workbench.glossary.candidates import proposed_row
from workbench.glossary.editing import GlossaryFile
from workbench.glossary.files import glossary_files
from workbench.jobs import JOBS
from workbench.review import term_statistics
from workbench.review.concordance import concordance
from workbench.review.consistency import check_consistency
from workbench.review.views import review_query
from workbench.text import escape_html

SHOWN = 50
CONCORDANCE_SHOWN = 300
CANDIDATE_JOB = "Updating term candidates"
LANGUAGE_FILTER = {"all": None, "Vietnamese": "vi", "English": "en"}
st.session_state.setdefault("terms_notice", None)  # message shown once after accept or dismiss


def review_link(document_id: int, segment_id: int, label: str) -> str:
    """An HTML link that opens the Review page at one segment (ids are integers: nothing to escape)."""
    return (f'<a href="review{review_query(document_id, segment_id)}" target="_self">'
            f"{escape_html(label)}</a>")


store = common.store()
st.title("Terms")
glossary, problems = common.glossary()
glossary_path = Path(default_glossary_path())
if problems:
    common.show_problems("The glossary has problems; candidates are computed as if it were empty until they are "
                  "fixed:", problems)
notice = st.session_state["terms_notice"]
if notice:
    st.success(common.escape_markdown(notice))
    st.session_state["terms_notice"] = None

VIEWS = ("Candidates", "Consistency", "Concordance")
if "q" in st.query_params and not st.session_state.get("_terms_query_applied"):
    st.session_state["terms_concordance"] = st.query_params["q"]
    st.session_state["terms_view"] = "Concordance"
    st.session_state["_terms_query_applied"] = True
# A radio, not tabs: the chosen view must survive the rerun that a search or a save starts.
view = st.radio("View", VIEWS, horizontal=True, key="terms_view", label_visibility="collapsed")

def start_candidate_update(rebuild: bool) -> None:
    """Count the changed documents (or all of them) and rank again, on a background job."""
    actions.start_candidate_update(store, auth.actor(), glossary, CANDIDATE_JOB, rebuild=rebuild)


def candidate_job():
    """The newest candidate update of this server, running or ended."""
    return next((job for job in JOBS.jobs() if job.label == CANDIDATE_JOB), None)


def draw_candidate_job() -> None:
    """Progress of the background update; when it ends, the page is drawn again with the new list."""
    job = candidate_job()
    if job is None:
        return
    if job.running:
        st.progress(job.fraction, text=common.escape_markdown(
            f"Updating the candidates in the background: {job.done} of {job.total} changed documents counted"
            if job.total else "Updating the candidates in the background…"))
    elif job.state == "failed":
        st.error(common.escape_markdown(job.describe()))
    finished = job.finished_at or 0
    if finished and finished > st.session_state.setdefault("_candidates_seen", 0):
        st.session_state["_candidates_seen"] = finished
        st.rerun(scope="app")


if view == "Candidates":
    language = LANGUAGE_FILTER[st.radio("Documents", list(LANGUAGE_FILTER), horizontal=True, key="terms_lang")]
    dismissed = {row.candidate_id for row in store.dismissed_term_candidates()}
    # The page reads the list as last ranked; counting and ranking run on a background job.
    state = term_statistics.list_state(store)
    running = any(job.label == CANDIDATE_JOB for job in JOBS.running())
    current = term_statistics.list_is_current(store, glossary)
    if not current and not running and not store.read_only:
        start_candidate_update(rebuild=False)
        running = True
    # Redrawn every second while the job runs (decided here, after the job may have been started).
    st.fragment(draw_candidate_job, run_every=1.0 if running else None)()
    candidates = term_statistics.candidate_list(store, lang=language, dismissed=dismissed)
    listed_at = state.get("listed_at")
    st.caption((f"Candidates as of {listed_at.replace('T', ' ')} UTC" if listed_at else "No candidate list yet")
               + ("" if current else " · documents or the glossary changed since; updating in the background")
               + f" · {len(candidates)} listed, {len(dismissed)} dismissed. Ranking: acronyms defined inline, "
               "then C-value with document frequency, from counts kept in the store.")
    st.button("Count every document again", key="terms_rebuild", disabled=running or store.read_only,
              on_click=start_candidate_update, args=(True,))
    if not candidates:
        st.info("No term candidates yet: the list is being made in the background." if not listed_at or running
                else "No term candidates: the glossary covers what the documents repeat.")
    else:
        st.dataframe([{"rank": rank, "id": c.id, "lang": c.lang, "kind": c.kind, "form": c.form,
                       "long form / other names": c.long_form or " | ".join(c.variants),
                       "count": c.count, "documents": c.document_count or len(c.documents), "becomes": c.becomes}
                      for rank, c in enumerate(candidates[:SHOWN], 1)],
                     hide_index=True, key="terms_table")
        by_id = {c.id: c for c in candidates[:SHOWN]}
        chosen_id = st.selectbox("Candidate", list(by_id), key="terms_candidate",
                                 format_func=lambda i: f"{by_id[i].form} — {by_id[i].kind}, {by_id[i].becomes} [{i}]")
        candidate = by_id[chosen_id]
        for context in candidate.contexts():
            st.html(f'<div style="margin:2px 0">{review_link(context["document_id"], context["segment_id"], "open")}'
                    f' · {escape_html(context["document"])}: {escape_html(context["context"])}</div>')

        files = glossary_files(glossary_path)[0] if glossary_path.exists() else []
        if not files:
            st.info("No glossary file to write into (set WORKBENCH_GLOSSARY).")
        else:
            home = candidate.variant_of and glossary is not None and glossary.get(candidate.variant_of)
            default = next((i for i, f in enumerate(files) if home and home.path and Path(home.path) == f),
                           next((i for i, f in enumerate(files)
                                 if f.name.startswith("vn-" if candidate.lang == "vi" else "cn-")), 0))
            chosen_file = st.selectbox("Glossary file", files, index=default, format_func=lambda p: p.name,
                                       key=f"terms_file_{candidate.id}")
            try:
                cells, replacing = proposed_row(candidate, glossary)
                editing = GlossaryFile.open(chosen_file, scope=glossary_path)
            except (KeyError, WorkbenchError) as exc:
                st.error(f"Cannot propose a row: {common.escape_markdown(str(exc))}")
                editing = None
        if files and editing is not None:
            if replacing and editing.row(replacing) is None:
                st.warning(f"{common.escape_markdown(replacing)} is not in {common.escape_markdown(chosen_file.name)}; "
                           "choose the file that holds it.")
            elif replacing:
                cells = {**editing.row(replacing).cells, **cells}  # the entry's row as in the file
            st.caption(("Replaces the row of " + replacing if replacing else "Adds a new row") +
                       f" in {chosen_file.name}. Review every cell; a new entry needs its other-language term.")
            form_id = f"{candidate.id}_{chosen_file.name}_{editing.fingerprint.sha256[:10]}"
            with st.form(f"terms_form_{form_id}"):
                values = common.glossary_row_inputs(editing.columns, cells,
                                                    key_of=lambda column: f"terms_{column}_{form_id}")
                refused = auth.refusal("candidate.accept")
                write = st.form_submit_button("Write to glossary", type="primary", key=f"terms_write_{form_id}",
                                              disabled=bool(refused), help=refused)
            if refused:
                st.caption(f"Not offered: {common.escape_markdown(refused)}.")
            if write:
                try:
                    # The library's door (role read again, the row checked against the whole glossary).
                    updated = actions.accept_candidate(auth.actor(), chosen_file, values, replacing=replacing,
                                                       scope=glossary_path, store=store)
                except WorkbenchError as exc:
                    common.show_glossary_write_error(exc, "Not written", "the row")
                else:
                    row = updated.row(values.get("id", ""))
                    st.session_state["terms_notice"] = (f"Wrote {values.get('id')} to {updated.path.name}"
                                                        + (f" (line {row.line})." if row else "."))
                    st.rerun()

        refused = auth.refusal("candidate.dismiss")
        if st.button("Dismiss this candidate", key=f"terms_dismiss_{candidate.id}", disabled=bool(refused),
                     help=refused):
            try:
                actions.dismiss_candidate(store, auth.actor(), candidate)
            except WorkbenchError as exc:
                st.error(f"Not dismissed: {common.escape_markdown(str(exc))}")
            else:
                st.session_state["terms_notice"] = (f"Dismissed {candidate.form} ({candidate.id}); "
                                                    "it will not come back.")
                st.rerun()

if view == "Consistency":
    findings = check_consistency(store, glossary)
    st.caption("Approved and reviewed segments across all documents: one source translated differently, one "
               "target for different sources, glossary terms rendered otherwise, numbers that differ.")
    if not findings:
        st.info("No inconsistency among the approved and reviewed segments.")
    for finding in findings[:200]:
        links = ", ".join(review_link(s.document_id, s.segment_id, f"doc {s.document_id} · segment {s.position + 1}")
                          for s in finding.segments)
        st.html(f'<div class="terms-finding" style="margin:6px 0"><b>{escape_html(finding.label)}</b> '
                f"({escape_html(finding.lang)}→{escape_html(finding.target_lang)}): {escape_html(finding.message)}"
                f"<br>{links}</div>")

if view == "Concordance":
    query = st.text_input("Search sources and targets (accents optional: dang uy finds Đảng uỷ)",
                          key="terms_concordance")
    if query.strip():
        found = concordance(store, query, limit=CONCORDANCE_SHOWN)
        lines = found.lines
        st.caption(f"{found.total} occurrence{'s' if found.total != 1 else ''}"
                   + (f" (the first {len(lines)} shown)" if len(lines) < found.total else ""))
        rows = "".join(
            f"<tr><td>{review_link(line.document_id, line.segment_id, f'{line.document_id}/{line.position + 1}')}</td>"
            f"<td>{escape_html(line.side)}</td><td style='text-align:right'>{escape_html(line.left)}</td>"
            f"<td><mark>{escape_html(line.match)}</mark></td><td>{escape_html(line.right)}</td></tr>"
            for line in lines)
        if lines:
            st.html(f'<table class="terms-concordance"><tr><th>doc/seg</th><th>side</th><th></th><th>match</th>'
                    f"<th></th></tr>{rows}</table>")
