"""Finding terms with spans: tone placement, NFD, Đ/Ð, acronyms, plurals, Chinese, literals."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workbench.glossary import Glossary, GlossaryEntry


def entry(entry_id, vi="", en="", zh="", vi_variants=(), en_variants=(), zh_variants=(),
          case_sensitive=False):
    terms = {lang: term for lang, term in (("vi", vi), ("en", en), ("zh", zh)) if term}
    variants = {lang: tuple(forms) for lang, forms in
                (("vi", vi_variants), ("en", en_variants), ("zh", zh_variants)) if forms}
    return GlossaryEntry(entry_id, terms, variants, case_sensitive=case_sensitive)


GLOSSARY = Glossary([
    entry("bdbp", vi="Bộ đội Biên phòng", en="Border Guard", vi_variants=["BĐBP"]),
    entry("dang-uy", vi="Đảng ủy", en="Party Committee"),
    entry("tinh-uy", vi="Tỉnh ủy", en="Provincial Party Committee"),
    entry("bi-thu-tinh-uy", vi="Bí thư Tỉnh ủy", en="Secretary of the Provincial Party Committee"),
    entry("ubnd", vi="Ủy ban nhân dân", en="People's Committee", vi_variants=["UBND"]),
    entry("hoa-binh", vi="hoà bình", en="peace"),
    entry("qp-an", vi="quốc phòng - an ninh", en="national defence and security"),
    entry("decision", vi="Quyết định số 4440/QĐ-UBND", en="Decision No. 4440/QĐ-UBND"),
    entry("three-north", en="Three-North Shelterbelt Program", zh="三北工程",
          en_variants=["Three Norths", '"Three Norths" project']),
    entry("policy", vi="chính sách", en="border policy"),
    entry("bdc", vi="Ủy ban Biên phòng Khu tự trị", zh="自治区边防委员会",
          en="Border Defense Commission of the Autonomous Region",
          en_variants=["Frontier Defense Committee", "Border Defense Commission"]),
    entry("nm-bdc", vi="Ủy ban Biên phòng Khu tự trị Nội Mông Cổ", zh="内蒙古自治区边防委员会",
          en="Border Defense Commission of the Inner Mongolia Autonomous Region"),
    entry("leagues", en="leagues and cities, banners and counties (cities, districts)",
          zh="盟市、旗县（市、区）", en_variants=["league city and banner county (city, district)"]),
    entry("cpp", vi="ngôn ngữ C++", en="C++"),
    entry("dotted", vi="T.Ư", en="a.b"),
    entry("cppcc", vi="Chính Hiệp", en="CPPCC"),
    entry("party", vi="chính đảng", en="Party", case_sensitive=True),
])

CASES = [
    # (case id, lang, text, expected [(entry id, surface)])
    ("tone placement oà/òa", "vi", "vì hòa bình", [("hoa-binh", "hòa bình")]),
    ("tone placement uỷ/ủy", "vi", "Đảng uỷ xã", [("dang-uy", "Đảng uỷ")]),
    ("tone marks still count", "vi", "Đảng úy, đáng ủy", []),
    ("NFD text", "vi", unicodedata.normalize("NFD", "Bộ đội Biên phòng"),
     [("bdbp", unicodedata.normalize("NFD", "Bộ đội Biên phòng"))]),
    ("Icelandic eth for Đ", "vi", "ÐẢNG ỦY họp", [("dang-uy", "ÐẢNG ỦY")]),
    ("acronym exact case", "vi", "Đảng ủy BĐBP tỉnh", [("dang-uy", "Đảng ủy"), ("bdbp", "BĐBP")]),
    ("acronym wrong case", "vi", "bđbp và Bđbp", []),
    ("acronym inside a word", "vi", "BĐBPX UBNDS", []),
    ("acronym between punctuation", "vi", "(BĐBP), 4440/QĐ-UBND.",
     [("bdbp", "BĐBP"), ("ubnd", "UBND")]),
    ("acronym with Ð", "vi", "lực lượng BÐBP", [("bdbp", "BÐBP")]),
    ("lower-case full form", "vi", "bộ đội biên phòng", [("bdbp", "bộ đội biên phòng")]),
    ("longest match first", "vi", "Bí thư Tỉnh uỷ và Tỉnh ủy",
     [("bi-thu-tinh-uy", "Bí thư Tỉnh uỷ"), ("tinh-uy", "Tỉnh ủy")]),
    ("space around dash ignored", "vi", "quốc phòng-an ninh", [("qp-an", "quốc phòng-an ninh")]),
    ("literal code with / - .", "vi", "theo Quyết định số 4440/QĐ-UBND ngày",
     [("decision", "Quyết định số 4440/QĐ-UBND")]),
    ("line break inside a term", "vi", "Bộ đội\nBiên phòng", [("bdbp", "Bộ đội\nBiên phòng")]),
    ("English plural", "en", "two Border Guards", [("bdbp", "Border Guards")]),
    ("English possessive", "en", "the Border Guard's post", [("bdbp", "Border Guard")]),
    ("English plural possessive", "en", "the Border Guards’ posts", [("bdbp", "Border Guards")]),
    ("English case-insensitive", "en", "BORDER GUARD and border guard",
     [("bdbp", "BORDER GUARD"), ("bdbp", "border guard")]),
    ("English -ies plural", "en", "new border policies", [("policy", "border policies")]),
    ("English word boundary", "en", "Border Guardian", []),
    ("English curly quotes in a variant", "en", "win the “Three Norths” project",
     [("three-north", "“Three Norths” project")]),
    ("English variant", "en", "the Frontier Defense Committee met",
     [("bdc", "Frontier Defense Committee")]),
    ("English acronym case", "en", "CPPCC and cppcc", [("cppcc", "CPPCC")]),
    ("case-sensitive entry", "en", "Party and party", [("party", "Party")]),
    ("parentheses literal", "en", "each league city and banner county (city, district) set up",
     [("leagues", "league city and banner county (city, district)")]),
    ("plus literal", "en", "C++ or C", [("cpp", "C++")]),
    ("dot is not a wildcard", "en", "axb a.b", [("dotted", "a.b")]),
    ("Chinese substring", "zh", "自治区边防委员会召开第二次会议", [("bdc", "自治区边防委员会")]),
    ("Chinese longest", "zh", "内蒙古自治区边防委员会", [("nm-bdc", "内蒙古自治区边防委员会")]),
    ("Chinese full-width brackets", "zh", "各盟市、旗县(市、区)设分会场",
     [("leagues", "盟市、旗县(市、区)")]),
    ("Chinese inside a run", "zh", "推进三北工程建设", [("three-north", "三北工程")]),
]


@pytest.mark.parametrize("lang, text, expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matching(lang, text, expected):
    matches = GLOSSARY.match(text, lang)
    assert [(m.entry_id, m.surface) for m in matches] == expected
    for match in matches:
        assert text[match.start:match.end] == match.surface


def test_match_reports_the_form_and_its_kind():
    (match,) = GLOSSARY.match("UBND tỉnh", "vi")
    assert (match.entry_id, match.start, match.end, match.form, match.kind) == \
        ("ubnd", 0, 4, "UBND", "variant")


WORDS = ["Bộ", "đội", "Biên", "phòng", "BĐBP", "Đảng", "ủy", "uỷ", "Tỉnh", "Bí", "thư", "C++",
         "(", ")", "-", "quốc", "an", "ninh", "xã", "4440/QĐ-UBND"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from([" ", "  ", "\n", ""]))
def test_matches_never_overlap_and_spans_are_exact(words, separator):
    text = separator.join(words)
    matches = GLOSSARY.match(text, "vi")
    for match in matches:
        assert text[match.start:match.end] == match.surface
    for before, after in zip(matches, matches[1:], strict=False):
        assert before.end <= after.start
