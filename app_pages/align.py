"""Align page: link a document's sentences to its translation, edit the links, save or export them."""

from functools import partial

import streamlit as st

from app_pages import common
from workbench.alignment import Link, align, format_links
from workbench.alignment.editing import (
    LOW_CONFIDENCE,
    AlignmentEditError,
    AlignmentSession,
    confirm,
    glossary_term_pairs,
    merge,
    move_sentence,
    no_counterpart,
    realign_rest,
    split_points,
    split_sentence,
)
from workbench.documents.discover import DOCUMENT_SUFFIXES
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.documents.uploads import MAX_UPLOAD_BYTES
from workbench.errors import WorkbenchError


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _apply(description: str, operation, *args) -> None:
    """Callback: one edit on the session, or the reason it cannot be made."""
    work = st.session_state["align_session"]
    try:
        work["session"].apply(description, operation, *args)
    except WorkbenchError as exc:
        st.session_state["align_notice"] = ("error", str(exc))
    else:
        st.session_state["align_notice"] = ("success", f"Done: {description}.")


def _undo() -> None:
    try:
        undone = st.session_state["align_session"]["session"].undo()
    except AlignmentEditError as exc:
        st.session_state["align_notice"] = ("error", str(exc))
    else:
        st.session_state["align_notice"] = ("success", f"Undone: {undone}.")


def _translate_from_store(segments):
    """The stored machine translation of each source sentence, when a real model made it."""
    known = {s.source_text: s.mt_text for s in segments if s.mt_text and not s.random_weights}
    if not known:
        return None
    return lambda sentences: [known.get(sentence, "") for sentence in sentences]


store = common.store()
glossary, _ = common.glossary()
st.title("Align")
by_id = common.documents_or_stop(store)

source_col, target_col = st.columns(2)
source_id = source_col.selectbox("Document", list(by_id), key="align_source",
                                 format_func=lambda i: common.document_label(by_id[i]))
kind = target_col.radio("Its translation", ["store", "upload"], horizontal=True, key="align_target_kind",
                        format_func=lambda v: "another document in the store" if v == "store" else "a file")
if kind == "store":
    others = [i for i in by_id if i != source_id]
    target_id = target_col.selectbox("Translation", others, key="align_target",
                                     format_func=lambda i: common.document_label(by_id[i]))
    upload = None
else:
    target_id = None
    upload = target_col.file_uploader("Translation file", type=sorted(s.lstrip(".") for s in DOCUMENT_SUFFIXES),
                                      max_upload_size=MAX_UPLOAD_BYTES // 2**20, key="align_upload")

if st.button("Align", type="primary", key="align_run", disabled=target_id is None and upload is None):
    source_document = store.document(source_id)
    source_segments = store.segments(source_id)
    try:
        if target_id is not None:
            target_document = store.document(target_id)
            target_sentences = [s.source_text for s in store.segments(target_id)]
            target_name, target_lang = target_document["name"], target_document["lang"]
        else:
            document = parse_document(upload.getvalue(), path=upload.name)
            target_sentences = [s.text for s in segment_document(document)]
            target_name, target_lang = document.name, document.lang
        links = align([s.source_text for s in source_segments], target_sentences,
                      term_pairs=glossary_term_pairs(glossary, source_document["lang"], target_lang),
                      translate=_translate_from_store(source_segments))
        st.session_state["align_session"] = {
            "session": AlignmentSession.start([s.source_text for s in source_segments], target_sentences, links,
                                              source_label=source_document["name"], target_label=target_name),
            "source_id": source_id, "target_name": target_name, "target_lang": target_lang,
            "term_pairs": glossary_term_pairs(glossary, source_document["lang"], target_lang),
        }
        st.session_state["align_notice"] = None
        st.session_state["align_link"] = 0
    except WorkbenchError as exc:
        st.error(f"Error: {common.escape_markdown(str(exc))}")

work = st.session_state["align_session"]
if not work:
    st.stop()
session: AlignmentSession = work["session"]
state = session.state
st.subheader(common.escape_markdown(f"{session.source_label} ↔ {session.target_label}"), anchor=False)
notice = st.session_state["align_notice"]
if notice:
    (st.success if notice[0] == "success" else st.error)(common.escape_markdown(notice[1]))
    st.session_state["align_notice"] = None

low = sum(1 for link in state.links if link.low_confidence)
confirmed = sum(1 for link in state.links if link.confirmed)
st.caption(f"{len(state.links)} links · {confirmed} confirmed · {low} below confidence {LOW_CONFIDENCE} "
           f"(marked ⚠) · {len(state.source)} source and {len(state.target)} target sentences")
rows = []
for index, link in enumerate(state.links):
    source_texts, target_texts = state.texts(index)
    rows.append({"link": index + 1, "type": link.link_type, "confidence": round(link.confidence, 3),
                 "mark": "✔ confirmed" if link.confirmed else "⚠ low" if link.low_confidence else "",
                 "source": " ".join(source_texts), "target": " ".join(target_texts)})
st.dataframe(rows, hide_index=True, key="align_table", column_config={
    "source": st.column_config.TextColumn(width="large"), "target": st.column_config.TextColumn(width="large")})

st.subheader("Edit a link", anchor=False)
if st.session_state.get("align_link", 0) >= len(state.links):
    st.session_state["align_link"] = len(state.links) - 1
index = st.selectbox("Link", range(len(state.links)), key="align_link", format_func=lambda i: (
    f"{i + 1} · {state.links[i].link_type} · {state.links[i].confidence:.2f}"
    f"{' · ⚠' if state.links[i].low_confidence else ''}{' · ✔' if state.links[i].confirmed else ''} · "
    f"{_short(' '.join(state.texts(i)[0]) or '(no source)')}"))
link = state.links[index]
source_texts, target_texts = state.texts(index)
left, right = st.columns(2)
with left:
    st.markdown("**Source**")
    for number, text in zip(link.source, source_texts, strict=True):
        common.text_html(f"{number + 1}. {text}")
with right:
    st.markdown("**Target**")
    for number, text in zip(link.target, target_texts, strict=True):
        common.text_html(f"{number + 1}. {text}")

row = st.columns(4)
row[0].button("Merge with previous", key="align_merge_previous", disabled=index == 0,
              on_click=_apply, args=(f"merge link {index + 1} with the previous", merge, index, "previous"))
row[1].button("Merge with next", key="align_merge_next", disabled=index == len(state.links) - 1,
              on_click=_apply, args=(f"merge link {index + 1} with the next", merge, index, "next"))
row[2].button("Unconfirm" if link.confirmed else "Confirm", key="align_confirm", on_click=_apply,
              args=(f"{'unconfirm' if link.confirmed else 'confirm'} link {index + 1}", confirm, index,
                    not link.confirmed))
row = st.columns(4)
for column, side in zip(row[:2], ("source", "target"), strict=True):
    column.button(f"First {side} sentence → previous link", key=f"align_move_{side}_previous",
                  disabled=index == 0 or not link.side(side), on_click=_apply,
                  args=(f"move a {side} sentence of link {index + 1} to the previous", move_sentence, index,
                        side, "previous"))
for column, side in zip(row[2:], ("source", "target"), strict=True):
    column.button(f"Last {side} sentence → next link", key=f"align_move_{side}_next",
                  disabled=index == len(state.links) - 1 or not link.side(side), on_click=_apply,
                  args=(f"move a {side} sentence of link {index + 1} to the next", move_sentence, index,
                        side, "next"))

sentences = [(side, i) for side in ("source", "target") for i in link.side(side)]
if st.session_state.get("align_sentence") not in sentences:
    st.session_state.pop("align_sentence", None)
    st.session_state.pop("align_split_point", None)
if sentences:
    choice_col, split_col = st.columns(2)
    with choice_col:
        chosen = st.selectbox("Sentence", sentences, key="align_sentence",
                              format_func=lambda c: f"{c[0]} {c[1] + 1}: {_short(state.sentences(c[0])[c[1]])}")
        st.button("No counterpart", key="align_no_counterpart", on_click=_apply,
                  args=(f"give {chosen[0]} sentence {chosen[1] + 1} no counterpart", no_counterpart, index,
                        chosen[0], chosen[1]))
    with split_col:
        text = state.sentences(chosen[0])[chosen[1]]
        points = split_points(text)
        if st.session_state.get("align_split_point") not in points:
            st.session_state.pop("align_split_point", None)
        point = st.selectbox("Split it after", points, key="align_split_point", disabled=not points,
                             format_func=lambda p: f"…{text[max(0, p - 30):p].strip()} | {text[p:p + 20]}…")
        st.button("Split the sentence", key="align_split", disabled=not points, on_click=_apply,
                  args=(f"split {chosen[0]} sentence {chosen[1] + 1}", split_sentence, chosen[0], chosen[1],
                        point))

row = st.columns(3)
row[0].button("Realign the rest", key="align_realign", on_click=_apply,
              args=("realign the links that are not confirmed",
                    partial(realign_rest, term_pairs=work["term_pairs"])),
              help="Keeps the confirmed links exactly as they are.")
row[1].button(f"Undo ({len(session.history)})", key="align_undo", disabled=not session.can_undo, on_click=_undo)

st.subheader("Save or export", anchor=False)
save_col, export_col = st.columns(2)
with save_col:
    st.caption("Saving makes the aligned pairs segments of a document of their own, reviewed and "
               "exported like any other.")
    pairs = [(source, target) for source, target in state.pairs() if source]
    if len(pairs) < len(state.links):
        st.caption(f"{len(state.links) - len(pairs)} target-only link(s) have no source sentence and are "
                   "not saved as segments.")
    if st.button("Save as a document pair", type="primary", key="align_save", disabled=not common.reviewer()):
        try:
            saved_id = store.save_aligned_pair(work["source_id"], work["target_name"], work["target_lang"],
                                               pairs, reviewer=common.reviewer())
        except WorkbenchError as exc:
            st.error(f"Not saved: {common.escape_markdown(str(exc))}")
        else:
            st.success(f"Saved as document {saved_id} ({len(pairs)} segments); review it on the "
                       "Review page.")
    if not common.reviewer():
        st.caption("Enter your name in the sidebar to save.")
with export_col:
    links_text = format_links(Link(list(link.source), list(link.target)) for link in state.links)
    st.download_button("Download the links ([i]:[j], 0-based)", data=links_text.encode("utf-8"),
                       file_name="links.txt", mime="text/plain", key="align_export", on_click="ignore")
