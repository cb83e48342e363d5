"""Tests for workbench.mt.plausibility: which machine translations are not a starting point."""

from pathlib import Path

import pytest

from workbench.mt.plausibility import (
    EMPTY_REASON,
    RANDOM_WEIGHTS_REASON,
    check_plausibility,
    is_plausible,
    is_vietnamese_syllable,
    longest_repeat,
)

SEEDS = Path(__file__).resolve().parent.parent / "seeds"

VI_SOURCE = ("Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy tổ chức hội nghị sơ kết 5 năm thực hiện "
             "Chỉ thị số 01 của Thủ tướng Chính phủ.")
EN_OF_VI = ("Thanh Thuy International Border Gate Border Guard Station held a conference reviewing five "
            "years of implementing Directive No. 01 of the Prime Minister.")
ZH_SOURCE = "自治区党委书记石泰峰主持召开边防委员会第二次会议，听取2020年边防工作情况汇报。"
EN_OF_ZH = ("Shi Taifeng, Secretary of the Party Committee of the Autonomous Region, presided over the second "
            "meeting of the Border Defense Commission and heard a report on border defense work in 2020.")
EN_SOURCE = "The provincial border guard held a meeting on the protection of border sovereignty."
VI_OF_EN = "Bộ đội biên phòng tỉnh tổ chức hội nghị về bảo vệ chủ quyền biên giới."

# (source, machine translation, source language, target language, random weights, expected reason or None)
CASES = [
    pytest.param(VI_SOURCE, EN_OF_VI, "vi", "en", False, None, id="vi-en plausible"),
    pytest.param(ZH_SOURCE, EN_OF_ZH, "zh", "en", False, None, id="zh-en plausible"),
    pytest.param(EN_SOURCE, VI_OF_EN, "en", "vi", False, None, id="en-vi plausible"),
    pytest.param(EN_OF_ZH, ZH_SOURCE, "en", "zh", False, None, id="en-zh plausible"),
    pytest.param("Hà Nội", "Hanoi", "vi", "en", False, None, id="short plausible"),
    pytest.param(VI_SOURCE, EN_OF_VI, "vi", "en", True, RANDOM_WEIGHTS_REASON, id="random weights flag"),
    pytest.param(VI_SOURCE, "", "vi", "en", False, EMPTY_REASON, id="empty"),
    pytest.param(VI_SOURCE, "   \n", "vi", "en", False, EMPTY_REASON, id="blank"),
    pytest.param(VI_SOURCE, None, "vi", "en", False, EMPTY_REASON, id="none"),
    pytest.param(VI_SOURCE, "The border guard the the the the station held a meeting.", "vi", "en", False,
                 "a word repeated 4 times", id="word loop"),
    pytest.param(VI_SOURCE, "The border station held of the border of the border of the border meeting.",
                 "vi", "en", False, "a 3-word phrase repeated 3 times", id="phrase loop"),
    pytest.param("Ha ha ha ha, ông nói.", "Ha ha ha ha, he said.", "vi", "en", False, None,
                 id="repetition the source has too"),
    pytest.param(VI_SOURCE, "meeting border station held guard " * 6, "vi", "en", False, "repetition loop",
                 id="cycling output"),
    pytest.param(VI_SOURCE, "Border.", "vi", "en", False, "length out of range", id="far too short"),
    pytest.param("Hà Nội", "Hanoi is the capital of Vietnam and the border guard held a meeting there "
                 "to study the directive.", "vi", "en", False, "length out of range", id="runaway on short source"),
    pytest.param(ZH_SOURCE, "Border.", "zh", "en", False, "length out of range", id="zh-en far too short"),
    pytest.param(VI_SOURCE, "Đồn Biên phòng tổ chức hội nghị sơ kết năm năm thực hiện chỉ thị của Thủ tướng.",
                 "vi", "en", False, "not English", id="Vietnamese where English belongs"),
    pytest.param(EN_SOURCE, "Bo doi bien phong tinh to chuc hoi nghi ve bao ve chu quyen bien gioi.",
                 "en", "vi", False, "without any Vietnamese diacritics", id="Vietnamese without diacritics"),
    pytest.param(EN_SOURCE, "省边防部队召开了关于保护边境主权的会议。省边防部队召开会议。", "en", "vi", False,
                 "wrong script for Vietnamese", id="Chinese where Vietnamese belongs"),
    pytest.param(EN_OF_ZH, "Shi Taifeng presided over the second meeting of the Border Defense Commission.",
                 "en", "zh", False, "not Chinese", id="English where Chinese belongs"),
    pytest.param(VI_SOURCE, VI_SOURCE, "vi", "en", False, "untranslated", id="copy of the source"),
    pytest.param(VI_SOURCE, "▁xq zzk ▁ab ▁qq ▁ab ▁xq zzk ▁ab ▁qq ▁ab ▁xq zzk ▁ab ▁qq ▁ab ▁xq zzk", "vi", "en",
                 False, "repetition loop", id="noise of an unflagged test model"),
    # What broken (random-weight) checkpoints wrote, caught without the random-weights flag.
    pytest.param(EN_SOURCE, "ẽunun F Fẽẽẽẽẽẽẽẽảngảng11 hội nghị ênênênênên", "en", "vi", False,
                 "'ẽ' repeated 8 times inside a word", id="letter loop inside a word"),
    pytest.param(EN_SOURCE, "đua đuaônônônôn giữ và thức Tổ", "en", "vi", False,
                 "'ôn' repeated 4 times inside a word", id="syllable loop inside a word"),
    pytest.param(VI_SOURCE, "+" * 60, "vi", "en", False, "no words", id="signs only"),
    pytest.param(VI_SOURCE, "06" * 30, "vi", "en", False, "'06' repeated 30 times", id="digit loop"),
    pytest.param(EN_SOURCE, "Bộ đội ẽunun biên phòng tỉnh ảngảng tổ chức hội nghị", "en", "vi", False,
                 "not Vietnamese syllables: 2 of 11 words cannot be (ẽunun, ảngảng)",
                 id="syllables no Vietnamese word has"),
    pytest.param(VI_SOURCE, "The bdrs grd stn hld a mtng on Thanh Thuy brdr gt frm the Prm Mnstr.", "vi", "en",
                 False, "not English words", id="words no English text has"),
    pytest.param(VI_SOURCE, "Le poste de garde a tenu une longue reunion pour examiner cinq annees de mise en "
                 "oeuvre de la directive du premier ministre.", "vi", "en", False,
                 "it reads as French", id="French where English belongs"),
    pytest.param(VI_SOURCE, "Lin Shaochun, Zhang Shaochun, Ma Qinglei, Yan Jun, Ouyang Xiaohui, Heng Xiaofan and "
                 "Chen Lusheng attended.", "vi", "en", False, None, id="a list of Chinese names is English"),
    pytest.param(VI_SOURCE, "The WeChat account of the station published 1,000,000 copies....", "vi", "en", False,
                 None, id="camel case, large numbers and dots are English"),
    pytest.param(VI_SOURCE, "Thanh Thuy border post patrols the border line and markers", "vi", "en", False, None,
                 id="short English the detector thinks German"),
    pytest.param("Số điện thoại: 0606060606.", "Phone number: 0606060606.", "vi", "en", False, None,
                 id="a run the source has too"),
]


@pytest.mark.parametrize("source, mt_text, source_lang, target_lang, random_weights, expected", CASES)
def test_check_plausibility(source, mt_text, source_lang, target_lang, random_weights, expected):
    reasons = check_plausibility(source, mt_text, source_lang, target_lang, random_weights=random_weights)
    if expected is None:
        assert reasons == []
        assert is_plausible(source, mt_text, source_lang, target_lang)
    else:
        assert any(expected in reason for reason in reasons), reasons
        assert not is_plausible(source, mt_text, source_lang, target_lang, random_weights=random_weights)


def test_several_reasons_are_all_given():
    reasons = check_plausibility("Hà Nội", "ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab ab",
                                 "vi", "en", random_weights=True)
    assert reasons[0] == RANDOM_WEIGHTS_REASON
    assert any("repetition loop" in r for r in reasons)
    assert any("length out of range" in r for r in reasons)


@pytest.mark.parametrize("word, expected", [
    ("nguyễn", True), ("Đồn", True), ("giường", True), ("quyết", True), ("khuya", True), ("thuỷ", True),
    ("thủy", True), ("a", True), ("ẽunun", False), ("ảngảng", False), ("ênênên", False), ("phòngg", False),
    ("strong", False),
])
def test_is_vietnamese_syllable(word, expected):
    assert is_vietnamese_syllable(word) is expected


@pytest.mark.parametrize("tokens, n, expected", [
    ([], 1, 0),
    (["a"], 1, 1),
    (["a", "b", "a", "b", "a", "b"], 1, 1),
    (["a", "b", "a", "b", "a", "b"], 2, 3),
    (["x", "a", "b", "a", "b"], 2, 2),  # the run starts at an odd offset
    (["a", "a", "b", "a", "a", "a"], 1, 3),
])
def test_longest_repeat(tokens, n, expected):
    assert longest_repeat(tokens, n) == expected


@pytest.mark.parametrize("pattern, lang", [("*_vi_*.txt", "vi"), ("*_en-mt_*.txt", "en")])
def test_real_seed_text_passes_the_script_check_for_its_language(pattern, lang):
    lines = [line.strip() for path in sorted(SEEDS.glob(pattern))
             for line in path.read_text(encoding="utf-8").splitlines() if len(line.strip()) > 40]
    assert len(lines) > 15
    flagged = {line: check_plausibility(line, line, lang, lang) for line in lines}
    assert {line: reasons for line, reasons in flagged.items() if reasons} == {}


@pytest.mark.parametrize("pattern, source_lang, lang", [("*_vi_*.txt", "en", "vi"), ("*_en-mt_*.txt", "vi", "en")])
def test_every_seed_sentence_is_plausible_output_in_its_language(pattern, source_lang, lang):
    """Real text as if it were MT (no parallel source: the length and copy checks stay silent)."""
    from workbench.documents.segment import split_sentences

    sentences = [s for path in sorted(SEEDS.glob(pattern))
                 for s in split_sentences(path.read_text(encoding="utf-8"), lang) if s.strip()]
    assert len(sentences) > 30
    flagged = {s: check_plausibility("", s, source_lang, lang) for s in sentences}
    assert {s: reasons for s, reasons in flagged.items() if reasons} == {}


def test_a_random_weight_checkpoints_output_is_caught_without_its_flag(tiny_checkpoints):
    """The test model's own output, judged as if its config did not say it is random."""
    from workbench.mt.factory import new_translator

    translator = new_translator("transformers", "en-vi", str(tiny_checkpoints["en-vi"]), device="cpu")
    sources = [EN_SOURCE, "The border guard station held a conference.", "Soldiers patrol the border every day."]
    outputs = translator.translate_best(sources)
    passed = [output for source, output in zip(sources, outputs, strict=True)
              if is_plausible(source, output, "en", "vi")]
    assert passed == []
