"""`/documents`, opened directly: the Documents page is the app's root page, so this hidden page sends there.

Without it a bookmarked or typed `/documents` showed Streamlit's "Page not found" dialog first.
"""

import streamlit as st

st.switch_page("app_pages/documents.py")
