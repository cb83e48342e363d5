"""`python -m workbench glossary ...`: exit codes and exact messages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.glossary import TermOccurrence, TermReport, load_glossary

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "glossary"
SMALL = DATA / "small"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main(["glossary", *map(str, argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_check_ok(capsys):
    version = load_glossary(SMALL).version
    assert run(capsys, "check", SMALL) == (
        0, f"{SMALL}: 5 entries in 2 files, version {version}: OK\n", "")


def test_check_default_path_is_glossaries_here(capsys, monkeypatch):
    monkeypatch.chdir(REPO)
    code, out, _ = run(capsys, "check")
    # The checkout is a workspace (its workbench.toml): paths in it are resolved against it.
    assert code == 0 and out.startswith(f"{REPO / 'glossaries'}: ")


def test_check_reports_every_problem(capsys):
    broken = DATA / "broken.tsv"
    assert run(capsys, "check", broken) == (1, "", "\n".join([
        f"{broken}:2: expected 4 tab-separated columns, found 3",
        f"{broken}:3: entry 'b-two': missing term in column 'en'",
        f"{broken}:4: duplicate id 'b-one' (first defined at {broken}:2)",
        f"{broken}:5: entry 'b-four': vi form '...' has no letter, digit or ideograph",
        "Error: the glossary has 4 problems; fix them and run again",
    ]) + "\n")


def test_check_missing_path(capsys, tmp_path):
    assert run(capsys, "check", tmp_path / "none") == (1, "", (
        f"{tmp_path}/none: no such file or folder\n"
        "Error: the glossary cannot be used; fix the problem above and run again\n"))


def test_match_text(capsys):
    code, out, err = run(capsys, "match", "--glossary", SMALL, "--lang", "vi",
                         "Đảng uỷ BĐBP họp")
    assert code == 0
    assert out == ("0-7\tt-dang-uy\t'Đảng uỷ'\ten: Party Committee, zh: 党委\n"
                   "8-12\tt-bdbp\t'BĐBP' (variant of 'Bộ đội Biên phòng')\ten: Border Guard\n")
    assert err == "2 matches\n"


def test_match_file_json(capsys, tmp_path):
    text = tmp_path / "doc.txt"
    text.write_text("The Frontier Defense Committee and the 14th Five Year Plan.", encoding="utf-8")
    code, out, _ = run(capsys, "match", "--glossary", SMALL, "--lang", "en", "--file", text, "--json")
    assert code == 0
    data = json.loads(out)
    assert [(m["entry_id"], m["start"], m["end"], m["kind"]) for m in data["matches"]] == [
        ("t-bdc", 4, 30, "variant"), ("t-fyp", 39, 58, "variant")]
    assert data["glossary_version"] == load_glossary(SMALL).version


def test_match_refuses_a_broken_glossary(capsys):
    code, out, err = run(capsys, "match", "--glossary", DATA / "broken.tsv", "--lang", "vi", "x")
    assert (code, out) == (1, "")
    assert err.splitlines()[-1] == "Error: the glossary has 4 problems; fix them and run again"


def test_match_needs_text_or_file(capsys):
    with pytest.raises(SystemExit) as raised:
        main(["glossary", "match", "--lang", "vi"])
    assert raised.value.code == 2


def test_export_and_import_tbx(capsys, tmp_path):
    tbx, tsv = tmp_path / "g.tbx", tmp_path / "g.tsv"
    assert run(capsys, "export-tbx", "--glossary", SMALL, tbx) == (
        0, f"{tbx}: 5 entries, glossary version {load_glossary(SMALL).version}\n", "")
    assert run(capsys, "import-tbx", tbx, tsv) == (0, f"{tsv}: 5 entries imported from {tbx}\n", "")
    assert run(capsys, "import-tbx", tbx, tsv) == (
        2, "", f"Error: {tsv} exists; use --force to overwrite it\n")
    assert run(capsys, "import-tbx", "--force", tbx, tsv)[0] == 0
    assert [e.to_dict() for e in load_glossary(tsv)] == [e.to_dict() for e in load_glossary(SMALL)]


def test_import_tbx_problem(capsys, tmp_path):
    bad = tmp_path / "bad.tbx"
    bad.write_text("<tbx>\n<body>\n</tbx>\n", encoding="utf-8")
    code, out, err = run(capsys, "import-tbx", bad, tmp_path / "out.tsv")
    assert (code, out) == (1, "")
    assert err.startswith(f"{bad}:3: not well-formed XML")
    assert not (tmp_path / "out.tsv").exists()


def _store_with_reports(path: Path) -> dict[str, list[dict]]:
    """A real review store holding two documents whose segments carry term reports."""
    from workbench.documents.ingest import read_document
    from workbench.documents.segment import segment_document
    from workbench.review.store import ReviewStore

    seeds = sorted((REPO / "seeds").glob("00[34]_vi_*.txt"))
    plans = {
        seeds[0]: [[True, True], [False]],  # 2 of 3 found
        seeds[1]: [[True]],
    }
    stored = {}
    with ReviewStore(path) as store:
        for seed, segment_plans in plans.items():
            document = read_document(seed)
            result = store.upsert_document(document, segment_document(document), target_lang="en")
            pending = store.untranslated_segments(result.document_id, "tiny", "v1")
            items = []
            for (segment_id, source), present in zip(pending, segment_plans, strict=False):
                report = TermReport("vi", "en", "v1", True, [
                    TermOccurrence("vn-ubnd", 0, 4, "UBND", "People's Committee", present=flag)
                    for flag in present], model="tiny (test), random weights: test output, not a translation")
                items.append(dict(segment_id=segment_id, source_text=source, source_lang="vi",
                                  target_lang="en", checkpoint="tiny", engine="test", text="x",
                                  term_report=report.to_dict()))
            store.record_translations(items)
            stored[str(seed.resolve())] = items
    return stored


def test_report_json_and_table(capsys, tmp_path):
    db = tmp_path / "store.db"
    documents = list(_store_with_reports(db))
    code, out, err = run(capsys, "report", "--db", db, "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert (data["occurrences"], data["matched"], data["success_rate"]) == (4, 3, 0.75)
    assert data["documents"][documents[0]]["success_rate"] == round(2 / 3, 4)
    assert data["documents"][documents[1]]["success_rate"] == 1.0
    assert data["missing"] == [
        {"entry_id": "vn-ubnd", "required_target": "People's Committee", "count": 1}]
    code, out, _ = run(capsys, "report", "--db", db)
    assert code == 0
    lines = out.splitlines()
    # The header says which model produced the figures, random weights included.
    assert lines[0] == "figures from: tiny (test), random weights: test output, not a translation"
    assert lines[1].split() == ["document", "occurrences", "matched", "success", "duplicated"]
    assert lines[4].split() == ["overall", "4", "3", "0.750", "0"]
    assert lines[-1] == f"  {documents[0]}: vn-ubnd -> \"People's Committee\" (1x)"


def test_report_without_store(capsys, tmp_path):
    assert run(capsys, "report", "--db", tmp_path / "none.db") == (
        1, "", f"Error: no review store at {tmp_path}/none.db (give --db FILE, or run `translate` first)\n")


def _news_like_corpus(folder: Path, sentences: int = 9000) -> Path:
    """Vietnamese-like text in which "năm", "trong" and "một" are common but rarely side by side,
    and "công an" is a fixed pair: a corpus where the first is an ordinary phrase, the second a term."""
    import random

    rng = random.Random(0)
    filler = [consonant + vowel for consonant in "bcdghklmnpstvx" for vowel in ("a", "e", "i", "o", "u", "ư")]
    lines = []
    for index in range(sentences):
        words = rng.choices(filler, k=12) + ["năm", "trong", "một"] + (["công an"] if index % 4 == 0 else [])
        rng.shuffle(words)
        if index % 400 == 0:
            words[:3] = ["năm", "trong", "một"]
        lines.append(" ".join(words).capitalize() + ".")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "news_vi.txt").write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    return folder


def test_check_warns_about_forms_that_are_ordinary_phrases(capsys, tmp_path):
    from dataclasses import replace

    from workbench.glossary.entries import Glossary
    from workbench.glossary.ordinary import ordinary_forms

    corpus = _news_like_corpus(tmp_path / "corpus")
    text = (corpus / "news_vi.txt").read_text(encoding="utf-8")
    glossary = load_glossary(REPO / "glossaries")
    without_context = Glossary([replace(e, context={}) for e in glossary])
    result = ordinary_forms(without_context, [text], "vi")
    assert result.enough_text
    flagged = {(w.entry_id, w.form) for w in result.warnings}
    assert ("cn-five-in-one", "năm trong một") in flagged
    assert not any(entry_id == "vn-cong-an" for entry_id, _ in flagged)
    # The repository's entry requires context, so the check has nothing to say about it.
    code, out, _ = run(capsys, "check", REPO / "glossaries", "--corpus", corpus)
    assert code == 0 and "cn-five-in-one" not in out and "công an" not in out
    # Too little text to judge: said, not guessed.
    (tmp_path / "small").mkdir()
    (tmp_path / "small" / "short_vi.txt").write_text("Năm trong một vụ tai nạn.\n", encoding="utf-8")
    code, out, _ = run(capsys, "check", REPO / "glossaries", "--corpus", tmp_path / "small")
    assert code == 0 and "too few to tell" in out and "warning" not in out
