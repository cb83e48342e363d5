"""Text basics every layer shares, written once: languages, Vietnamese letters, scripts, folding, HTML.

- Languages: ISO 639-1 codes and their English names (`language_name`).
- Vietnamese: the five tone marks (combining characters), the letters only
  Vietnamese uses among our languages, `split_tones` (the glossary matcher's
  tone-placement-insensitive key) and `repair_vietnamese_d` (Icelandic eth
  Ð/ð, often typed for Đ/đ).
- Scripts: one set of Unicode ranges for Chinese characters (every CJK
  extension, compatibility ideographs and radicals included) and for the wider
  CJK family written without spaces between words (kana, hangul, CJK
  punctuation); `is_han`, `is_cjk`, `is_latin`.
- Folding: `fold_accents` (every diacritic off, Đ/đ/Ð/ð as D/d, full-width
  forms as ASCII), `fold_for_search` (that, case folded), `same_text_key` (what
  "the same text" means when reviewed segments are compared: NFC, case, runs
  of white space) and `collapse_spaces`.
- XML: `xml_forbidden_character` (what no XML file can carry).
- HTML: `escape_html`, `escape_attribute` and `highlight_spans`, the one way
  text from documents, glossaries and reviewers becomes markup: every character
  of it escaped.

Standard library only, so that every layer (documents up to the UI) may import it.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import Protocol

# -- languages --------------------------------------------------------------------------------------

#: The languages the workbench translates between.
SUPPORTED_LANGUAGES = ("vi", "en", "zh")
#: English names of the languages we translate and of those our documents get confused with.
LANGUAGE_NAMES = {"vi": "Vietnamese", "en": "English", "zh": "Chinese", "fr": "French", "de": "German",
                  "es": "Spanish", "pt": "Portuguese", "it": "Italian", "nl": "Dutch", "id": "Indonesian",
                  "ms": "Malay", "pl": "Polish", "cs": "Czech", "ro": "Romanian", "tr": "Turkish",
                  "ru": "Russian", "ja": "Japanese", "ko": "Korean", "th": "Thai"}


def language_name(code: str | None) -> str:
    """'Vietnamese' for 'vi'; an unknown code stays as it is ('' for none)."""
    if not code:
        return ""
    return LANGUAGE_NAMES.get(code, code)


# -- Vietnamese -------------------------------------------------------------------------------------

#: Vietnamese tone marks as combining characters: grave, acute, tilde, hook above, dot below. Other
#: marks (circumflex, breve, horn) change the vowel itself.
TONE_MARKS = frozenset("\u0300\u0301\u0303\u0309\u0323")
#: Letters that only Vietnamese uses among our languages, without a tone mark.
VIETNAMESE_BASE_LETTERS = frozenset("ăâđêôơưĂÂĐÊÔƠƯ")
_VIETNAMESE_VOWELS = "aăâeêioôơuưy"
#: Every letter of Vietnamese outside ASCII, precomposed (NFC): the base letters and each vowel with
#: each tone mark, both cases.
VIETNAMESE_LETTERS = VIETNAMESE_BASE_LETTERS | frozenset(
    unicodedata.normalize("NFC", vowel + tone)
    for base in (_VIETNAMESE_VOWELS, _VIETNAMESE_VOWELS.upper())
    for vowel in base
    for tone in TONE_MARKS
)


def has_tone_mark(char: str) -> bool:
    """True when a character carries one of the five Vietnamese tone marks ("ả", also "é", "ñ")."""
    return any(mark in TONE_MARKS for mark in unicodedata.normalize("NFD", char)[1:])


def split_tones(word: str) -> tuple[str, str]:
    """A word as (base letters, its tone marks sorted), after NFKC and Ð->Đ.

    "hoà" and "hòa" (the tone on another vowel) give the same pair, and so do
    their NFC and NFD spellings.
    """
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFKC", word))
    base_chars = []
    tones = set()
    for char in decomposed:
        if char in TONE_MARKS:
            tones.add(char)
        else:
            base_chars.append(char)
    base = repair_vietnamese_d(unicodedata.normalize("NFC", "".join(base_chars)))
    return base, "".join(sorted(tones))


def repair_vietnamese_d(text: str) -> str:
    """Replace Icelandic eth (Ð/ð), often typed for Vietnamese Đ/đ, by the real letter."""
    return text.replace("\u00d0", "\u0110").replace("\u00f0", "\u0111")


# -- scripts ----------------------------------------------------------------------------------------

#: Chinese characters: radicals, the iteration and numeral marks (々 〇 〡-〩 〸-〻), extension A, the
#: unified ideographs, compatibility ideographs, and planes 2 and 3 (extensions B to J).
HAN_RANGES = ("\u2e80-\u2fdf\u3005\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf\u4e00-\u9fff"
              "\uf900-\ufaff\U00020000-\U0003ffff")
#: Japanese kana (with the phonetic extensions) and Korean hangul (syllables, compatibility jamo).
KANA_RANGES = "\u3040-\u30ff\u31f0-\u31ff"
HANGUL_RANGES = "\u3130-\u318f\uac00-\ud7af"
#: The scripts written without spaces between words (Korean aside, which takes spaces but shares the
#: block layout): every Chinese character, kana, hangul, bopomofo and CJK punctuation and symbols.
CJK_RANGES = f"\u2e80-\u9fff{HANGUL_RANGES}\uf900-\ufaff\ufe30-\ufe4f\U00020000-\U0003ffff"

#: No CJK character sorts below this one (Vietnamese letters end at U+1EF9): a cheap first test.
CJK_START = "\u2e80"

HAN_CHARACTER = re.compile(f"[{HAN_RANGES}]")
KANA_CHARACTER = re.compile(f"[{KANA_RANGES}]")
CJK_CHARACTER = re.compile(f"[{CJK_RANGES}]")


def is_han(char: str) -> bool:
    """True for a Chinese character (any CJK extension)."""
    return HAN_CHARACTER.match(char) is not None


def is_cjk(char: str) -> bool:
    """True for a character of the CJK scripts (Chinese, kana, hangul, CJK punctuation)."""
    return CJK_CHARACTER.match(char) is not None


def is_latin(char: str) -> bool:
    """True for a letter of the Latin script, with or without diacritics."""
    return "LATIN" in unicodedata.name(char, "")


# -- folding ----------------------------------------------------------------------------------------

# Đ and đ are letters of their own, not D with a mark, so decomposition keeps them; Ð/ð (eth) stand
# in for them in much typed Vietnamese.
_D_LETTERS = str.maketrans("ĐđÐð", "DdDd")



class _DropCombining(dict):
    """A `str.translate` table that deletes every character with a combining class (the marks that
    decomposition splits off) and keeps the rest; each character is looked up once, on first sight."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_COMBINING_MARKS = _DropCombining()


def fold_accents(text: str) -> str:
    """Every diacritic off, Đ/đ (and Ð/ð) as D/d, compatibility forms (full-width) as plain ones.

    "Biên phòng" -> "Bien phong", "Ｈà Nội" -> "Ha Noi". Case is kept.
    """
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_D_LETTERS))
    # NFC again: hangul syllables decompose into jamo, which are not combining marks.
    return unicodedata.normalize("NFC", decomposed.translate(_COMBINING_MARKS))


def fold_for_search(text: str) -> str:
    """Case- and accent-folded text, so "bien phong" finds "Biên phòng"."""
    return fold_accents(text).casefold()


def collapse_spaces(text: str | None) -> str:
    """Runs of white space as one space, none at either end."""
    return " ".join((text or "").split())


def same_text_key(text: str) -> str:
    """The form in which two texts are "the same": NFC, case folded, runs of white space collapsed.

    Accents count ("hoà" is not "hoa"); where a tone mark sits ("hoà"/"hòa") counts too, as it does
    for a reviewer reading the two.
    """
    return collapse_spaces(unicodedata.normalize("NFC", text).casefold())


# -- XML --------------------------------------------------------------------------------------------

#: Characters XML 1.0 cannot hold in any form, not even as `&#N;`: the C0 controls but tab, line feed
#: and carriage return, lone surrogates, U+FFFE and U+FFFF.
XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_forbidden_character(text: str | None) -> str | None:
    """The first character of `text` that XML cannot carry, or None."""
    found = XML_FORBIDDEN.search(text or "")
    return found.group() if found else None


# -- HTML -------------------------------------------------------------------------------------------


def escape_html(text: str | None) -> str:
    """Escape text for HTML, quotes included."""
    return html.escape(text or "", quote=True)


def escape_attribute(text: str | None) -> str:
    """Text for an HTML attribute (a hover title) that Streamlit's sanitiser keeps.

    `st.html` runs DOMPurify, which drops an attribute whose *parsed* value
    holds markup-like text ("<img", "</script>"), however it was escaped. So
    angle brackets become the look-alike single guillemets before escaping;
    the hover text then survives any note and still reads the same.
    """
    return escape_html((text or "").replace("<", "‹").replace(">", "›"))


class Span(Protocol):
    """Anything with a character span [start, end) in a text (a glossary match)."""

    start: int
    end: int


def highlight_spans(text: str, spans: Iterable[Span], opening_tag: Callable[[Span], str],
                    closing_tag: str = "</mark>") -> str:
    """`text` as escaped HTML with each span wrapped in `opening_tag(span)` ... `closing_tag`.

    Spans are taken in order of their start; one that overlaps a span already
    taken is skipped. `opening_tag` must escape what it puts in attributes.
    """
    parts, cursor = [], 0
    for span in sorted(spans, key=lambda s: s.start):
        if span.start < cursor:
            continue
        parts.append(escape_html(text[cursor:span.start]))
        parts.append(f"{opening_tag(span)}{escape_html(text[span.start:span.end])}{closing_tag}")
        cursor = span.end
    parts.append(escape_html(text[cursor:]))
    return "".join(parts)
