"""Layout helpers shared by the pages: session state, the store, the glossary, banners.

Session state lives under the keys of `STATE_DEFAULTS`, initialised in one place
(`init_state`). Everything that came from a document, the glossary or a
reviewer reaches the page either as plain widget text or through `text_html`,
which escapes it (`workbench.text.escape_html`).
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import streamlit as st

from app_pages.messages import (  # noqa: F401 (pages call them as common.*)
    escape_markdown,
    show_error,
    show_glossary_write_error,
    show_problems,
)
from workbench.config import TARGET_LANGUAGE, default_db_path, pair_for_language
from workbench.errors import WorkbenchError
from workbench.mt.checkpoints import check_models
from workbench.review.store import ReviewStore
from workbench.review.views import RANDOM_WEIGHTS_LABEL
from workbench.text import escape_html, language_name
from workbench.workspace import open_review_store

STATE_DEFAULTS = {
    "reviewer": "",  # the reviewer's name, required before any change
    "review_document": None,  # document id shown on the review page
    "review_focus": None,  # segment id open in the editor
    "review_page": 1,  # page of the review grid
    "review_statuses": [],  # review filters
    "review_checks": [],
    "review_search": "",
    "review_flagged": False,
    "review_notice": None,  # (kind, message) shown once beside the open segment after a save
    "review_conflict": None,  # a refused stale save: segment id, both texts, whether continued
    "archive_pending": None,  # document id awaiting confirmation
    "import_report": None,  # the last upload's summary
    "glossary_file": None,  # workbench.glossary.editing.GlossaryFile being edited
    "glossary_notice": None,
    "glossary_next_entry": None,  # entry to select on the next run (after a save)
    "export_payload": None,  # the last prepared export: name, mime, data
    "align_session": None,  # workbench.alignment.editing.AlignmentSession
    "align_notice": None,
}

# Widget values kept while another page is shown (Streamlit drops the state of
# widgets that a run does not draw, unless it is written back).
PERSISTENT_WIDGETS = ("review_document", "review_page", "review_statuses", "review_checks",
                      "review_search", "review_flagged")

# What the URL carries (`?reviewer=Lan&doc=7&seg=12`), so that a reload or a shared link opens the
# same document and segment: query parameter -> (session key, type).
URL_STATE = {"reviewer": ("reviewer", str), "doc": ("review_document", int), "seg": ("review_focus", int)}


def init_state() -> None:
    """Create every session-state key the pages use, once per session."""
    for key, value in STATE_DEFAULTS.items():
        st.session_state.setdefault(key, list(value) if isinstance(value, list) else value)
    if "_url_applied" not in st.session_state:
        st.session_state["_url_applied"] = True
        read_url()
    for key in PERSISTENT_WIDGETS:
        st.session_state[key] = st.session_state[key]


def read_url() -> None:
    """Take reviewer, document and open segment from the URL (once per session: a load or reload)."""
    for parameter, (key, kind) in URL_STATE.items():
        value = st.query_params.get(parameter)
        if value in (None, ""):
            continue
        try:
            st.session_state[key] = kind(value)
        except ValueError:
            continue


def set_url(**values) -> None:
    """Write the given URL parameters (None removes one); unchanged ones are not rewritten."""
    for parameter, value in values.items():
        if value is None or value == "":
            if parameter in st.query_params:
                del st.query_params[parameter]
        elif st.query_params.get(parameter) != str(value):
            st.query_params[parameter] = str(value)


def run_page(page) -> None:
    """Run the chosen page; on a team server (no error details), an error shows the workbench's own message.

    With `client.showErrorDetails = "none"` (.streamlit/config.toml) Streamlit sends no traceback to the
    browser; the page then says what happened in words and the server's log keeps the traceback under
    a reference. Elsewhere (development, tests) the error is raised as it is.
    """
    try:
        page.run()
    except Exception:
        if str(st.get_option("client.showErrorDetails")).lower() not in ("none", "false"):
            raise
        import logging
        import secrets

        reference = secrets.token_hex(4)
        logging.getLogger("workbench.app").exception("page error, reference %s", reference)
        st.error(f"The workbench hit an unexpected error on this page (reference {reference}). What was "
                 "saved before stays saved. Try again; if it happens again, give the reference to whoever "
                 "runs the server: its log has the details.")


def store() -> ReviewStore:
    """The review store (`WORKBENCH_DB`, else the workspace's `db`), opened for this run.

    Each script run gets its own connection: Streamlit may start a new run on a
    new thread while the interrupted one is still winding down, and two threads
    must never share one SQLite transaction. Whether a missing store is created is
    `workspace.open_review_store`'s rule, the same as the command line's.
    """
    try:  # a workbench.toml edited into an error while the UI runs is named, file:line
        path = str(Path(default_db_path()).resolve())
    except WorkbenchError as exc:
        st.error(f"Error: {escape_markdown(str(exc))}")
        st.stop()
    opened = st.session_state.get("_store")
    run = threading.get_ident()
    if opened is None or opened[:2] != (path, run):
        try:
            opened_store = open_review_store(check_once=True)
            st.session_state["_store"] = (path, run, opened_store)
        except WorkbenchError as exc:
            show_error(exc)
            st.stop()
    return st.session_state["_store"][2]


def _glossary_key() -> tuple:
    from workbench.glossary import default_glossary_path
    from workbench.glossary.files import glossary_files

    path = Path(default_glossary_path())
    if not path.exists():
        return (str(path),)
    files, _ = glossary_files(path)
    return (str(path.resolve()),) + tuple(
        (str(f), f.stat().st_mtime_ns, f.stat().st_size) for f in files)


@st.cache_resource(show_spinner=False, max_entries=4)
def _read_glossary(key: tuple):
    from workbench.glossary import read_glossary

    path = Path(key[0])
    if not path.exists():
        return None, []
    return read_glossary(path)


def glossary():
    """The glossary in use (None if absent or broken) and its problems."""
    return _read_glossary(_glossary_key())


def reviewer() -> str:
    """The signed-in account (with a users file), else the name entered in the sidebar ("" when none)."""
    from app_pages import auth

    signed_in = auth.account()
    if signed_in is not None:
        return signed_in.name  # never a typed name: the history must name the account
    return (st.session_state.get("reviewer") or "").strip()


def sidebar() -> None:
    """Reviewer name and where the store is, on every page."""
    with st.sidebar:
        from app_pages import auth

        st.text_input("Reviewer name", key="reviewer", max_chars=80, disabled=auth.accounts_enabled(),
                      help="Required before editing; stored with every change.")
        # The file name only: the server's folders are no business of the page.
        st.caption(f"Review store: {escape_markdown(Path(str(store().path)).name)}")
    # With accounts the session, not the URL, says who acts: a shared link carries no name.
    set_url(reviewer=None if auth.accounts_enabled() else reviewer() or None)


@st.cache_data(ttl=15, show_spinner=False)
def _model_statuses(pairs: tuple[str, ...] | None, settings: tuple) -> list:
    # `settings` (the model variables) is only part of the cache key: a changed setting is seen at once.
    return check_models(list(pairs) if pairs else None)


def model_statuses(pairs=None) -> list:
    """Which checkpoints are present (`check_models`), looked up at most every 15 s (it reads the disk)."""
    settings = tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("WORKBENCH_")))
    return _model_statuses(tuple(pairs) if pairs else None, settings)


def model_available(pair: str) -> bool:
    """True when the checkpoint of `pair` is present."""
    return model_statuses([pair])[0].available


def model_banner() -> None:
    """Say which translation models are missing or are random-weight test models."""
    languages = {row.lang for row in store().documents()}
    pairs = [pair_for_language(lang) for lang in sorted(languages) if lang in TARGET_LANGUAGE]
    statuses = model_statuses(pairs or None)
    missing = [s for s in statuses if not s.available]
    if missing:
        names = ", ".join(f"{s.pair} (`{(s.checkpoint or 'none').replace('`', '')}`)" for s in missing)
        st.warning(
            f"Missing translation model{'s' if len(missing) > 1 else ''}: {names}. "
            "Their documents have no machine translation; translate by hand with the glossary and "
            "the translation memory. An administrator can install the model on the server.",
            icon=":material/warning:")
    tests = [s.pair for s in statuses if s.available and s.random_weights]
    if tests:
        st.info(f"{', '.join(tests)}: {RANDOM_WEIGHTS_LABEL}. Its output is noise.",
                icon=":material/science:")


def text_html(text: str | None, *, style: str = "", placeholder: str = "") -> None:
    """Show text (escaped) in a block that keeps its line breaks."""
    if text is None or text == "":
        st.html(f'<div style="color:#888;font-style:italic">{escape_html(placeholder)}</div>')
        return
    st.html(f'<div style="white-space:pre-wrap;{style}">{escape_html(text)}</div>')


def documents_or_stop(store: ReviewStore) -> dict:
    """The store's document summaries by id; with none, say where to import and stop the page."""
    summaries = store.document_summaries()
    if not summaries:
        st.info("No documents yet: import some on the Documents page.")
        st.stop()
    return {s["id"]: s for s in summaries}


def document_label(summary) -> str:
    """A one-line, plain-text label for a document (title or file name, languages)."""
    title = summary["title"] or summary["name"]
    if len(title) > 90:
        title = title[:87] + "..."
    return f"{summary['id']}: {title} ({summary['lang']}→{summary['target_lang']})"


def language_direction(lang: str, target_lang: str) -> str:
    """'Vietnamese → English'."""
    return f"{language_name(lang)} → {language_name(target_lang)}"


def kind_label(kind: str, mt_source_lang: str | None) -> str:
    """'original' or 'machine translation of Chinese'."""
    if kind == "machine_translation":
        return f"machine translation of {language_name(mt_source_lang)}"
    return "original"


def glossary_row_inputs(columns, cells: dict, *, key_of, help_of=lambda column: None) -> dict[str, str]:
    """One text input per glossary column, three to a row, filled from `cells`; the values, by column.

    `key_of(column)` and `help_of(column)` give each input its widget key and hover help.
    """
    values = {}
    layout = st.columns(3)
    for index, column in enumerate(columns):
        values[column] = layout[index % 3].text_input(column, value=cells.get(column, ""), key=key_of(column),
                                                      help=help_of(column))
    return values


def local_time(stamp: str | None) -> str:
    """A stored UTC time ("2026-12-05T12:50:52+00:00") in the browser's time zone, to the minute."""
    from datetime import datetime
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not stamp:
        return ""
    try:
        moment = datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    zone_name = st.context.timezone
    try:
        zone = ZoneInfo(zone_name) if zone_name else None
    except (ZoneInfoNotFoundError, ValueError):
        zone = None
    local = moment.astimezone(zone) if zone else moment
    return local.strftime("%Y-%m-%d %H:%M ") + (local.tzname() or "UTC")
