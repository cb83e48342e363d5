"""QA checks on (source, target) pairs: each check fires on its case and stays quiet otherwise."""

from __future__ import annotations

import pytest

from workbench.glossary import Glossary, GlossaryEntry
from workbench.review.checks import (
    CHECKS,
    check_machine_translation,
    check_segment,
    end_punctuation,
    number_keys,
    usual_length_ratio,
)

GLOSSARY = Glossary([
    GlossaryEntry("vn-bdbp", {"vi": "Bộ đội Biên phòng", "en": "Border Guard"},
                  variants={"vi": ("BĐBP",)},
                  forbidden={"en": ("Border Army", "Frontier Army")}),
    GlossaryEntry("vn-cot-moc", {"vi": "cột mốc", "en": "border marker"}),
])


def codes(source, target, **options):
    options.setdefault("source_lang", "vi")
    options.setdefault("target_lang", "en")
    return [issue.code for issue in check_segment(source, target, **options)]


@pytest.mark.parametrize("source, target, expected", [
    # clean
    ("Hội nghị diễn ra ngày 22/7/2013.", "The conference took place on 22/7/2013.", []),
    # empty target, and nothing else is checked then
    ("Hội nghị diễn ra.", "", ["empty_target"]),
    ("Hội nghị diễn ra.", "   ", ["empty_target"]),
    ("Hội nghị diễn ra.", None, ["empty_target"]),
    # target identical to source (case and spaces aside); a bare number is not flagged
    ("Hội nghị diễn ra.", "hội nghị  diễn ra.", ["same_as_source", "double_space"]),
    ("2013", "2013", []),
    # numbers: separators do not matter, values do
    ("Có 21.790 người.", "There are 21,790 people.", []),
    ("Tăng 19,2%.", "Up 19.2%.", []),
    ("Có 21.790 người.", "There are 21,780 people.", ["numbers"]),
    ("Ngày 22/7/2013.", "On July 22, 2013.", ["numbers"]),
    # doubled spaces inside the target (not at its ends)
    ("Hội nghị diễn ra.", "The  conference took place.", ["double_space"]),
    # end punctuation, closing quotes ignored
    ("Hội nghị diễn ra.", "The conference took place", ["end_punctuation"]),
    ("Vì sao?", "Why.", ["end_punctuation"]),
    ("Anh nói “đi thôi.”", "He said “let us go.”", []),
    ("Tiêu đề", "Headline", []),
])
def test_generic_checks(source, target, expected):
    assert codes(source, target) == expected


@pytest.mark.parametrize("source, target, expected", [
    ("Bộ đội Biên phòng tuần tra cột mốc.", "The Border Guard patrols the border marker.", []),
    ("BĐBP tuần tra cột mốc.", "The Border Guard patrols the border marker.", []),
    ("Bộ đội Biên phòng tuần tra cột mốc.", "The soldiers patrol the border marker.", ["missing_term"]),
    ("Bộ đội Biên phòng tuần tra.", "The Border Army and the Border Guard patrol.", ["forbidden_term"]),
    ("Họ tuần tra.", "The Frontier Army patrols.", ["forbidden_term"]),
])
def test_glossary_checks(source, target, expected):
    assert codes(source, target, glossary=GLOSSARY) == expected


def test_glossary_messages_name_the_terms():
    issues = check_segment("Bộ đội Biên phòng tuần tra.", "The Border Army patrols.",
                           source_lang="vi", target_lang="en", glossary=GLOSSARY)
    messages = {issue.code: issue.message for issue in issues}
    assert "'Bộ đội Biên phòng' requires 'Border Guard'" in messages["missing_term"]
    assert "'Border Army' (use 'Border Guard')" in messages["forbidden_term"]


def test_length_ratio_against_the_documents_usual():
    source = "Đồn Biên phòng tổ chức tuần tra bảo vệ đường biên."
    assert codes(source, "The station patrolled and protected the borderline.", usual_ratio=1.0) == []
    assert codes(source, "Patrol.", usual_ratio=1.0) == ["length_ratio"]
    assert codes(source, "x" * 200 + ".", usual_ratio=1.0) == ["length_ratio"]
    # short sources and documents without a usual ratio are not judged
    assert codes("Tuần tra.", "Patrol on the long border for many days.", usual_ratio=1.0) == []
    assert codes(source, "Patrol.", usual_ratio=None) == []


def test_usual_length_ratio_is_the_median_of_long_enough_segments():
    pairs = [("a" * 20, "b" * 20), ("a" * 20, "b" * 30), ("a" * 20, "b" * 40), ("short", "x" * 99),
             ("a" * 20, None)]
    assert usual_length_ratio(pairs) == pytest.approx(1.5)
    assert usual_length_ratio(pairs[:2]) is None  # too few to trust


@pytest.mark.parametrize("text, expected", [
    ("21.790 và 19,2", {"21790": 1, "192": 1}),
    ("４４４０/QĐ-UBND", {"4440": 1}),
    ("no digits", {}),
])
def test_number_keys(text, expected):
    assert dict(number_keys(text)) == expected


@pytest.mark.parametrize("text, expected", [
    ("Done.", "full stop"), ("完成。", "full stop"), ("Why?", "question mark"),
    ("Wait...", "ellipsis"), ("“Quoted.”", "full stop"), ("Headline", "none"), ("", "none"),
])
def test_end_punctuation(text, expected):
    assert end_punctuation(text) == expected


def test_every_issue_has_a_known_code_and_label():
    issues = check_segment("Bộ đội Biên phòng có 5 đồn.", "The Border Army  has 6 stations",
                           source_lang="vi", target_lang="en", glossary=GLOSSARY)
    assert {issue.code for issue in issues} <= set(CHECKS)
    assert all(issue.label == CHECKS[issue.code] for issue in issues)


@pytest.mark.parametrize("mt, random_weights, expected", [
    ("The Border Guard patrols the border.", False, []),
    ("The Border Guard patrols the border.", True, ["implausible_mt"]),  # the flag is one reason
    ("patrol patrol patrol patrol patrol", False, ["implausible_mt"]),
    (None, False, []),  # no MT at all (a missing model) is no issue of the MT
])
def test_machine_translation_check(mt, random_weights, expected):
    issues = check_machine_translation("Bộ đội Biên phòng tuần tra biên giới.", mt, source_lang="vi",
                                       target_lang="en", random_weights=random_weights)
    assert [issue.code for issue in issues] == expected
    assert all(issue.label == "implausible machine translation" for issue in issues)
