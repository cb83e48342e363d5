"""dashboard page (to come)."""
import streamlit as st

st.title("dashboard")
