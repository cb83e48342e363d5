"""Documents page: every document with its progress; import, translate, archive."""

import streamlit as st

from app_pages import common
from workbench.documents.discover import DOCUMENT_SUFFIXES
from workbench.documents.uploads import MAX_UPLOAD_BYTES
from workbench.errors import WorkbenchError
from workbench.pipeline import BatchOptions, import_uploads, translate_documents
from workbench.review.store import STATUSES

store = common.store()
st.title("Documents")

summaries = store.document_summaries()
if summaries:
    rows = []
    for item in summaries:
        done = item["statuses"]["reviewed"] + item["statuses"]["approved"]
        rows.append({
            "id": item["id"], "title": item["title"] or item["name"], "file": item["name"],
            "language": common.language_direction(item["lang"], item["target_lang"]),
            "kind": common.kind_label(item["kind"], item["mt_source_lang"]),
            "date": item["date"] or "", "segments": item["segments"],
            "machine-translated": item["translated"],
            **{status: item["statuses"][status] for status in STATUSES},
            "progress": done / item["segments"] if item["segments"] else 0.0,
        })
    st.dataframe(rows, hide_index=True, key="documents_table", column_config={
        "progress": st.column_config.ProgressColumn(
            "reviewed or approved", min_value=0.0, max_value=1.0, format="percent"),
        "title": st.column_config.TextColumn(width="large"),
    })
else:
    st.info("The review store holds no documents yet. Import some below, or run "
            "`python -m workbench translate PATH`.")


def _batch_options(lang: str, mt_from: str, translate: bool) -> BatchOptions:
    loaded, problems = common.glossary()
    if problems:
        st.warning(f"The glossary has {len(problems)} problem(s) (see the Glossary page); "
                   "translating without term handling.")
    return BatchOptions(lang=None if lang == "detect" else lang,
                        machine_translated_from=None if mt_from == "original" else mt_from,
                        glossary=loaded, translate=translate)


def _progress_bar():
    bar = st.progress(0.0, text="Translating...")

    def update(done: int, total: int) -> None:
        bar.progress(done / total if total else 1.0, text=f"Translating: {done} of {total} segments")

    return update


def _remember(summary) -> None:
    st.session_state["import_report"] = {
        "failures": list(summary.failures), "missing": list(summary.missing_models),
        "line": (f"documents: {summary.documents} ({summary.documents_changed} new or changed), "
                 f"segments: {summary.segments}, translated: {summary.translated}, "
                 f"reused from cache: {summary.reused}, already done: {summary.already_done}, "
                 f"untranslated (model missing): {summary.untranslated}, failed: {summary.failed}"),
    }


st.subheader("Import documents")
with st.form("import_form", clear_on_submit=True):
    files = st.file_uploader(
        "Documents (UTF-8, UTF-16 with BOM or Windows-1258 text)",
        type=sorted(suffix.lstrip(".") for suffix in DOCUMENT_SUFFIXES), accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_BYTES // 2**20, key="import_files")
    left, middle, right = st.columns(3)
    lang = left.selectbox("Language", ["detect", "vi", "en", "zh"], key="import_lang")
    mt_from = middle.selectbox("The text is", ["original", "zh"], key="import_mt_from",
                               format_func=lambda v: "an original" if v == "original"
                               else "a machine translation of Chinese")
    translate = right.checkbox("Translate after import", value=True, key="import_translate")
    submitted = st.form_submit_button("Import", type="primary", key="import_submit")
if submitted:
    if not files:
        st.warning("Choose at least one file to import.")
    else:
        try:
            summary = import_uploads(store, [(f.name, f.getvalue()) for f in files],
                                     _batch_options(lang, mt_from, translate), progress=_progress_bar())
            _remember(summary)
        except WorkbenchError as exc:
            st.error(common.escape_markdown(f"Error: {exc}"))

if summaries:
    untranslated = [s["id"] for s in summaries
                    if s["translated"] < s["segments"] and store.ALIGNED_PATH_MARK not in s["path"]]
    if untranslated and st.button(f"Translate the untranslated segments ({len(untranslated)} "
                                  "document(s))", key="translate_rest"):
        try:
            _remember(translate_documents(store, untranslated, _batch_options("detect", "original", True),
                                          progress=_progress_bar()))
        except WorkbenchError as exc:
            st.error(common.escape_markdown(f"Error: {exc}"))

report = st.session_state["import_report"]
if report:
    for message in report["failures"]:
        st.error(common.escape_markdown(f"failed: {message}"))
    for message in report["missing"]:
        st.warning(common.escape_markdown(f"missing model: {message}"))
    st.success(report["line"])
    if summaries != store.document_summaries():
        st.rerun()

if summaries:
    st.subheader("Archive a document")
    st.caption("An archived document leaves the lists; its segments, history and approved "
               "translations stay in the store.")
    by_id = {s["id"]: s for s in summaries}
    chosen = st.selectbox("Document", list(by_id), key="archive_choice",
                          format_func=lambda i: common.document_label(by_id[i]))
    pending = st.session_state["archive_pending"]
    if pending is None or pending not in by_id:
        if st.button("Archive...", key="archive_start"):
            st.session_state["archive_pending"] = chosen
            st.rerun()
    else:
        st.warning(f"Archive “{common.escape_markdown(common.document_label(by_id[pending]))}”?")
        yes, no = st.columns(2)
        if yes.button("Yes, archive it", type="primary", key="archive_confirm"):
            store.archive_document(pending)
            st.session_state["archive_pending"] = None
            st.rerun()
        if no.button("Cancel", key="archive_cancel"):
            st.session_state["archive_pending"] = None
            st.rerun()
