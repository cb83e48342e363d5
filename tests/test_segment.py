"""Sentence segmentation: a table of tricky cases taken from the seeds."""

from __future__ import annotations

import pytest

from workbench.documents.ingest import read_document
from workbench.documents.segment import segment_document, split_sentences


@pytest.mark.parametrize("lang, text, expected", [
    # Dates and numbers with dots or slashes stay inside the sentence.
    ("vi", "BHG - Ngày 19.2, Đảng ủy họp. Toàn cảnh hội nghị.",
     ["BHG - Ngày 19.2, Đảng ủy họp.", "Toàn cảnh hội nghị."]),
    ("vi", "Tổ chức được 562 buổi/21.790 lượt người nghe. Mở 4 lớp tập huấn.",
     ["Tổ chức được 562 buổi/21.790 lượt người nghe.", "Mở 4 lớp tập huấn."]),
    ("vi", "LSO-Sáng 22/7/2013, Tỉnh uỷ họp. Tới dự có đồng chí Kiểm.",
     ["LSO-Sáng 22/7/2013, Tỉnh uỷ họp.", "Tới dự có đồng chí Kiểm."]),
    ("vi", "Thực hiện Quyết định số 4440/QĐ-UBND, ngày 13-11-2017. Sau đó họp.",
     ["Thực hiện Quyết định số 4440/QĐ-UBND, ngày 13-11-2017.", "Sau đó họp."]),
    # A quoted movement name with a sentence-like inside stays whole.
    ("vi", "Phong trào “Toàn dân tham gia. Bảo vệ biên giới” được tổng kết. Hội nghị kết thúc.",
     ["Phong trào “Toàn dân tham gia. Bảo vệ biên giới” được tổng kết.", "Hội nghị kết thúc."]),
    # Abbreviations and initials do not end a sentence.
    ("en", "He signed Directive No. 01 of the Prime Minister. The meeting ended.",
     ["He signed Directive No. 01 of the Prime Minister.", "The meeting ended."]),
    ("en", "Mr. Li met Dr. Wang in the U.S. Army office. They talked.",
     ["Mr. Li met Dr. Wang in the U.S. Army office.", "They talked."]),
    ("en", "The report by J. Smith was read. It was long.", ["The report by J. Smith was read.", "It was long."]),
    ("vi", "Đồng chí làm việc tại TP. Hạ Long hôm nay. Mọi việc tốt.",
     ["Đồng chí làm việc tại TP. Hạ Long hôm nay.", "Mọi việc tốt."]),
    # Ellipses end sentences before a capital.
    ("vi", "Xây dựng BĐBP tỉnh vững mạnh toàn diện… Phát biểu tại hội nghị.",
     ["Xây dựng BĐBP tỉnh vững mạnh toàn diện…", "Phát biểu tại hội nghị."]),
    ("vi", "trật tự an toàn xã hội... Công tác đối ngoại.", ["trật tự an toàn xã hội...", "Công tác đối ngoại."]),
    # A lower-case continuation is not a new sentence; an apostrophe is not a quote.
    ("en", "It grew approx. five times. Xi Jinping’s visit. It ended.",
     ["It grew approx. five times.", "Xi Jinping’s visit.", "It ended."]),
    ("en", "Is it done? Yes! It is.", ["Is it done?", "Yes!", "It is."]),
    # A sentence ending in a closing quote.
    ("en", "Promote the “five major tasks”. It is necessary.",
     ["Promote the “five major tasks”.", "It is necessary."]),
    # An unbalanced quote does not swallow the paragraph.
    ("en", "He said “we will win. The meeting ended. Everyone left.",
     ["He said “we will win.", "The meeting ended.", "Everyone left."]),
    # Chinese: no spaces needed; quotes keep their inside.
    ("zh", "会议指出，工作取得新进展。要打好“三北”工程攻坚战！是否完成？是的。",
     ["会议指出，工作取得新进展。", "要打好“三北”工程攻坚战！", "是否完成？", "是的。"]),
    ("zh", "他说：“我们要守好边境。”会议结束。", ["他说：“我们要守好边境。”", "会议结束。"]),
    ("en", "", []),
])
def test_split_sentences(lang, text, expected):
    assert split_sentences(text, lang) == expected


def test_headline_and_dateline_lines_are_their_own_segments(seeds_dir):
    doc = read_document(seeds_dir / "001_en-mt_inner-mongolia-three-norths-2023.txt")
    segments = segment_document(doc)
    assert (segments[0].kind, segments[0].text) == ("dateline", "date 2023-06-14")
    assert segments[1].kind == "heading" and segments[1].text.endswith("“Three Norths”")
    doc = read_document(seeds_dir / "000_en-mt_inner-mongolia-border-defense-commission-2021.txt")
    datelines = [s.text for s in segment_document(doc) if s.kind == "dateline"]
    assert datelines == ["10:06, March 20, 2021 Source: inner mongolia daily"]


@pytest.mark.parametrize("name, count", [
    ("000_en-mt_inner-mongolia-border-defense-commission-2021.txt", 18),
    ("001_en-mt_inner-mongolia-three-norths-2023.txt", 27),
    ("002_vi_ha-giang-thanh-thuy-border-gate-2020.txt", 8),
    ("003_vi_quang-ninh-border-sovereignty-movement-2019.txt", 15),
    ("004_vi_lang-son-party-committee-border-guard-2013.txt", 18),
])
def test_every_seed_segments_completely(seeds_dir, name, count):
    doc = read_document(seeds_dir / name)
    segments = segment_document(doc)
    assert len(segments) == count
    assert [s.position for s in segments] == list(range(count))
    # Segmentation loses no characters: joined segments equal the joined paragraphs.
    squash = lambda text: "".join(text.split())  # noqa: E731
    assert squash("".join(s.text for s in segments)) == squash("".join(p.text for p in doc.paragraphs))


@pytest.mark.parametrize("text, limit, expected", [
    # At the last clause mark in the second half of the window, else at the last space.
    ("một hai ba, bốn năm sáu bảy tám", 20, ["một hai ba,", "bốn năm sáu bảy tám"]),
    ("một, hai ba bốn năm sáu bảy tám", 20, ["một, hai ba bốn năm", "sáu bảy tám"]),
    ("alpha beta gamma delta epsilon zeta", 12, ["alpha beta", "gamma delta", "epsilon zeta"]),
    # Chinese has no spaces: at a clause mark, else at the limit itself.
    ("边防部队巡逻，边境线安全稳定持续", 8, ["边防部队巡逻，", "边境线安全稳定持", "续"]),
    ("x" * 25, 10, ["x" * 10, "x" * 10, "x" * 5]),
    ("short enough", 50, ["short enough"]),
])
def test_overlong_sentences_are_cut_at_a_hard_maximum(text, limit, expected):
    from workbench.documents.segment import split_overlong

    assert split_overlong(text, limit) == expected
    assert all(len(piece) <= limit for piece in split_overlong(text, limit))


def test_a_runaway_line_becomes_flagged_segments_of_at_most_the_maximum():
    from workbench.documents.ingest import parse_document
    from workbench.documents.segment import MAX_SEGMENT_CHARS

    line = "Bộ đội tuần tra, " + "dọc biên giới " * 300
    document = parse_document(f"Đồn Biên phòng họp.\n{line}\n".encode(), path="doc.txt")
    segments = segment_document(document)
    assert [s.forced_split for s in segments][:1] == [False]
    pieces = [s for s in segments if s.forced_split]
    assert 5 <= len(pieces) <= 6 and " ".join(s.text for s in pieces) == line.strip()
    assert all(len(s.text) <= MAX_SEGMENT_CHARS for s in segments)
    assert document.warnings == [f"doc.txt:2: a sentence of {len(line.strip()):,} characters has no sentence end "
                                 f"within 1,000; split into {len(pieces)} segments for translation"]
