"""Workspaces, `init`, `backup`/`restore`, `serve`, and the CLI's manners (usage, pipes, messages)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.config import ConfigError, default_db_path, default_glossary_path, find_workspace, resolve_checkpoint
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def outside(tmp_path, monkeypatch):
    """An empty folder outside any workspace, with no workspace variables set."""
    for name in ("WORKBENCH_HOME", "WORKBENCH_CONFIG", "WORKBENCH_DB", "WORKBENCH_GLOSSARY", "WORKBENCH_USERS"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    return folder


def test_init_creates_a_workspace_that_commands_below_it_use(outside, tmp_path, monkeypatch, capsys):
    team = tmp_path / "team"
    assert main(["init", str(team)]) == 0
    assert "created a workspace" in capsys.readouterr().out
    config = (team / "workbench.toml").read_text(encoding="utf-8")
    assert 'db = "data/workbench.db"' in config and "# users = " in config  # commented, every table present
    shipped = sorted(p.name for p in (REPO / "glossaries").glob("*.tsv"))
    assert sorted(p.name for p in (team / "glossaries").glob("*.tsv")) == shipped

    (team / "inbox").mkdir()
    monkeypatch.chdir(team / "inbox")  # a folder below the workspace
    assert find_workspace().root == team.resolve()
    assert default_db_path() == team.resolve() / "data" / "workbench.db"
    assert default_glossary_path() == team.resolve() / "glossaries"

    assert main(["init", str(team)]) == 1  # never over an existing workspace
    assert "a workspace is already there; nothing was changed" in capsys.readouterr().err


def test_workbench_home_names_the_workspace_from_anywhere(outside, tmp_path, monkeypatch):
    team = tmp_path / "team"
    main(["init", str(team)])
    monkeypatch.setenv("WORKBENCH_HOME", str(team))
    assert default_db_path() == team.resolve() / "data" / "workbench.db"
    monkeypatch.setenv("WORKBENCH_HOME", str(tmp_path / "nothing-here"))
    with pytest.raises(ConfigError, match="no workbench.toml there"):
        default_db_path()


def test_translate_from_another_folder_uses_the_workspace_store_and_glossary(
        outside, tmp_path, monkeypatch, seeds_dir, tiny_checkpoints, capsys):
    team = tmp_path / "team"
    main(["init", str(team)])
    monkeypatch.setenv("WORKBENCH_MODEL_VI_EN", str(tiny_checkpoints["vi-en"]))
    monkeypatch.chdir(team)
    code = main(["translate", str(seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"), "--beams", "1"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "note:" not in captured.err and "warning: no glossary" not in captured.err
    assert "glossary version:" in captured.out
    assert (team / "data" / "workbench.db").exists() and not (outside / "data").exists()


def test_outside_a_workspace_the_defaults_are_named_and_a_missing_glossary_warns(outside, seeds_dir, capsys):
    main(["translate", str(seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"), "--ingest-only"])
    err = capsys.readouterr().err
    assert f"note: no workbench.toml in {outside}" in err and "data/workbench.db" in err
    assert "glossaries (missing)" in err
    main(["translate", str(seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"),
          "--model", "vi-en=nowhere"])
    err = capsys.readouterr().err
    assert "warning: no glossary at glossaries: translating without terminology enforcement" in err
    assert "missing model: vi-en: cannot load checkpoint 'nowhere'" in err  # said once, in the user's words
    assert "model vi-en unavailable" not in err


@pytest.mark.parametrize("text, line, reason", [
    ('db = "x.db"\ndatabase = "y.db"\n', 2, "unknown setting 'database'"),
    ('db = "x.db"\n\n[translate]\nbeam = 4\n', 4, "unknown setting 'translate.beam'"),
    ('[translate]\nbeams = "four"\n', 2, "translate.beams must be a whole number"),
    ('[server]\nport = 8501\n[sever]\nport = 1\n', 3, "unknown table [sever]"),
    ('[models]\nvi-fr = "x"\n', 2, "unknown language pair 'vi-fr'"),
    ('[translate]\nengine = "marian"\n', 2, "translate.engine must be one of"),
])
def test_unknown_or_malformed_settings_are_errors_at_file_and_line(outside, text, line, reason, capsys):
    (outside / "workbench.toml").write_text(text, encoding="utf-8")
    assert main(["status"]) == 1
    err = capsys.readouterr().err
    assert f"Error: {outside / 'workbench.toml'}:{line}: {reason}" in err


def test_model_folders_in_the_workspace_are_relative_to_it_and_hub_ids_stay_ids(outside, monkeypatch):
    (outside / "models" / "vi-en").mkdir(parents=True)
    (outside / "workbench.toml").write_text('[models]\nvi-en = "models/vi-en"\nen-vi = "Org/opus-mt-en-vi"\n')
    monkeypatch.chdir(outside / "models")
    assert resolve_checkpoint("vi-en") == str(outside.resolve() / "models" / "vi-en")
    assert resolve_checkpoint("en-vi") == "Org/opus-mt-en-vi"
    assert resolve_checkpoint("vi-en", {"vi-en": "given"}) == "given"


@pytest.mark.parametrize("argv", [
    ["translate", "x", "--model", "vi-fr=some/dir"],
    ["align", "a.txt", "b.txt", "--model", "xx-yy=dir"],
    ["models", "list", "--model", "fr-en=dir"],
    ["serve", "--model", "vi=dir"],
])
def test_an_unknown_pair_is_a_usage_error_everywhere(outside, argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Error: --model" in err and ("unknown pair" in err or "expects PAIR=ID_OR_DIR" in err)


def test_models_list_takes_the_same_model_option(outside, tiny_checkpoints, capsys):
    assert main(["models", "list", "--model", f"vi-en={tiny_checkpoints['vi-en']}"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("vi-en"))
    assert str(tiny_checkpoints["vi-en"]) in line and "random weights" in line


def test_an_option_typo_shows_the_commands_own_usage(outside):
    done = subprocess.run([sys.executable, "-m", "workbench", "glossary", "report", "--jsn"], capture_output=True,
                          text=True, cwd=outside, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=120)
    assert done.returncode == 2
    assert done.stderr.startswith("usage: workbench glossary report")
    assert "error: unrecognized arguments: --jsn" in done.stderr
    done = subprocess.run([sys.executable, "-m", "workbench", "translate", "x", "--beams", "two"],
                          capture_output=True, text=True, cwd=outside, env=dict(os.environ, PYTHONPATH=str(REPO)),
                          timeout=120)
    assert "argument --beams: must be a whole number, got 'two'" in done.stderr
    assert "positive_int" not in done.stderr


def test_a_closed_pipe_ends_the_command_quietly(outside, seeds_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run([sys.executable, "-m", "workbench", "translate", str(seeds_dir), "--ingest-only"], cwd=outside,
                   env=env, capture_output=True, timeout=300, check=True)
    done = subprocess.run(f"{sys.executable} -m workbench status --json | head -1", shell=True, cwd=outside,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.stdout == "[\n"
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr


def test_backup_while_open_and_restore_keeps_the_replaced_store(outside, seeds_dir, capsys):
    db = outside / "data" / "workbench.db"
    main(["translate", str(seeds_dir), "--ingest-only"])
    with ReviewStore(db) as store:
        segment = store.segments(store.documents()[0].id)[0]
        store.save_target(segment.id, "approved text", "approved", reviewer="lan", expected_version=segment.version)
        # The backup is taken while this connection is open (the online backup API).
        assert main(["backup", str(outside)]) == 0
    backups = sorted(outside.glob("workbench-*.db"))
    assert len(backups) == 1
    with sqlite3.connect(backups[0]) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT target_text FROM segments WHERE id = ?", (segment.id,)).fetchone()[0] \
            == "approved text"
    assert main(["backup", str(backups[0])]) == 1  # never over an existing file
    capsys.readouterr()

    with ReviewStore(db) as store:  # work after the backup...
        now = store.segment(segment.id)
        store.save_target(segment.id, "later text", "approved", reviewer="lan", expected_version=now.version)
    assert main(["restore", str(backups[0])]) == 0 and "--yes" in capsys.readouterr().out  # says, does nothing
    with ReviewStore(db) as store:
        assert store.segment(segment.id).target_text == "later text"
    assert main(["restore", str(backups[0]), "--yes"]) == 0
    with ReviewStore(db) as store:
        assert store.segment(segment.id).target_text == "approved text"
    kept = list((outside / "data").glob("workbench.before-restore-*.db"))
    assert len(kept) == 1  # ...is kept, not lost
    with ReviewStore(kept[0]) as store:
        assert store.segment(segment.id).target_text == "later text"

    (outside / "junk.db").write_bytes(b"not a database at all" * 100)
    assert main(["restore", str(outside / "junk.db"), "--yes"]) == 1
    assert "not a workbench store" in capsys.readouterr().err


def test_serve_refuses_single_team_mode_beyond_this_machine(outside, capsys):
    assert main(["serve", "--address", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert "single-team mode" in err and "--allow-anyone" in err


def test_glossary_report_says_when_its_figures_come_from_random_weights(outside, seeds_dir, tiny_checkpoints, capsys):
    main(["translate", str(seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"), "--beams", "1",
          "--glossary", str(REPO / "glossaries"), "--model", f"vi-en={tiny_checkpoints['vi-en']}"])
    capsys.readouterr()
    assert main(["glossary", "report"]) == 0
    assert "come from a random-weight test model: these figures measure the terminology enforcement, not a " \
           "translation" in capsys.readouterr().out


def test_serve_applies_the_team_settings_and_hands_the_ui_its_workspace(outside, tmp_path, monkeypatch):
    from workbench.serving import server_environment, settings_from, streamlit_command

    team = tmp_path / "team"
    main(["init", str(team)])
    (team / "workbench.toml").write_text('db = "store.db"\n[server]\nport = 9000\nmax_upload_mb = 5\n')
    monkeypatch.chdir(team)
    settings = settings_from(None, None, None, team=True, models={"vi-en": str(team)})
    command = streamlit_command(settings)
    options = dict(zip(command[5::2], command[6::2], strict=True))
    assert command[4] == str(REPO / "app_pages" / "app.py")
    assert options["--server.address"] == "127.0.0.1" and options["--server.port"] == "9000"
    assert options["--server.maxUploadSize"] == "5" and options["--client.showErrorDetails"] == "none"
    assert streamlit_command(settings_from(None, None, 7, team=False))[-3] == "full"  # ui: one's own errors
    env = server_environment(settings)
    assert env["WORKBENCH_HOME"] == str(team.resolve()) and env["WORKBENCH_MODEL_VI_EN"] == str(team.resolve())


@pytest.mark.parametrize("command", ["serve", "ui"])
def test_serve_and_ui_start_the_app_and_serve_the_page(outside, tmp_path, command):
    """`workbench serve` / `ui` in a workspace: print the URL, answer the health check and the page."""
    from ui_support import free_port

    team = tmp_path / "team"
    assert main(["init", str(team)]) == 0
    port = free_port()
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("DISPLAY", None)
    server = subprocess.Popen([sys.executable, "-m", "workbench", command, "--port", str(port)], cwd=team, env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        first = server.stdout.readline()
        assert first.strip() == f"The workbench is at http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, server.stdout.read()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                    assert answer.read() == b"ok"
                    break
            except OSError:
                assert time.monotonic() < deadline, "serve did not answer within 120 s"
                time.sleep(0.5)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=30) as answer:
            assert answer.status == 200 and b"<div id=\"root\">" in answer.read()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=30)


def test_the_ui_names_a_broken_workspace_file_and_lets_nobody_in(outside, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from ui_support import APP

    (outside / "workbench.toml").write_text('db = "x.db"\nusers = "users.json"\nuser = "typo"\n')
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    shown = [e.value.replace("\\", "") for e in at.error]  # the page escapes Markdown
    assert len(shown) == 1
    assert shown[0].startswith(f"Error: {outside / 'workbench.toml'}:3: unknown setting 'user' (known: db, ")
    assert not at.text_input  # no page, no sign-in form, nothing to change


# -- opening the store: one rule (`workspace.open_review_store`) for the command line and the UI --

def test_the_command_line_creates_only_the_workspace_store_and_refuses_a_missing_named_one(
        outside, tmp_path, monkeypatch, capsys):
    team = tmp_path / "team"
    main(["init", str(team)])
    monkeypatch.chdir(team)
    store = team / "data" / "workbench.db"
    assert not store.exists()
    assert main(["status"]) == 0  # the workspace's own store: made on first use, empty
    assert store.exists()
    with ReviewStore(store) as opened:
        assert opened.documents() == []
    capsys.readouterr()

    typo = team / "data" / "workbenhc.db"
    assert main(["status", "--db", str(typo)]) == 1
    assert f"Error: no review store at {typo} (give --db FILE" in capsys.readouterr().err
    monkeypatch.setenv("WORKBENCH_DB", str(typo))
    assert main(["export", "--format", "tmx"]) == 1
    assert f"Error: no review store at {typo} (check WORKBENCH_DB" in capsys.readouterr().err
    assert not typo.exists()  # a typo never becomes an empty store
    monkeypatch.delenv("WORKBENCH_DB")

    monkeypatch.chdir(outside)  # outside any workspace the default is not made by a command that only reads
    assert main(["status"]) == 1
    assert "no review store at data/workbench.db (check the default outside any workspace" in capsys.readouterr().err
    assert not (outside / "data").exists()


def test_the_ui_follows_the_same_rule_for_a_missing_store(outside, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from ui_support import APP

    team = tmp_path / "team"
    main(["init", str(team)])
    monkeypatch.setenv("WORKBENCH_HOME", str(team))
    typo = team / "data" / "workbenhc.db"
    monkeypatch.setenv("WORKBENCH_DB", str(typo))
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    shown = [e.value.replace("\\", "") for e in at.error]  # the page escapes Markdown
    assert len(shown) == 1 and shown[0].startswith(f"Error: no review store at {typo} (check WORKBENCH_DB")
    assert not typo.exists()
    assert not at.text_input  # no page, nothing to change

    monkeypatch.delenv("WORKBENCH_DB")  # the workspace's own store: the UI makes it, as a command does
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert (team / "data" / "workbench.db").exists()
