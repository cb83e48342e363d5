"""The reviewer workbench: `streamlit run app.py`.

Navigation only. Each page lays out widgets and calls the `workbench` library,
on the same review store as the batch script (`WORKBENCH_DB`, `db` in
`workbench.toml`, else data/workbench.db).
"""

import streamlit as st

from app_pages import auth, common

st.set_page_config(page_title="Translation workbench", page_icon=":material/translate:", layout="wide")
common.init_state()
page = st.navigation([
    st.Page("app_pages/documents.py", title="Documents", icon=":material/description:", default=True,
            url_path="home"),
    st.Page("app_pages/documents_link.py", title="Documents", url_path="documents", visibility="hidden"),
    st.Page("app_pages/review.py", title="Review", icon=":material/edit_note:"),
    st.Page("app_pages/glossary.py", title="Glossary", icon=":material/menu_book:"),
    st.Page("app_pages/terms.py", title="Terms", icon=":material/manage_search:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    st.Page("app_pages/align.py", title="Align", icon=":material/compare_arrows:"),
    st.Page("app_pages/dashboard.py", title="Quality", icon=":material/monitoring:", url_path="quality"),
])
auth.require_sign_in(common.store())  # with a users file: the sign-in form until a session is presented
common.sidebar()
auth.sidebar(common.store())
common.model_banner()
common.run_page(page)
