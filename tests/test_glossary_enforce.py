"""Term enforcement with tiny random-weight checkpoints: the mechanism, not the model, carries it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from workbench.documents.segment import split_sentences
from workbench.glossary import Glossary, TermReport, load_glossary, term_success_rate
from workbench.glossary.enforce import EnforcementSettings, apply_final_pass, translate_with_terms
from workbench.mt.base import DEFAULT_DECODING
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


def test_required_term_appears_with_enforcement_and_not_without(vi_en, glossary):
    assert vi_en.is_random_weights
    # The final pass is off: the decoding itself must produce the term.
    settings = EnforcementSettings(final_pass=False)
    (on,) = translate_with_terms(vi_en, [SENTENCE], glossary, "vi", "en", settings=settings)
    (off,) = translate_with_terms(vi_en, [SENTENCE], glossary, "vi", "en", enforce=False)
    target = "Party Committee of the Border Guard"
    assert target in on.text
    assert target not in off.text
    (occurrence,) = on.report.occurrences
    assert (occurrence.entry_id, occurrence.source_surface, occurrence.required_target) == \
        ("vn-dang-uy-bdbp", "Đảng uỷ BĐBP", target)
    assert occurrence.present and not occurrence.inserted_by_final_pass and not occurrence.missing
    assert on.report.model_source == "Đảng ủy Bộ đội Biên phòng tỉnh tổ chức hội nghị."
    assert off.report.enforcement is False and off.report.missing_terms == [target]
    assert off.report.model_source is None


def test_enforcement_can_be_turned_off_per_entry(vi_en, glossary):
    entries = [replace(e, enforce=False) if e.id == "vn-tinh-uy" else e for e in glossary]
    partial = Glossary(entries)
    (result,) = translate_with_terms(vi_en, ["Tỉnh uỷ và Đảng uỷ họp."], partial, "vi", "en")
    by_entry = {o.entry_id: o for o in result.report.occurrences}
    assert by_entry["vn-tinh-uy"].enforced is False and by_entry["vn-tinh-uy"].missing
    assert "Provincial Party Committee" not in result.text
    assert by_entry["vn-dang-uy"].enforced and by_entry["vn-dang-uy"].present
    assert result.report.missing_terms == ["Provincial Party Committee"]


class CannedTranslator:
    """A logits-processor engine (the Translator interface's `translate`) that returns fixed hypotheses."""

    runs_logits_processors = True

    def __init__(self, real, hypotheses):
        self.pair, self.checkpoint = real.pair, real.checkpoint
        self.tokenizer, self.model = real.tokenizer, real.model
        self.hypotheses = hypotheses
        self.calls = []

    def translate(self, sentences, settings=DEFAULT_DECODING, *, num_return_sequences=1,
                  logits_processor_factory=None, **options):
        self.calls.append((list(sentences), settings.beams, num_return_sequences))
        return [self.hypotheses[:num_return_sequences] for _ in sentences]


def test_final_pass_replaces_a_forbidden_rendering(vi_en, glossary):
    canned = CannedTranslator(vi_en, ["The Border Army of the province met."] * 4)
    (result,) = translate_with_terms(canned, ["BĐBP tỉnh họp."], glossary, "vi", "en")
    assert result.text == "The Border Guard of the province met."
    (occurrence,) = result.report.occurrences
    assert occurrence.present and occurrence.inserted_by_final_pass
    assert result.report.final_pass_changes == [{
        "start": 4, "end": 15, "old": "Border Army", "new": "Border Guard",
        "entry_id": "vn-bdbp", "kind": "forbidden"}]
    (off,) = translate_with_terms(canned, ["BĐBP tỉnh họp."], glossary, "vi", "en", enforce=False)
    assert off.text == "The Border Army of the province met." and off.report.missing_terms


def test_reranking_prefers_the_hypothesis_with_the_terms(vi_en, glossary):
    canned = CannedTranslator(vi_en, ["The troops met.", "The Border Guard met.", "x", "y"])
    (result,) = translate_with_terms(canned, ["BĐBP họp."], glossary, "vi", "en")
    assert result.text == "The Border Guard met." and result.report.hypothesis_rank == 1
    assert canned.calls[-1][1:] == (4, 4)  # the run's beams (default 4), all of them reranked


def test_final_pass_replaces_variants_only_when_the_term_is_missing(glossary):
    text, changes = apply_final_pass("A boundary marker and a border marker.", glossary,
                                     ["vn-cot-moc"], "en")
    assert (text, changes) == ("A boundary marker and a border marker.", [])
    text, changes = apply_final_pass("A new boundary marker.", glossary, ["vn-cot-moc"], "en")
    assert text == "A new border marker." and changes[0]["kind"] == "variant"
    # An entry whose enforcement is off is left alone.
    text, _ = apply_final_pass("The police and public security.", glossary, ["vn-cong-an"], "en")
    assert text == "The police and public security."


def test_report_round_trips_through_json(vi_en, glossary):
    (result,) = translate_with_terms(vi_en, [SENTENCE], glossary, "vi", "en")
    data = json.loads(json.dumps(result.report.to_dict()))
    again = TermReport.from_dict(data)
    assert again == result.report
    assert data["occurrences"][0]["missing"] is False
    assert data["glossary_version"] == glossary.version
    assert set(data["summary"]) == {"source_terms", "required", "present", "inserted", "missing"}


def test_term_success_rate_counts_occurrences():
    reports = [
        {"occurrences": [{"entry_id": "a", "required_target": "A", "present": True},
                         {"entry_id": "b", "required_target": "B", "present": False}]},
        None,
        {"occurrences": [{"entry_id": "b", "required_target": "B", "present": False}]},
    ]
    assert term_success_rate(reports) == {
        "occurrences": 3, "matched": 1, "success_rate": 0.3333, "missing_count": 2,
        "missing": [{"entry_id": "b", "required_target": "B", "count": 2}]}
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
def test_term_success_on_a_few_seed_sentences(vi_en, ct2_vi_en_en_vi, glossary, engine):
    """A small case of `bench/term_success.py`: with enforcement, random weights still write the terms."""
    translator = vi_en if engine == "transformers" else ct2_vi_en_en_vi[0]
    segments = _first_seed_segments("vi", "vi", glossary, 6)
    on = term_success_rate(r.report for r in translate_with_terms(translator, segments, glossary, "vi", "en"))
    off = term_success_rate(r.report for r in translate_with_terms(translator, segments, glossary, "vi", "en",
                                                                   enforce=False))
    assert on["occurrences"] >= 10
    assert on["success_rate"] >= 0.8
    assert off["success_rate"] < 0.3


def test_placement_keeps_to_word_boundaries_near_the_expected_position():
    from workbench.glossary.enforce.placement import placement_positions as _placement_positions

    pieces = ["▁The", "▁Bor", "der", "▁Guard", "▁met", "▁to", "day", "."]
    hypothesis = list(range(len(pieces)))
    # Boundaries: 0, 1, 3, 4, 5, 7 (before "."); 8 (after ".") only when nothing else is left.
    assert _placement_positions(hypothesis, pieces, 0.5, [], 3) == [3, 4, 5]
    assert _placement_positions(hypothesis, pieces, 1.0, [], 2) == [5, 7]
    # Never inside a required term already written ("▁Bor der" = ids 1, 2).
    assert 2 not in _placement_positions(hypothesis, pieces, 0.25, [((1, 2), 0.9)], 8)
    # A term written for an earlier source position adds the boundaries after it.
    assert _placement_positions(hypothesis, pieces, 0.1, [((4, 5), 0.05)], 1) == [1, 7]
    assert _placement_positions(hypothesis, pieces, 0.1, [((4, 5), 0.5)], 1) == [1]
    assert _placement_positions([0, 1], ["▁Hi", "."], 1.0, [], 3) == [0, 1]


def _greedy(step_scores, constraint, settings, steps=5):
    """Greedy decoding over a scripted model: step_scores(prefix) -> list of log-probs."""
    import torch

    from workbench.glossary.enforce.logits import term_processor_class

    processor = term_processor_class()([constraint], 1, settings, eos_token_id=0)
    ids = [9]  # decoder start
    for _ in range(steps):
        scores = torch.tensor([step_scores(ids[1:])], dtype=torch.float)
        scores = processor(torch.tensor([ids]), scores)
        ids.append(int(scores[0].argmax()))
    return ids[1:]


# Token ids of a toy vocabulary: 0 </s>, 1 "The", 2 "▁Border", 3 "▁Guard", 4 "▁met", 5 ".", 6 "▁Army"


def _constraint(expected_step=0):
    from workbench.glossary.enforce import TermConstraints

    return TermConstraints(terms=[((2, 3), expected_step)], forbidden=[(2, 6)])


def test_a_confident_model_keeps_its_own_placement():
    path = [1, 2, 3, 4, 5]  # "The Border Guard met ."

    def confident(prefix):
        scores = [-9.0] * 10
        scores[path[len(prefix)] if len(prefix) < len(path) else 0] = -0.05
        return scores

    # The term is expected at step 0, but the model puts it at step 1: the nudge does
    # not drag it forward, the model's own sentence comes out unchanged.
    assert _greedy(confident, _constraint(0), EnforcementSettings()) == path


def test_a_flat_model_is_steered_into_the_term_and_away_from_the_forbidden_one():
    def flat_preferring_army(prefix):
        scores = [-2.3] * 10
        scores[6] = -2.0  # "▁Army" would follow "▁Border" without enforcement
        scores[7] = -2.1
        return scores

    assert _greedy(flat_preferring_army, _constraint(2), EnforcementSettings())[2:4] == [2, 3]

    def wants_border_army(prefix):
        scores = [-3.0] * 10
        scores[6 if prefix and prefix[-1] == 2 else 2] = -0.5
        scores[1] = -1.0
        return scores

    no_bonus = EnforcementSettings(open_bonus=0, open_bonus_max=0, open_ramp=0, continue_bonus=0,
                                   eos_penalty=0)
    out = _greedy(wants_border_army, _constraint(0), no_bonus)
    assert out[:2] == [2, 1] and 6 not in out  # "▁Border ▁Army" blocked even without a bonus
