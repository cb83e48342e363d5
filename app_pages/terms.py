"""Terms page: term candidates (accept into a glossary file, or dismiss), consistency QA, concordance.

Everything is computed by the library (`workbench.glossary.candidates`,
`workbench.review.consistency`, `workbench.review.concordance`); this page lays
it out. Accepting writes through the validated, row-preserving glossary edit
after the reviewer has seen (and may change) every cell of the row. Links to
segments open the Review page at `?doc=ID&seg=ID`. `?q=TEXT` opens the
concordance on TEXT (the Review page links here with its open segment's text).
"""

from pathlib import Path

import streamlit as st

from app_pages import common
from workbench.errors import GlossaryError, WorkbenchError
from workbench.glossary import default_glossary_path
from workbench.glossary.candidates import corpus_signature, find_candidates, proposed_row, segments_from_store
from workbench.glossary.editing import GlossaryChanged, GlossaryFile
from workbench.glossary.files import glossary_files
from workbench.review.concordance import search_counted
from workbench.review.consistency import check_consistency
from workbench.review.views import escape_html

SHOWN = 50
LANGUAGE_FILTER = {"all": None, "Vietnamese": "vi", "English": "en"}
st.session_state.setdefault("terms_notice", None)  # message shown once after accept or dismiss


def review_link(document_id: int, segment_id: int, label: str) -> str:
    """An HTML link that opens the Review page at one segment (ids are integers: nothing to escape)."""
    return (f'<a href="review?doc={int(document_id)}&seg={int(segment_id)}" target="_self">'
            f"{escape_html(label)}</a>")


def show_problems(title: str, problems) -> None:
    st.error(title)
    st.code("\n".join(p.location_message() for p in problems), language=None, wrap_lines=True)


store = common.store()
st.title("Terms")
glossary, problems = common.glossary()
glossary_path = Path(default_glossary_path())
if problems:
    show_problems("The glossary has problems; candidates are computed as if it were empty until they are "
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

if view == "Candidates":
    language = LANGUAGE_FILTER[st.radio("Documents", list(LANGUAGE_FILTER), horizontal=True, key="terms_lang")]
    dismissed = {row["candidate_id"] for row in store.dismissed_term_candidates()}
    # Finding candidates reads every source text: done again only when the documents or the glossary change.
    cache_key = (corpus_signature(store), glossary.version if glossary else None, language)
    cached = st.session_state.get("_terms_candidates")
    if cached is None or cached[0] != cache_key:
        cached = st.session_state["_terms_candidates"] = (
            cache_key, find_candidates(segments_from_store(store, language), glossary))
    candidates = [c for c in cached[1] if c.id not in dismissed]
    st.caption(f"{len(candidates)} candidates from the documents' source texts, best first "
               f"({len(dismissed)} dismissed). Ranking: acronyms defined inline, then C-value with document "
               "frequency; see `workbench/glossary/candidates.py`.")
    if not candidates:
        st.info("No term candidates: the glossary covers what the documents repeat.")
    else:
        st.dataframe([{"rank": rank, "id": c.id, "lang": c.lang, "kind": c.kind, "form": c.form,
                       "long form / other names": c.long_form or " | ".join(c.variants),
                       "count": c.count, "documents": len(c.documents), "becomes": c.becomes}
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
                values = {}
                columns = st.columns(3)
                for index, column in enumerate(editing.columns):
                    values[column] = columns[index % 3].text_input(
                        column, value=cells.get(column, ""), key=f"terms_{column}_{form_id}")
                write = st.form_submit_button("Write to glossary", type="primary", key=f"terms_write_{form_id}")
            if write:
                try:
                    updated = editing.save_entry(values, replacing=replacing)
                except GlossaryChanged as exc:
                    st.error(common.escape_markdown(str(exc)))
                except GlossaryError as exc:
                    show_problems("Not written: the row would break the glossary.", exc.problems)
                except WorkbenchError as exc:
                    st.error(f"Not written: {common.escape_markdown(str(exc))}")
                else:
                    row = updated.row(values.get("id", ""))
                    st.session_state["terms_notice"] = (f"Wrote {values.get('id')} to {updated.path.name}"
                                                        + (f" (line {row.line})." if row else "."))
                    st.rerun()

        reviewer = common.reviewer()
        if st.button("Dismiss this candidate", key=f"terms_dismiss_{candidate.id}", disabled=not reviewer,
                     help=None if reviewer else "Enter your reviewer name in the sidebar first."):
            store.dismiss_term_candidate(candidate.id, lang=candidate.lang, kind=candidate.kind,
                                         form=candidate.form, reviewer=reviewer)
            st.session_state["terms_notice"] = f"Dismissed {candidate.form} ({candidate.id}); it will not come back."
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
        lines, total = search_counted(store, query)
        shown = f"; the first {len(lines)} are shown" if total > len(lines) else ""
        st.caption(f"{total} occurrence{'s' if total != 1 else ''}{shown}")
        rows = "".join(
            f"<tr><td>{review_link(line.document_id, line.segment_id, f'{line.document_id}/{line.position + 1}')}</td>"
            f"<td>{escape_html(line.side)}</td><td style='text-align:right'>{escape_html(line.left)}</td>"
            f"<td><mark>{escape_html(line.match)}</mark></td><td>{escape_html(line.right)}</td></tr>"
            for line in lines)
        if lines:
            st.html(f'<table class="terms-concordance"><tr><th>doc/seg</th><th>side</th><th></th><th>match</th>'
                    f"<th></th></tr>{rows}</table>")
