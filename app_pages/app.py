"""The reviewer workbench's Streamlit entry: `workbench ui` (or `streamlit run app.py` in a checkout).

Navigation only. Each page lays out widgets and calls the `workbench` library,
on the same review store as the batch script (the workspace's `db`, or
WORKBENCH_DB). Page paths are absolute, so the app runs the same from the
installed package and from the checkout's `app.py`.
"""

from pathlib import Path

import streamlit as st

from app_pages import auth, common
from workbench.config import workspace
from workbench.errors import WorkbenchError

PAGES = Path(__file__).resolve().parent


def main() -> None:
    """Lay out the navigation and run the chosen page."""
    st.set_page_config(page_title="Translation workbench", page_icon=":material/translate:", layout="wide")
    try:  # a broken workbench.toml stops every page with its file:line, before anyone is let in
        workspace()
    except WorkbenchError as exc:
        st.error(f"Error: {common.escape_markdown(str(exc))}")
        st.stop()
    common.init_state()
    page = st.navigation([
        st.Page(PAGES / "documents.py", title="Documents", icon=":material/description:", default=True,
                url_path="home"),
        st.Page(PAGES / "documents_link.py", title="Documents", url_path="documents", visibility="hidden"),
        st.Page(PAGES / "review.py", title="Review", icon=":material/edit_note:"),
        st.Page(PAGES / "glossary.py", title="Glossary", icon=":material/menu_book:"),
        st.Page(PAGES / "terms.py", title="Terms", icon=":material/manage_search:"),
        st.Page(PAGES / "export.py", title="Export", icon=":material/download:"),
        st.Page(PAGES / "align.py", title="Align", icon=":material/compare_arrows:"),
        st.Page(PAGES / "dashboard.py", title="Quality", icon=":material/monitoring:", url_path="quality"),
    ])
    auth.require_sign_in(common.store())  # with a users file: the sign-in form until a session is presented
    common.sidebar()
    auth.sidebar(common.store())
    common.model_banner()
    common.run_page(page)


if __name__ == "__main__":
    main()
