"""Glossary page: browse and search entries, see them in the corpus, add, edit, delete."""

from pathlib import Path

import streamlit as st

from app_pages import auth, common
from workbench import actions
from workbench.errors import GlossaryError, WorkbenchError
from workbench.glossary import default_glossary_path
from workbench.glossary.editing import GlossaryChanged, GlossaryFile
from workbench.glossary.files import glossary_files
from workbench.review.views import fold_for_search, term_occurrences

NEW_ENTRY = "(new entry)"
COLUMN_HELP = {
    "id": "letters, digits and . _ : - ; unique across the glossary",
    "case_sensitive": "yes or no (default no)",
    "enforce": "yes or no (default yes): put the term into machine translations",
}


def _show_problems(title: str, problems) -> None:
    st.error(title)
    st.code("\n".join(p.location_message() for p in problems), language=None, wrap_lines=True)


def _open(path: Path) -> GlossaryFile | None:
    try:
        return GlossaryFile.open(path, scope=glossary_path)
    except WorkbenchError as exc:
        st.error(f"Error: {common.escape_markdown(str(exc))}")
        return None


store = common.store()
st.title("Glossary")
glossary_path = Path(default_glossary_path())
if not glossary_path.exists():
    st.info("No glossary is configured on this server yet; ask an administrator to set one up.")
    st.stop()
files, file_problems = glossary_files(glossary_path)
loaded, problems = common.glossary()
if problems or file_problems:
    _show_problems(f"The glossary has {len(problems or file_problems)} problem(s); it is not used until "
                   "they are fixed:", problems or file_problems)
if not files:
    st.stop()

chosen = st.selectbox("Glossary file", files, format_func=lambda p: p.name, key="glossary_choice")
editing: GlossaryFile | None = st.session_state["glossary_file"]
if editing is None or editing.path != chosen:
    editing = st.session_state["glossary_file"] = _open(chosen)
if editing is None:
    st.stop()
if st.button("Reload from disk", key="glossary_reload"):
    editing = st.session_state["glossary_file"] = _open(chosen)
    st.rerun()
if editing.changed_on_disk():
    st.warning(f"{common.escape_markdown(editing.path.name)} changed on disk since it was loaded "
               "here (someone else edited it). Saving is refused until you reload it.")

notice = st.session_state["glossary_notice"]
if notice:
    st.success(common.escape_markdown(notice))
    st.session_state["glossary_notice"] = None

search = st.text_input("Search entries (any column; accents optional)", key="glossary_search")
rows = editing.rows
if search.strip():
    needle = fold_for_search(search.strip())
    rows = [row for row in rows if needle in fold_for_search(" ".join(row.cells.values()))]
st.caption(f"{len(rows)} of {len(editing.rows)} entries in {common.escape_markdown(editing.path.name)}")
st.dataframe([{"line": row.line, **row.cells} for row in rows], hide_index=True, key="glossary_table")

ids = [row.id for row in rows]
if st.session_state["glossary_next_entry"] is not None:
    if st.session_state["glossary_next_entry"] in (NEW_ENTRY, *ids):
        st.session_state["glossary_entry"] = st.session_state["glossary_next_entry"]
    st.session_state["glossary_next_entry"] = None
if st.session_state.get("glossary_entry") not in (NEW_ENTRY, *ids):
    st.session_state["glossary_entry"] = NEW_ENTRY
entry_id = st.selectbox("Entry", [NEW_ENTRY, *ids], key="glossary_entry")
row = None if entry_id == NEW_ENTRY else editing.row(entry_id)

if row is not None and loaded is not None:
    st.subheader("In the corpus")
    found = term_occurrences(store, loaded, row.id)
    if found:
        st.dataframe([{"document": o.document_name, "segment": o.position + 1, "side": o.side,
                       "found": o.surface, "text": o.text} for o in found],
                     hide_index=True, key="glossary_occurrences")
    else:
        st.caption("No occurrence in the documents of the review store.")

st.subheader("Add an entry" if row is None else f"Edit {common.escape_markdown(entry_id)}", anchor=False)
form_id = f"{entry_id}_{editing.fingerprint.sha256[:12]}"
with st.form(f"glossary_form_{form_id}"):
    values = {}
    columns = st.columns(3)
    for index, column in enumerate(editing.columns):
        values[column] = columns[index % 3].text_input(
            column, value=row.cells.get(column, "") if row else "", key=f"glossary_{column}_{form_id}",
            help=COLUMN_HELP.get(column, "several forms separated by |" if "_" in column else None))
    refused = auth.refusal("glossary.write")
    save = st.form_submit_button("Save entry", type="primary", key=f"glossary_save_{form_id}",
                                 disabled=bool(refused), help=refused)
if row is not None:
    confirm = st.checkbox(f"Yes, delete the entry {common.escape_markdown(entry_id)}",
                          key=f"glossary_confirm_{form_id}")
    delete = st.button("Delete entry", key=f"glossary_delete_{form_id}", disabled=not confirm or bool(refused))
else:
    delete = False

if refused:
    st.caption(f"Read only: {common.escape_markdown(refused)}.")
if save or delete:
    try:
        if save:
            updated = actions.write_glossary_entry(auth.actor(), editing, values, replacing=row.id if row else None,
                                                   store=store)
            message = f"Saved {values.get('id') or 'the entry'} to {editing.path.name}."
        else:
            updated = actions.delete_glossary_entry(auth.actor(), editing, row.id, store=store)
            message = f"Deleted {row.id} from {editing.path.name}."
    except GlossaryChanged as exc:
        st.error(common.escape_markdown(str(exc)))
    except GlossaryError as exc:
        _show_problems("Not saved: the change would break the glossary.", exc.problems)
    except WorkbenchError as exc:
        st.error(f"Not saved: {common.escape_markdown(str(exc))}")
    else:
        st.session_state["glossary_file"] = updated
        st.session_state["glossary_notice"] = message
        st.session_state["glossary_next_entry"] = NEW_ENTRY if delete else values.get("id")
        st.rerun()
