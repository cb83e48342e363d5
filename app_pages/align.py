"""Align page: link a document's sentences to its translation, edit the links, save or export them.

The alignment being edited lives in `st.session_state["align_session"]`: the
`AlignmentSession` (states and undo stack), what was aligned, the aligner's
options (so "realign the rest" uses the same signals as the first run) and the
link in focus. Widgets whose labels show link or sentence text are keyed by
the session's revision: Streamlit identifies a selectbox choice by its label,
so a label that an edit changed must belong to a new widget, never be read
back as a stale string.
"""

import secrets
from functools import partial

import streamlit as st

from app_pages import auth, common
from workbench import actions
from workbench.alignment import LOW_CONFIDENCE, align, format_links, glossary_term_pairs
from workbench.alignment.editing import (
    AlignmentEditError,
    AlignmentSession,
    confirm,
    merge,
    move_sentence,
    no_counterpart,
    realign_rest,
    split_points,
    split_sentence,
)
from workbench.alignment.sentences import parse_sentences, stored_sentences, stored_translation_signal
from workbench.documents.discover import DOCUMENT_SUFFIXES
from workbench.documents.uploads import MAX_UPLOAD_BYTES
from workbench.errors import WorkbenchError


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _apply(description: str, focus: int, operation, *args) -> None:
    """Callback: one edit on the session (then `focus` is the link in focus), or the reason it cannot be made."""
    work = st.session_state["align_session"]
    try:
        work["session"].apply(description, operation, *args)
    except WorkbenchError as exc:
        st.session_state["align_notice"] = ("error", str(exc))
    else:
        work["focus"] = focus
        st.session_state["align_notice"] = ("success", f"Done: {description}.")


def _undo() -> None:
    try:
        undone = st.session_state["align_session"]["session"].undo()
    except AlignmentEditError as exc:
        st.session_state["align_notice"] = ("error", str(exc))
    else:
        st.session_state["align_notice"] = ("success", f"Undone: {undone}.")


def _start(source_id: int, target_id: int | None, upload) -> None:
    """Align the chosen pair and start editing it."""
    source = stored_sentences(store, source_id)
    target = stored_sentences(store, target_id) if target_id is not None else parse_sentences(
        upload.getvalue(), path=upload.name)
    options = {"term_pairs": glossary_term_pairs(glossary, source.lang, target.lang),
               "translate": stored_translation_signal(store, source_id, target.lang)}
    links = align(source.sentences, target.sentences, **options)
    st.session_state["align_session"] = {
        "session": AlignmentSession.start(source.sentences, target.sentences, links,
                                          source_label=source.name, target_label=target.name),
        "source_id": source_id, "target_name": target.name, "target_lang": target.lang,
        "options": options, "focus": 0,
        # Widget keys of this alignment: a new alignment never inherits the choices of an earlier one.
        "run": secrets.token_hex(4),
    }
    st.session_state["align_notice"] = None


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
    try:
        _start(source_id, target_id, upload)
    except WorkbenchError as exc:
        st.error(f"Error: {common.escape_markdown(str(exc))}")

work = st.session_state["align_session"]
if not work:
    st.stop()
session: AlignmentSession = work["session"]
state = session.state
widget = f"{work['run']}_{session.revision}"  # see the module docstring
index = min(work["focus"], len(state.links) - 1)
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
for number, link in enumerate(state.links):
    source_texts, target_texts = state.texts(number)
    rows.append({"link": number + 1, "type": link.link_type, "confidence": round(link.confidence, 3),
                 "mark": "✔ confirmed" if link.confirmed else "⚠ low" if link.low_confidence else "",
                 "source": " ".join(source_texts), "target": " ".join(target_texts)})
st.dataframe(rows, hide_index=True, key="align_table", column_config={
    "source": st.column_config.TextColumn(width="large"), "target": st.column_config.TextColumn(width="large")})

st.subheader("Edit a link", anchor=False)
with st.container(key="align_link_box"):
    index = st.selectbox("Link", range(len(state.links)), index=index, key=f"align_link_{widget}",
                         format_func=lambda i: (
                             f"{i + 1} · {state.links[i].link_type} · {state.links[i].confidence:.2f}"
                             f"{' · ⚠' if state.links[i].low_confidence else ''}"
                             f"{' · ✔' if state.links[i].confirmed else ''} · "
                             f"{_short(' '.join(state.texts(i)[0]) or '(no source)')}"))
work["focus"] = index
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

last = len(state.links) - 1
row = st.columns(4)
row[0].button("Merge with previous", key="align_merge_previous", disabled=index == 0, on_click=_apply,
              args=(f"merge link {index + 1} with the previous", max(index - 1, 0), merge, index, "previous"))
row[1].button("Merge with next", key="align_merge_next", disabled=index == last, on_click=_apply,
              args=(f"merge link {index + 1} with the next", index, merge, index, "next"))
row[2].button("Unconfirm" if link.confirmed else "Confirm", key="align_confirm", on_click=_apply,
              args=(f"{'unconfirm' if link.confirmed else 'confirm'} link {index + 1}", index, confirm, index,
                    not link.confirmed))
row = st.columns(4)
for column, side in zip(row[:2], ("source", "target"), strict=True):
    column.button(f"First {side} sentence → previous link", key=f"align_move_{side}_previous",
                  disabled=index == 0 or not link.side(side), on_click=_apply,
                  args=(f"move a {side} sentence of link {index + 1} to the previous", index, move_sentence,
                        index, side, "previous"))
for column, side in zip(row[2:], ("source", "target"), strict=True):
    column.button(f"Last {side} sentence → next link", key=f"align_move_{side}_next",
                  disabled=index == last or not link.side(side), on_click=_apply,
                  args=(f"move a {side} sentence of link {index + 1} to the next", index, move_sentence,
                        index, side, "next"))

sentences = [(side, i) for side in ("source", "target") for i in link.side(side)]
if sentences:
    choice_col, split_col = st.columns(2)
    with choice_col, st.container(key="align_sentence_box"):
        chosen = st.selectbox("Sentence", sentences, key=f"align_sentence_{widget}_{index}",
                              format_func=lambda c: f"{c[0]} {c[1] + 1}: {_short(state.sentences(c[0])[c[1]])}")
        st.button("No counterpart", key="align_no_counterpart", on_click=_apply,
                  args=(f"give {chosen[0]} sentence {chosen[1] + 1} no counterpart", index, no_counterpart,
                        index, chosen[0], chosen[1]))
    with split_col, st.container(key="align_split_box"):
        text = state.sentences(chosen[0])[chosen[1]]
        points = split_points(text)
        point = st.selectbox("Split it after", points, key=f"align_split_point_{widget}_{chosen[0]}_{chosen[1]}",
                             disabled=not points,
                             format_func=lambda p: f"…{text[max(0, p - 30):p].strip()} | {text[p:p + 20]}…")
        st.button("Split the sentence", key="align_split", disabled=not points, on_click=_apply,
                  args=(f"split {chosen[0]} sentence {chosen[1] + 1}", index, split_sentence, chosen[0],
                        chosen[1], point))

row = st.columns(3)
row[0].button("Realign the rest", key="align_realign", on_click=_apply,
              args=("realign the links that are not confirmed", index, partial(realign_rest, **work["options"])),
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
    refused = auth.refusal("alignment.save")
    at_risk = actions.alignment_at_risk(store, work["source_id"], work["target_name"], pairs)
    if at_risk:
        # Said before the click: which reviewed or approved segments a save would change, and whose.
        st.warning(f"This pair was saved before, and saving again would alter or retire {len(at_risk)} "
                   "reviewed or approved segment(s): "
                   + common.escape_markdown("; ".join(item.describe() for item in at_risk[:10]))
                   + (f"; and {len(at_risk) - 10} more" if len(at_risk) > 10 else ""))
        if auth.allowed("approved.change"):
            confirmed = st.checkbox("Yes, replace that reviewed work (the history keeps it)",
                                    key=f"align_confirm_{work['run']}")
        else:
            confirmed = False
            st.caption(f"Not offered: {common.escape_markdown(auth.refusal('approved.change'))}.")
    else:
        confirmed = False
    if st.button("Save as a document pair", type="primary", key="align_save", disabled=bool(refused),
                 help=refused):
        try:
            saved_id = actions.save_alignment(store, auth.actor(), work["source_id"], work["target_name"],
                                              work["target_lang"], pairs, confirm=confirmed)
        except WorkbenchError as exc:
            st.error(f"Not saved: {common.escape_markdown(str(exc))}")
        else:
            st.success(f"Saved as document {saved_id} ({len(pairs)} segments); review it on the "
                       "Review page.")
    if refused:
        st.caption(f"Not offered: {common.escape_markdown(refused)}.")
with export_col:
    st.download_button("Download the links ([i]:[j], 0-based)", data=format_links(state.links).encode("utf-8"),
                       file_name="links.txt", mime="text/plain", key="align_export", on_click="ignore")
