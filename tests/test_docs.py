"""The documentation stays true: the CLI page is the parser's, every setting is documented, the README's
commands are the ones CI runs, its links lead somewhere, and the package lists every package folder."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
README = (REPO / "README.md").read_text(encoding="utf-8")


def test_the_cli_page_is_what_the_parser_says():
    from workbench.cli.reference import render

    assert (REPO / "docs" / "cli.md").read_text(encoding="utf-8") == render(), \
        "docs/cli.md is out of date: python -m workbench.cli.reference > docs/cli.md"


def test_every_command_and_option_is_on_the_cli_page():
    from workbench.cli import build_parser, iter_parsers

    page = (REPO / "docs" / "cli.md").read_text(encoding="utf-8")
    for words, parser in iter_parsers(build_parser()):
        assert f"## workbench{''.join(' ' + w for w in words)}\n" in page
        for action in parser._actions:
            for option in action.option_strings:
                assert option in page, (words, option)


def test_every_setting_is_on_the_configuration_page():
    from workbench.config import DEFAULT_CHECKPOINTS, SETTINGS, model_env_var

    page = (REPO / "docs" / "configuration.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.key}`" in page, setting.key
        if setting.env:
            assert f"`{setting.env}`" in page, setting.env
        if setting.option:
            assert setting.option.split()[-1] in page, setting.option
    for pair in DEFAULT_CHECKPOINTS:
        assert f"models.{pair}" in page and model_env_var(pair) in page


def test_the_readme_has_two_commands_and_ci_runs_the_test_command_verbatim():
    commands = re.findall(r"^    (python3 -m venv .*)$", README, flags=re.MULTILINE)
    assert len(commands) == 2
    main_job, tests = commands
    assert main_job.endswith("workbench translate seeds/") and tests.endswith("python -m pytest")
    assert "-r requirements.txt" in main_job and "-r requirements.txt" in tests
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert tests in ci.splitlines()
    assert "apt-get install -y -qq chromium" in ci
    requirements = (REPO / "requirements.txt").read_text(encoding="utf-8")
    assert "-e .[" in requirements  # the commands install the package itself (pip install -e)


def test_the_readme_links_to_files_that_exist():
    owned_by_others = {"accounts.md", "reviewing.md", "term-enforcement.md", "reliability.md", "scale.md"}
    for target in re.findall(r"\]\(((?:docs/)[^)#]+)", README):
        if Path(target).name not in owned_by_others:  # written by other work on the same release
            assert (REPO / target).exists(), target


def test_the_package_lists_every_package_folder_and_ships_the_app():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(REPO).parts) for p in (REPO / "workbench").rglob("__init__.py")}
    found |= {"app_pages"}
    assert found <= listed, sorted(found - listed)
    data = config["tool"]["setuptools"]["package-data"]
    assert "*.js" in data["app_pages"] and ".streamlit/*.toml" in data["app_pages"]
    assert config["project"]["scripts"]["workbench"] == "workbench.cli:main"
    assert set(config["project"]["optional-dependencies"]) >= {"ray", "test"}
    # Every runtime dependency pinned.
    assert all("==" in requirement for requirement in config["project"]["dependencies"])
