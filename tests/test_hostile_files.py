"""Every file in through one guarded door, every file out whole (issue 18).

In: crafted files (zip bomb, XML entity attacks, crafted PDFs and sidecars, a FIFO,
a device, a link out of the folder) each end as that file's `failed:` line and the
run goes on; no traceback, no hang. Out: a write that fails (a small RLIMIT_FSIZE in a
subprocess stands in for a full disk) leaves the previous file intact and says so;
files get the umask's mode. Two processes editing one glossary lose no acknowledged
change. An XLIFF import applies all of it or nothing. TSV/CSV cells are spreadsheet
safe. Saved text obeys ingest's control-character rule. Options are bounded. Broken
stores get one clear error from every command.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from bench.hostile_files import billion_laughs_docx, build_cases, plain_docx
from workbench.cli import main as cli
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import DocumentError, GlossaryError, StoreError
from workbench.files import FileRefused, read_guarded, spreadsheet_safe, spreadsheet_unsafe, write_atomic
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent
GOOD = "Bộ đội Biên phòng tỉnh Quảng Ninh tổ chức hội nghị tổng kết phong trào thi đua năm nay.\n"


def run_cli(*args: str, cwd: Path, timeout: int = 300, preexec=None) -> subprocess.CompletedProcess:
    """`python -m workbench ARGS` in a subprocess (so a hang is a timeout, not a stuck test run)."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run([sys.executable, "-m", "workbench", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=timeout, preexec_fn=preexec)


def stored_names(db: Path) -> set[str]:
    with ReviewStore(db) as store:
        return {row.name for row in store.documents()}


# -- in ---------------------------------------------------------------------------------------------
def test_a_folder_of_hostile_files_fails_each_by_name_and_imports_the_rest(tmp_path):
    folder = tmp_path / "in"
    cases = build_cases(folder)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    db = tmp_path / "w.db"
    result = run_cli("translate", str(folder), "--ingest-only", "--db", str(db), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    failed = [line for line in result.stderr.splitlines() if line.startswith("failed: ")]
    stored = stored_names(db)
    assert "good.txt" in stored
    for case, (name, expected) in cases.items():
        stem = Path(name).stem
        named = [line for line in failed if f"/{stem}." in line]
        if expected == "refused":
            assert named and name not in stored, (case, failed)
        else:
            assert name in stored and not named, (case, failed)
    assert any("symbolic link to /etc/passwd" in line and "--follow-symlinks" in line for line in failed)
    assert any("named pipe" in line for line in failed)
    assert any("zip bomb" in line for line in failed)
    with ReviewStore(db) as store:  # /etc/passwd's lines are nowhere in the store
        texts = [s.source_text for row in store.documents() for s in store.segments(row.id)]
    assert not any("root:" in text for text in texts)


def test_follow_symlinks_reads_a_link_out_of_the_folder(tmp_path):
    outside = tmp_path / "elsewhere.txt"
    outside.write_text(GOOD, encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "linked.txt").symlink_to(outside)
    db = tmp_path / "w.db"
    refused = run_cli("translate", str(folder), "--ingest-only", "--db", str(db), cwd=tmp_path)
    assert refused.returncode == 1 and "not followed" in refused.stderr
    followed = run_cli("translate", str(folder), "--ingest-only", "--follow-symlinks", "--db", str(db),
                       cwd=tmp_path)
    assert followed.returncode == 0, followed.stderr
    assert stored_names(db) == {"elsewhere.txt"}
    out = tmp_path / "out"
    written = run_cli("translate", str(folder), "--ingest-only", "--follow-symlinks", "--out", str(out),
                      "--db", str(db), cwd=tmp_path)
    assert written.returncode == 0 and "Traceback" not in written.stderr, written.stderr
    assert [p.name for p in out.iterdir()] == ["elsewhere.en.txt"]


def test_the_guarded_reader_refuses_devices_and_pipes_without_opening_them(tmp_path):
    with pytest.raises(FileRefused, match="/dev/zero: a device, not a regular file; not opened"):
        read_guarded("/dev/zero", 1000)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    outcome = []
    reader = threading.Thread(target=lambda: outcome.append(_refusal(fifo)), daemon=True)
    reader.start()
    reader.join(timeout=60)  # opening a FIFO for reading would block for ever: the thread would hang
    assert outcome and "a named pipe (FIFO), not a regular file" in outcome[0]


def _refusal(path: Path) -> str:
    try:
        read_guarded(path, 1000)
    except FileRefused as exc:
        return str(exc)
    return "read"


def test_the_size_limit_counts_the_bytes_read_not_what_stat_says():
    status = Path("/proc/self/status")
    assert status.stat().st_size == 0  # the kernel reports 0 bytes, yet reading gives more
    with pytest.raises(FileRefused, match="above the 100 bytes limit; not read"):
        read_guarded(status, 100)
    assert len(read_guarded(status, 1 << 20)) > 100


def test_a_file_name_of_255_bytes_is_read(tmp_path):
    path = tmp_path / ("n" * 251 + ".txt")
    path.write_text(GOOD, encoding="utf-8")
    from workbench.documents.ingest import read_document

    assert read_document(path).lang == "vi"  # the sidecar name would be too long: there is none


def test_an_upload_batch_goes_on_past_a_crafted_file(store):
    from workbench.pipeline import BatchOptions, import_uploads

    summary = import_uploads(store, [("laughs.docx", billion_laughs_docx()), ("ok.docx", plain_docx()),
                                     ("fine.txt", GOOD.encode())], BatchOptions(translate=False))
    assert {row.name for row in store.documents()} == {"ok.docx", "fine.txt"}
    assert len(summary.failures) == 1 and "laughs.docx" in summary.failures[0]
    assert "DTD" in summary.failures[0] or "entity" in summary.failures[0]


def test_crafted_pdf_metadata_does_not_stop_the_document():
    from bench.hostile_files import pdf_with_info

    for info in ("<< /Title 123 >>", "<< /Title << /A 1 >> >>", "<< /Keywords " + "[" * 3000 + "]" * 3000 + " >>"):
        document = parse_document(pdf_with_info(info), path="x.pdf")
        assert document.title is None or isinstance(document.title, str)
        assert "patrolled" in " ".join(p.text for p in document.paragraphs)


@pytest.mark.parametrize("sidecar, message", [
    ('{"author": {"x": 1}}', "sidecar field 'author' must be a string, not dict"),
    ('{"title": 12345}', "sidecar field 'title' must be a string, not int"),
    ('{"lang": "fr"}', "sidecar field 'lang' must be one of vi, en, zh"),
])
def test_sidecar_fields_are_checked_by_type(tmp_path, sidecar, message):
    from workbench.documents.ingest import read_document

    (tmp_path / "doc.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "doc.meta.json").write_text(sidecar, encoding="utf-8")
    with pytest.raises(DocumentError, match=message):
        read_document(tmp_path / "doc.txt")


def test_encrypted_pdfs_open_with_an_empty_password_and_name_a_real_one():
    from pypdf import PdfReader, PdfWriter

    from bench.hostile_files import pdf_with_info

    def encrypted(password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf_with_info("<< >>"))))
        writer.encrypt(user_password=password, owner_password="owner", algorithm="AES-256")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    document = parse_document(encrypted(""), path="aes.pdf")
    assert "patrolled" in document.paragraphs[0].text
    with pytest.raises(DocumentError, match="encrypted with a password; save an unprotected copy"):
        parse_document(encrypted("secret"), path="locked.pdf")


def test_tbx_entities_are_never_stored_as_terms(tmp_path):
    from workbench.glossary.tbx import import_tbx

    term = ('<martif type="TBX"><text><body><termEntry id="t1"><langSet xml:lang="vi"><tig><term>&xxe;</term>'
            '</tig></langSet><langSet xml:lang="en"><tig><term>border</term></tig></langSet></termEntry>'
            '</body></text></martif>')
    external = tmp_path / "external.tbx"
    external.write_text('<?xml version="1.0"?><!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">' + term)
    internal = tmp_path / "internal.tbx"
    internal.write_text('<!DOCTYPE martif [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>' + term)
    with pytest.raises(GlossaryError, match=r"entity reference \(&xxe;\)"):
        import_tbx(external)
    with pytest.raises(GlossaryError, match="declares a DTD"):
        import_tbx(internal)


def test_wrong_words_are_right(tmp_path):
    assert cli(["glossary", "check", "/dev/null"]) == 1
    db = tmp_path / "w.db"
    ReviewStore(db).close()
    devnull = run_cli("import-xliff", "/dev/zero", "--reviewer", "lan", "--db", str(db), cwd=tmp_path)
    assert devnull.returncode == 1 and "/dev/zero: a device, not a regular file" in devnull.stderr
    glossary = run_cli("glossary", "check", "/dev/null", cwd=tmp_path)
    assert "a device, not a glossary file" in glossary.stderr and "no such file" not in glossary.stderr
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    taken = tmp_path / "hostname"
    taken.write_text("host\n")
    as_file = run_cli("translate", str(folder / "good.txt"), "--out", str(taken), "--db", str(db), cwd=tmp_path)
    assert as_file.returncode == 2 and "is a file, not a folder" in as_file.stderr
    inside = run_cli("translate", str(folder / "good.txt"), "--out", str(folder), "--db", str(db), cwd=tmp_path)
    assert inside.returncode == 2 and "inside the folder of the input file" in inside.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["good.txt"]
    reviewed = tmp_path / "reviewed.db"
    _reviewed_store(reviewed, ["Border guard."])
    export = run_cli("export", "--format", "docx", "--out", str(taken), "--db", str(reviewed), cwd=tmp_path)
    assert export.returncode == 1 and f"{taken}: is a file, not a folder" in export.stderr
    assert taken.read_text() == "host\n"


@pytest.mark.parametrize("argv, message", [
    (["translate", "x", "--threads", "100000"], "argument --threads: must be from 1 to 256, got 100000"),
    (["translate", "x", "--beams", "100000"], "argument --beams: must be from 1 to 32, got 100000"),
    (["translate", "x", "--batch-size", "0"], "argument --batch-size: must be from 1 to 1024, got 0"),
    (["translate", "x", "--batch-tokens", "99999999999"], "argument --batch-tokens: must be from 1 to 1000000"),
    (["concordance", "x", "--limit", "-1"], "argument --limit: must be from 1 to 1000000, got -1"),
    (["concordance", "x", "--limit", "ten"], "argument --limit: must be a whole number, got 'ten'"),
])
def test_options_out_of_bounds_are_usage_errors(argv, message, capsys):
    with pytest.raises(SystemExit) as exited:
        cli(argv)
    assert exited.value.code == 2
    assert message in capsys.readouterr().err


def test_an_unknown_pair_in_model_is_a_usage_error(tmp_path, capsys):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    assert cli(["translate", str(tmp_path / "good.txt"), "--model", f"fr-en={tmp_path}",
                "--db", str(tmp_path / "w.db")]) == 2
    assert "unknown pair 'fr-en'" in capsys.readouterr().err


# -- out --------------------------------------------------------------------------------------------
def _reviewed_store(path: Path, targets: list[str]) -> int:
    """A store with one Vietnamese document whose segments get `targets`, approved."""
    text = "".join(f"Đồn Biên phòng số {n} tuần tra đường biên giới.\n" for n in range(len(targets)))
    with ReviewStore(path) as store:
        document = parse_document(text.encode(), path=str(path.parent / "bien-phong.txt"), lang="vi")
        document_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
        for segment, target in zip(store.segments(document_id), targets, strict=True):
            store.save_target(segment.id, target, "approved", reviewer="lan", expected_version=segment.version)
    return document_id


def _small_file_limit(size: int):
    import resource

    return lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_an_export_onto_a_full_disk_leaves_the_earlier_file_intact(tmp_path):
    db = tmp_path / "w.db"
    _reviewed_store(db, [f"Border post {n} patrolled the border line." * 20 for n in range(120)])
    out = tmp_path / "work.tsv"
    first = run_cli("export", "--format", "tsv", "--out", str(out), "--db", str(db), cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    good = out.read_bytes()
    assert good.count(b"\n") == 121 and len(good) > 100_000
    # The next export may write at most 64 KiB a file (the store's own small writes fit): the
    # disk is "full" long before the export's end.
    for fmt, target in (("tsv", out), ("xliff", tmp_path / "work.xlf")):
        if fmt == "xliff":
            target.write_bytes(b"earlier export\n")
        before = target.read_bytes()
        full = run_cli("export", "--format", fmt, "--out", str(target), "--db", str(db), cwd=tmp_path,
                       preexec=_small_file_limit(65536))
        assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
        assert "cannot write" in full.stderr and "the previous file is unchanged" in full.stderr
        assert target.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_tbx_export_onto_a_full_disk_leaves_the_earlier_file_intact(tmp_path):
    glossary = tmp_path / "g.tsv"
    rows = "".join(f"t{n}\tđồn biên phòng {n}\tborder post {n}\n" for n in range(200))
    glossary.write_text("id\tvi\ten\n" + rows, encoding="utf-8")
    out = tmp_path / "g.tbx"
    out.write_bytes(b"earlier\n")
    full = run_cli("glossary", "export-tbx", str(out), "--glossary", str(glossary), cwd=tmp_path,
                   preexec=_small_file_limit(4096))
    assert full.returncode == 1 and "Traceback" not in full.stderr, full.stderr
    assert "the previous file is unchanged" in full.stderr
    assert out.read_bytes() == b"earlier\n"


def test_written_files_get_the_umask_mode(tmp_path):
    previous = os.umask(0o027)
    try:
        write_atomic(tmp_path / "a.txt", "x")
    finally:
        os.umask(previous)
    assert (tmp_path / "a.txt").stat().st_mode & 0o777 == 0o640
    db = tmp_path / "w.db"
    _reviewed_store(db, ["Border post patrolled."])
    assert cli(["export", "--format", "docx", "--out", str(tmp_path / "docs"), "--db", str(db)]) == 0
    (written,) = (tmp_path / "docs").iterdir()
    assert written.stat().st_mode & 0o777 == 0o666 & ~previous


_EDITOR = """
import json, sys
from workbench.glossary.editing import GlossaryChanged, GlossaryFile
path, tag, count, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
acknowledged = []
for n in range(count):
    while True:
        try:
            GlossaryFile.open(path).save_entry({"id": f"{tag}{n}", "vi": f"đồn {tag} {n}", "en": f"post {tag} {n}"})
        except GlossaryChanged:
            continue  # refused as a conflict: reload and try again
        acknowledged.append(f"{tag}{n}")
        break
json.dump(acknowledged, open(out, "w"))
"""


@pytest.mark.slow
def test_two_processes_editing_one_glossary_lose_no_acknowledged_change(tmp_path):
    glossary = tmp_path / "g.tsv"
    glossary.write_text("id\tvi\ten\n", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    editors = [subprocess.Popen([sys.executable, "-c", _EDITOR, str(glossary), tag, "500",
                                 str(tmp_path / f"{tag}.json")], env=env) for tag in ("a", "b")]
    for editor in editors:
        assert editor.wait(timeout=1800) == 0
    acknowledged = [entry for tag in ("a", "b") for entry in json.loads((tmp_path / f"{tag}.json").read_text())]
    assert len(acknowledged) == 1000
    ids = [line.split("\t")[0] for line in glossary.read_text(encoding="utf-8").splitlines()[1:]]
    assert sorted(ids) == sorted(acknowledged)


def test_an_xliff_import_that_fails_midway_applies_nothing(tmp_path, monkeypatch):
    from workbench.exchange import export_xliff, import_xliff

    db = tmp_path / "w.db"
    document_id = _reviewed_store(db, [f"Border post {n}." for n in range(6)])
    with ReviewStore(db) as store:
        text = export_xliff(store, [document_id]).decode()
        for n in range(6):
            text = text.replace(f"Border post {n}.", f"Border station {n}.")
        before = [(s.target_text, s.version) for s in store.segments(document_id)]
        real = ReviewStore.save_target
        calls = []

        def failing(self, *args, **kwargs):
            calls.append(1)
            if len(calls) == 4:
                raise OSError("injected failure: the process dies here")
            return real(self, *args, **kwargs)

        monkeypatch.setattr(ReviewStore, "save_target", failing)
        with pytest.raises(OSError):
            import_xliff(store, text.encode(), reviewer="minh")
        monkeypatch.setattr(ReviewStore, "save_target", real)
        assert [(s.target_text, s.version) for s in store.segments(document_id)] == before
        assert import_xliff(store, text.encode(), reviewer="minh").updated  # and it applies whole later
        assert all(s.target_text.startswith("Border station") for s in store.segments(document_id))


# -- spreadsheet-safe text, saved text -------------------------------------------------------------
@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://evil.example/x\",\"click\")", "+1", "-2", "@SUM(A1)",
                                  "\tx", "\rx", "'=x", "''+y", "'quoted", "plain", ""])
def test_spreadsheet_safe_cells_read_back_exactly(text):
    safe = spreadsheet_safe(text)
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert spreadsheet_unsafe(safe) == text


def test_tsv_export_neutralises_formulas_unless_raw(tmp_path, capsys):
    from workbench.exchange.export import read_tsv

    db = tmp_path / "w.db"
    formula = '=HYPERLINK("http://evil.example/x","click")'
    _reviewed_store(db, [formula, "@SUM(A1)"])
    assert cli(["export", "--format", "tsv", "--db", str(db)]) == 0
    safe = capsys.readouterr().out
    assert f"\t'{formula}\t" in safe and "\t'@SUM(A1)\t" in safe
    assert [row["target"] for row in read_tsv(safe.encode())] == [formula, "@SUM(A1)"]
    assert cli(["export", "--format", "tsv", "--raw", "--db", str(db)]) == 0
    assert f"\t{formula}\t" in capsys.readouterr().out


def test_evaluate_csv_neutralises_document_names(tmp_path, capsys):
    db = tmp_path / "w.db"
    with ReviewStore(db) as store:
        document = parse_document(GOOD.encode(), path=str(tmp_path / "=cmd.txt"), lang="vi")
        document_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
        segment = store.segments(document_id)[0]
        store.record_translations([{"segment_id": segment.id, "source_text": segment.source_text,
                                    "source_lang": "vi", "target_lang": "en", "checkpoint": "c",
                                    "engine": "marian", "text": "The border guard held a meeting."}])
        store.save_target(segment.id, "Border guards held a meeting.", "approved", reviewer="lan",
                          expected_version=store.segment(segment.id).version)
    assert cli(["evaluate", "--format", "csv", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "'=cmd.txt" in out and ",=cmd.txt" not in out
    assert cli(["evaluate", "--format", "csv", "--raw", "--db", str(db)]) == 0
    assert ",=cmd.txt" in capsys.readouterr().out


def test_control_characters_typed_by_a_reviewer_are_refused(tmp_path):
    db = tmp_path / "w.db"
    document_id = _reviewed_store(db, ["Border guard."])
    with ReviewStore(db) as store:
        segment = store.segments(document_id)[0]
        with pytest.raises(StoreError, match="control character U\\+000B at character 7"):
            store.save_target(segment.id, "Border\x0bguard\x01", "approved", reviewer="lan",
                              expected_version=segment.version)
        assert store.segment(segment.id).target_text == "Border guard."
        with store.transaction() as conn:  # as a store saved before the rule holds it
            conn.execute("UPDATE segments SET target_text = ? WHERE id = ?", ("Border\x0bguard\x01", segment.id))
    for fmt in ("docx", "html", "txt"):
        assert cli(["export", "--format", fmt, "--out", str(tmp_path / fmt), "--db", str(db)]) == 0
    (text,) = (tmp_path / "txt").iterdir()
    assert "Borderguard" in text.read_text(encoding="utf-8")


# -- broken stores ----------------------------------------------------------------------------------
def _garble(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    data = bytearray(db.read_bytes())
    middle = page * (pages // 2)
    data[middle:middle + page] = os.urandom(page)
    db.write_bytes(bytes(data))


def _drop_table(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE segment_history")


def _newer(db: Path) -> None:
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA user_version = 999")


@pytest.mark.parametrize("breakage, message", [
    (_garble, "the review store is damaged"),
    (_drop_table, "the review store is damaged (table(s) segment_history missing)"),
    (_newer, "is newer than this workbench understands"),
])
def test_a_broken_store_gets_one_clear_error_from_every_command(tmp_path, breakage, message):
    db = tmp_path / "w.db"
    _reviewed_store(db, [f"Border post {n} patrolled the line." * 20 for n in range(80)])
    breakage(db)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    for argv in (["status"], ["translate", str(tmp_path / "good.txt"), "--ingest-only"],
                 ["export", "--format", "tsv"], ["evaluate"], ["concordance", "biên"]):
        result = run_cli(*argv, "--db", str(db), cwd=tmp_path)
        assert result.returncode == 1, (argv, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        assert str(db) in result.stderr and message in result.stderr, (argv, result.stderr)



def test_the_ui_names_a_damaged_store_instead_of_a_traceback(tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "w.db"
    _reviewed_store(db, ["Border guard."])
    _drop_table(db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(tmp_path / "no-glossary"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    assert not at.exception, [e.value for e in at.exception]
    errors = [element.value for element in at.error]
    assert any("the review store is damaged" in error and "history missing" in error for error in errors), errors



_KILLED_IMPORT = """
import os, signal, sys
from workbench.cli import main
from workbench.review.store import ReviewStore
real, calls = ReviewStore.save_target, []
def save_then_die(self, *args, **kwargs):
    calls.append(1)
    if len(calls) == int(sys.argv[1]):
        os.kill(os.getpid(), signal.SIGKILL)  # kill -9 in the middle of the import
    return real(self, *args, **kwargs)
ReviewStore.save_target = save_then_die
main(sys.argv[2:])
"""


def test_kill_9_during_import_xliff_applies_nothing(tmp_path):
    from workbench.exchange import export_xliff

    db = tmp_path / "w.db"
    document_id = _reviewed_store(db, [f"Border post {n}." for n in range(300)])
    with ReviewStore(db) as store:
        text = export_xliff(store, [document_id]).decode().replace("Border post ", "Border station ")
    xliff = tmp_path / "edited.xlf"
    xliff.write_text(text, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO))
    killed = subprocess.run([sys.executable, "-c", _KILLED_IMPORT, "150", "import-xliff", str(xliff),
                             "--reviewer", "minh", "--confirm", "--db", str(db)], env=env, capture_output=True,
                            timeout=300)
    assert killed.returncode == -9
    with ReviewStore(db) as store:
        assert not any(s.target_text.startswith("Border station") for s in store.segments(document_id))
    rerun = run_cli("import-xliff", str(xliff), "--reviewer", "minh", "--confirm", "--db", str(db), cwd=tmp_path)
    assert rerun.returncode == 0, rerun.stderr
    with ReviewStore(db) as store:
        assert all(s.target_text.startswith("Border station") for s in store.segments(document_id))


def test_a_locked_store_is_not_called_damaged():
    from workbench.review.integrity import database_error_message

    locked = database_error_message("w.db", sqlite3.OperationalError("database is locked"))
    assert "cannot be used just now (database is locked)" in locked and "damaged" not in locked
    garbled = database_error_message("w.db", sqlite3.DatabaseError("database disk image is malformed"))
    assert "the review store is damaged (database disk image is malformed)" in garbled
