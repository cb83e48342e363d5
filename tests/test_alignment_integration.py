"""The align command's links to the rest of the workbench: glossary anchors, MT signal, confirmed links."""

from __future__ import annotations

import argparse
from pathlib import Path

from workbench.cli import main
from workbench.cli.align import glossary_term_pairs, machine_translation

REPO_GLOSSARY = Path(__file__).resolve().parent.parent / "glossaries"


def test_glossary_entries_become_term_pairs_for_the_language_pair():
    pairs = glossary_term_pairs(str(REPO_GLOSSARY), "vi", "en")
    assert ("Bộ đội Biên phòng", "Border Guard") in pairs
    assert glossary_term_pairs(str(REPO_GLOSSARY), None, "en") is None


def test_random_weight_checkpoint_is_not_used_as_a_signal(tiny_checkpoints, capsys):
    args = argparse.Namespace(no_mt=False, model=str(tiny_checkpoints["vi-en"]))
    assert machine_translation(args, "vi", "en") is None
    assert "random weights" in capsys.readouterr().err


def test_confirmed_links_are_kept(tmp_path, capsys):
    (tmp_path / "src.txt").write_text("Một.\nHai câu dài hơn nhiều so với câu kia.\nBa.\n", encoding="utf-8")
    (tmp_path / "tgt.txt").write_text("One.\nTwo.\nThree is a much longer sentence than the others.\n",
                                      encoding="utf-8")
    (tmp_path / "confirmed.txt").write_text("[1]:[2]\n", encoding="utf-8")
    code = main(["align", str(tmp_path / "src.txt"), str(tmp_path / "tgt.txt"), "--presplit", "--no-mt",
                 "--confirmed", str(tmp_path / "confirmed.txt")])
    assert code == 0
    links = capsys.readouterr().out.split()
    assert "[1]:[2]" in links
