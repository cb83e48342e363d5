"""Nothing hidden, nothing lost: missing work is reported, limits hold, read-only stores read.

Also runs bench/reliability.py with small counts and checks its figures: no save lost,
every refusal a conflict, no segment translated twice, an intact store after kill -9.
Tests that need a user without write access run the command as `nobody` when the test
runs as root (root may write anywhere), through `setpriv`.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.exchange import export_xliff, import_xliff
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent
BENCH = REPO / "bench" / "reliability.py"
VIETNAMESE = "Bộ đội Biên phòng tỉnh Quảng Ninh tổ chức hội nghị tổng kết phong trào thi đua.\n"
NOBODY = 65534


def _unprivileged_prefix() -> list[str]:
    if os.geteuid() != 0:
        return []
    if shutil.which("setpriv") is None:
        pytest.skip("runs as root without setpriv: cannot act as a user without write access")
    return ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


@pytest.fixture
def shared_folder():
    """A folder that the unprivileged user can enter (pytest's tmp_path is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="workbench-reliability-"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def run_unprivileged(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    """`python -m workbench ARGS` as a user who cannot write what root (or we) made read-only."""
    env = dict(os.environ, PYTHONPATH=str(REPO), HOME=str(cwd))
    return subprocess.run([*_unprivileged_prefix(), sys.executable, "-m", "workbench", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


# -- item 7: silently missing work ----------------------------------------------------------
def test_an_unreadable_sub_folder_is_reported_and_fails_the_run(shared_folder):
    docs = shared_folder / "docs"
    (docs / "locked").mkdir(parents=True)
    (docs / "ok.txt").write_text(VIETNAMESE, encoding="utf-8")
    (docs / "locked" / "hidden.txt").write_text(VIETNAMESE.replace("Quảng Ninh", "Lạng Sơn"), encoding="utf-8")
    for path in (docs, docs / "ok.txt"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    (docs / "locked").chmod(0)
    writable = shared_folder / "out"
    writable.mkdir()
    writable.chmod(0o777)
    result = run_unprivileged("translate", str(docs), "--db", str(writable / "s.db"), "--ingest-only",
                              cwd=writable)
    assert result.returncode == 1, result.stderr
    assert f"failed: {docs / 'locked'}: cannot read this folder (Permission denied)" in result.stderr
    assert "documents: 1 " in result.stdout  # the readable document is still imported


def test_an_empty_folder_and_a_fifo_are_named(tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    assert main(["translate", str(empty), str(fifo), "--db", str(tmp_path / "s.db"), "--ingest-only"]) == 1
    err = capsys.readouterr().err
    assert f"failed: {empty}: no document files (" in err and "in this folder or below it" in err
    assert f"failed: {fifo}: a named pipe (FIFO), not a document file" in err
    assert "no such file" not in err


def test_a_fifo_inside_a_folder_is_named_and_the_rest_is_read(tmp_path, capsys):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "ok.txt").write_text(VIETNAMESE, encoding="utf-8")
    os.mkfifo(tmp_path / "docs" / "stream.txt")
    assert main(["translate", str(tmp_path / "docs"), "--db", str(tmp_path / "s.db"), "--ingest-only"]) == 1
    captured = capsys.readouterr()
    assert "stream.txt: a named pipe (FIFO), not a document file; left out" in captured.err
    assert "documents: 1 " in captured.out


# -- item 8: limits ---------------------------------------------------------------------------
def test_a_read_only_store_can_be_read(shared_folder):
    db = shared_folder / "store.db"
    assert main(["translate", str(REPO / "seeds"), "--db", str(db), "--ingest-only"]) == 0
    db.chmod(0o644)
    shared_folder.chmod(0o555)  # neither the file nor its folder writable for `nobody`
    status = run_unprivileged("status", "--db", str(db), cwd=Path("/"))
    assert status.returncode == 0, status.stderr
    assert "004_vi_lang-son-party-committee-border-guard-2013.txt" in status.stdout
    export = run_unprivileged("export", "--format", "jsonl", "--all-statuses", "--db", str(db), cwd=Path("/"))
    assert export.returncode == 0, export.stderr
    writing = run_unprivileged("translate", str(REPO / "seeds"), "--db", str(db), "--ingest-only", cwd=Path("/"))
    assert writing.returncode == 1 and "opened read-only" in writing.stderr
    assert "attempt to write a readonly database" not in status.stderr + export.stderr + writing.stderr


def test_a_read_only_store_that_needs_an_upgrade_says_so(shared_folder):
    import sqlite3

    from workbench.review.store import MIGRATIONS

    db = shared_folder / "old.db"
    old = sqlite3.connect(db)
    old.executescript(MIGRATIONS[0])
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    db.chmod(0o444)
    result = run_unprivileged("status", "--db", str(db), cwd=Path("/"))
    assert result.returncode == 1
    assert "needs an upgrade (schema 1 ->" in result.stderr and "read-only here" in result.stderr


def test_an_oversized_xliff_file_is_refused_before_it_is_parsed(tmp_path, monkeypatch, capsys):
    import workbench.exchange.xliff as xliff

    monkeypatch.setattr(xliff, "MAX_XLIFF_BYTES", 1000)
    db = tmp_path / "s.db"
    assert main(["translate", str(REPO / "seeds"), "--db", str(db), "--ingest-only"]) == 0
    big = tmp_path / "big.xlf"
    big.write_bytes(b"<xliff>" + b" " * 5000 + b"</xliff>")
    assert main(["import-xliff", str(big), "--reviewer", "lan", "--db", str(db)]) == 1
    err = capsys.readouterr().err
    assert f"{big}: the file is 0.0 MiB, above the 0 MiB limit of one XLIFF import" in err
    assert "nothing was imported" in err


def test_an_800000_character_line_is_split_and_flagged():
    line = ("từ biên giới đến bờ biển " * 40000)[:800000]
    document = parse_document(("Đồn Biên phòng họp.\n" + line + "\n").encode(), path="long.txt")
    segments = segment_document(document)
    long_ones = [s for s in segments if s.forced_split]
    assert len(long_ones) >= 800 and max(len(s.text) for s in segments) <= 1000
    assert " ".join(s.text for s in long_ones) == line.strip()
    assert document.warnings == ["long.txt:2: a sentence of 799,999 characters has no sentence end within "
                                 f"1,000; split into {len(long_ones)} segments for translation"]


def test_control_characters_do_not_block_an_xliff_round_trip(tmp_path):
    # A few stray controls in a real text (more would make it a binary file).
    raw = ("Bộ đội\x07 Biên phòng tuần tra dọc tuyến biên giới của tỉnh trong suốt mùa mưa năm nay. "
           + "Lực lượng dân quân cùng tham gia tuần tra với bộ đội trên các đường mòn. " * 3
           + "\x1b Đồn\x0bgiữ vững đường biên.\n").encode()
    with ReviewStore(tmp_path / "s.db") as store:
        document = parse_document(raw, path=str(tmp_path / "ctl.txt"))
        result = store.upsert_document(document, segment_document(document), target_lang="en")
        for segment in store.segments(result.document_id):
            store.save_target(segment.id, "Patrols.", "translated", reviewer="lan", expected_version=1)
        exported = export_xliff(store)
        imported = import_xliff(store, exported.replace(b">Patrols.<", b">Patrols held.<"), reviewer="minh")
    assert imported.skipped == []
    assert len(imported.updated) == len(segment_document(document)) == 6


# -- bench/reliability.py with small counts ---------------------------------------------------
def run_bench(*args: str) -> list[dict]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, str(BENCH), "--json", *args], capture_output=True, text=True,
                          env=env, timeout=900, cwd=REPO)
    assert done.returncode == 0, done.stderr[-3000:]
    return {result["scenario"]: result for result in json.loads(done.stdout)}


def test_bench_store_scenarios_lose_nothing():
    results = run_bench("--scenarios", "first-open,reviewers", "--reviewers", "4", "--saves", "40",
                        "--open-trials", "2")
    opened = results["first-open"]
    assert (opened["attempted"], opened["errors"]) == (8, 0), opened["error_samples"]
    saves = results["reviewers"]
    assert saves["attempted"] == 160 and saves["saved"] + saves["conflicts"] == 160
    assert (saves["errors"], saves["lost"], saves["wrong_return"], saves["inconsistent"]) == (0, 0, 0, 0)
    assert saves["unexplained_history"] == 0 and saves["integrity"] == "ok"


@pytest.mark.slow
def test_bench_batches_translate_each_segment_once(tiny_checkpoints, tmp_path):
    # The small case of the benchmark: two batches at once share the work. The full run (reviewers
    # beside a batch, killed batches) is `python bench/reliability.py`, figures in docs/benchmarks.md.
    checkpoints = tmp_path / "checkpoints"
    checkpoints.mkdir()
    for pair in ("vi-en", "en-vi"):
        (checkpoints / pair).symlink_to(tiny_checkpoints[pair], target_is_directory=True)
    results = run_bench("--scenarios", "two-batches", "--copies", "1", "--checkpoints", str(checkpoints))
    for name in ("two-batches",):
        result = results[name]
        assert result["integrity"] == "ok", result
        assert result["untranslated"] == 0, result
        assert result["translation_rows"] == result["distinct_sources"], result
    assert results["two-batches"]["translated_twice"] == 0, results["two-batches"]


def test_the_bench_refuses_an_unknown_scenario():
    done = subprocess.run([sys.executable, str(BENCH), "--scenarios", "sideways"], capture_output=True,
                          text=True, env=dict(os.environ, PYTHONPATH=str(REPO)), timeout=60)
    assert done.returncode == 2 and "unknown scenario(s) ['sideways']" in done.stderr


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# -- item 1: the Review page keeps a refused text and offers it where it belongs -------------------
def test_the_review_page_refuses_a_save_onto_a_retired_segment_and_offers_the_text(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest
    from ui_support import APP

    from workbench.pipeline import BatchOptions, run_batch

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_USERS", raising=False)
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "none.toml"))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(tmp_path / "no-glossary"))
    db = tmp_path / "data" / "workbench.db"
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    document = tmp_path / "bao-cao.txt"
    document.write_text("Sáng nay, Đảng ủy họp bàn công tác biên phòng.\nBộ đội tuần tra.\n", encoding="utf-8")
    with ReviewStore(db) as store:
        run_batch([document], store, BatchOptions(translate=False))
        opened = store.segments(store.documents()[0].id)[0]
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.switch_page("app_pages/review.py").run()
    at.text_input(key="reviewer").input("Lan").run()
    assert at.session_state["review_focus"] == opened.id
    at.text_area(key=f"target_{opened.id}_1").input("This morning the Party committee met.")

    # Meanwhile the file changes on disk and is imported again: the open segment is retired.
    document.write_text("Chiều nay, Đảng ủy họp bàn công tác biên phòng.\nBộ đội tuần tra.\n", encoding="utf-8")
    with ReviewStore(db) as store:
        run_batch([document], store, BatchOptions(translate=False))
        successor = store.segments(store.documents()[0].id)[0]
    at.button(key=f"save_{opened.id}_1").click().run()
    assert not at.exception, [e.value for e in at.exception]
    from ui_support import review_notices

    refused = " ".join(review_notices(at))  # the Review page's notice slot
    assert "was retired" in refused and "This morning the Party committee met." in refused
    assert at.session_state["review_focus"] == successor.id
    assert at.text_area(key=f"target_{successor.id}_1").value == "This morning the Party committee met."
    with ReviewStore(db) as store:
        assert store.history(opened.id) == [] and store.segment(successor.id).target_text is None
