"""Review page: one document's segments in order; edit, check, save and next, undo."""

import streamlit as st

from app_pages import common
from workbench.config import pair_for_language
from workbench.errors import StaleVersion, WorkbenchError
from workbench.mt.checkpoints import check_model
from workbench.review.checks import CHECKS
from workbench.review.memory import TranslationMemory
from workbench.review.store import STATUSES
from workbench.review.views import (
    RANDOM_WEIGHTS_LABEL,
    SegmentFilter,
    escape_html,
    highlight_terms,
    initial_target,
    next_segment_id,
    page_count,
    page_items,
    page_of,
    segment_views,
)

PAGE_SIZES = (10, 20, 50, 100)
SOURCE_STYLE = "white-space:pre-wrap;line-height:1.6"
NOISE_STYLE = "color:#777;font-style:italic"


def _target_key(segment_id: int, version: int) -> str:
    return f"target_{segment_id}_{version}"


def _status_key(segment_id: int, version: int) -> str:
    return f"status_{segment_id}_{version}"


def _default_status(status: str) -> str:
    """What "save" means by default: a new or draft segment becomes translated."""
    return "translated" if status in ("new", "draft") else status


# -- callbacks: they run before the page is drawn again ---------------------------------------
def _focus(segment_id):
    st.session_state["review_focus"] = segment_id
    st.session_state["review_conflict"] = None


def _insert(key: str, text: str):
    st.session_state[key] = text


def _conflict(segment_id: int, mine: str | None, status: str, exc: StaleVersion):
    current = common.store().segment(segment_id)
    st.session_state["review_conflict"] = {
        "segment_id": segment_id, "mine": mine, "status": status, "theirs": exc.current_text,
        "theirs_status": current.status, "version": exc.current, "by": current.updated_by,
        "at": current.updated_at,
    }
    st.session_state["review_focus"] = segment_id


def _save(segment_id: int, version: int, next_focus, next_page: int | None, text=None, status=None):
    if text is None:
        text = st.session_state.get(_target_key(segment_id, version), "")
        status = st.session_state.get(_status_key(segment_id, version))
    cleaned = text.strip() or None
    try:
        saved = common.store().save_target(segment_id, cleaned, status, reviewer=common.reviewer(),
                                           expected_version=version)
    except StaleVersion as exc:
        saved = common.store().segment(segment_id)
        if (saved.target_text, saved.status) != (cleaned, status):
            _conflict(segment_id, cleaned, status, exc)
            return
        # The stored segment already says exactly this (a double submit): nothing to refuse.
    except WorkbenchError as exc:
        st.session_state["review_notice"] = ("error", f"Not saved: {exc}")
        return
    st.session_state["review_notice"] = (
        "success", f"Saved segment #{saved.position + 1} as {saved.status} (version {saved.version}).")
    st.session_state["review_conflict"] = None
    st.session_state["review_focus"] = next_focus
    if next_page is not None:
        st.session_state["review_page"] = next_page


def _overwrite(conflict: dict):
    _save(conflict["segment_id"], conflict["version"], conflict["segment_id"], None,
          text=conflict["mine"] or "", status=conflict["status"])


def _undo(segment_id: int, version: int):
    try:
        saved = common.store().undo_last_change(segment_id, reviewer=common.reviewer(),
                                                expected_version=version)
    except StaleVersion as exc:
        st.session_state["review_notice"] = (
            "error", "Not undone: someone changed this segment since you loaded it. "
                     f"The stored text is now: {exc.current_text!r}")
        return
    except WorkbenchError as exc:
        st.session_state["review_notice"] = ("error", f"Not undone: {exc}")
        return
    st.session_state["review_notice"] = (
        "success", f"Undid the last change of segment #{saved.position + 1}: it is {saved.status} "
                   f"again (version {saved.version}).")


# -- drawing ------------------------------------------------------------------------------------
def draw_machine_translation(segment, model_ready: bool) -> None:
    st.markdown("**Machine translation**")
    if segment.mt_text is None:
        common.text_html(None, placeholder="not translated yet" if model_ready
                         else "no machine translation: the model is missing")
    elif segment.random_weights:
        st.html(f'<div style="{NOISE_STYLE}"><b>[{escape_html(RANDOM_WEIGHTS_LABEL)}]</b> '
                f'{escape_html(segment.mt_text)}</div>')
    else:
        common.text_html(segment.mt_text)


def draw_issues(view) -> None:
    if not view.issues:
        return
    on = " (checked on the machine translation)" if view.checked_is_mt else ""
    items = "".join(f"<li><b>{escape_html(i.label)}</b>: {escape_html(i.message)}</li>"
                    for i in view.issues)
    st.html(f'<div style="color:#9a3412;font-size:0.9em">Checks{escape_html(on)}:'
            f'<ul style="margin:0">{items}</ul></div>')


def draw_conflict(conflict: dict) -> None:
    by = conflict["by"] or "someone"
    st.error(f"Not saved: {common.escape_markdown(by)} saved version {conflict['version']} of this "
             f"segment ({conflict['theirs_status']}) at {conflict['at']} while you were editing. "
             "Nothing was overwritten. The newer text is:")
    common.text_html(conflict["theirs"], placeholder="(empty)", style="border-left:3px solid #b91c1c;padding-left:6px")
    st.caption(f"Your text (status {conflict['status']}):")
    common.text_html(conflict["mine"], placeholder="(empty)", style="border-left:3px solid #999;padding-left:6px")
    theirs, mine = st.columns(2)
    theirs.button("Continue from the newer version", key="conflict_theirs", on_click=_focus,
                  args=(conflict["segment_id"],))
    mine.button("Save my text over it", key="conflict_mine", on_click=_overwrite, args=(conflict,))


def draw_editor(view, memory, next_focus, next_page: int, this_page: int) -> None:
    segment = view.segment
    key_text, key_status = _target_key(segment.id, segment.version), _status_key(segment.id, segment.version)
    st.session_state.setdefault(key_text, initial_target(segment))
    st.session_state.setdefault(key_status, _default_status(segment.status))
    with st.form(f"editor_{segment.id}_{segment.version}", border=False):
        st.text_area("Target", key=key_text, height=110)
        st.radio("Status", STATUSES, key=key_status, horizontal=True)
        left, right = st.columns(2)
        left.form_submit_button("Save and next (Ctrl+Enter)", type="primary",
                                key=f"save_next_{segment.id}_{segment.version}", on_click=_save,
                                args=(segment.id, segment.version, next_focus, next_page))
        right.form_submit_button("Save", key=f"save_{segment.id}_{segment.version}", on_click=_save,
                                 args=(segment.id, segment.version, segment.id, this_page))
    # Put the cursor in the editor, so that Ctrl+Enter moves through a document from the keyboard.
    # The script is a constant apart from two integers; nothing from a document or reviewer is in it.
    st.html(f"<script>(() => {{ let tries = 0; const timer = setInterval(() => {{"
            f" const box = document.querySelector('.st-key-{key_text} textarea');"
            " if (box || ++tries > 60) { clearInterval(timer); if (box) { box.focus();"
            " box.scrollIntoView({block: 'center'}); } } }, 50); })();</script>",
            unsafe_allow_javascript=True, width="content")
    buttons = st.columns(3)
    if segment.mt_text and not segment.random_weights:
        buttons[0].button("Copy the machine translation", key=f"copy_mt_{segment.id}_{segment.version}",
                          on_click=_insert, args=(key_text, segment.mt_text))
    history = common.store().history(segment.id)
    if history:
        buttons[1].button("Undo the last change", key=f"undo_{segment.id}_{segment.version}",
                          on_click=_undo, args=(segment.id, segment.version))
    buttons[2].button("Close the editor", key=f"close_{segment.id}", on_click=_focus, args=(None,))

    matches = memory.lookup(segment.source_text, exclude_segment=segment.id)
    st.markdown("**Translation memory**")
    if not matches:
        st.caption("No approved segment matches this source (75% or better).")
    for index, match in enumerate(matches):
        score, texts, action = st.columns([1, 8, 2])
        score.markdown(f"**{match.score:.0f}%**" + (" exact" if match.exact else ""))
        with texts:
            st.html(f'<div style="font-size:0.9em"><div style="color:#555">{escape_html(match.source_text)}'
                    f'</div><div>{escape_html(match.target_text)}</div>'
                    f'<div style="color:#888;font-size:0.85em">{escape_html(match.unit.document_name)}, '
                    f'approved by {escape_html(match.unit.updated_by or "?")}</div></div>')
        action.button("Insert", key=f"tm_{segment.id}_{segment.version}_{index}", on_click=_insert,
                      args=(key_text, match.target_text))
    if history:
        with st.expander(f"History ({len(history)} change{'s' if len(history) != 1 else ''})"):
            st.dataframe([{
                "version": row["version"], "reviewer": row["reviewer"], "when": row["changed_at"],
                "status": f"{row['before_status']} → {row['after_status']}",
                "before": row["before_text"], "after": row["after_text"],
            } for row in history], hide_index=True, key=f"history_{segment.id}_{segment.version}")


def draw_segment(view, document, glossary, memory, *, model_ready: bool, focused: bool, can_edit: bool,
                 next_focus, next_page: int, this_page: int) -> None:
    segment = view.segment
    with st.container(border=True, key=f"segment_{segment.id}"):
        line = f"#{segment.position + 1} · {segment.kind} · {segment.status} · version {segment.version}"
        if segment.updated_by:
            line += f" · last change by {segment.updated_by} at {segment.updated_at}"
        st.caption(common.escape_markdown(line))
        source, machine = st.columns(2)
        with source:
            st.markdown("**Source**")
            st.html(f'<div style="{SOURCE_STYLE}">'
                    f'{highlight_terms(segment.source_text, glossary, document["lang"], document["target_lang"])}'
                    "</div>")
        with machine:
            draw_machine_translation(segment, model_ready)
        conflict = st.session_state["review_conflict"]
        if conflict and conflict["segment_id"] == segment.id:
            draw_conflict(conflict)
        elif focused and can_edit:
            draw_editor(view, memory, next_focus, next_page, this_page)
        else:
            st.markdown("**Target**")
            common.text_html(segment.target_text, placeholder="(no target yet)")
            st.button("Edit", key=f"edit_{segment.id}", on_click=_focus, args=(segment.id,),
                      disabled=not can_edit)
        draw_issues(view)


# -- the page -----------------------------------------------------------------------------------
store = common.store()
glossary, glossary_problems = common.glossary()
st.title("Review")

by_id = common.documents_or_stop(store)
if st.session_state["review_document"] not in by_id:
    st.session_state["review_document"] = next(iter(by_id))
document_id = st.selectbox("Document", list(by_id), key="review_document",
                           format_func=lambda i: common.document_label(by_id[i]), on_change=_focus,
                           args=(None,))
document = store.document(document_id)
summary = by_id[document_id]
st.caption(common.escape_markdown(
    f"{common.language_direction(document['lang'], document['target_lang'])} · "
    f"{common.kind_label(document['kind'], document['mt_source_lang'])} · {document['name']}"
    + (f" · {document['date']}" if document["date"] else "")))
if glossary_problems:
    st.warning(f"The glossary has {len(glossary_problems)} problem(s), so terms are not highlighted "
               "or checked; see the Glossary page.")

views = segment_views(store, document_id, glossary)
if any(v.segment.random_weights for v in views):
    st.warning(f"The machine translations of this document come from a {RANDOM_WEIGHTS_LABEL}. "
               "They are shown greyed out and are not offered as a starting point.")

status_col, check_col, search_col, flag_col, size_col = st.columns([3, 3, 3, 2, 1])
statuses = status_col.multiselect("Status", STATUSES, key="review_statuses")
checks = check_col.multiselect("Checks", list(CHECKS), format_func=CHECKS.get, key="review_checks")
search = search_col.text_input("Search source and translations", key="review_search")
flagged_only = flag_col.toggle("Flagged only", key="review_flagged")
page_size = size_col.selectbox("Per page", PAGE_SIZES, key="review_page_size")

shown = SegmentFilter(tuple(statuses), flagged_only, tuple(checks), search).apply(views)
ordered = [v.segment.id for v in shown]
pages = page_count(len(shown), page_size)
if not isinstance(st.session_state["review_page"], int) or not 1 <= st.session_state["review_page"] <= pages:
    st.session_state["review_page"] = min(max(1, st.session_state["review_page"] or 1), pages)

flagged = sum(1 for v in views if v.flagged)
st.caption(f"Showing {len(shown)} of {len(views)} segments · {flagged} flagged · "
           f"{summary['statuses']['approved']} approved")
notice = st.session_state["review_notice"]
if notice:
    (st.success if notice[0] == "success" else st.error)(common.escape_markdown(notice[1]))
    st.session_state["review_notice"] = None
can_edit = bool(common.reviewer())
if not can_edit:
    st.info("Enter your name under “Reviewer name” in the sidebar to edit segments.")

memory = TranslationMemory.from_store(store, document["lang"], document["target_lang"])
model_ready = check_model(pair_for_language(document["lang"])).available
this_page = st.session_state["review_page"]
for view in page_items(shown, this_page, page_size):
    following = next_segment_id(ordered, view.segment.id)
    draw_segment(view, document, glossary, memory, model_ready=model_ready,
                 focused=st.session_state["review_focus"] == view.segment.id, can_edit=can_edit,
                 next_focus=following,
                 next_page=page_of(ordered.index(following), page_size) if following else this_page,
                 this_page=this_page)
if not shown:
    st.info("No segment matches these filters.")
if pages > 1:
    st.pagination(pages, key="review_page")
