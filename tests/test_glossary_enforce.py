"""Term enforcement through the real engines (tiny random-weight checkpoints) and its report.

Random weights write noise, so these tests check what must hold whatever the model
writes: enforcement never carries decoding past the plain sentence, never leaves a
term unreported, and the report names the model. Placement itself is checked on a
model that reads its input in tests/test_term_replacement.py.
"""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from term_doubles import BagTranslator

from workbench.documents.segment import split_sentences
from workbench.glossary import Glossary, TermReport, load_glossary, term_success_rate
from workbench.glossary.enforce import EnforcementSettings, apply_final_pass, translate_with_terms
from workbench.mt.transformers_engine import MarianTranslator

REPO = Path(__file__).resolve().parent.parent
SENTENCE = "Đảng uỷ BĐBP tỉnh tổ chức hội nghị."


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(REPO / "glossaries")


@pytest.fixture(scope="module")
def vi_en(tiny_checkpoints):
    return MarianTranslator("vi-en", str(tiny_checkpoints["vi-en"]))


@pytest.fixture(scope="module")
def en_vi(tiny_checkpoints):
    return MarianTranslator("en-vi", str(tiny_checkpoints["en-vi"]))


def test_enforcement_can_be_turned_off_per_entry(glossary):
    entries = [replace(e, enforce=False) if e.id == "vn-tinh-uy" else e for e in glossary]
    partial = Glossary(entries)
    model = BagTranslator({"tỉnh uỷ": "Province Committee", "đảng uỷ": "Party Commission", "và": "and",
                           "họp": "met"})
    (result,) = translate_with_terms(model, ["Tỉnh uỷ và Đảng uỷ họp."], partial, "vi", "en")
    by_entry = {o.entry_id: o for o in result.report.occurrences}
    assert by_entry["vn-tinh-uy"].enforced is False and by_entry["vn-tinh-uy"].missing
    assert result.text == "Province Committee and Party Committee met."
    assert by_entry["vn-dang-uy"].enforced and by_entry["vn-dang-uy"].present
    assert result.report.missing_terms == ["Provincial Party Committee"]


def test_final_pass_replaces_a_forbidden_rendering(glossary):
    model = BagTranslator({"bộ đội biên phòng": "The Border Army of", "tỉnh": "the province", "họp": "met"})
    # Replacement off: the final pass alone turns the forbidden rendering into the term.
    (result,) = translate_with_terms(model, ["BĐBP tỉnh họp."], glossary, "vi", "en",
                                     settings=EnforcementSettings(place_terms=False, expand_acronyms=True))
    assert result.text == "The Border Guard of the province met."
    (occurrence,) = result.report.occurrences
    assert occurrence.present and occurrence.inserted_by_final_pass
    assert result.report.final_pass_changes == [{
        "start": 4, "end": 15, "old": "Border Army", "new": "Border Guard",
        "entry_id": "vn-bdbp", "kind": "forbidden"}]
    (off,) = translate_with_terms(model, ["BĐBP tỉnh họp."], glossary, "vi", "en", enforce=False)
    assert off.text == "BĐBP the province met." and off.report.missing_terms  # no expansion either


def test_final_pass_replaces_variants_only_when_the_term_is_missing(glossary):
    text, changes = apply_final_pass("A boundary marker and a border marker.", glossary,
                                     ["vn-cot-moc"], "en")
    assert (text, changes) == ("A boundary marker and a border marker.", [])
    text, changes = apply_final_pass("A new boundary marker.", glossary, ["vn-cot-moc"], "en")
    assert text == "A new border marker." and changes[0]["kind"] == "variant"
    # An entry whose enforcement is off is left alone.
    text, _ = apply_final_pass("The police and public security.", glossary, ["vn-cong-an"], "en")
    assert text == "The police and public security."


def test_report_round_trips_through_json(glossary):
    model = BagTranslator({"đảng ủy bộ đội biên phòng": "Party Commission of the Border Army", "tỉnh": "province"})
    (result,) = translate_with_terms(model, [SENTENCE], glossary, "vi", "en")
    data = json.loads(json.dumps(result.report.to_dict()))
    again = TermReport.from_dict(data)
    assert again == result.report
    assert data["occurrences"][0]["missing"] is False
    assert data["glossary_version"] == glossary.version
    assert data["model"] == "bag-model (scripted)"
    assert set(data["summary"]) == {"source_terms", "required", "present", "inserted", "duplicated", "missing"}


def test_term_success_rate_counts_occurrences():
    reports = [
        {"occurrences": [{"entry_id": "a", "required_target": "A", "present": True},
                         {"entry_id": "b", "required_target": "B", "present": False}]},
        None,
        {"occurrences": [{"entry_id": "b", "required_target": "B", "present": False}]},
    ]
    reports.append({"model": "m1", "occurrences": [
        {"entry_id": "a", "required_target": "A", "present": False, "duplicated": True}]})
    assert term_success_rate(reports) == {
        "occurrences": 4, "matched": 1, "success_rate": 0.25, "duplicated": 1,
        "models": ["m1", "unknown model"], "missing_count": 3,
        "missing": [{"entry_id": "b", "required_target": "B", "count": 2},
                    {"entry_id": "a", "required_target": "A", "count": 1}]}
    assert term_success_rate([])["success_rate"] is None


@pytest.fixture(scope="module")
def ct2_vi_en_en_vi(tiny_checkpoints, tmp_path_factory):
    """CTranslate2 translators (int8, the CPU default) of the tiny checkpoints, in a private cache."""
    pytest.importorskip("ctranslate2", reason="the ctranslate2 engine is not installed")
    from workbench.mt.ctranslate2_engine import CACHE_ENV, CTranslate2Translator

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(CACHE_ENV, str(tmp_path_factory.mktemp("ct2-cache")))
        translators = [CTranslate2Translator(pair, str(tiny_checkpoints[pair]), device="cpu")
                       for pair in ("vi-en", "en-vi")]
        for translator in translators:
            translator.load()
        yield translators


def _first_seed_segments(kind: str, lang: str, glossary, count: int) -> list[str]:
    """The first `count` sentences with glossary terms in the seeds of one kind (the full set: bench/)."""
    segments = []
    for path in sorted((REPO / "seeds").glob(f"*_{kind}_*.txt")):
        for sentence in split_sentences(path.read_text(encoding="utf-8"), lang):
            if glossary.match(sentence, lang) and len(segments) < count:
                segments.append(sentence)
    return segments


@pytest.mark.parametrize("engine", ["transformers", "ctranslate2"])
def test_random_weights_enforced_run_never_runs_past_the_plain_sentence(vi_en, ct2_vi_en_en_vi, glossary, engine):
    """A small case of `bench/term_enforcement.py`'s mechanism checks, on noise.

    Whatever a random model writes, the enforced output is the plain output with at most
    its terms' words replaced: never longer than the plain one plus the terms, and every
    required term is either rendered or flagged with a reason.
    """
    translator = vi_en if engine == "transformers" else ct2_vi_en_en_vi[0]
    segments = _first_seed_segments("vi", "vi", glossary, 6)
    settings = EnforcementSettings(final_pass=False)
    on = translate_with_terms(translator, segments, glossary, "vi", "en", settings=settings)
    off = translate_with_terms(translator, segments, glossary, "vi", "en", enforce=False)
    count = translator.tokenizer
    assert sum(len(r.report.occurrences) for r in on) >= 10
    for enforced, plain in zip(on, off, strict=True):
        terms = sum(len(count(text_target=t).input_ids) for t in enforced.report.required_terms)
        assert len(count(text_target=enforced.text).input_ids) <= len(count(text_target=plain.text).input_ids) + terms
        for occurrence in enforced.report.occurrences:
            assert occurrence.present or occurrence.note or not occurrence.enforced
        if not any(o.present for o in enforced.report.occurrences):
            assert enforced.text == plain.text
        assert "random weights" in enforced.report.model and engine in enforced.report.model
