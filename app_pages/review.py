"""Review page: a dense grid of one document's segments with one open beside it, driven by the keyboard.

The grid has one row per segment (number, source, target or greyed machine
translation, status, check flags); the open segment's editor sits beside it
with its machine translation, translation-memory matches (differences
marked), glossary terms, checks and history as a word diff. The keys (see
`KEYS`) follow what OmegaT and MateCat users know and are handled by a small
components.v2 component (`review_keys.js`), which also keeps unsaved edits as
drafts in the browser (localStorage) across page switches and reloads.
The document and open segment are in the URL (`?doc=7&seg=12`).
"""

from pathlib import Path

import streamlit as st

from app_pages import auth, common
from workbench import actions, authority
from workbench.config import pair_for_language
from workbench.documents.readers.ocr import OCR_ENCODING
from workbench.errors import SegmentRetired, StaleVersion, WorkbenchError
from workbench.review import document_list
from workbench.review.checks import CHECKS
from workbench.review.drafts import draft, drafted_segments
from workbench.review.memory import TranslationMemory, memory_revision
from workbench.review.spelling import (
    ACCEPTED_WORDS_FILE,
    SpellChecker,
    accepted_words_path,
    read_accepted_words,
    suggestions,
)
from workbench.review.store import STATUSES
from workbench.review.views import (
    SegmentFilter,
    diff_html,
    escape_html,
    highlight_terms,
    page_count,
    page_items,
    page_of,
    segment_views,
    term_hints,
)
from workbench.review.views import grid_html as views_grid_html
from workbench.text import escape_attribute

GRID_PAGE_SIZE = 50
TM_SHORTCUTS = 3

#: The keyboard flow, as listed on the page (and handled in review_keys.js).
KEYS = (
    ("Ctrl+Enter", "approve and open the next segment"),
    ("Ctrl+Shift+Enter", "save as translated and open the next"),
    ("Alt+↓ / Alt+↑", "next / previous segment without saving (your edit stays as a draft)"),
    ("Ctrl+I", "insert the machine translation"),
    ("Ctrl+1 … 3", "insert the 1st … 3rd translation-memory match (also Alt+1 … 3)"),
    ("Ctrl+Shift+F", "next flagged segment"),
)



def keys_for(actor) -> tuple:
    """The key legend for this person: the approve key saves the highest status the role may set."""
    if not auth.accounts_enabled():
        return KEYS
    top = authority.highest_status(actor)
    if top is None:  # may not edit: only moving around
        return tuple(k for k in KEYS if k[0] in ("Alt+↓ / Alt+↑", "Ctrl+Shift+F"))
    verb = "approve" if top == "approved" else f"save as {top}"
    return (("Ctrl+Enter", f"{verb} and open the next segment"), *KEYS[1:])


def approve_status() -> str:
    """What Ctrl+Enter and the first button save: 'approved', or the highest status this role may set."""
    if not auth.accounts_enabled():
        return "approved"
    return authority.highest_status(auth.actor()) or "approved"  # "approved" only for roles with no editor


GRID_CSS = """<style>
.wb-grid { max-height: calc(100vh - 15rem); min-height: 20rem; overflow-y: auto; border: 1px solid #e5e7eb;
  border-radius: 6px; }
.wb-grid table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: 0.82rem; }
.wb-grid th { position: sticky; top: 0; background: #f3f4f6; text-align: left; padding: 3px 6px;
  font-weight: 600; z-index: 1; }
.wb-grid td { padding: 3px 6px; border-top: 1px solid #f0f0f0; white-space: normal; overflow-wrap: anywhere;
  vertical-align: top; line-height: 1.35; }
.wb-grid tr[data-wb-seg] { cursor: pointer; }
.wb-grid tr[data-wb-seg]:hover { background: #f9fafb; }
.wb-grid tr.wb-open { background: #e0f2fe; box-shadow: inset 3px 0 0 #0284c7; }
.wb-grid tr.wb-has-draft td.wb-num::after { content: " ✎"; color: #b45309; }
.wb-grid .wb-mt { color: #888; font-style: italic; }
.wb-grid .wb-bad-mt { color: #b45309; font-style: italic; }
.wb-chip { display: inline-block; padding: 0 5px; border-radius: 8px; font-size: 0.78rem; }
.wb-labels { margin-top: 2px; line-height: 1.15; }
.wb-label { display: inline-block; color: #9a3412; background: #fff7ed; border-radius: 4px; padding: 0 3px;
  margin: 1px 2px 0 0; font-size: 0.72rem; }
.wb-panel-block { font-size: 0.9rem; margin: 2px 0 6px 0; }
.wb-slot { height: 2.9em; overflow-y: auto; font-size: 0.85rem; line-height: 1.4; }
.wb-slot .wb-line { color: rgba(49, 51, 63, 0.6); }
.wb-notice { min-height: 100%; box-sizing: border-box; padding: 1px 8px; border-radius: 6px; }
.wb-notice-error { background: #fdecec; color: #7d1a1a; }
.wb-notice-warning { background: #fffbe6; color: #7a5a00; }
.wb-suggest { font-size: 0.78rem; padding: 0 6px; margin-left: 4px; cursor: pointer; }
.wb-panel-block button { font-size: 0.78rem; padding: 0 6px; margin-left: 6px; cursor: pointer; }
</style>"""

#: The Review page is a working screen: less padding and a smaller title leave room for the grid at 1440x900.
PAGE_CSS = """<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-left: 1.6rem; padding-right: 1.6rem; }
[data-testid="stMainBlockContainer"] h1 { font-size: 1.5rem; padding: 0 0 0.2rem 0; }
</style>"""

_review_keys = st.components.v2.component(
    "workbench_review_keys", js=(Path(__file__).with_name("review_keys.js")).read_text(encoding="utf-8"),
    isolate_styles=False)


def _target_key(segment_id: int, version: int) -> str:
    return f"target_{segment_id}_{version}"


def _status_key(segment_id: int, version: int) -> str:
    return f"status_{segment_id}_{version}"


# -- callbacks: they run before the page is drawn again ---------------------------------------
def _open(segment_id):
    st.session_state["review_focus"] = segment_id
    order = st.session_state.get("_review_order") or []
    if segment_id in order:
        st.session_state["review_page"] = page_of(order.index(segment_id), GRID_PAGE_SIZE)


def _step(step: int):
    order = st.session_state.get("_review_order") or []
    focus = st.session_state["review_focus"]
    if not order:
        return
    index = order.index(focus) + step if focus in order else 0
    _open(order[min(max(index, 0), len(order) - 1)])


def _next_flagged():
    order = st.session_state.get("_review_order") or []
    flagged = st.session_state.get("_review_flagged_ids") or set()
    focus = st.session_state["review_focus"]
    start = order.index(focus) + 1 if focus in order else 0
    for segment_id in order[start:] + order[:start]:
        if segment_id in flagged and segment_id != focus:
            _open(segment_id)
            return
    st.session_state["review_notice"] = ("info", "No other flagged segment among those shown.")


def _go_to():
    """Open the segment numbered in "Go to #" (clearing the filters if they hide it)."""
    number = st.session_state.get("review_goto")
    by_number = st.session_state.get("_review_by_number") or {}
    if number is None:
        return
    if int(number) not in by_number:
        st.session_state["review_notice"] = (
            "error", f"There is no segment #{int(number)} in this document: its segments are numbered 1 to "
                     f"{max(by_number, default=0)}.")
        st.session_state["review_goto"] = None
        return
    segment_id = by_number[int(number)]
    if segment_id not in (st.session_state.get("_review_order") or []):
        for key, empty in (("review_statuses", []), ("review_checks", []), ("review_search", ""),
                           ("review_flagged", False)):
            st.session_state[key] = empty
        st.session_state["_review_order"] = list(by_number.values())
    st.session_state["review_conflict"] = None
    _open(segment_id)
    st.session_state["review_goto"] = None


def _conflict(segment_id: int, mine: str | None, status: str, exc: StaleVersion):
    current = common.store().segment(segment_id)
    st.session_state["review_conflict"] = {
        "segment_id": segment_id, "mine": mine, "status": status, "theirs": exc.current_text,
        "theirs_status": current.status, "version": exc.current, "by": current.updated_by,
        "at": current.updated_at, "continued": False,
    }
    st.session_state["review_focus"] = segment_id


def _save(segment_id: int, version: int, text: str | None, status: str, advance: bool):
    # The library decides (role read again, empty approved target refused); the page shows its answer.
    try:
        saved = actions.save_segment(common.store(), auth.actor(), segment_id, text, status,
                                     expected_version=version)
    except StaleVersion as exc:
        saved = common.store().segment(segment_id)
        cleaned = (text or "").strip() or None
        if (saved.target_text, saved.status) != (cleaned, status):
            _conflict(segment_id, cleaned, status, exc)
            return
        # The stored segment already says exactly this (a double submit): nothing to refuse.
    except SegmentRetired as exc:
        # The document was re-imported and this sentence left it: keep the text, offer it in
        # the segment that replaced it (if any), and say so.
        st.session_state["review_notice"] = ("error", f"Not saved: {exc}")
        if exc.successor_id is not None:
            successor = common.store().segment(exc.successor_id)
            st.session_state.setdefault(_target_key(successor.id, successor.version), exc.text or "")
            _open(successor.id)
        return
    except WorkbenchError as exc:
        reason = str(exc)
        st.session_state["review_notice"] = ("error", f"Not saved: {reason}{'' if reason.endswith('.') else '.'}")
        # A new value for the keyboard component, so that it runs again and puts the cursor back in the editor.
        st.session_state["_review_refusals"] = st.session_state.get("_review_refusals", 0) + 1
        return
    st.session_state["review_notice"] = (
        "success", f"Saved segment #{saved.position + 1} as {saved.status} (version {saved.version}).")
    st.session_state["review_conflict"] = None
    if advance:
        _step(1)


def _keep_draft(draft) -> None:
    """Store the account's unsaved text of a segment (sent by review_keys.js), if it may edit."""
    if not isinstance(draft, dict) or not isinstance(draft.get("segment"), int):
        return
    try:
        actions.save_draft(common.store(), auth.actor(), draft["segment"], int(draft.get("version") or 0),
                           draft.get("text"))
    except WorkbenchError:
        pass  # a draft of someone who may not edit is not kept; the save itself says why


def _save_from_form(segment_id: int, version: int, status: str | None, advance: bool):
    text = st.session_state.get(_target_key(segment_id, version), "")
    _save(segment_id, version, text, status or st.session_state.get(_status_key(segment_id, version)), advance)


def _on_key_action():
    action = (st.session_state.get("review_keys") or {}).get("action")
    if not isinstance(action, dict):
        return
    kind = action.get("kind")
    _keep_draft(action.get("draft"))
    if kind == "draft":
        return
    if kind == "open" and isinstance(action.get("segment"), int):
        st.session_state["review_conflict"] = None
        _open(action["segment"])
    elif kind == "move":
        _step(1 if action.get("step", 1) > 0 else -1)
    elif kind == "next_flagged":
        _next_flagged()
    elif kind == "save" and action.get("status") in STATUSES:
        _save(int(action["segment"]), int(action["version"]), action.get("text"), action["status"],
              bool(action.get("advance")))


def _continue_from_theirs(conflict: dict):
    conflict["continued"] = True
    st.session_state["review_focus"] = conflict["segment_id"]


def _overwrite(conflict: dict):
    _save(conflict["segment_id"], conflict["version"], conflict["mine"] or "", conflict["status"], False)


def _dismiss_conflict():
    st.session_state["review_conflict"] = None


def _undo(segment_id: int, version: int):
    try:
        saved = actions.undo_segment(common.store(), auth.actor(), segment_id, expected_version=version)
    except StaleVersion as exc:
        st.session_state["review_notice"] = (
            "error", "Not undone: someone changed this segment since you loaded it. "
                     f"The stored text is now: {exc.current_text!r}")
        return
    except WorkbenchError as exc:
        st.session_state["review_notice"] = ("error", f"Not undone: {exc}")
        st.session_state["_review_refusals"] = st.session_state.get("_review_refusals", 0) + 1
        return
    st.session_state["review_notice"] = (
        "success", f"Undid the last change of segment #{saved.position + 1}: it is {saved.status} "
                   f"again (version {saved.version}).")


# -- drawing ------------------------------------------------------------------------------------
def grid_html(views, open_id, spell_checker=None) -> str:
    """The grid of one page (rows from `workbench.review.views.grid_html`; clicks handled by review_keys.js)."""
    return f'{GRID_CSS}<div class="wb-grid">{views_grid_html(views, open_id, spell_checker=spell_checker)}</div>'


def draw_status_slot(line: str, after: str = "") -> None:
    """The open segment's summary line, or the last action's error or warning in its place, shown once.

    The slot has the same height whatever it holds, so an error never pushes the editor down; a
    success or information notice is a passing toast. `after`: HTML drawn below the slot in the same element.
    """
    notice = st.session_state["review_notice"]
    st.session_state["review_notice"] = None
    if notice and notice[0] in ("success", "info"):
        st.toast(common.escape_markdown(notice[1]), icon=":material/check:" if notice[0] == "success"
                 else ":material/info:")
        notice = None
    if notice:
        kind = "error" if notice[0] == "error" else "warning"
        body = f'<div class="wb-notice wb-notice-{kind}" role="alert">{escape_html(notice[1])}</div>'
    else:
        body = f'<div class="wb-line">{escape_html(line)}</div>'
    st.html(f'<div class="wb-slot">{body}</div>{after}')


def draw_conflict(conflict: dict) -> None:
    """A refused stale save: the newer text, and the reviewer's own text to copy, whichever they continue from."""
    by = conflict["by"] or "someone"
    if not conflict["continued"]:
        st.error(f"Not saved: {common.escape_markdown(by)} saved version {conflict['version']} of this "
                 f"segment ({conflict['theirs_status']}) at {common.local_time(conflict['at'])} while you were "
                 "editing. Nothing was overwritten. The newer text is:")
        common.text_html(conflict["theirs"], placeholder="(empty)",
                         style="border-left:3px solid #b91c1c;padding-left:6px")
    st.caption(f"Your text (status {conflict['status']}), not saved; copy it from here:")
    st.code(conflict["mine"] or "", language=None, wrap_lines=True)
    buttons = st.columns(3)
    if not conflict["continued"]:
        buttons[0].button("Continue from the newer version", key="conflict_theirs",
                          on_click=_continue_from_theirs, args=(conflict,))
    buttons[1].button("Save my text over it", key="conflict_mine", on_click=_overwrite, args=(conflict,))
    if conflict["continued"]:
        buttons[2].button("Dismiss my text", key="conflict_dismiss", on_click=_dismiss_conflict)


def machine_translation_html(view, model_ready: bool) -> str:
    """The open segment's MT: insertable when plausible, else greyed with the reasons it is not."""
    segment = view.segment
    if segment.mt_text is None:
        return ('<div class="wb-panel-block"><b>Machine translation:</b> <i style="color:#888">'
                + ("not translated yet" if model_ready else "none: the model is missing") + "</i></div>")
    if view.mt_problems:
        reasons = "; ".join(view.mt_problems)
        return (f'<div class="wb-panel-block"><b>Machine translation</b> '
                f'<span style="color:#b45309">[not plausible: {escape_html(reasons)}]</span>'
                f'<div style="color:#888;font-style:italic;max-height:4.5em;overflow:hidden">'
                f"{escape_html(segment.mt_text)}</div></div>")
    return (f'<div class="wb-panel-block"><b>Machine translation</b>'
            f'<button data-wb-action="insert-mt">Insert (Ctrl+I)</button>'
            f'<div style="white-space:pre-wrap">{escape_html(segment.mt_text)}</div></div>')


def memory_html(matches, source_text: str) -> str:
    """Translation-memory matches, each source diffed against this one, with insert buttons."""
    if not matches:
        return ('<div class="wb-panel-block"><b>Translation memory:</b> '
                '<span style="color:#888">no approved or imported segment matches (75% or better)</span></div>')
    items = []
    for index, match in enumerate(matches):
        key = f" (Ctrl+{index + 1})" if index < TM_SHORTCUTS else ""
        items.append(
            f'<li><b>{match.score:.0f}%</b>{" exact" if match.exact else ""}'
            f'<button data-wb-action="insert-tm" data-wb-index="{index}">Insert{key}</button>'
            f'<div style="color:#555">{diff_html(source_text, match.source_text)}</div>'
            f"<div>{escape_html(match.target_text)}</div>"
            f'<div class="wb-tm-origin" style="color:#888;font-size:0.85em">{escape_html(match.unit.provenance)}'
            "</div></li>")
    return ('<div class="wb-panel-block"><b>Translation memory</b> '
            '<span style="color:#888;font-size:0.85em">(its source against this one: struck = only here, '
            'green = only in the match)</span>'
            f'<ol style="margin:0;padding-left:1.2em">{"".join(items)}</ol></div>')


def terms_html(hints) -> str:
    """The glossary terms of the source: form found -> required target, one click to insert."""
    if not hints:
        return ""
    items = []
    for index, hint in enumerate(hints):
        required = escape_html(hint.required) if hint.required else "<i>(no required target)</i>"
        button = (f'<button data-wb-action="insert-term" data-wb-index="{index}">Insert</button>'
                  if hint.required else "")
        extra = ""
        if hint.forbidden:
            extra += f'<span style="color:#b91c1c"> · not: {escape_html(", ".join(hint.forbidden))}</span>'
        if hint.note:
            extra += f'<div style="color:#666;font-size:0.85em">{escape_html(hint.note)}</div>'
        from workbench.review.concordance import concordance_url  # the Terms page's concordance on this term

        concordance = f' <a href="{escape_html(concordance_url(hint.surface))}" target="_self">concordance</a>'
        items.append(f"<li>{escape_html(hint.surface)} → <b>{required}</b>{button}{concordance}{extra}</li>")
    return (f'<div class="wb-panel-block"><b>Glossary terms</b><ul style="margin:0;padding-left:1.2em">'
            f'{"".join(items)}</ul></div>')


def issues_html(view) -> str:
    """The checks raised on the open segment."""
    if not view.issues:
        return ('<div class="wb-panel-block"><b>Checks:</b> <span style="color:#166534">nothing flagged</span>'
                "</div>")
    on = " (on the machine translation)" if view.checked_is_mt else ""
    items = "".join(f"<li><b>{escape_html(i.label)}</b>: {escape_html(i.message)}</li>" for i in view.issues)
    return (f'<div class="wb-panel-block" style="color:#9a3412"><b>Checks{escape_html(on)}</b>'
            f'<ul style="margin:0;padding-left:1.2em">{items}</ul></div>')


def draw_history(history, segment, can_edit: bool) -> None:
    """Every change of the segment as a word diff, newest first, with undo."""
    if not history:
        return
    with st.expander(f"History ({len(history)} change{'s' if len(history) != 1 else ''})"):
        items = []
        for row in reversed(history):
            items.append(
                f'<li><span style="color:#555">v{row.version} · {escape_html(row.reviewer)} · '
                f'{escape_html(common.local_time(row.changed_at))} · {escape_html(row.before_status)} → '
                f'{escape_html(row.after_status)}</span>'
                f'<div style="white-space:pre-wrap">{diff_html(row.before_text, row.after_text)}</div></li>')
        st.html(f'<ul class="wb-panel-block" style="padding-left:1.2em">{"".join(items)}</ul>')
        if can_edit:
            st.button("Undo the last change", key=f"undo_{segment.id}_{segment.version}", on_click=_undo,
                      args=(segment.id, segment.version))


def draw_editor(view, document) -> None:
    """The target editor and its save buttons (the keys do the same through review_keys.js)."""
    segment = view.segment
    key_text, key_status = _target_key(segment.id, segment.version), _status_key(segment.id, segment.version)
    if key_text not in st.session_state:
        st.session_state[key_text] = view.initial_target
    top = approve_status()
    offered = auth.statuses_allowed(STATUSES) or STATUSES
    st.session_state.setdefault(key_status, top)
    with st.form(f"editor_{segment.id}_{segment.version}", border=False, enter_to_submit=False):
        st.text_area("Target", key=key_text, height=120, label_visibility="collapsed",
                     placeholder="Type the translation")
        approve, translated, status, save = st.columns([2.4, 2.4, 2, 1.2], vertical_alignment="bottom")
        approve.form_submit_button("Approve, next" if top == "approved" else f"{top.capitalize()}, next",
                                   type="primary", help="Ctrl+Enter",
                                   key=f"approve_next_{segment.id}_{segment.version}", on_click=_save_from_form,
                                   args=(segment.id, segment.version, top, True))
        translated.form_submit_button("Translated, next", help="Ctrl+Shift+Enter",
                                      key=f"translated_next_{segment.id}_{segment.version}",
                                      on_click=_save_from_form,
                                      args=(segment.id, segment.version, "translated", True))
        status.selectbox("Status", offered, key=key_status, label_visibility="collapsed")
        save.form_submit_button("Save", key=f"save_{segment.id}_{segment.version}", on_click=_save_from_form,
                                args=(segment.id, segment.version, None, False))


def accepted_words_file():
    """The team's accepted-words file, beside the glossary in use."""
    from workbench.glossary import default_glossary_path

    return accepted_words_path(default_glossary_path())


def accepted_words() -> frozenset[str]:
    """The team's accepted words (read again when the file changes)."""
    path = accepted_words_file()
    stamp = path.stat().st_mtime_ns if path is not None and path.exists() else None
    return _read_accepted(str(path), stamp)


@st.cache_data(show_spinner=False, max_entries=4)
def _read_accepted(path: str, stamp) -> frozenset[str]:
    return read_accepted_words(path)


def _accept_word(word: str):
    try:
        actions.accept_word(auth.actor(), accepted_words_file(), word, store=common.store())
    except (OSError, ValueError, WorkbenchError) as exc:
        st.session_state["review_notice"] = ("error", f"Not added: {exc}")
        return
    st.session_state["review_notice"] = ("success", f"“{word}” is now an accepted word of the team: "
                                                    "the spelling check will not flag it again.")


def spelling_html(misspelt: list[str], lang: str, *, can_edit: bool) -> str:
    """Each misspelled word of the open segment with the dictionary's suggestions, one click to use one."""
    items = []
    for word in misspelt:
        offered = suggestions(lang, word) if can_edit else ()
        buttons = "".join(
            f'<button class="wb-suggest" data-wb-action="replace-word" data-wb-word="{escape_attribute(word)}" '
            f'data-wb-with="{escape_attribute(offered_word)}" title="Replace “{escape_attribute(word)}” with '
            f'“{escape_attribute(offered_word)}” in the editor">{escape_html(offered_word)}</button>'
            for offered_word in offered)
        items.append(f"<li><b>{escape_html(word)}</b>"
                     + (f" → {buttons}" if offered else ' <span style="color:#888">(no suggestion)</span>')
                     + "</li>")
    return (f'<div class="wb-panel-block wb-spelling"><b>Spelling</b> <span style="color:#888;font-size:0.85em">'
            f'(a suggestion replaces the word in the editor; save as usual)</span>'
            f'<ul style="margin:0;padding-left:1.2em">{"".join(items)}</ul></div>')


def draw_accept_words(view, words: list[str]) -> None:
    """The team's "accept" button for each possible misspelling of the open segment (four at most)."""
    if not words or not auth.allowed("spelling.accept"):
        return
    columns = st.columns(min(len(words), 4) + 1, vertical_alignment="center")
    columns[0].caption("Accept for the team:")
    for column, word in zip(columns[1:], words[:4], strict=False):
        column.button(word, key=f"accept_{view.segment.id}_{word}", on_click=_accept_word, args=(word,),
                      help=f"Add “{word}” to the team's accepted words ({ACCEPTED_WORDS_FILE})")


def draw_panel(view, document, glossary, memory, speller, *, can_edit: bool, model_ready: bool):
    """The open segment with everything beside it.

    Returns the data the keyboard component needs, and what to call once the component is
    mounted: it adds the spelling suggestions, which may take a dictionary search, so the editor
    has the cursor first.
    """
    segment = view.segment
    line = f"#{segment.position + 1} · {segment.kind} · {segment.status} · version {segment.version}"
    if segment.updated_by:
        line += f" · last change by {segment.updated_by} at {common.local_time(segment.updated_at)}"
    conflict = st.session_state["review_conflict"]
    if conflict and conflict["segment_id"] != segment.id:
        conflict = None
    # The notice slot and the source in one element: one gap between elements less above the editor.
    source = highlight_terms(segment.source_text, glossary, document.lang, document.target_lang)
    draw_status_slot(line, f'<div class="wb-panel-block" style="white-space:pre-wrap;line-height:1.5">{source}</div>')
    if conflict:
        draw_conflict(conflict)
    editing = can_edit and not (conflict and not conflict["continued"])
    if editing:
        draw_editor(view, document)
    else:
        common.text_html(segment.target_text, placeholder="(no target yet)")
        if not can_edit:
            st.info("Enter your name under “Reviewer name” in the sidebar to edit segments."
                    if not auth.accounts_enabled()
                    else "Your account may not edit segments: its role does not include editing.")
    matches = memory.lookup(segment.source_text, exclude_segment=segment.id)
    hints = term_hints(segment.source_text, glossary, document.lang, document.target_lang)
    # One element for the blocks beside the editor: fewer elements make a save-and-next faster.
    # Checks (then spelling suggestions) and terms first: what a reviewer must see without scrolling.
    checks, rest = issues_html(view), (terms_html(hints) + memory_html(matches, segment.source_text)
                                       + machine_translation_html(view, model_ready))
    blocks = st.empty()
    blocks.html(checks + rest)
    misspelt = list(dict.fromkeys(m.word for m in speller.misspellings(view.checked_text))) if speller else []
    draw_accept_words(view, misspelt)
    draw_history(common.store().history(segment.id), segment, can_edit)
    signed = auth.actor()
    mine = draft(common.store(), signed.name, segment.id) if editing and signed else None

    def add_suggestions() -> None:
        if misspelt:
            blocks.html(checks + spelling_html(misspelt, speller.lang, can_edit=editing) + rest)

    return {
        "seg": segment.id, "version": segment.version, "can_edit": editing, "approve_status": approve_status(),
        "draft": {"version": mine.base_version, "text": mine.text} if mine else None,
        "editor": f".st-key-{_target_key(segment.id, segment.version)} textarea" if editing else None,
        "mt": view.usable_mt, "tm": [m.target_text for m in matches], "terms": [h.required for h in hints],
    }, add_suggestions


def translation_memory(store, source_lang: str, target_lang: str) -> TranslationMemory:
    """The direction's translation memory, built again only when the store's memory revision changes."""
    return _memory(store, str(store.path), source_lang, target_lang,
                   memory_revision(store, source_lang, target_lang))


@st.cache_resource(show_spinner=False, max_entries=8)
def _memory(_store, db_path: str, source_lang: str, target_lang: str, revision: tuple) -> TranslationMemory:
    # Every approved segment of the direction, across the corpus: read once per revision, not once per save.
    return TranslationMemory.from_store(_store, source_lang, target_lang)


@st.cache_resource(show_spinner=False, max_entries=64)
def _check_cache(db_path: str, document_id: int) -> dict:
    """The checks of one document's segments, shared by every session (keyed by segment version and text).

    Opening a 1,000-segment document would otherwise re-run every check for each new session (about 1 s).
    """
    return {}


# -- the page -----------------------------------------------------------------------------------
store = common.store()
glossary, glossary_problems = common.glossary()
st.html(PAGE_CSS)
st.title("Review")

# Labels only (one read of the documents table): the page costs the same whatever the corpus size.
by_id = document_list.document_choices(store)
if not by_id:
    st.info("No documents yet: import some on the Documents page.")
    st.stop()
if st.session_state["review_document"] not in by_id:
    gone = st.session_state["review_document"]
    st.session_state["review_document"] = next(iter(by_id))
    st.session_state["review_focus"] = None
    if gone is not None:  # archived (or never there): say so rather than switch documents without a word
        # In the open segment's notice slot, not above the page: nothing moves when it goes.
        st.session_state["review_notice"] = (
            "warning", f"Document {gone} is archived or no longer in the store, so it is not shown; showing "
                       f"{common.document_label(by_id[next(iter(by_id))])} instead. Its segments and their "
                       "history are kept in the store.")
document_column, status_column, check_column, search_column, flag_column, goto_column, keys_column = st.columns(
    [3.3, 1.8, 1.8, 1.9, 1.6, 1.1, 1.4], vertical_alignment="bottom")
document_id = document_column.selectbox("Document", list(by_id), key="review_document",
                                        format_func=lambda i: common.document_label(by_id[i]), on_change=_open,
                                        args=(None,))
statuses = status_column.multiselect("Status", STATUSES, key="review_statuses")
checks = check_column.multiselect("Checks", list(CHECKS), format_func=CHECKS.get, key="review_checks")
search = search_column.text_input("Search", key="review_search", placeholder="source and translations")
flagged_only = flag_column.toggle("Flagged only", key="review_flagged")
goto_column.number_input("Go to #", step=1, value=None, key="review_goto", on_change=_go_to,
                         placeholder="#")
with keys_column.popover("Keys", width="stretch", icon=":material/keyboard:"):
    st.markdown("\n".join(f"- **{common.escape_markdown(key)}** {common.escape_markdown(what)}"
                          for key, what in keys_for(auth.actor())))

if glossary_problems:
    st.warning(f"The glossary has {len(glossary_problems)} problem(s), so terms are not highlighted "
               "or checked; see the Glossary page.")


@st.fragment
def workspace(document_id: int, segment_filter: SegmentFilter) -> None:
    """The grid and the open segment: a save, a move or a click reruns only this part of the page."""
    if auth.accounts_enabled() and auth.account() is None:
        # Signed out while a key or a draft reran only this part (Streamlit may merge the two runs):
        # the whole page must run, and show the sign-in form.
        st.rerun(scope="app")
    store = common.store()
    glossary, _ = common.glossary()
    document = store.document(document_id)
    accepted = accepted_words()
    check_cache = _check_cache(str(store.path), document_id)
    views = segment_views(store, document_id, glossary, cache=check_cache, accepted_words=accepted)
    shown = segment_filter.apply(views)
    ordered = [v.segment.id for v in shown]
    st.session_state["_review_order"] = ordered
    st.session_state["_review_flagged_ids"] = {v.segment.id for v in shown if v.flagged}
    by_segment = {v.segment.id: v for v in views}
    st.session_state["_review_by_number"] = {v.segment.position + 1: v.segment.id for v in views}
    if st.session_state["review_focus"] not in by_segment or (
            ordered and st.session_state["review_focus"] not in ordered):
        st.session_state["review_focus"] = ordered[0] if ordered else None
        if ordered:
            st.session_state["review_page"] = 1
    focus = st.session_state["review_focus"]

    flagged = sum(1 for v in views if v.flagged)
    approved = sum(1 for v in views if v.segment.status == "approved")
    implausible = sum(1 for v in views if v.mt_problems)
    info = (f"{common.language_direction(document.lang, document.target_lang)} · "
            f"{common.kind_label(document.kind, document.mt_source_lang)} · {document.name}"
            + (f" · {document.date}" if document.date else "")
            + f" · showing {len(shown)} of {len(views)} · {flagged} flagged · {approved} approved")
    if implausible:
        info += f" · {implausible} machine translation(s) not plausible, not offered"
    if document.encoding == OCR_ENCODING:
        info += " · source text read by OCR from a scan: it may hold recognition errors"
    st.caption(common.escape_markdown(info))

    can_edit = auth.allowed("segment.save")  # a name (or account) whose role may edit
    pages = page_count(len(shown), GRID_PAGE_SIZE)
    if not isinstance(st.session_state["review_page"], int) or not 1 <= st.session_state["review_page"] <= pages:
        st.session_state["review_page"] = min(max(1, st.session_state["review_page"] or 1), pages)

    grid_column, panel_column = st.columns([11, 9], gap="small")
    with grid_column:
        if shown:
            # The checks' own checker: it remembers the texts it has seen, so the grid's underlines cost nothing.
            speller = check_cache.get("_speller") or SpellChecker(document.target_lang, glossary=glossary,
                                                                 accepted=accepted)
            st.html(grid_html(page_items(shown, st.session_state["review_page"], GRID_PAGE_SIZE), focus, speller))
        else:
            st.info("No segment matches these filters.")
        if pages > 1:
            st.pagination(pages, key="review_page")
    keys_data = {"doc": document_id, "seg": None, "version": None, "can_edit": False, "editor": None}
    with panel_column:
        add_suggestions = None
        if focus is not None:
            memory = translation_memory(store, document.lang, document.target_lang)
            panel_data, add_suggestions = draw_panel(
                by_segment[focus], document, glossary, memory, check_cache.get("_speller"), can_edit=can_edit,
                model_ready=common.model_available(pair_for_language(document.lang)))
            keys_data |= panel_data
        elif st.session_state["review_notice"]:
            draw_status_slot("")
        signed = auth.actor()
        keys_data["drafts"] = sorted(drafted_segments(store, signed.name, document_id)) if signed else []
        keys_data["account"] = signed.name if signed else ""  # whose unsent drafts this tab may show
        keys_data["refusals"] = st.session_state.get("_review_refusals", 0)
        _review_keys(data=keys_data, key="review_keys", on_action_change=_on_key_action)
    if add_suggestions is not None:
        add_suggestions()  # after the keyboard component: the editor has the cursor before the dictionary search
    common.set_url(doc=document_id, seg=focus)


workspace(document_id, SegmentFilter(tuple(statuses), flagged_only, tuple(checks), search))
