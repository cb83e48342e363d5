"""The align command and its links to the rest of the workbench.

Sentences come through the documents path (encodings, boilerplate, language
detection as the batch script), glossary term pairs from `alignment.terms`, the
MT signal from the translator factory; errors are one `Error: path[:line]: reason` line.
"""

from __future__ import annotations

import types
import unicodedata
from pathlib import Path

import pytest

from workbench.alignment import align
from workbench.alignment.sentences import read_sentence_lines, read_sentences
from workbench.alignment.terms import load_term_pairs
from workbench.alignment.translation import MachineTranslation, machine_translation
from workbench.cli import main
from workbench.mt.base import DecodingSettings

REPO_GLOSSARY = Path(__file__).resolve().parent.parent / "glossaries"
DATA = Path(__file__).resolve().parent / "data" / "align"
VIETNAMESE = ("Đồn Biên phòng Thanh Thủy tuần tra 27 km đường biên.\n"
              "Bình luận\n"
              "Năm 2020, đơn vị bắt giữ 15 đối tượng buôn lậu.\n"
              "ZALO\n")
ENGLISH = ("Thanh Thuy Border Guard Station patrols 27 km of the border.\n"
           "In 2020, the unit arrested 15 smugglers.\n")


def test_term_pairs_come_from_the_glossary_for_the_language_pair():
    pairs = load_term_pairs(str(REPO_GLOSSARY), "vi", "en")
    assert ("Bộ đội Biên phòng", "Border Guard") in pairs
    assert load_term_pairs(str(REPO_GLOSSARY), None, "en") == []


def test_random_weight_checkpoint_is_not_used_as_a_signal(tiny_checkpoints):
    mt = machine_translation("vi", "en", checkpoint=str(tiny_checkpoints["vi-en"]), engine="transformers")
    assert mt.translate is None and "random weights" in mt.note


def test_missing_checkpoint_is_a_note_and_an_unknown_pair_is_silent(tmp_path):
    missing = machine_translation("vi", "en", checkpoint=str(tmp_path / "no-model"), engine="transformers")
    assert missing.translate is None and missing.note.startswith("aligning without machine translation")
    assert machine_translation("de", "fr") == machine_translation(None, "en") == MachineTranslation(None, None)


def test_a_real_model_from_the_factory_gives_the_chrf_signal(monkeypatch):
    calls = []

    class Translator:
        is_random_weights = False

        def load(self):
            calls.append("load")

        def translate_best(self, sentences, settings):
            calls.append((list(sentences), settings))
            return ["The post was founded in 1959.", "It has forty soldiers."][:len(sentences)]

    def get_translator(pair, checkpoint, *, engine=None, threads=None):
        calls.append((pair, checkpoint, engine))
        return Translator()

    monkeypatch.setattr("workbench.mt.factory.get_translator", get_translator)
    mt = machine_translation("vi", "en", checkpoint="some/checkpoint")
    assert mt.note is None and calls == [("vi-en", "some/checkpoint", None), "load"]
    source = ["Đồn được thành lập năm 1959.", "Đơn vị có bốn mươi chiến sĩ."]
    target = ["The post was founded in 1959.", "It has forty soldiers."]
    links = align(source, target, translate=mt.translate)
    assert [link.as_pair() for link in links] == [([0], [0]), ([1], [1])]
    assert calls[2] == (source, DecodingSettings())


TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def cp1258(text: str) -> bytes:
    """Windows-1258 bytes as its writers make them: precomposed base letter, combining tone mark."""
    out = b""
    for character in unicodedata.normalize("NFC", text):
        try:
            out += character.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", character)
            base += "".join(mark for mark in marks if mark not in TONE_MARKS)
            tones = "".join(mark for mark in marks if mark in TONE_MARKS)
            out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return out


@pytest.mark.parametrize("encode", [
    lambda text: text.encode("utf-8"),
    lambda text: b"\xff\xfe" + text.encode("utf-16-le"),
    cp1258,
], ids=["utf-8", "utf-16", "windows-1258"])
def test_documents_are_read_as_the_batch_script_reads_them(tmp_path, capsys, encode):
    source, target = tmp_path / "a.txt", tmp_path / "b.txt"
    source.write_bytes(encode(VIETNAMESE))
    target.write_text(ENGLISH, encoding="utf-8")
    read = read_sentences(source)
    assert read.lang == "vi" and "Bình luận" not in read.sentences and "ZALO" not in read.sentences
    assert main(["align", str(source), str(target), "--no-mt"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[0] for row in rows] == ["[0]:[0]", "[1]:[1]"]
    assert rows[1][2:] == ["Năm 2020, đơn vị bắt giữ 15 đối tượng buôn lậu.",
                           "In 2020, the unit arrested 15 smugglers."]
    assert 0.0 <= float(rows[0][1]) <= 1.0


def test_language_options_override_detection(tmp_path):
    (tmp_path / "a.txt").write_text(ENGLISH, encoding="utf-8")
    assert read_sentences(tmp_path / "a.txt").lang == "en"
    assert read_sentences(tmp_path / "a.txt", lang="vi").lang == "vi"
    assert read_sentence_lines(tmp_path / "a.txt", lang="de").lang == "de"
    assert read_sentence_lines(DATA / "textberg_test4.de").lang is None  # German: unknown, still aligned


def test_presplit_keeps_every_line_and_decodes_like_documents(tmp_path):
    path = tmp_path / "lines.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "Bình luận\r\n\r\nHo\u0300a bi\u0300nh.\r\n".encode())
    read = read_sentence_lines(path)
    assert read.sentences == ("Bình luận", "", "Hòa bình.")  # boilerplate and blank lines keep their numbers
    assert read.lang == "vi"


def test_cli_presplit_prints_links_in_gold_format(tmp_path, capsys):
    out = tmp_path / "links.align"
    status = main(["align", str(DATA / "textberg_test4.de"), str(DATA / "textberg_test4.fr"),
                   "--presplit", "--out", str(out)])
    assert status == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[0]:[0]"
    covered = [int(i) for line in lines for i in line.split(":")[0].strip("[]").split(",") if i.strip()]
    assert covered == list(range(36))
    assert capsys.readouterr().out == ""


def test_confirmed_links_are_kept(tmp_path, capsys):
    (tmp_path / "src.txt").write_text("Một.\nHai câu dài hơn nhiều so với câu kia.\nBa.\n", encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("One.\nTwo.\nThree is a much longer sentence than the others.\n",
                                      encoding="utf-8")
    (tmp_path / "confirmed.txt").write_text("[1]:[2]\n", encoding="utf-8")
    code = main(["align", str(tmp_path / "src.txt"), str(tmp_path / "tgt.txt"), "--presplit", "--no-mt",
                 "--confirmed", str(tmp_path / "confirmed.txt")])
    assert code == 0
    assert "[1]:[2]" in capsys.readouterr().out.split()


@pytest.mark.parametrize("content, presplit, message", [
    (None, True, "{path}: no such file"),
    (b"", True, "{path}: file is empty"),
    (b"  \n\n", True, "{path}: no sentences to align"),
    (b"ok line\n\xff\xfe bad\n", True, "{path}:2: not UTF-8 (byte 0xFF) and not recognisably Windows-1258"),
    (b"\x00\x01binary", False, "{path}: binary file"),
    (b"  \n\n", False, "{path}: file holds only whitespace"),
    (b"12 34 56\n", False, "{path}: cannot detect the language"),
])
def test_bad_input_is_one_error_line_naming_the_file(tmp_path, capsys, content, presplit, message):
    bad = tmp_path / "source.txt"
    if content is not None:
        bad.write_bytes(content)
    good = tmp_path / "target.txt"
    good.write_text("The border guards patrol the border.\n", encoding="utf-8")
    assert main(["align", str(bad), str(good), "--no-mt"] + (["--presplit"] if presplit else [])) == 1
    err = capsys.readouterr().err
    assert err.startswith("Error: " + message.format(path=bad)) and err.count("\n") == 1


def test_a_folder_is_refused(tmp_path, capsys):
    (tmp_path / "b.txt").write_text(ENGLISH, encoding="utf-8")
    assert main(["align", str(tmp_path), str(tmp_path / "b.txt")]) == 1
    assert capsys.readouterr().err == f"Error: {tmp_path}: is a directory, not a file\n"


def test_the_cli_module_stays_thin():
    import workbench.cli.align as module

    functions = [name for name, value in vars(module).items()
                 if isinstance(value, types.FunctionType) and value.__module__ == module.__name__]
    assert sorted(functions) == ["register", "run_align"]
