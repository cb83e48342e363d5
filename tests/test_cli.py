"""The batch script end to end: `python -m workbench translate | status | models`."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.review.store import ReviewStore


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    """Run in an empty folder: no glossaries/, no config file, a private default store."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def model_options(checkpoints):
    return ["--model", f"vi-en={checkpoints['vi-en']}", "--model", f"en-vi={checkpoints['en-vi']}"]


def test_translate_seeds_then_nothing_left_to_do(workdir, seeds_dir, tiny_checkpoints, capsys):
    db = str(workdir / "review.db")
    assert main(["translate", str(seeds_dir), "--db", db, "--beams", "1", *model_options(tiny_checkpoints)]) == 0
    out = capsys.readouterr().out
    assert "documents: 5 (5 new or changed), segments: 86, translated: 86" in out
    with ReviewStore(db) as store:
        summaries = store.document_summaries()
        assert len(summaries) == 5
        assert all(s["translated"] == s["segments"] > 0 for s in summaries)
        kinds = {s["name"][:3]: (s["lang"], s["kind"]) for s in summaries}
        assert kinds["000"] == ("en", "machine_translation") and kinds["002"] == ("vi", "original")
        segment = store.segments(summaries[2]["id"])[1]
        assert segment.checkpoint == str(tiny_checkpoints["vi-en"]) and segment.random_weights

    assert main(["translate", str(seeds_dir), "--db", db, "--beams", "1", *model_options(tiny_checkpoints)]) == 0
    out = capsys.readouterr().out
    assert "translated: 0, reused from cache: 0, already done: 86" in out
    with ReviewStore(db) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5
        assert store.conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0] <= 86


def test_offline_run_stores_everything_and_names_missing_models(workdir, seeds_dir, capsys):
    assert main(["translate", str(seeds_dir)]) == 0
    captured = capsys.readouterr()
    assert "documents: 5 (5 new or changed), segments: 86, translated: 0" in captured.out
    assert "untranslated (model missing): 86" in captured.out
    missing = [line for line in captured.err.splitlines() if line.startswith("missing model:")]
    assert len(missing) == 2
    assert any("'Helsinki-NLP/opus-mt-vi-en'" in line and "models pull vi-en" in line for line in missing)
    assert "Traceback" not in captured.err
    # The default store location is data/workbench.db in the working directory.
    assert (workdir / "data" / "workbench.db").exists()


def test_a_bad_file_is_reported_and_the_others_go_on(workdir, seeds_dir, tiny_checkpoints, capsys):
    folder = workdir / "docs"
    folder.mkdir()
    shutil.copy(seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt", folder)
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    (folder / "empty.txt").write_bytes(b"")
    code = main(["translate", str(folder), "--db", "r.db", *model_options(tiny_checkpoints)])
    captured = capsys.readouterr()
    assert code == 1
    assert f"failed: {folder / 'broken.txt'}: binary file" in captured.err
    assert f"failed: {folder / 'empty.txt'}: file is empty" in captured.err
    assert "documents: 1 (1 new or changed), segments: 8, translated: 8" in captured.out
    assert "failed: 2" in captured.out


@pytest.mark.parametrize("argv, code, message", [
    (["translate", "nowhere/"], 1, "failed: nowhere: no such file or folder"),
    (["translate", ".", "--model", "vi-en"], 2, "Error: --model expects PAIR=ID_OR_DIR"),
    (["models", "pull", "xx-yy"], 2, "Error: unknown pair 'xx-yy'"),
    (["status", "--db", "typo.db"], 1, "Error: no review store at typo.db"),
    (["glossary", "report", "--db", "typo.db"], 1, "Error: no review store at typo.db"),
    (["export", "--format", "tmx", "--db", "typo.db"], 1, "Error: no review store at typo.db"),
])
def test_usage_errors_are_one_clear_line(workdir, argv, code, message, capsys):
    assert main(argv) == code
    # Outside a workspace a note names the defaults and a translation without glossary warns
    # (tests/test_workspace.py); the failure itself is one line.
    lines = [line for line in capsys.readouterr().err.strip().splitlines()
             if not line.startswith(("note: no workbench.toml", "warning: no glossary"))]
    assert len(lines) == 1 and message in lines[0]
    assert not (workdir / "typo.db").exists()


def test_status_json(workdir, seeds_dir, tiny_checkpoints, capsys):
    main(["translate", str(seeds_dir / "004_vi_lang-son-party-committee-border-guard-2013.txt"),
          "--db", "s.db", *model_options(tiny_checkpoints)])
    capsys.readouterr()
    assert main(["status", "--db", "s.db", "--json"]) == 0
    (item,) = json.loads(capsys.readouterr().out)
    assert item["path"].endswith("004_vi_lang-son-party-committee-border-guard-2013.txt")
    assert (item["lang"], item["segments"], item["translated"]) == ("vi", 18, 18)
    assert item["statuses"]["new"] == 18


def test_models_pull_offline_fails_clearly(workdir, capsys):
    assert main(["models", "pull", "vi-en"]) == 1
    assert "Error: vi-en: no connection to the model hub (HF_HUB_OFFLINE is set)" in capsys.readouterr().err


def test_module_entry_point_runs(workdir):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    assert main(["translate", "--ingest-only", str(workdir), "--db", "x.db"]) == 1  # nothing in it
    result = subprocess.run([sys.executable, "-m", "workbench", "status", "--db", "x.db"],
                            capture_output=True, text=True, env=env)
    assert result.returncode == 0
    assert "holds no documents yet" in result.stdout


@pytest.mark.parametrize("engine", ["ctranslate2", "transformers"])
def test_a_model_with_few_positions_translates_a_long_document_with_terms(workdir, seeds_dir, engine,
                                                                         tmp_path_factory, capsys):
    """Random weights run until the length limit; every decoding call, term placement included, must fit."""
    from conftest import seed_texts

    from workbench.mt.random_checkpoint import build_random_marian

    checkpoint = build_random_marian(tmp_path_factory.mktemp(f"positions-{engine}") / "vi-en", seed_texts("vi"),
                                     seed_texts("en-mt"), max_positions=40)
    document = seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"
    code = main(["translate", str(document), "--db", "p.db", "--engine", engine, "--beams", "2",
                 "--glossary", str(Path(__file__).resolve().parent.parent / "glossaries"),
                 "--model", f"vi-en={checkpoint}"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "Traceback" not in captured.err
    assert "segments: 8, translated: 8" in captured.out


def test_an_engine_error_costs_its_chunk_and_names_the_segments(workdir, seeds_dir, tiny_checkpoints,
                                                                monkeypatch, capsys):
    from workbench import pipeline

    real = pipeline.translate_chunk

    def failing_on_the_headline(translator, sources, options):
        if any(source.startswith("Toàn cảnh hội nghị") for source in sources):
            raise RuntimeError("No position encodings are defined for positions >= 512")
        return real(translator, sources, options)

    monkeypatch.setattr(pipeline, "WRITE_CHUNK", 2)
    monkeypatch.setattr(pipeline, "translate_chunk", failing_on_the_headline)
    document = seeds_dir / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"
    code = main(["translate", str(document), "--db", "e.db", "--beams", "1", *model_options(tiny_checkpoints)])
    captured = capsys.readouterr()
    assert code == 1
    failures = [line for line in captured.err.splitlines() if line.startswith("failed:")]
    assert len(failures) == 1, captured.err
    (failure,) = failures
    assert document.name in failure and "segment(s)" in failure and "RuntimeError: No position" in failure
    assert "translated: 6" in captured.out and "(2 segment(s) left untranslated by engine errors)" in captured.out
    with ReviewStore("e.db") as store:
        (summary,) = store.document_summaries()
        assert summary["translated"] == 6
    # The next run translates what the error left.
    monkeypatch.setattr(pipeline, "translate_chunk", real)
    assert main(["translate", str(document), "--db", "e.db", "--beams", "1", *model_options(tiny_checkpoints)]) == 0
    assert "translated: 2" in capsys.readouterr().out


def test_an_over_long_sentence_is_split_and_the_run_says_so(workdir, capsys):
    document = workdir / "long.txt"
    words = "Bộ đội Biên phòng tuần tra bảo vệ đường biên giới quốc gia trên địa bàn tỉnh "
    document.write_text("Tin biên giới.\n" + words * 60 + "\n", encoding="utf-8")
    assert main(["translate", str(document), "--db", "w.db", "--ingest-only"]) == 0
    captured = capsys.readouterr()
    (warning,) = [line for line in captured.err.splitlines() if line.startswith("warning:")]
    assert f"{document}:2:" in warning and "split" in warning
    with ReviewStore("w.db") as store:
        (summary,) = store.document_summaries()
        segments = store.segments(summary["id"])
        assert len(segments) > 3 and all(len(s.source_text) <= 1000 for s in segments)
