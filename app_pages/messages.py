"""How the pages show a library's message: Markdown escaped, one wording for errors.

Apart from `common` so that `auth`, which `common` imports, can use it too.
"""

from __future__ import annotations

import streamlit as st


def escape_markdown(text: str) -> str:
    """Backslash-escape Markdown syntax so text shows literally in a Markdown element."""
    specials = "\\`*_{}[]()#+-.!|<>~$:"
    return "".join("\\" + ch if ch in specials else ch for ch in text or "")


def show_error(problem: Exception | str, prefix: str = "Error") -> None:
    """`prefix: message` in an error box, the message shown literally (file names hold `_`, `*`...)."""
    st.error(f"{prefix}: {escape_markdown(str(problem))}")
