"""Ingest: decoding, language detection, metadata, boilerplate removal, Unicode repair."""

from __future__ import annotations

import json
import unicodedata

import pytest

from workbench.documents.ingest import parse_document, read_document
from workbench.errors import DocumentError, EncodingRefused, UnknownLanguage

VIETNAMESE = "Bộ đội Biên phòng tỉnh Quảng Ninh tổ chức hội nghị tổng kết phong trào thi đua.\n"
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}


def to_windows_1258(text: str) -> bytes:
    """Encode the way Windows-1258 writers do: precomposed base letter, combining tone mark."""
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base = decomposed[0] + "".join(m for m in decomposed[1:] if m not in TONE_MARKS)
        tones = "".join(m for m in decomposed[1:] if m in TONE_MARKS)
        out += unicodedata.normalize("NFC", base).encode("cp1258") + tones.encode("cp1258")
    return bytes(out)


@pytest.mark.parametrize("name, lang, kind, date, outlet, title_start", [
    ("000_en-mt_inner-mongolia-border-defense-commission-2021.txt", "en", "machine_translation",
     "2021-03-20", "inner mongolia daily", "The Inner Mongolia Autonomous Region Border"),
    ("001_en-mt_inner-mongolia-three-norths-2023.txt", "en", "machine_translation",
     "2023-06-14", None, "Convey and study the important instructions"),
    ("002_vi_ha-giang-thanh-thuy-border-gate-2020.txt", "vi", "original", "2020-02", "Báo Hà Giang", None),
    ("003_vi_quang-ninh-border-sovereignty-movement-2019.txt", "vi", "original", "2024-05-21",
     "Báo Biên phòng", "Tổng kết phong trào thi đua"),
    ("004_vi_lang-son-party-committee-border-guard-2013.txt", "vi", "original", "2013-07-22",
     "Báo Lạng Sơn", "Hội nghị phối hợp lãnh đạo công tác biên phòng"),
])
def test_seed_metadata(seeds_dir, name, lang, kind, date, outlet, title_start):
    doc = read_document(seeds_dir / name)
    assert (doc.lang, doc.kind, doc.date, doc.outlet) == (lang, kind, date, outlet)
    if title_start is None:
        assert doc.title is None
    else:
        assert doc.title.startswith(title_start)


@pytest.mark.parametrize("name, removed_reasons, absent_text", [
    ("000_en-mt_inner-mongolia-border-defense-commission-2021.txt",
     {"site breadcrumb", "editor line", "WeChat scan line"}, ["WeChat", "Editor in charge", ">>"]),
    ("003_vi_quang-ninh-border-sovereignty-movement-2019.txt",
     {"hotline", "stray token", "comment widget", "share button"},
     ["Đường dây nóng", "zxxxx", "Bình luận", "ZALO"]),
    ("004_vi_lang-son-party-committee-border-guard-2013.txt",
     {"repeated paragraph", "comment widget"}, ["Ý kiến"]),
])
def test_seed_boilerplate_removed_and_kept(seeds_dir, name, removed_reasons, absent_text):
    doc = read_document(seeds_dir / name)
    assert removed_reasons <= {r.reason for r in doc.removed}
    text = "\n".join(p.text for p in doc.paragraphs)
    for fragment in absent_text:
        assert fragment not in text
    # What was removed stays inspectable, with its line number.
    assert all(r.line >= 1 and r.text.strip() for r in doc.removed)


def test_repeated_lead_paragraph_is_kept_once(seeds_dir):
    doc = read_document(seeds_dir / "004_vi_lang-son-party-committee-border-guard-2013.txt")
    leads = [p for p in doc.paragraphs if p.text.startswith("LSO-Sáng 22/7/2013")]
    assert len(leads) == 1


@pytest.mark.parametrize("encode, expected_encoding", [
    (lambda t: t.encode("utf-8"), "utf-8"),
    (lambda t: b"\xef\xbb\xbf" + t.encode("utf-8"), "utf-8-sig"),
    (lambda t: b"\xff\xfe" + t.encode("utf-16-le"), "utf-16"),
    (lambda t: b"\xfe\xff" + t.encode("utf-16-be"), "utf-16"),
    (to_windows_1258, "windows-1258"),
])
def test_encodings_decode_to_the_same_text(encode, expected_encoding):
    doc = parse_document(encode(VIETNAMESE), path="doc.txt")
    assert doc.encoding == expected_encoding
    assert doc.paragraphs[0].text == VIETNAMESE.strip()
    assert doc.lang == "vi"


@pytest.mark.parametrize("raw, error, message", [
    (b"", DocumentError, "doc.txt: file is empty"),
    (b"  \n\t\n", DocumentError, "doc.txt: file holds only whitespace"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", EncodingRefused, "doc.txt: binary file"),
    ("Biên phòng".encode("utf-16-le") * 20, EncodingRefused, "UTF-16 without a byte-order mark"),
    # TCVN3 ("Bé ®éi Biªn phßng"): symbols inside words when read as Windows-1258.
    (b"B\xe9 \xae\xe9i Bi\xaan ph\xdfng t\xaanh Qu\xb8ng Ninh\n", EncodingRefused, "doc.txt:1: not UTF-8"),
    # VNI ("Boä ñoäi Bieân phoøng"): no Vietnamese letters when read as Windows-1258.
    (b"Bo\xe4 \xf1o\xe4i Bie\xe2n pho\xf8ng\n", EncodingRefused, "TCVN3, VNI"),
    # Latin-1 English is refused rather than guessed.
    (b"The caf\xe9 on the border was closed.\n", EncodingRefused, "doc.txt:1: not UTF-8"),
    (b"Der Grenzschutz hat heute eine Sitzung abgehalten und viel besprochen.\n",
     UnknownLanguage, "doc.txt: the text looks like German (de"),
    # Latin-1 French decodes as Windows-1258 into letters Vietnamese also uses: still refused.
    (b"L'\xe9t\xe9 dernier, les \xe9l\xe8ves de l'\xe9cole sont all\xe9s \xe0 la fronti\xe8re avec "
     b"leurs professeurs.\n", EncodingRefused, "it reads as French in Latin-1"),
    (b"12345 67890 -- ++ ==\n", UnknownLanguage, "no letters"),
])
def test_bad_input_is_refused_with_a_located_message(raw, error, message):
    with pytest.raises(error) as caught:
        parse_document(raw, path="doc.txt")
    assert message in str(caught.value)


@pytest.mark.parametrize("dateline, date", [
    ("LSO - Sáng 22/7/2013", "2013-07-22"),
    ("LSO - Sáng 31/02/2013", None),  # no such day: not stored as one
    ("BHG - Chiều 5/11/2020", "2020-11-05"),
])
def test_vietnamese_datelines_give_the_day_first(dateline, date):
    raw = (f"{dateline}, Đảng ủy Bộ đội Biên phòng tỉnh tổ chức hội nghị tổng kết công tác năm.\n"
           "Đồn Biên phòng cửa khẩu đã phối hợp tuần tra bảo vệ đường biên, mốc quốc giới.\n").encode()
    doc = parse_document(raw, path="doc.txt")
    assert doc.date == date
    assert doc.outlet in {"Báo Lạng Sơn", "Báo Hà Giang"}


def test_unicode_is_nfc_and_eth_is_repaired():
    decomposed = unicodedata.normalize("NFD", "Chính uỷ BĐBP tỉnh")
    raw = f"\u00d0ảng ủy và {decomposed} họp bàn công tác biên phòng.\n".encode()
    doc = parse_document(raw, path="doc.txt")
    text = doc.paragraphs[0].text
    assert text.startswith("Đảng ủy")
    assert "\u00d0" not in text
    assert unicodedata.is_normalized("NFC", text)
    assert "Chính uỷ BĐBP" in text


def test_eth_is_left_alone_outside_vietnamese():
    doc = parse_document("Ðorð is a name in the border report, and the meeting was held.\n".encode(),
                         path="doc.txt")
    assert doc.paragraphs[0].text.startswith("Ðorð")


def test_language_override_and_sidecar(tmp_path):
    path = tmp_path / "report.txt"
    path.write_text("The meeting of the border defense commission was held in the region.\n",
                    encoding="utf-8")
    assert read_document(path).kind == "original"
    (tmp_path / "report.meta.json").write_text(
        json.dumps({"machine_translated_from": "zh", "outlet": "Inner Mongolia Daily"}), encoding="utf-8")
    doc = read_document(path)
    assert (doc.kind, doc.machine_translated_from, doc.outlet) == ("machine_translation", "zh",
                                                                    "Inner Mongolia Daily")
    # An explicit option beats detection.
    assert read_document(path, lang="vi").lang == "vi"


@pytest.mark.parametrize("sidecar, message", [
    ("{not json", "report.meta.json:1: sidecar is not valid UTF-8 JSON"),
    ('{"colour": "red"}', "unknown sidecar keys ['colour']"),
    ('["zh"]', "sidecar must hold a JSON object"),
])
def test_malformed_sidecar_names_the_sidecar(tmp_path, sidecar, message):
    path = tmp_path / "report.txt"
    path.write_text("The meeting was held in the region and the work is going on.\n", encoding="utf-8")
    (tmp_path / "report.meta.json").write_text(sidecar, encoding="utf-8")
    with pytest.raises(DocumentError) as caught:
        read_document(path)
    assert message in str(caught.value)


def test_huge_file_is_refused_without_reading_it(tmp_path, monkeypatch):
    import workbench.documents.ingest as ingest

    monkeypatch.setattr(ingest, "MAX_DOCUMENT_BYTES", 1000)
    path = tmp_path / "huge.txt"
    path.write_text("The border meeting was held. " * 100, encoding="utf-8")
    with pytest.raises(DocumentError, match="huge.txt: file is .* MB, above the"):
        read_document(path)


FOREIGN = [
    ("fr", "French", "L'été dernier, les élèves de l'école sont allés à la frontière avec leurs professeurs."),
    ("es", "Spanish", "El verano pasado, los estudiantes de la escuela fueron a la frontera con sus profesores."),
    ("pt", "Portuguese", "No verão passado, os alunos da escola foram à fronteira com os seus professores."),
    ("it", "Italian", "L'estate scorsa gli studenti della scuola sono andati al confine con i loro insegnanti."),
    ("id", "Indonesian", "Musim panas lalu, para siswa sekolah itu pergi ke perbatasan bersama guru-guru mereka."),
]


@pytest.mark.parametrize("code, name, text", FOREIGN)
def test_other_languages_are_refused_by_name_unless_given(code, name, text):
    with pytest.raises(UnknownLanguage) as caught:
        parse_document((text + "\n").encode("utf-8"), path="doc.txt")
    assert f"doc.txt: the text looks like {name} ({code}" in str(caught.value)
    assert "--lang" in str(caught.value)
    # The user's word wins over the detector.
    assert parse_document((text + "\n").encode("utf-8"), path="doc.txt", lang="en").lang == "en"


def test_a_latin1_french_file_is_refused_by_the_batch_script(tmp_path):
    from workbench.cli import main

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "ete.txt").write_bytes("L'été dernier, les élèves de l'école sont allés à la frontière.\n"
                                     .encode("latin-1"))
    (folder / "ok.txt").write_text(VIETNAMESE, encoding="utf-8")
    assert main(["translate", str(folder), "--db", str(tmp_path / "s.db"), "--ingest-only"]) == 1
    from workbench.review.store import ReviewStore

    with ReviewStore(tmp_path / "s.db") as store:
        assert [d.name for d in store.documents()] == ["ok.txt"]


def test_windows_1258_with_a_no_break_space_is_read():
    text = "Đồn Biên phòng tỉnh Quảng Ninh\u00a0tổ chức hội nghị tổng kết phong trào thi đua.\n"
    raw = to_windows_1258(text)
    assert b"\xa0" in raw and raw.startswith(b"\xd0")  # 0xD0 is Đ in Windows-1258, not valid UTF-8
    doc = parse_document(raw, path="doc.txt")
    assert doc.encoding == "windows-1258"
    assert doc.paragraphs[0].text == text.replace("\u00a0", " ").strip()


@pytest.mark.parametrize("control, replacement", [
    ("\x07", ""), ("\x1b", ""), ("\x7f", ""), ("\x9c", ""), ("\x0b", "\n"), ("\x0c", "\n"), ("\u2028", "\n"),
])
def test_control_characters_are_handled_once_at_ingest(control, replacement):
    raw = f"Bộ đội Biên phòng{control}tuần tra. Đồn giữ vững\tđường biên.\n".encode()
    doc = parse_document(raw, path="doc.txt")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert control not in text
    expected = "Bộ đội Biên phòng" + replacement + "tuần tra. Đồn giữ vững đường biên."
    assert text == expected.replace("\t", " ")
