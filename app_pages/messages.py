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


def show_problems(title: str, problems) -> None:
    """An error box, then the problems one per line as `file:line: message` (kept literal in a code block)."""
    st.error(title)
    st.code("\n".join(p.location_message() for p in problems), language=None, wrap_lines=True)


def show_glossary_write_error(exc: Exception, not_done: str, what: str) -> None:
    """A refused glossary write: changed on disk meanwhile, would break the glossary, or refused.

    `not_done` starts the message ("Not saved"), `what` names what was written ("the change").
    """
    from workbench.errors import GlossaryError
    from workbench.glossary.editing import GlossaryChanged

    if isinstance(exc, GlossaryChanged):
        st.error(escape_markdown(str(exc)))
    elif isinstance(exc, GlossaryError):
        show_problems(f"{not_done}: {what} would break the glossary.", exc.problems)
    else:
        show_error(exc, not_done)
