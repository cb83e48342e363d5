"""The text basics (`workbench.text`): one table of the cases every layer relies on."""

from __future__ import annotations

import unicodedata

import pytest

from workbench.text import (
    CJK_START,
    VIETNAMESE_LETTERS,
    collapse_spaces,
    escape_attribute,
    escape_html,
    fold_accents,
    fold_for_search,
    has_tone_mark,
    highlight_spans,
    is_cjk,
    is_han,
    is_latin,
    language_name,
    repair_vietnamese_d,
    same_text_key,
    split_tones,
    xml_forbidden_character,
)

NFD = lambda text: unicodedata.normalize("NFD", text)  # noqa: E731


@pytest.mark.parametrize(("function", "given", "expected"), [
    # Folding: Đ/đ and the eth look-alikes Ð/ð are d, every diacritic goes, full-width is ASCII.
    (fold_accents, "Đảng uỷ Biên phòng", "Dang uy Bien phong"),
    (fold_accents, "Ðồn đã", "Don da"),  # Ð U+00D0, ð U+00F0
    (fold_accents, NFD("Hà Nội"), "Ha Noi"),
    (fold_accents, "ＢĐＢＰ １２３", "BDBP 123"),
    (fold_accents, "expédition", "expedition"),
    (fold_accents, "한국어 中文", "한국어 中文"),  # hangul recomposed, ideographs untouched
    (fold_for_search, "BIÊN PHÒNG", "bien phong"),
    (fold_for_search, "Ðà Nẵng", "da nang"),
    # Same-text keys: NFC/NFD, case and white space never count; accents and tone placement do.
    (same_text_key, NFD("  Bộ ĐỘI \n biên "), "bộ đội biên"),
    (same_text_key, "hoà", "hoà"),
    (same_text_key, "a\tb\u00a0 c", "a b c"),
    (collapse_spaces, " a \n\t b ", "a b"),
    (collapse_spaces, None, ""),
    # Tone marks: where the mark sits does not matter; NFC and NFD agree; Ð is Đ.
    (split_tones, "hoà", ("hoa", "\u0300")),
    (split_tones, "hòa", ("hoa", "\u0300")),
    (split_tones, NFD("thuỷ"), ("thuy", "\u0309")),
    (split_tones, "Ðội", ("Đôi", "\u0323")),
    (split_tones, "ＢĐＢＰ", ("BĐBP", "")),
    (repair_vietnamese_d, "Ðà Nẵng, ðường", "Đà Nẵng, đường"),
    # Languages.
    (language_name, "vi", "Vietnamese"),
    (language_name, "zh", "Chinese"),
    (language_name, "xx", "xx"),
    (language_name, None, ""),
    # HTML.
    (escape_html, '<b class="x">&\'</b>', "&lt;b class=&quot;x&quot;&gt;&amp;&#x27;&lt;/b&gt;"),
    (escape_html, None, ""),
    (escape_attribute, '<img src=x onerror="a">', "‹img src=x onerror=&quot;a&quot;›"),
    # XML: tab, line breaks and C1 controls are allowed; C0 controls and U+FFFE/U+FFFF are not.
    (xml_forbidden_character, "a\tb\nc\rd\x85e\x7f", None),
    (xml_forbidden_character, "a\x0bb\x01", "\x0b"),
    (xml_forbidden_character, "\ufffe", "\ufffe"),
    (xml_forbidden_character, None, None),
])
def test_text_basics(function, given, expected):
    assert function(given) == expected


@pytest.mark.parametrize(("char", "han", "cjk"), [
    ("中", True, True),  # U+4E2D unified ideograph
    ("㐀", True, True),  # U+3400 extension A
    ("𠀀", True, True),  # U+20000 extension B
    ("𪜀", True, True),  # U+2A700 extension C
    ("𫝀", True, True),  # U+2B740 extension D
    ("𫠠", True, True),  # U+2B820 extension E
    ("𬺰", True, True),  # U+2CEB0 extension F
    ("𰀀", True, True),  # U+30000 extension G (plane 3)
    ("豈", True, True),  # U+F900 compatibility ideograph
    ("⼀", True, True),  # U+2F00 Kangxi radical
    ("々", True, True),  # U+3005 iteration mark
    ("か", False, True),  # hiragana
    ("カ", False, True),  # katakana
    ("한", False, True),  # hangul syllable
    ("。", False, True),  # CJK full stop
    ("ỹ", False, False),  # the last Vietnamese letter, U+1EF9
    ("Ａ", False, False),  # full-width Latin is not CJK
    ("a", False, False),
])
def test_scripts(char, han, cjk):
    assert is_han(char) is han
    assert is_cjk(char) is cjk
    if cjk:
        assert char >= CJK_START  # the cheap first test the glossary matcher relies on


@pytest.mark.parametrize(("char", "latin"), [("a", True), ("ễ", True), ("Đ", True), ("Ａ", True),
                                             ("中", False), ("б", False)])
def test_latin(char, latin):
    assert is_latin(char) is latin


def test_vietnamese_letters_are_every_toned_vowel_and_the_base_letters():
    assert len(VIETNAMESE_LETTERS) == 2 * (7 + 12 * 5)  # ă â đ ê ô ơ ư; 12 vowels x 5 tones; both cases
    assert {"ă", "Đ", "ỹ", "Ỵ", "ờ", "à", "é"} <= VIETNAMESE_LETTERS
    assert not {"ñ", "ä", "ç", "a", "Ð"} & VIETNAMESE_LETTERS
    assert all(unicodedata.is_normalized("NFC", letter) for letter in VIETNAMESE_LETTERS)


@pytest.mark.parametrize(("char", "toned"), [("ả", True), ("ạ", True), ("é", True), ("ñ", True),
                                             ("â", False), ("đ", False), ("a", False)])
def test_tone_marks(char, toned):
    assert has_tone_mark(char) is toned


class _Span:
    def __init__(self, start: int, end: int, name: str):
        self.start, self.end, self.name = start, end, name


def test_highlight_spans_escapes_everything_and_skips_overlaps():
    text = "<b>Biên phòng</b> & đồn"
    spans = [_Span(18, 19, "amp"), _Span(3, 7, "bien"), _Span(5, 12, "overlap")]
    html = highlight_spans(text, spans, lambda span: f'<mark title="{escape_html(span.name)}">')
    assert html == ('&lt;b&gt;<mark title="bien">Biên</mark> phòng&lt;/b&gt; '
                    '<mark title="amp">&amp;</mark> đồn')
    assert highlight_spans("<x>", [], lambda span: "") == "&lt;x&gt;"
