"""Reading and checking glossary files: every problem reported as file:line, nothing skipped."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from workbench.errors import GlossaryError
from workbench.glossary import check_glossary, default_glossary_path, load_glossary

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "glossary"
HEADER = "id\tvi\ten\tzh\tvi_variants\ten_variants\ten_forbidden\tcase_sensitive\tenforce\tnote\n"


def write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def messages(path) -> list[str]:
    return [p.location_message() for p in check_glossary(path)]


def test_repository_glossary_is_clean_and_covers_the_required_terms():
    glossary = load_glossary(REPO / "glossaries")
    assert check_glossary(REPO / "glossaries") == []
    assert len(glossary) >= 40
    required = {
        "vn-bdbp": ("vi", "BĐBP"), "vn-btl-bdbp": ("vi", "BTL BĐBP"),
        "vn-don-bien-phong": ("vi", "Đồn Biên phòng"), "vn-ubnd": ("vi", "UBND"),
        "vn-hdnd": ("vi", "HĐND"), "vn-tinh-uy": ("vi", "Tỉnh ủy"), "vn-dang-uy": ("vi", "Đảng ủy"),
        "vn-bvcqanbg": ("vi", "BVCQANBG"), "cn-five-in-one": ("en", "five in one"),
        "cn-three-north": ("en", "Three Norths"),
        "cn-ar-border-defense-commission": ("en", "Frontier Defense Committee"),
        "cn-14th-five-year-plan": ("en", "14th Five Year Plan"),
        "cn-two-establishments": ("en", "two establishments"),
        "cn-two-upholds": ("en", "two maintenances"),
    }
    for entry_id, (lang, form) in required.items():
        matches = glossary.match(form, lang)
        assert [m.entry_id for m in matches] == [entry_id], form
    commission = glossary["cn-ar-border-defense-commission"]
    assert commission.terms == {"vi": "Ủy ban Biên phòng Khu tự trị", "zh": "自治区边防委员会",
                                "en": "Border Defense Commission of the Autonomous Region"}


def test_entry_fields_are_parsed_with_their_location():
    glossary = load_glossary(DATA / "small")
    bdbp = glossary["t-bdbp"]
    assert bdbp.terms == {"vi": "Bộ đội Biên phòng", "en": "Border Guard"}
    assert bdbp.variants == {"vi": ("BĐBP",), "en": ("Border Guard Force",)}
    assert bdbp.forbidden == {"en": ("Border Army", "Frontier Army")}
    assert (bdbp.note, bdbp.case_sensitive, bdbp.enforce) == ("the force", False, True)
    assert bdbp.path == str(DATA / "small" / "a-border.tsv") and bdbp.line == 4
    assert glossary["t-dang-uy"].enforce is True  # empty cell: the default
    assert glossary["t-tinh-uy"].enforce is False


def test_two_files_are_merged_and_csv_quoting_is_read():
    glossary = load_glossary(DATA / "small")
    assert [e.id for e in glossary] == ["t-bdbp", "t-dang-uy", "t-tinh-uy", "t-bdc", "t-fyp"]
    assert len(glossary.sources) == 2
    bdc = glossary["t-bdc"]
    assert bdc.variants["en"] == ("Frontier Defense Committee", "Border Protection Committee")
    assert bdc.note == "variants seen in the MT, quoted because of the comma"
    assert bdc.line == 3


BAD_CASES = [
    ("wrong column count",
     HEADER + "x1\tĐồn Biên phòng\tBorder Guard Station\n",
     ["g.tsv:2: expected 10 tab-separated columns, found 3"]),
    ("missing id",
     "id\tvi\ten\n\tĐồn Biên phòng\tBorder Guard Station\n",
     ["g.tsv:2: missing id"]),
    ("missing English term",
     "id\tvi\ten\nx1\tĐồn Biên phòng\t\n",
     ["g.tsv:2: entry 'x1': missing term in column 'en'"]),
    ("missing source term",
     "id\tvi\ten\tzh\nx1\t\tBorder Guard Station\t\n",
     ["g.tsv:2: entry 'x1': missing term in column 'vi' (or 'zh')"]),
    ("duplicate ids, also on a broken row",
     "id\tvi\ten\nx1\tĐồn Biên phòng\tBorder Guard Station\nx1\tTỉnh ủy\n",
     ["g.tsv:3: expected 3 tab-separated columns, found 2",
      "g.tsv:3: duplicate id 'x1' (first defined at {dir}/g.tsv:2)"]),
    ("same source form, two targets",
     "id\tvi\ten\tvi_variants\nx1\tĐảng ủy\tParty Committee\t\n"
     "x2\tĐảng bộ\tParty Organisation\tĐảng uỷ\n",
     ["g.tsv:3: vi form 'Đảng uỷ' maps to 'Party Organisation' here but to 'Party Committee' "
      "in entry 'x1' ({dir}/g.tsv:2)"]),
    ("forbidden rendering is another entry's canonical term",
     "id\tvi\ten\ten_forbidden\nx1\tĐảng ủy\tParty Committee\t\n"
     "x2\tTỉnh ủy\tProvincial Party Committee\tparty committee\n",
     ["g.tsv:3: entry 'x2': forbidden en rendering 'party committee' is the canonical term of "
      "entry 'x1' ({dir}/g.tsv:2)"]),
    ("punctuation-only term",
     "id\tvi\ten\nx1\t(...)\tBorder Guard\n",
     ["g.tsv:2: entry 'x1': vi form '(...)' has no letter, digit or ideograph"]),
    ("empty variant between separators",
     "id\tvi\ten\tvi_variants\nx1\tĐảng ủy\tParty Committee\tĐảng uỷ||ĐU\n",
     ["g.tsv:2: entry 'x1': empty form in column 'vi_variants' (stray '|'?)"]),
    ("bad flag value",
     "id\tvi\ten\tenforce\nx1\tĐảng ủy\tParty Committee\tmaybe\n",
     ["g.tsv:2: entry 'x1': column 'enforce' must be yes or no, not 'maybe'"]),
    ("unknown column",
     "id\tvi\ten\tcomment\nx1\tĐảng ủy\tParty Committee\t\n",
     ["g.tsv:1: unknown column 'comment' in header (known: id, vi, en, zh, vi_variants, "
      "en_variants, zh_variants, vi_forbidden, en_forbidden, zh_forbidden, case_sensitive, "
      "enforce, context, note)"]),
    ("bad context",
     "id\tvi\ten\tcontext\nx1\tnăm trong một\tfive-in-one\tvi:near=mô hình\nx2\tĐảng ủy\tParty Committee\tquoted\n",
     ["g.tsv:2: entry 'x1': column 'context': unknown context 'near' (known: quoted, capital, after, before)",
      "g.tsv:3: entry 'x2': column 'context': context 'quoted' must start with a language and a colon "
      "(vi:, en:, zh:)"]),
    ("empty file", "", ["g.tsv:1: empty file: expected a header row"]),
    ("comments only", "# nothing here yet\n\n", ["g.tsv:1: empty file: expected a header row"]),
    ("header only", "id\tvi\ten\n# todo\n", ["g.tsv:1: header row but no entries"]),
    ("bad encoding",
     "id\tvi\ten\nx1\tĐảng ủy\tParty Committee\nx2\tcaf".encode() + b"\xe9\tCafe\n",
     ["g.tsv:3: not valid UTF-8 (byte 0xe9 at column 7); save the file as UTF-8"]),
    ("UTF-16", "id\tvi\ten\n".encode("utf-16"), ["g.tsv:1: file is UTF-16; save it as UTF-8"]),
    ("enormous term",
     "id\tvi\ten\nx1\tĐảng ủy\t" + "Party " * 100 + "\n",
     ["g.tsv:2: entry 'x1': en form 'Party Party Party Party Party Party Part...' is 599 "
      "characters long (at most 200)"]),
    ("enormous line",
     "id\tvi\ten\tnote\nx1\tĐảng ủy\tParty Committee\t" + "n" * 30000 + "\n",
     ["g.tsv:2: line is 30027 characters long (at most 20000)"]),
]


@pytest.mark.parametrize("content, expected", [(c, e) for _, c, e in BAD_CASES],
                         ids=[name for name, _, _ in BAD_CASES])
def test_every_problem_is_reported_with_file_and_line(tmp_path, content, expected):
    path = write(tmp_path, "g.tsv", content)
    assert messages(path) == [f"{tmp_path}/{e.format(dir=tmp_path)}" for e in expected]
    with pytest.raises(GlossaryError) as raised:
        load_glossary(path)  # refused as a whole: no partial glossary
    assert [p.location_message() for p in raised.value.problems] == messages(path)


def test_all_problems_of_all_files_are_collected(tmp_path):
    write(tmp_path, "a.tsv", "id\tvi\ten\nx1\tĐảng ủy\tParty Committee\nx2\t...\tDots\n")
    write(tmp_path, "b.csv", "id,vi,en\nx1,Tỉnh ủy,Provincial Party Committee\nx3,\"unclosed,x\n")
    assert messages(tmp_path) == [
        f"{tmp_path}/a.tsv:3: entry 'x2': vi form '...' has no letter, digit or ideograph",
        f"{tmp_path}/b.csv:2: duplicate id 'x1' (first defined at {tmp_path}/a.tsv:2)",
        f"{tmp_path}/b.csv:3: malformed CSV: unexpected end of data",
    ]


def test_missing_path_and_empty_folder(tmp_path):
    assert messages(tmp_path / "nope") == [f"{tmp_path}/nope: no such file or folder"]
    assert messages(tmp_path) == [f"{tmp_path}: no .tsv or .csv glossary files in this folder"]
    write(tmp_path, "notes.txt", "id\tvi\ten\n")
    assert messages(tmp_path / "notes.txt") == [
        f"{tmp_path}/notes.txt: unknown glossary file type '.txt' (expected .tsv or .csv)"]


def test_version_is_stable_and_follows_content(tmp_path):
    folder = tmp_path / "glossaries"
    shutil.copytree(DATA / "small", folder)
    first = load_glossary(folder).version
    assert load_glossary(folder).version == first
    copy = tmp_path / "elsewhere"
    shutil.copytree(folder, copy)
    assert load_glossary(copy).version == first  # location does not count, content does
    tsv = folder / "a-border.tsv"
    tsv.write_text(tsv.read_text(encoding="utf-8").replace("the force", "the Border Guard"),
                   encoding="utf-8")
    assert load_glossary(folder).version != first
    assert load_glossary(folder).version.startswith("sha256:")


def test_utf8_bom_and_crlf_are_accepted(tmp_path):
    path = write(tmp_path, "g.tsv", b"\xef\xbb\xbfid\tvi\ten\r\nx1\t\xc4\x90\xe1\xba\xa3ng \xe1\xbb\xa7y"
                                    b"\tParty Committee\r\n")
    assert load_glossary(path)["x1"].terms["vi"] == "Đảng ủy"


def test_default_path_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("WORKBENCH_GLOSSARY", raising=False)
    monkeypatch.delenv("WORKBENCH_CONFIG", raising=False)
    monkeypatch.delenv("WORKBENCH_HOME", raising=False)
    monkeypatch.chdir(tmp_path)  # outside any workspace (tests/test_workspace.py: inside one)
    assert default_glossary_path() == Path("glossaries")
    monkeypatch.setenv("WORKBENCH_GLOSSARY", "/srv/terms.tsv")
    assert default_glossary_path() == Path("/srv/terms.tsv")
