"""The words of a language as the term candidates see them: units, function words, boundaries, names.

`language_of(lang)` builds (once) a `Language`: the glossary matcher's folding
(`workbench.glossary.matching`), the function words a candidate neither starts
nor ends with, the two-syllable Vietnamese verbs that open clauses, the words a
name does not run across, and `units(text)`: the tokens of a text with what a
candidate needs to know of each (`Unit`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from workbench.glossary.matching import _Folder, tokenize

LANGUAGES = ("vi", "en")
MAX_TOKENS = 10
# Longest candidate that is neither a name nor quoted: words (English) or syllables (Vietnamese).
MAX_COMMON_WORDS = {"en": 6, "vi": 8}

_EN_STOPWORDS = set("""
a an the of and or to in on at for with by from as is are was were be been being has have had it its this
that these those their our we they he his she her all any some such which who whom will would should must
can may not no so than then there also into over more most very well further other each every do does did
done up out about between during through under after before while what how i my me us your you them
one two three own same both only just again always never said says say make made take taken give given
""".split())
_EN_BOUNDARY_VERBS = set("""
promote promoting strengthen strengthening implement implementing ensure ensuring build building study
studying continue continuing deepen deepening carry held hold holding attend attended convey conveying
focus improve improving speed enhance enhancing effectively deeply firmly fully actively consciously
""".split())
# Function words of Vietnamese (one syllable each): candidates neither start nor end with them.
_VI_STOPWORDS_RAW = """
và của các những cho với trong tại được đã là có này để từ trên theo về khi thì mà cũng đến ra vào như
nên hay hoặc đều sẽ đang rất nhiều mỗi mọi một số ngày tháng năm qua sau trước giữa bằng do bị lại nữa hơn
làm tốt đó ở nhằm còn vẫn không chưa đây ấy nào gì ai thêm cùng nhau luôn
""".split()
# Two-syllable verbs and adverbs that open clauses, not names.
_VI_BOUNDARY_PAIRS_RAW = """
thực_hiện tham_gia đẩy_mạnh tăng_cường nâng_cao triển_khai tiếp_tục xây_dựng chỉ_đạo lãnh_đạo
phát_huy giữ_vững đảm_bảo bảo_đảm thường_xuyên chủ_động tích_cực kịp_thời nhanh_chóng đồng_thời
phát_biểu tổ_chức hội_nghị đồng_chí củng_cố trao_đổi giữ_gìn vận_động tổng_kết sơ_kết hoàn_thành rà_soát
""".split()
# Words that open an adjunct (time, place, purpose, comparison) or a clause: a name does not
# run across them ("important speech | at the symposium", "an ninh trật tự | trên địa bàn").
_PHRASE_BREAKS = {
    "en": "to at by from with as than that which who during when while into over through".split(),
    "vi": "trên tại với cho về khi để từ đến nhằm theo thì mà là được đã sẽ đang".split(),
}
# One Chinese word, several English renderings in the MT: classes of near-synonyms.
QUOTED = re.compile(r"[“\"«]([^”\"»\n]{3,120})[”\"»]")
ACRONYM_TOKEN = re.compile(r"[A-ZĐ][A-ZĐ0-9]{1,9}\Z")


@dataclass(frozen=True)
class Unit:
    start: int
    end: int
    key: str  # folded (tone placement, case, plural): the glossary matcher's key
    surface: str
    word: bool  # letters or digits
    acronym: bool
    joiner: bool  # a hyphen or possessive inside a name


class Language:
    """Folding and word lists of one language, built once."""

    def __init__(self, lang: str):
        self.lang = lang
        self.folder = _Folder(lang)
        if lang == "vi":
            self.stopwords = {self.fold(w) for w in _VI_STOPWORDS_RAW}
            self.boundary_pairs = {tuple(self.fold(p) for p in pair.split("_")) for pair in _VI_BOUNDARY_PAIRS_RAW}
        else:
            self.stopwords = {self.fold(w) for w in _EN_STOPWORDS}
            self.boundary_pairs = set()
        self.boundary_words = {self.fold(w) for w in _EN_BOUNDARY_VERBS} if lang == "en" else set()
        self.phrase_breaks = {self.fold(w) for w in _PHRASE_BREAKS[lang]}

    def fold(self, word: str) -> str:
        tokens = tokenize(word, self.folder)
        return tokens.keys[0] if tokens.keys else ""

    def units(self, text: str) -> list[Unit]:
        tokens = tokenize(text, self.folder)
        units: list[Unit] = []
        acronyms = tokens.acronyms
        for i, key in enumerate(tokens.keys):
            start, end = tokens.starts[i], tokens.ends[i]
            surface = text[start:end]
            word = surface[:1].isalnum()
            if (key == "s" and units and units[-1].key == "'" and units[-1].start == start - 1
                    and len(units) > 1 and units[-2].end == start - 1):
                # "People's": the possessive joins the word before it.
                del units[-1]  # the apostrophe
                previous = units.pop()
                units.append(Unit(previous.start, end, previous.key + "'s", text[previous.start:end],
                                   True, False, False))
                continue
            joiner = key in ("'", "-") and (self.lang == "vi" or (
                units and units[-1].end == start and i + 1 < len(tokens.starts)
                and tokens.starts[i + 1] == end))
            units.append(Unit(start, end, key, surface, word, acronyms[i], joiner))
        return units

    def is_boundary_ok(self, unit: Unit) -> bool:
        """Whether a candidate may start or end with this unit."""
        if not unit.word or unit.joiner:
            return False
        if unit.surface.isdigit() or unit.key in self.stopwords or unit.key in self.boundary_words:
            return False
        if self.lang == "en" and len(unit.key) > 4 and (unit.key.endswith("ly") or (
                unit.surface[:1].islower() and unit.key.endswith(("ed", "ing")))):
            return False  # adverbs, participles and gerunds open or close clauses, not names
        return True

    def breaks_phrase(self, unit: Unit) -> bool:
        """A word that a name does not run across: adjunct openers, and English participles and gerunds."""
        if unit.key in self.phrase_breaks:
            return True
        return self.lang == "en" and len(unit.key) > 4 and unit.surface[:1].islower() \
            and unit.key.endswith(("ed", "ing"))

    def is_open_neighbour(self, unit: Unit | None) -> bool:
        """A neighbour that does not tie a string to its context: none, punctuation, a function word."""
        return unit is None or not unit.word or unit.key in self.stopwords or unit.surface.isdigit()


_LANGUAGES_BUILT: dict[str, Language] = {}


def language_of(lang: str) -> Language:
    if lang not in _LANGUAGES_BUILT:
        _LANGUAGES_BUILT[lang] = Language(lang)
    return _LANGUAGES_BUILT[lang]


NAME_GLUE = {"of", "the", "and", "for", "on", "in", "to"}


def is_name(form: str, language: Language) -> bool:
    """Capitalised words joined only by of/the/and... (an institution, a title, a person)."""
    words = [u for u in language.units(form) if u.word]
    content = [u for u in words if u.key not in NAME_GLUE]
    return len(content) >= 2 and all(u.surface[:1].isupper() for u in content)
