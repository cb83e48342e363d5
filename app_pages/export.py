"""Export page: chosen documents in any registered format (`workbench.exchange.FORMATS`).

A format that writes one file per language pair (XLIFF) with several pairs
chosen gives a zip of one file per pair. The download button only ever offers
the file prepared for the selection now on screen: changing the documents,
the scope or the format removes it.

Memories come in here too: a TMX file from OmegaT, MateCat or Trados is checked
whole and its units join the translation memory the Review page searches
(`workbench.exchange.tmx_import`), labelled with the file's name.
"""

from datetime import date

import streamlit as st

from app_pages import common
from workbench.errors import WorkbenchError
from workbench.exchange import FORMATS, write_export
from workbench.exchange.formats import bundle_files


def draw_tmx_import(store) -> None:
    """Upload a TMX file into the translation memory; what it added, or every problem with its line."""
    from app_pages import auth
    from workbench import actions
    from workbench.exchange.tmx_import import TmxImportError
    from workbench.review.memory import imported_memory_summary

    imported = imported_memory_summary(store)
    files = len({row.origin for row in imported})
    label = "Import a translation memory (TMX)" + (f" · {files} file(s) imported" if files else "")
    with st.expander(label, expanded=bool(st.session_state.get("tmx_import_notice"))):
        st.caption("TMX 1.4 from OmegaT, MateCat or Trados. Units in two of Vietnamese, English and Chinese "
                   "(vi-VN, en-US... ) join the translation memory of the Review page, labelled with the file's "
                   "name. A file with any problem is refused whole; importing a file again adds only new units.")
        notice = st.session_state.pop("tmx_import_notice", None)
        if notice:
            show = st.success if notice[0] == "success" else st.error
            show("\n\n".join(common.escape_markdown(part) for part in notice[1].split("\n\n")))
        allowed = auth.allowed("memory.import") or (not auth.accounts_enabled() and not common.reviewer())
        upload = st.file_uploader("TMX file", type=["tmx", "xml"], key="tmx_upload", disabled=not allowed)
        if not allowed:
            st.caption("Your account may not import memories: that needs the right to approve.")
        if upload is not None and st.button("Import into the translation memory", key="tmx_import",
                                            disabled=not (allowed and common.reviewer())):
            try:
                result = actions.import_tmx(store, auth.actor(), upload.getvalue(), name=upload.name)
            except TmxImportError as exc:
                lines = [f"{upload.name}:{line}: {reason}" if line else f"{upload.name}: {reason}"
                         for line, reason in exc.problems]
                st.session_state["tmx_import_notice"] = ("error", "Not imported: " + "\n\n".join(lines))
            except WorkbenchError as exc:
                st.session_state["tmx_import_notice"] = ("error", f"Not imported: {exc}")
            else:
                st.session_state["tmx_import_notice"] = ("success", result.summary())
            st.rerun()
        if upload is not None and not common.reviewer():
            st.caption("Enter your name under “Reviewer name” in the sidebar to import.")
        if imported:
            st.dataframe([{"file": row.origin, "direction": f"{row.source_lang}→{row.target_lang}",
                           "units": row.units, "imported": common.local_time(row.imported_at),
                           "by": row.imported_by} for row in imported], hide_index=True)


store = common.store()
st.title("Export")
draw_tmx_import(store)
by_id = common.documents_or_stop(store)
chosen = st.multiselect("Documents", list(by_id), default=list(by_id), key="export_documents",
                        format_func=lambda i: common.document_label(by_id[i]))
fmt_name = st.selectbox("Format", list(FORMATS), format_func=lambda f: FORMATS[f].label, key="export_format")
fmt = FORMATS[fmt_name]
if fmt.approved_only_applies:
    scope = st.radio("Segments", ["approved", "all"], horizontal=True, key="export_scope",
                     format_func=lambda v: "approved only" if v == "approved" else "all with a reviewer's target")
else:
    scope = "all"
    st.caption("The translated document: the reviewer's target, else unreviewed MT (marked), else the source "
               "(marked)." if fmt.per_document else "This format carries every live segment with its state.")
bilingual = fmt.bilingual_applies and st.checkbox(
    "Bilingual: source and translation side by side, glossary terms and statuses shown", key="export_bilingual")
approved = sum(by_id[i]["statuses"]["approved"] for i in chosen)
pairs = sorted({f"{by_id[i]['lang']}→{by_id[i]['target_lang']}" for i in chosen})
st.caption(f"{approved} approved segment(s) in the chosen documents; language pairs: {', '.join(pairs) or '–'}.")

selection = (tuple(chosen), fmt_name, scope, bilingual)
payload = st.session_state["export_payload"]
if payload and payload["selection"] != selection:
    # Prepared for another selection: offering it would download the wrong file.
    st.session_state["export_payload"] = payload = None

if st.button("Prepare the export", type="primary", key="export_prepare", disabled=not chosen):
    try:
        files = write_export(store, list(chosen), fmt_name, approved_only=scope == "approved", bilingual=bilingual,
                             glossary=common.glossary()[0] if bilingual else None)
    except WorkbenchError as exc:
        st.error(f"Not exported: {common.escape_markdown(str(exc))}")
    else:
        stem = f"workbench-{scope}-{date.today().isoformat()}"
        name, data, mime = bundle_files(files, fmt, stem)
        st.session_state["export_payload"] = payload = {
            "selection": selection, "name": name, "data": data, "mime": mime,
            "segments": sum(file.segments for file in files), "files": len(files),
        }

if payload:
    if payload["segments"] == 0:
        st.warning("Nothing to export in this selection (no segment matches); the file would be empty.")
    described = f"{payload['segments']} segment(s)" + (f" in {payload['files']} files" if payload["files"] > 1 else "")
    st.download_button(f"Download {payload['name']} ({described}, {len(payload['data']):,} bytes)",
                       data=payload["data"], file_name=payload["name"], mime=payload["mime"],
                       key="export_download", on_click="ignore")
