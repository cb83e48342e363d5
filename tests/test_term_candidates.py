"""Term candidates: inline acronyms, recurring names, variants of entries; dismiss and accept."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from workbench.cli import main
from workbench.glossary import load_glossary, read_glossary
from workbench.glossary.candidates import (
    SourceSegment,
    accept_candidate,
    find_candidates,
    proposed_row,
    segments_from_store,
)
from workbench.pipeline import BatchOptions, import_uploads, run_batch
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent
TOP = 20


@pytest.fixture(scope="module")
def seeds_db(tmp_path_factory) -> Path:
    """The five seeds ingested (not translated) into a store, once for this module."""
    db = tmp_path_factory.mktemp("candidates") / "seeds.db"
    with ReviewStore(db) as store:
        summary = run_batch([REPO / "seeds"], store, BatchOptions(translate=False))
    assert not summary.failures
    return db


@pytest.fixture
def seeds_store(seeds_db, tmp_path) -> ReviewStore:
    copy = tmp_path / "seeds.db"
    shutil.copy(seeds_db, copy)
    with ReviewStore(copy) as store:
        yield store


@pytest.fixture(scope="module")
def shipped():
    return load_glossary(REPO / "glossaries")


def _segments(*texts: str, lang: str) -> list[SourceSegment]:
    return [SourceSegment(1, "doc.txt", lang, i, text) for i, text in enumerate(texts)]


def _forms(candidates) -> set[str]:
    return {form for c in candidates for form in c.forms()}


def test_empty_glossary_lists_inline_acronyms_with_long_forms_in_the_first_20(seeds_store):
    first = find_candidates(segments_from_store(seeds_store), None)[:TOP]
    acronyms = {c.form: c.long_form for c in first if c.kind == "acronym" and c.defined_inline}
    assert acronyms["BĐBP"] == "Bộ đội Biên phòng"
    assert acronyms["BTL"] == "Bộ Tư lệnh"
    assert acronyms["BVCQANQG"] == "bảo vệ chủ quyền an ninh quốc gia"


def test_empty_glossary_groups_the_commission_names_of_the_mt_in_the_first_20(seeds_store):
    first = find_candidates(segments_from_store(seeds_store), None)[:TOP]
    commission = next(c for c in first if c.form == "Border Defense Commission of the Autonomous Region")
    # The machine translation's other names for the same body come as its variants.
    assert {"Autonomous Region Frontier Defense Committee", "Autonomous Region Border Protection Committee",
            "Border Defense Committee of the Autonomous Region"} <= set(commission.variants)
    assert commission.count >= 6 and len(commission.contexts()) == 3
    assert all("[" in context["context"] and context["segment_id"] for context in commission.contexts())


def test_shipped_glossary_proposes_nothing_that_is_already_an_entry_or_variant(seeds_store, shipped):
    found = find_candidates(segments_from_store(seeds_store), shipped)
    assert found, "the seeds still hold terms the glossary lacks"
    for candidate in found:
        for form in [candidate.form, *candidate.variants]:
            matches = shipped.match(form, candidate.lang) + shipped.match_forbidden(form, candidate.lang)
            whole = [m for m in matches if m.start == 0 and m.end == len(form)]
            assert not whole, f"{candidate.id} {form!r} is already {whole[0].entry_id}"
    assert not {"BĐBP", "BVCQANQG", "UBND"} & {c.form for c in found}
    by_form = {c.form: c for c in found}
    # What the glossary lacks does come: the acronym BTL alone, a spelling variant of an entry.
    assert by_form["BTL"].long_form == "Bộ Tư lệnh"
    assert by_form["border defense work"].variant_of == "vn-cong-tac-bien-phong"


def test_a_new_document_defining_an_acronym_and_renaming_a_known_body(seeds_store, shipped, tmp_path):
    vietnamese = ("Ban Chỉ đạo phòng chống ma túy (BCĐPCMT) tỉnh họp phiên đầu tiên.\n"
                  "BCĐPCMT giao nhiệm vụ cho Đồn Biên phòng và công an xã.\n")
    english = ("The Autonomous Region Frontier Protection Commission held its third meeting.\n"
               "Members of the Autonomous Region Frontier Protection Commission reviewed the border plan.\n")
    summary = import_uploads(seeds_store, [("new-vi.txt", vietnamese.encode()), ("new-en.txt", english.encode())],
                             BatchOptions(translate=False, lang=None))
    assert not summary.failures
    first_vi = find_candidates(segments_from_store(seeds_store), shipped, lang="vi")[:TOP]
    first_en = find_candidates(segments_from_store(seeds_store), shipped, lang="en")[:TOP]
    acronym = next(c for c in first_vi if c.form == "BCĐPCMT")
    assert acronym.defined_inline and acronym.long_form == "Ban Chỉ đạo phòng chống ma túy"
    assert acronym.documents == ["new-vi.txt"]
    renamed = next(c for c in first_en if c.form == "Autonomous Region Frontier Protection Commission")
    assert renamed.kind == "variant" and renamed.variant_of == "cn-ar-border-defense-commission"
    assert renamed.becomes == "variant of cn-ar-border-defense-commission"


@pytest.mark.parametrize("lang, text, acronym, long_form", [
    ("vi", "Hội nghị của Hội đồng nhân dân (HĐND) tỉnh. HĐND họp.", "HĐND", "Hội đồng nhân dân"),
    ("vi", "Thành lập BCH (Ban Chỉ huy) đồn. BCH họp.", "BCH", "Ban Chỉ huy"),
    ("en", "The Chinese People's Political Consultative Conference (CPPCC) met.", "CPPCC",
     "Chinese People's Political Consultative Conference"),
    ("en", "The NPC (National People's Congress) met in spring.", "NPC", "National People's Congress"),
    ("en", "He spoke for the State Border and Coastal Defense Commission (SBCDC).", "SBCDC",
     "State Border and Coastal Defense Commission"),
])
def test_inline_definitions_both_ways_in_both_languages(lang, text, acronym, long_form):
    found = {c.form: c for c in find_candidates(_segments(text, lang=lang), None) if c.kind == "acronym"}
    assert found[acronym].long_form == long_form
    assert found[acronym].defined_inline


def test_parentheses_that_do_not_spell_the_acronym_are_no_definition():
    found = find_candidates(_segments("Đoàn kiểm tra (UBND) đến. UBND họp.", lang="vi"), None)
    ubnd = next(c for c in found if c.form == "UBND")
    assert not ubnd.defined_inline and ubnd.long_form is None


def test_an_acronym_used_twice_without_definition_gets_a_long_form_from_the_corpus():
    texts = ["Lực lượng BVCQANBG làm nhiệm vụ.", "Nhiệm vụ BVCQANBG được giao.",
             "Công tác bảo vệ chủ quyền an ninh biên giới được tăng cường."]
    found = {c.form: c for c in find_candidates(_segments(*texts, lang="vi"), None)}
    assert found["BVCQANBG"].count == 2 and not found["BVCQANBG"].defined_inline
    assert found["BVCQANBG"].long_form == "bảo vệ chủ quyền an ninh biên giới"


def test_candidate_ids_are_stable_and_dismissals_keep_them_away(seeds_store, shipped):
    first = find_candidates(segments_from_store(seeds_store), shipped)
    again = find_candidates(segments_from_store(seeds_store), shipped)
    assert [c.id for c in first] == [c.id for c in again]
    gone = first[0]
    seeds_store.dismiss_term_candidate(gone.id, lang=gone.lang, kind=gone.kind, form=gone.form, reviewer="Lan")
    dismissed = {row.candidate_id for row in seeds_store.dismissed_term_candidates()}
    assert dismissed == {gone.id}
    assert gone.id not in {c.id for c in find_candidates(segments_from_store(seeds_store), shipped,
                                                         dismissed=dismissed)}
    assert seeds_store.restore_term_candidate(gone.id)
    assert seeds_store.dismissed_term_candidates() == []


def test_proposed_row_of_a_variant_keeps_the_entry_and_adds_the_form(seeds_store, shipped):
    found = {c.form: c for c in find_candidates(segments_from_store(seeds_store), shipped)}
    cells, replacing = proposed_row(found["border defense work"], shipped)
    assert replacing == "vn-cong-tac-bien-phong"
    assert cells == {"id": "vn-cong-tac-bien-phong", "en_variants": "border guard work|border defense work"}


def test_accepting_a_variant_rewrites_one_row_and_keeps_every_other_byte(seeds_store, shipped, tmp_path):
    folder = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", folder)
    path = folder / "vn-border-guard.tsv"
    before = path.read_text(encoding="utf-8").splitlines(keepends=True)
    found = {c.form: c for c in find_candidates(segments_from_store(seeds_store), shipped)}
    cells, replacing = proposed_row(found["border defense work"], shipped)
    accept_candidate(path, cells, replacing=replacing, scope=folder)
    after = path.read_text(encoding="utf-8").splitlines(keepends=True)
    changed = [i for i, (a, b) in enumerate(zip(before, after, strict=True)) if a != b]
    assert len(changed) == 1 and after[changed[0]].startswith("vn-cong-tac-bien-phong\t")
    glossary, problems = read_glossary(folder)
    assert not problems
    assert "border defense work" in glossary["vn-cong-tac-bien-phong"].variants["en"]
    # Now that it is a variant, it is proposed no more.
    assert "border defense work" not in _forms(find_candidates(segments_from_store(seeds_store), glossary))


def _cli_json(argv, capsys) -> dict:
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


def test_cli_lists_accepts_and_dismisses(seeds_store, tmp_path, capsys):
    folder = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", folder)
    db = str(seeds_store.path)
    listed = _cli_json(["glossary", "candidates", "--db", db, "--lang", "vi", "--json", "--glossary", str(folder)],
                       capsys)
    assert all(c["lang"] == "vi" for c in listed["candidates"]) and len(listed["candidates"]) == 20
    btl = next(c for c in listed["candidates"] if c["form"] == "BTL")
    assert btl["becomes"] == "new entry" and btl["long_form"] == "Bộ Tư lệnh" and len(btl["contexts"]) == 3

    # Without --file a new entry has nowhere to go; without --yes nothing is written.
    assert main(["glossary", "candidates", "--db", db, "--glossary", str(folder), "--accept", btl["id"]]) == 2
    assert "--accept needs --file" in capsys.readouterr().err
    path = folder / "vn-border-guard.tsv"
    original = path.read_bytes()
    assert main(["glossary", "candidates", "--db", db, "--glossary", str(folder), "--accept", btl["id"],
                 "--file", str(path)]) == 0
    shown = capsys.readouterr()
    assert "vi: Bộ Tư lệnh" in shown.out and "--yes" in shown.err
    assert path.read_bytes() == original
    # The row lacks its English term: the glossary check refuses it and nothing is written.
    assert main(["glossary", "candidates", "--db", db, "--glossary", str(folder), "--accept", btl["id"],
                 "--file", str(path), "--yes"]) == 1
    assert "en" in capsys.readouterr().err
    assert path.read_bytes() == original
    assert main(["glossary", "candidates", "--db", db, "--glossary", str(folder), "--accept", btl["id"],
                 "--file", str(path), "--set", "en=Command", "--yes"]) == 0
    capsys.readouterr()
    assert path.read_bytes().startswith(original)
    glossary, problems = read_glossary(folder)
    assert not problems
    entry = glossary["vn-btl"]
    assert entry.terms == {"vi": "Bộ Tư lệnh", "en": "Command"} and entry.variants["vi"] == ("BTL",)

    again = _cli_json(["glossary", "candidates", "--db", db, "--json", "--glossary", str(folder), "--limit", "200"],
                      capsys)
    assert "BTL" not in {c["form"] for c in again["candidates"]}
    victim = again["candidates"][0]
    assert main(["glossary", "candidates", "--db", db, "--glossary", str(folder), "--dismiss", victim["id"],
                 "--reviewer", "Lan"]) == 0
    capsys.readouterr()
    after = _cli_json(["glossary", "candidates", "--db", db, "--json", "--glossary", str(folder), "--limit", "200"],
                      capsys)
    assert victim["id"] not in {c["id"] for c in after["candidates"]}
    assert after["total"] == again["total"] - 1
    assert main(["glossary", "candidates", "--db", db, "--dismiss", "vi-00000000"]) == 2
    assert "no term candidate vi-00000000" in capsys.readouterr().err


# -- the Terms page, headless (the real-browser test is tests/test_browser_terms.py) ----------------
@pytest.fixture
def terms_app(seeds_db, tmp_path, monkeypatch):
    from streamlit.testing.v1 import AppTest

    db = tmp_path / "data" / "workbench.db"
    db.parent.mkdir()
    shutil.copy(seeds_db, db)
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("WORKBENCH_USERS", raising=False)
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(tmp_path / "glossaries"))
    for pair in ("VI_EN", "EN_VI", "ZH_EN"):
        monkeypatch.setenv(f"WORKBENCH_MODEL_{pair}", str(tmp_path / "no-model"))
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=60).run()
    at.switch_page("app_pages/terms.py").run()
    assert not at.exception, [e.value for e in at.exception]
    # The page started the candidate list on a background job; it shows the list once that ended.
    from workbench.jobs import JOBS

    assert any(job.label == "Updating term candidates" for job in JOBS.jobs())
    deadline = time.monotonic() + 120
    while JOBS.running() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not JOBS.running()
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_terms_page_lists_candidates_and_runs_every_view(terms_app):
    at = terms_app
    options = at.selectbox(key="terms_candidate").options
    assert any(option.startswith("BTL — acronym, new entry") for option in options)
    at.radio(key="terms_view").set_value("Concordance").run()
    at.text_input(key="terms_concordance").input("dang uy").run()
    assert not at.exception
    body = "\n".join(element.proto.body for element in at.html)
    assert "<mark>Đảng uỷ</mark>" in body and "<mark>Đảng ủy</mark>" in body
    at.radio(key="terms_view").set_value("Consistency").run()
    assert not at.exception
    assert any("No inconsistency" in info.value for info in at.info)  # nothing reviewed yet
