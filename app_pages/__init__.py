"""The reviewer UI: the Streamlit entry (`app.py`) and one module per page.

Pages only lay out widgets and show the library's answers (`workbench`); they
are run by Streamlit as scripts, so importing this package does nothing.
"""
