"""The layers of the code hold: import-linter's contracts (pyproject.toml) and no import cycle.

The contracts say that the library never imports streamlit, the UI sits on the library
and reaches the store and models only through it, `workbench.mt` knows nothing of the
pipeline, and the library's packages form layers (docs/architecture.md draws them).
On top, no module of `workbench` or `app_pages` takes part in an import cycle, not even
through an import inside a function.
"""

from __future__ import annotations

import os
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_linter_contracts_are_kept(capsys):
    from importlinter.cli import lint_imports

    previous = Path.cwd()
    os.chdir(REPO)
    try:
        status = lint_imports(config_filename=str(REPO / "pyproject.toml"), no_cache=True)
    finally:
        os.chdir(previous)
    output = capsys.readouterr().out
    assert status == 0, output
    assert "0 broken" in output and "kept" in output.lower()


def import_cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted; self-imports ignored."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for other in imports.get(module, ()):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in on_stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return groups


def test_the_cycle_finder_finds_cycles():
    assert import_cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert import_cycles({"a": {"b"}, "b": set(), "c": {"c"}}) == []


def test_no_module_takes_part_in_an_import_cycle():
    import grimp

    graph = grimp.build_graph("workbench", "app_pages", cache_dir=None)
    # Every import counts, a package's `__init__` importing its own submodules included: a
    # submodule that imports names back from its package's `__init__` is a cycle too (shared
    # types belong in a module of their own, as `documents/readers/extracted.py`).
    imports = {module: set(graph.find_modules_directly_imported_by(module)) for module in graph.modules}
    assert import_cycles(imports) == []


def test_the_architecture_page_names_every_package_and_module():
    """docs/architecture.md is the newcomer's map: a module it does not name is a module they cannot find."""
    page = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    missing = []
    for path in sorted((REPO / "workbench").rglob("*.py")):
        relative = path.relative_to(REPO / "workbench")
        if path.name in {"__init__.py", "__main__.py"}:
            continue
        name = path.stem if len(relative.parts) > 1 else path.name
        if f"`{name}`" not in page and f"`{name}" not in page and f"{name}`" not in page:
            missing.append(str(relative))
    for folder in sorted(p for p in (REPO / "workbench").iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        if f"`{folder.name}/`" not in page:
            missing.append(f"{folder.name}/")
    assert missing == []
