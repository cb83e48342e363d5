"""Writing glossary entries back: one row changes, the rest of the file stays byte for byte."""

from __future__ import annotations

import difflib
import os
import shutil
from pathlib import Path

import pytest

from workbench.errors import GlossaryError
from workbench.glossary import load_glossary
from workbench.glossary.editing import GlossaryChanged, GlossaryEditError, GlossaryFile

DATA = Path(__file__).resolve().parent / "data" / "glossary"


@pytest.fixture
def folder(tmp_path) -> Path:
    """A copy of the small two-file test glossary (TSV and CSV)."""
    target = tmp_path / "glossaries"
    shutil.copytree(DATA / "small", target)
    return target


def changed_lines(before: bytes, after: bytes) -> list[str]:
    diff = difflib.ndiff(before.decode().splitlines(keepends=True), after.decode().splitlines(keepends=True))
    return [line for line in diff if line[:1] in "+-"]


def test_rows_are_read_with_their_lines(folder):
    file = GlossaryFile.open(folder / "a-border.tsv")
    assert [row.id for row in file.rows] == ["t-bdbp", "t-dang-uy", "t-tinh-uy"]
    assert file.rows[0].line == 4
    assert file.row("t-dang-uy").cells["zh"] == "党委"
    csv_file = GlossaryFile.open(folder / "b-mongolia.csv")
    assert csv_file.row("t-bdc").cells["note"] == "variants seen in the MT, quoted because of the comma"
    assert csv_file.row("t-fyp").line == 4


def test_edit_changes_exactly_one_line_and_round_trips(folder):
    path = folder / "a-border.tsv"
    before = path.read_bytes()
    file = GlossaryFile.open(path)
    cells = dict(file.row("t-dang-uy").cells, note="edited", en_forbidden="Party Commission|Party Board")
    updated = file.save_entry(cells, replacing="t-dang-uy")
    after = path.read_bytes()
    assert changed_lines(before, after) == [
        "- t-dang-uy\tĐảng ủy\tParty Committee\t党委\tĐảng uỷ\t\tParty Commission\t\t\t\n",
        "+ t-dang-uy\tĐảng ủy\tParty Committee\t党委\tĐảng uỷ\t\tParty Commission|Party Board\t\t\tedited\n",
    ]
    assert updated.row("t-dang-uy").cells["note"] == "edited"
    entry = load_glossary(folder)["t-dang-uy"]
    assert entry.note == "edited" and entry.forbidden["en"] == ("Party Commission", "Party Board")


def test_add_appends_and_delete_removes_only_that_row(folder):
    path = folder / "a-border.tsv"
    original = path.read_bytes()
    file = GlossaryFile.open(path).save_entry({"id": "t-cot-moc", "vi": "cột mốc", "en": "border marker"})
    assert path.read_bytes() == original + "t-cot-moc\tcột mốc\tborder marker\t\t\t\t\t\t\t\n".encode()
    assert "t-cot-moc" in load_glossary(folder)
    file.delete_entry("t-cot-moc")
    assert path.read_bytes() == original
    GlossaryFile.open(path).delete_entry("t-dang-uy")
    assert changed_lines(original, path.read_bytes()) == [
        "- t-dang-uy\tĐảng ủy\tParty Committee\t党委\tĐảng uỷ\t\tParty Commission\t\t\t\n"]


def test_csv_quoting_crlf_bom_and_missing_final_newline_are_kept(folder):
    path = folder / "b-mongolia.csv"
    text = path.read_text(encoding="utf-8").replace("\n", "\r\n").rstrip("\r\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode())
    file = GlossaryFile.open(path)
    cells = dict(file.row("t-fyp").cells, note='a note, with "quotes"')
    file.save_entry(cells, replacing="t-fyp")
    file = GlossaryFile.open(path).save_entry({"id": "t-new", "vi": "hưng biên", "en": "border revival"})
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data[3:].decode().split("\r\n")
    assert lines[:3] == text.split("\r\n")[:3]  # header, comment and the quoted row untouched
    assert lines[3] == 't-fyp,Quy hoạch 5 năm lần thứ 14,14th Five-Year Plan,十四五规划,14th Five Year Plan,' \
                       '"a note, with ""quotes"""'
    assert lines[4:] == ["t-new,hưng biên,border revival,,,", ""]
    assert "\n" not in data.decode().replace("\r\n", "")
    assert load_glossary(folder)["t-fyp"].note == 'a note, with "quotes"'


def test_a_file_changed_on_disk_is_not_overwritten(folder):
    path = folder / "a-border.tsv"
    file = GlossaryFile.open(path)
    someone_else = path.read_text(encoding="utf-8") + "t-other\tđồn\tstation\t\t\t\t\t\t\t\n"
    path.write_text(someone_else, encoding="utf-8")
    assert file.changed_on_disk()
    with pytest.raises(GlossaryChanged, match="changed on disk since it was loaded"):
        file.save_entry(dict(file.row("t-bdbp").cells, note="mine"), replacing="t-bdbp")
    with pytest.raises(GlossaryChanged):
        file.delete_entry("t-bdbp")
    assert path.read_text(encoding="utf-8") == someone_else
    reloaded = GlossaryFile.open(path)
    assert not reloaded.changed_on_disk()
    reloaded.save_entry(dict(reloaded.row("t-bdbp").cells, note="mine"), replacing="t-bdbp")
    assert "t-other" in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("cells, message", [
    # the checker's own messages, located in the real file
    ({"id": "t-bdbp", "vi": "đồn", "en": "station"}, "a-border.tsv:7: duplicate id 't-bdbp'"),
    ({"id": "t-x", "vi": "Bộ đội Biên phòng", "en": "Border Army"},
     "vi form 'Bộ đội Biên phòng' maps to 'Border Army' here but to 'Border Guard' in entry 't-bdbp'"),
    ({"id": "t-x", "vi": "đồn", "en": "station", "enforce": "maybe"},
     "column 'enforce' must be yes or no, not 'maybe'"),
    ({"id": "bad id", "vi": "đồn", "en": "station"}, "bad id 'bad id'"),
    ({"id": "t-x", "vi": "đồn"}, "missing term in column 'en'"),
])
def test_a_change_that_breaks_the_glossary_is_refused(folder, cells, message):
    path = folder / "a-border.tsv"
    before = path.read_bytes()
    with pytest.raises(GlossaryError) as caught:
        GlossaryFile.open(path).save_entry(cells)
    assert message in str(caught.value)
    assert str(folder / "a-border.tsv") in str(caught.value)
    assert "glossary-check-" not in str(caught.value)  # no temporary paths leak out
    assert path.read_bytes() == before


@pytest.mark.parametrize("cells, message", [
    ({"id": "t-x", "vi": "đồn", "en": "a\tstation"}, "column 'en' contains a tab"),
    ({"id": "t-x", "vi": "đồn", "en": "station", "note": "two\nlines"}, "column 'note' contains a line break"),
    ({"id": "t-x", "vi": "đồn", "en": "station", "zh_forbidden": "站"},
     "column 'zh_forbidden' is not in this file's header"),
    ({"id": "", "vi": "", "en": ""}, "the entry is empty"),
])
def test_cells_a_file_cannot_hold_are_refused(folder, cells, message):
    with pytest.raises(GlossaryEditError, match=message):
        GlossaryFile.open(folder / "a-border.tsv").save_entry(cells)


def test_a_problem_already_there_does_not_block_other_edits(folder):
    shutil.copy(DATA / "broken.tsv", folder / "c-broken.tsv")
    path = folder / "a-border.tsv"
    file = GlossaryFile.open(path)
    assert file.problems()  # the glossary as a whole is broken...
    file.save_entry(dict(file.row("t-bdbp").cells, note="still editable"), replacing="t-bdbp")
    assert "still editable" in path.read_text(encoding="utf-8")  # ...but this edit adds nothing new


def test_the_write_is_atomic_and_keeps_the_file_mode(folder):
    path = folder / "a-border.tsv"
    os.chmod(path, 0o640)
    inode = path.stat().st_ino
    GlossaryFile.open(path).save_entry({"id": "t-new", "vi": "đồn", "en": "station"})
    assert path.stat().st_mode & 0o777 == 0o640
    assert path.stat().st_ino != inode  # replaced, not rewritten in place
    assert sorted(p.name for p in folder.iterdir()) == ["a-border.tsv", "b-mongolia.csv"]


def test_unknown_entry(folder):
    with pytest.raises(GlossaryEditError, match="no entry 't-none'"):
        GlossaryFile.open(folder / "a-border.tsv").delete_entry("t-none")
