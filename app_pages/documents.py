"""Documents page: every document with its progress; import, translate (in the background), archive.

Translation runs as a background job (`workbench.jobs.JOBS`), not inside the
page's script run: it goes on when the reviewer opens another page, its
progress moves chunk by chunk, it can be cancelled, and when it ends the page
says how far it got.
"""

import dataclasses
import os
import re
import time
from pathlib import Path

import streamlit as st

from app_pages import auth, common
from workbench import actions
from workbench.documents.uploads import MAX_UPLOAD_BYTES, upload_path, uploads_folder
from workbench.errors import WorkbenchError
from workbench.jobs import JOBS
from workbench.pipeline import BatchOptions
from workbench.review import document_list
from workbench.text import SUPPORTED_LANGUAGES

#: Finished translations stay listed this long (seconds), so the reviewer sees how they ended.
SHOW_FINISHED_FOR = 600

store = common.store()
st.title("Documents")


def _batch_options(lang: str, mt_from: str, translate: bool) -> BatchOptions:
    loaded, problems = common.glossary()
    if problems:
        st.warning(f"The glossary has {len(problems)} problem(s) (see the Glossary page); "
                   "translating without term handling.")
    return BatchOptions(lang=None if lang == "detect" else lang,
                        machine_translated_from=None if mt_from == "original" else mt_from,
                        glossary=loaded, translate=translate)


def summary_line(summary) -> str:
    """The batch summary in words (only the counts that say something)."""
    parts = [f"documents: {summary.documents} ({summary.documents_changed} new or changed)",
             f"segments: {summary.segments}", f"translated: {summary.translated}"]
    for label, value in (("reused from cache", summary.reused), ("already done", summary.already_done),
                         ("untranslated (model missing)", summary.untranslated),
                         ("failed", summary.failed)):
        if value:
            parts.append(f"{label}: {value}")
    return ", ".join(parts)


def start_translation(document_ids: list[int], options: BatchOptions, label: str) -> None:
    """Translate documents on a background job (the library checks who may)."""
    actions.start_translation(store, auth.actor(), document_ids, options, label)


def _cancel(job) -> None:
    try:
        actions.cancel_job(auth.actor(), job, store=common.store())
    except WorkbenchError as exc:
        st.session_state["documents_notice"] = f"Not cancelled: {exc}"


def recent_jobs() -> list:
    """Running translations and those that ended a short while ago, newest first (every session's)."""
    now = time.time()
    return [job for job in JOBS.jobs() if job.kind == "translation"
            and (job.running or now - (job.finished_at or now) < SHOW_FINISHED_FOR)][:5]


def _imported_ids(names: list[str]) -> list[int]:
    """The stored documents that these uploads became (by their saved path)."""
    paths = set()
    for name in names:
        try:
            paths.add(str(upload_path(store, name).resolve()))
        except WorkbenchError:
            continue
    return [row.id for row in store.documents() if str(Path(row.path).resolve()) in paths]


def without_server_paths(message: str) -> str:
    """A library message with the server's folders taken out (the file name is what the reviewer knows)."""
    for folder in (uploads_folder(store), Path(str(store.path)).resolve().parent):
        message = message.replace(f"{folder}{os.sep}", "").replace(str(folder), "")
    return message


#: The batch script's advice on a language it could not take, in the words of this page.
_CLI_LANGUAGE_ADVICE = re.compile(r"give (?:it|the language) with --lang or a sidecar(?: NAME\.meta\.json)?")
_PAGE_LANGUAGE_ADVICE = "choose its language under “Language” below and import it again"


def _remember(summary, *, translating: bool) -> None:
    st.session_state["import_report"] = {
        "failures": [_CLI_LANGUAGE_ADVICE.sub(_PAGE_LANGUAGE_ADVICE, without_server_paths(m))
                     for m in summary.failures],
        "missing": [without_server_paths(m) for m in summary.missing_models],
        "documents": summary.documents, "line": summary_line(summary), "translating": translating,
    }


# -- the document list ----------------------------------------------------------------------
# One page at a time, filtered by the library in SQL: the page costs the same for ten documents
# or for tens of thousands.
LANGUAGE_CHOICES = {"any language": None, "Vietnamese": "vi", "English": "en", "Chinese": "zh"}
any_documents = document_list.has_documents(store)
page = None
if any_documents:
    search_column, language_column, outlet_column, progress_column = st.columns([3, 1.3, 1.6, 1.3])
    search_text = search_column.text_input("Search titles, file names and outlets (accents optional)",
                                           key="documents_search")
    language_name = language_column.selectbox("Language", list(LANGUAGE_CHOICES), key="documents_lang")
    outlet = outlet_column.selectbox("Outlet", ["any outlet", *document_list.outlets(store)], key="documents_outlet")
    progress = progress_column.selectbox("Progress", ["any", *document_list.PROGRESS], key="documents_progress")
    from_column, to_column, page_column = st.columns([1, 1, 1])
    date_from = from_column.text_input("Dated from (YYYY-MM-DD)", key="documents_date_from")
    date_to = to_column.text_input("Dated to (YYYY-MM-DD)", key="documents_date_to")
    query = document_list.DocumentQuery(
        text=search_text, lang=LANGUAGE_CHOICES[language_name], outlet=None if outlet == "any outlet" else outlet,
        date_from=date_from.strip() or None, date_to=date_to.strip() or None,
        progress=None if progress == "any" else progress)
    filters = dataclasses.replace(query, page=0)
    if st.session_state.get("_documents_filters") != filters:
        st.session_state["_documents_filters"] = filters  # a new search starts on its first page
        st.session_state["documents_page"] = 1
    requested = page_column.number_input("Page", min_value=1, step=1, key="documents_page")
    page = document_list.list_documents(store, dataclasses.replace(query, page=int(requested) - 1))
    st.caption(f"{page.total} document{'s' if page.total != 1 else ''} · page {page.page + 1} of {page.pages}")
summaries = page.rows if page else []
if summaries:
    rows = []
    for item in summaries:
        done = item["statuses"]["reviewed"] + item["statuses"]["approved"]
        rows.append({
            "id": item["id"], "title": item["title"] or item["name"],
            "pair": f"{item['lang']}→{item['target_lang']}",
            "kind": "MT of " + item["mt_source_lang"] if item["kind"] == "machine_translation" else "original",
            "date": item["date"] or "", "outlet": item["outlet"] or "", "segments": item["segments"],
            "MT": item["translated"],
            # One column for the counts by status (only those that occur), so the row fits the screen.
            "statuses": " · ".join(f"{count} {status}" for status, count in item["statuses"].items() if count),
            "progress": done / item["segments"] if item["segments"] else 0.0,
        })
    st.dataframe(rows, hide_index=True, key="documents_table", column_config={
        "progress": st.column_config.ProgressColumn(
            "done", min_value=0.0, max_value=1.0, format="percent", width=100,
            help="share of segments reviewed or approved"),
        "title": st.column_config.TextColumn(width=210),
        "id": st.column_config.NumberColumn(width=36), "pair": st.column_config.TextColumn(width=52),
        "kind": st.column_config.TextColumn(width=70), "date": st.column_config.TextColumn(width=86),
        "outlet": st.column_config.TextColumn(width=100),
        "segments": st.column_config.NumberColumn(width=70),
        "MT": st.column_config.NumberColumn(width=40, help="segments with a machine translation"),
        "statuses": st.column_config.TextColumn("segments by status", width=200),
    })
elif any_documents:
    st.info("No document matches these filters.")
else:
    st.info("The review store holds no documents yet. Import some below.")


# -- background translations ------------------------------------------------------------------
@st.fragment(run_every=1.0 if any(job.kind == "translation" for job in JOBS.running()) else None)
def draw_jobs() -> None:
    """The recent translations, redrawn every second while one runs."""
    jobs = recent_jobs()
    if not jobs:
        return
    st.subheader("Translations", anchor=False)
    for job in jobs:
        line = common.escape_markdown(job.describe())
        if job.running:
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.progress(job.fraction, text=line)
            if auth.allowed("job.cancel"):
                right.button("Cancel", key=f"cancel_job_{job.id}", on_click=_cancel, args=(job,),
                             disabled=job.cancel_requested,
                             help=f"started by {job.owner}" if job.owner else None)
        elif job.state == "done":
            summary = job.result
            for message in summary.failures:
                st.error(common.escape_markdown(f"failed: {without_server_paths(message)}"))
            for message in summary.missing_models:
                st.warning(common.escape_markdown(f"missing model: {without_server_paths(message)}"))
            st.success(common.escape_markdown(f"{job.label}: finished. {summary_line(summary)}"))
        elif job.state == "cancelled":
            st.warning(line)
        else:
            st.error(line)
    ended = max((job.finished_at or 0 for job in jobs), default=0)
    if ended > st.session_state.setdefault("_jobs_seen", ended):
        # A job ended since the page was drawn: redraw all of it, so the counts above move too.
        st.session_state["_jobs_seen"] = ended
        st.rerun(scope="app")


draw_jobs()

notice = st.session_state.pop("documents_notice", None)
if notice:
    st.error(common.escape_markdown(notice))
managing = auth.refusal("document.upload")
if managing:
    # Only an account that may manage documents sees import, translate and archive.
    st.caption(f"Import, translation and archiving are not offered: {common.escape_markdown(managing)}.")
    st.stop()

# -- import -----------------------------------------------------------------------------------
st.subheader("Import documents", anchor=False)
with st.form("import_form", clear_on_submit=True):
    files = st.file_uploader(
        "Documents: text (UTF-8, UTF-16 with BOM or Windows-1258), saved web pages, Word (.docx) or PDF",
        # Every file reaches the workbench's own checks, which name a refused one and why (an old .doc...).
        type=None, accept_multiple_files=True,
        max_upload_size=MAX_UPLOAD_BYTES // 2**20, key="import_files")
    left, middle, right = st.columns(3)
    lang = left.selectbox("Language", ["detect", *SUPPORTED_LANGUAGES], key="import_lang")
    mt_from = middle.selectbox("The text is", ["original", "zh"], key="import_mt_from",
                               format_func=lambda v: "an original" if v == "original"
                               else "a machine translation of Chinese")
    translate = right.checkbox("Translate after import", value=True, key="import_translate")
    retire = st.checkbox("A changed file may retire reviewed or approved segments (kept, hidden, with their "
                         "history)", value=False, key="import_retire_reviewed",
                         help="Without it, a changed file that would do so is refused and the page lists them.")
    submitted = st.form_submit_button("Import", type="primary", key="import_submit")
if submitted:
    if not files:
        st.warning("Choose at least one file to import.")
    else:
        try:
            options = _batch_options(lang, mt_from, translate)
            summary = actions.import_documents(store, auth.actor(), [(f.name, f.getvalue()) for f in files],
                                               dataclasses.replace(options, translate=False,
                                                                   retire_reviewed=retire))
            imported = _imported_ids([f.name for f in files]) if summary.documents else []
            _remember(summary, translating=bool(translate and imported))
            if translate and imported:
                start_translation(imported, options, f"Translating {len(imported)} imported document(s)")
            st.rerun()
        except WorkbenchError as exc:
            common.show_error(exc)

report = st.session_state["import_report"]
if report:
    for message in report["failures"]:
        st.error(common.escape_markdown(f"Not imported: {message}"))
    for message in report["missing"]:
        st.warning(common.escape_markdown(f"missing model: {message}"))
    if report["documents"]:
        st.success(common.escape_markdown(
            f"Imported: {report['line']}" + (" · translating in the background (see above)"
                                            if report["translating"] and JOBS.running() else "")))

if any_documents:
    untranslated = document_list.untranslated_documents(store)
    busy = any(job.kind == "translation" for job in JOBS.running())
    if untranslated and st.button(f"Translate the untranslated segments ({len(untranslated)} "
                                  "document(s))", key="translate_rest", disabled=busy):
        try:
            start_translation(untranslated, _batch_options("detect", "original", True),
                              f"Translating the untranslated segments of {len(untranslated)} document(s)")
        except WorkbenchError as exc:
            st.error(common.escape_markdown(f"Not started: {exc}"))
        else:
            st.rerun()

# -- archive ----------------------------------------------------------------------------------
if summaries:
    st.subheader("Archive a document", anchor=False)
    st.caption("An archived document leaves the lists; its segments, history and approved "
               "translations stay in the store. The documents of the page above can be chosen.")
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
            st.session_state["archive_pending"] = None
            try:
                actions.archive_document(store, auth.actor(), pending)
            except WorkbenchError as exc:
                st.session_state["documents_notice"] = f"Not archived: {exc}"
            st.rerun()
        if no.button("Cancel", key="archive_cancel"):
            st.session_state["archive_pending"] = None
            st.rerun()
