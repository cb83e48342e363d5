"""Export page: approved (or all) segments of chosen documents as TMX, TSV, JSONL or XLIFF."""

from datetime import date

import streamlit as st

from app_pages import common
from workbench.errors import WorkbenchError
from workbench.exchange import export_segments, export_xliff

FORMATS = {
    "tmx": ("TMX 1.4", "application/x-tmx+xml"),
    "tsv": ("TSV (tab-separated)", "text/tab-separated-values"),
    "jsonl": ("JSONL (one JSON object per line)", "application/jsonl"),
    "xliff": ("XLIFF 2.0 (every segment, with its state)", "application/xliff+xml"),
}

store = common.store()
st.title("Export")
by_id = common.documents_or_stop(store)
chosen = st.multiselect("Documents", list(by_id), default=list(by_id), key="export_documents",
                        format_func=lambda i: common.document_label(by_id[i]))
scope = st.radio("Segments", ["approved", "all"], horizontal=True, key="export_scope",
                 format_func=lambda v: "approved only" if v == "approved"
                 else "all with a reviewer's target")
fmt = st.selectbox("Format", list(FORMATS), format_func=lambda f: FORMATS[f][0], key="export_format")
approved = sum(by_id[i]["statuses"]["approved"] for i in chosen)
st.caption(f"{approved} approved segment(s) in the chosen documents.")

if st.button("Prepare the export", type="primary", key="export_prepare", disabled=not chosen):
    try:
        if fmt == "xliff":
            data = export_xliff(store, list(chosen))
        else:
            data = export_segments(store, list(chosen), fmt, approved_only=scope == "approved")
    except WorkbenchError as exc:
        st.error(f"Error: {common.escape_markdown(str(exc))}")
    else:
        suffix = "xlf" if fmt == "xliff" else fmt
        st.session_state["export_payload"] = {
            "format": fmt, "data": data, "mime": FORMATS[fmt][1],
            "name": f"workbench-{scope if fmt != 'xliff' else 'all'}-{date.today().isoformat()}.{suffix}",
        }

payload = st.session_state["export_payload"]
if payload:
    st.download_button(f"Download {payload['name']} ({len(payload['data']):,} bytes)", data=payload["data"],
                       file_name=payload["name"], mime=payload["mime"], key="export_download",
                       on_click="ignore")
