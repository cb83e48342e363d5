"""Tests of the aligner's signals: sentence length, anchors, the learned word list, the CLI."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import numpy as np
import pytest

from workbench.alignment.anchors import sentence_anchors, term_anchors
from workbench.alignment.lengths import estimate_variance, length_cost, length_ratio, sentence_length
from workbench.alignment.lexicon import Tokens, learn_lexicon, lexical_tokens
from workbench.cli import main as workbench_main

DATA = Path(__file__).resolve().parent / "data" / "align"


@pytest.mark.parametrize("sentence, length", [
    ("Hello world.", 11),
    ("d' altitude , ce", 13),          # tokenised text measures like untokenised
    ("起初神创造天地。", 8),              # every Chinese character counts
    ("  \t ", 0),
])
def test_sentence_length_counts_characters_without_spaces(sentence, length):
    assert sentence_length(sentence) == length


def test_length_cost_grows_with_the_mismatch_and_shrinks_with_length():
    costs = length_cost(np.array([100.0, 100.0, 100.0]), np.array([100.0, 130.0, 200.0]), 6.8)
    assert costs[0] == pytest.approx(0.0, abs=1e-6)
    assert costs[0] < costs[1] < costs[2]
    # The same 30% difference is stronger evidence on longer sentences.
    assert length_cost(np.array([1000.0]), np.array([1300.0]), 6.8)[0] > costs[1]
    # Far tails stay finite.
    assert np.isfinite(length_cost(np.array([1.0]), np.array([5000.0]), 6.8)).all()


def test_length_ratio_and_variance_are_calibrated_on_the_documents():
    rng = np.random.default_rng(0)
    source = rng.uniform(20, 200, size=500)
    target = 0.3 * source  # Chinese is about a third as long as English in characters
    assert length_ratio(source, target) == pytest.approx(0.3)
    noisy = source + rng.normal(0, np.sqrt(2.0 * source))
    assert estimate_variance(source, noisy) == pytest.approx(2.0, rel=0.25)
    assert length_ratio(np.zeros(3), np.ones(3)) == 1.0


@pytest.mark.parametrize("sentence, expected, absent", [
    ("Er erreichte 21.790 Fuss.", {"n:21790"}, set()),
    ("Il atteignit 21,790 pieds.", {"n:21790"}, set()),
    ("Il atteignit 21 790 pieds.", {"n:21790"}, set()),
    ("渊面黑暗？有光吗？", {"p:?0", "p:?1"}, {"p:?2"}),
    ("Er sagte: «Gehen wir!»", {"p::0", 'p:"0', 'p:"1', "p:!0"}, set()),
    ("L'expédition suisse", {"w:exped", "w:suiss"}, set()),
    ("Die Expedition des SAC", {"w:exped", "w:sac"}, {"w:des"}),  # short words count only capitalised
])
def test_sentence_anchors(sentence, expected, absent):
    features = sentence_anchors(sentence)
    assert expected <= features
    assert not absent & features


def test_term_anchors_match_case_insensitive_substrings():
    source, target = term_anchors(
        ["Die Grenzwache patrouilliert.", "Nichts."],
        ["The Border Guard patrols.", "Nothing.", "Border guards again."],
        [("grenzwache", "border guard"), ("", "empty"), ("Zoll", "customs")],
    )
    assert source == {0: {"g:0"}}
    assert target == {0: {"g:0"}, 2: {"g:0"}}


def test_lexicon_learns_word_pairs_from_links():
    rng = np.random.default_rng(1)
    english = ["god", "earth", "light", "water", "day", "night", "king", "city", "river", "stone",
               "gold", "silver", "horse", "sheep", "mountain", "sea", "fire", "wind", "bread", "wine"]
    chinese = ["神", "地", "光", "水", "日", "夜", "王", "城", "河", "石",
               "金", "银", "马", "羊", "山", "海", "火", "风", "饼", "酒"]
    source, target = [], []
    for _ in range(300):
        picked = rng.choice(len(english), size=3, replace=False)
        source.append(" ".join(english[k] for k in picked) + " and more")
        target.append("".join(chinese[k] for k in picked) + "等")
    links = [([k], [k]) for k in range(len(source))]
    source_tokens, target_tokens = Tokens.of(source), Tokens.of(target)
    pairs = learn_lexicon(source_tokens, target_tokens, links).pairs(source_tokens, target_tokens)
    best = {}
    for source_word, target_word, _ in pairs:
        best.setdefault(source_word, target_word)
    assert {word: best.get(word) for word in english} == dict(zip(english, chinese, strict=True))
    # Words in every link say nothing and are left out.
    assert "and" not in best and "more" not in best


def test_lexical_tokens_cut_chinese_into_characters():
    assert lexical_tokens("神说：要有光 God said") == {"神", "说", "要", "有", "光", "god", "said"}


def run_cli(argv: list[str]) -> int:
    return workbench_main(argv)


def test_cli_presplit_prints_links_in_gold_format(tmp_path, capsys):
    out = tmp_path / "links.align"
    status = run_cli(["align", str(DATA / "textberg_test4.de"), str(DATA / "textberg_test4.fr"),
                      "--presplit", "--out", str(out)])
    assert status == 0
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "[0]:[0]"
    assert all(line.startswith("[") and "]:[" in line for line in lines)
    assert capsys.readouterr().out == ""


def test_cli_documents_are_split_and_links_printed_with_text(tmp_path, capsys, monkeypatch):
    calls = []

    def split_sentences(text: str, lang: str) -> list[str]:
        calls.append(lang)
        return [part.strip() + "." for part in text.split(".") if part.strip()]

    monkeypatch.setitem(sys.modules, "workbench.documents.segment",
                        types.SimpleNamespace(split_sentences=split_sentences))
    source, target = tmp_path / "a.txt", tmp_path / "b.txt"
    source.write_text("The post was founded in 1959. It has 40 soldiers.", encoding="utf-8")
    target.write_text("Le poste a été fondé en 1959. Il compte 40 soldats.", encoding="utf-8")
    assert run_cli(["align", str(source), str(target), "--src-lang", "en", "--tgt-lang", "fr"]) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.splitlines()]
    assert [row[0] for row in rows] == ["[0]:[0]", "[1]:[1]"]
    assert rows[1][2:] == ["It has 40 soldiers.", "Il compte 40 soldats."]
    assert 0.0 <= float(rows[0][1]) <= 1.0
    assert calls == ["en", "fr"]


@pytest.mark.parametrize("content, message", [
    (None, "{path}: no such file"),
    (b"", "{path}: file is empty"),
    (b"  \n\n", "{path}: file is empty"),
    (b"ok line\n\xff\xfe bad\n", "{path}:2: not UTF-8 (byte 0xFF at offset 8); convert it to UTF-8"),
])
def test_cli_bad_input_is_one_error_line_naming_the_file(tmp_path, capsys, content, message):
    bad = tmp_path / "source.txt"
    if content is not None:
        bad.write_bytes(content)
    good = tmp_path / "target.txt"
    good.write_text("Une phrase.\n", encoding="utf-8")
    assert run_cli(["align", str(bad), str(good), "--presplit"]) == 1
    err = capsys.readouterr().err
    assert err == "Error: " + message.format(path=bad) + "\n"


def test_align_is_a_workbench_command(capsys):
    cli = pytest.importorskip("workbench.cli")
    status = cli.main(["align", str(DATA / "textberg_test4.de"), str(DATA / "textberg_test4.fr"), "--presplit"])
    assert status == 0
    lines = capsys.readouterr().out.splitlines()
    covered = [int(i) for line in lines for i in line.split(":")[0].strip("[]").split(",") if i.strip()]
    assert covered == list(range(36))
