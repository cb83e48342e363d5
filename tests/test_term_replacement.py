"""Term enforcement on a model that reads its input: each failure the issue names, checked.

`BagTranslator` (tests/term_doubles.py) is a scripted model with the two things enforcement relies on: it
translates word by word from a small lexicon (so its right answer is known), and it
scores a given target the way a model that reads its input does: a token the source
accounts for, in order (it aligns with the source's own rendering), is likely (-0.1),
any other token unlikely (-6). Deleting a source word
therefore makes exactly its rendering unlikely, as in a trained model; a "fragile"
model also finds everything after an unexpected token unlikely (it reads the term as
breaking the sentence). Each test below fails on the mechanisms the issue describes:
a term placed beside the model's rendering, a duplicate counted as success, a name
overwritten, decoding carried past the sentence, an ordinary phrase taken for a term.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from term_doubles import BagTranslator

from workbench.glossary import load_glossary, term_success_rate
from workbench.glossary.enforce import EnforcementSettings, translate_with_terms
from workbench.glossary.enforce.final import mark_rendered
from workbench.glossary.enforce.replacement import (
    NOT_RENDERED,
    SCORED_WORSE,
    Replacement,
    find_rendering,
    placeholder_numbers,
    rendering_span,
    separate,
)
from workbench.glossary.matching import TermMatcher
from workbench.glossary.report import TermOccurrence

REPO = Path(__file__).resolve().parent.parent
LEXICON = {"chủ tịch": "President", "nước": "country", "tiếp": "receives", "khách": "guests",
           "an ninh biên giới": "security border", "thắt chặt": "tighten", "tỉnh": "province",
           "bộ đội biên phòng": "Border Army", "họp": "met", "công an": "public security",
           "xã": "commune", "và": "and", "huyện": "district", "năm": "years", "trong": "in",
           "một": "one", "vụ": "case", "tai nạn": "accident", "bị": "suffered", "mô hình": "model"}


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(REPO / "glossaries")


def _enforce(translator, sentence, glossary, **settings):
    (result,) = translate_with_terms(translator, [sentence], glossary, "vi", "en",
                                     settings=EnforcementSettings(**settings))
    (plain,) = translate_with_terms(translator, [sentence], glossary, "vi", "en", enforce=False)
    return result, plain


def test_the_term_takes_the_place_of_the_models_rendering_and_nothing_else_changes(glossary):
    model = BagTranslator(LEXICON)
    result, plain = _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary)
    assert plain.text == "President country Trần Đại Quang receives guests."
    # In place of "President": no "Chairman President", and the name beside it is untouched.
    assert result.text == "Chairman country Trần Đại Quang receives guests."
    (occurrence,) = result.report.occurrences
    assert occurrence.present and not occurrence.duplicated and not occurrence.inserted_by_final_pass
    assert plain.report.missing_terms == ["Chairman"]


def test_a_multi_word_rendering_is_replaced_whole_not_duplicated(glossary):
    model = BagTranslator(LEXICON)
    result, plain = _enforce(model, "Thắt chặt an ninh biên giới.", glossary)
    assert plain.text == "tighten security border."
    assert result.text == "tighten border security."
    assert result.report.present_terms == ["border security"]
    assert result.report.duplicated_terms == []


def test_a_duplicated_rendering_is_reported_as_such_never_as_success(glossary):
    # The model writes the term twice for one source term: "border security border security".
    model = BagTranslator({**LEXICON, "an ninh biên giới": "border security border security"})
    result, _ = _enforce(model, "Thắt chặt an ninh biên giới.", glossary)
    (occurrence,) = result.report.occurrences
    assert occurrence.duplicated and not occurrence.present and "more often" in occurrence.note
    figures = term_success_rate([result.report])
    assert (figures["matched"], figures["duplicated"], figures["success_rate"]) == (0, 1, 0.0)


def test_exactly_once_per_source_occurrence():
    matcher = TermMatcher("en")
    matcher.add("vn-cong-an", "police")

    def occurrences(count):
        return [TermOccurrence("vn-cong-an", 0, 6, "công an", "police") for _ in range(count)]

    two = occurrences(2)
    mark_rendered(two, "police commune and police district", matcher, {})
    assert [o.present for o in two] == [True, True]
    one = occurrences(1)
    mark_rendered(one, "police commune and police district", matcher, {})
    assert one[0].duplicated and not one[0].present
    short = occurrences(2)
    mark_rendered(short, "police commune and district", matcher, {0: NOT_RENDERED})
    # The occurrence enforcement gave up on is the missing one, with its reason.
    assert [(o.present, o.note) for o in short] == [(False, NOT_RENDERED), (True, "")]


def test_each_occurrence_of_a_repeated_term_is_replaced(glossary):
    model = BagTranslator(LEXICON)
    result, _ = _enforce(model, "Chủ tịch xã và chủ tịch huyện.", glossary)
    assert result.text == "Chairman commune and Chairman district."
    assert [o.present for o in result.report.occurrences] == [True, True]


def test_the_output_ends_where_the_models_sentence_ended(glossary):
    model = BagTranslator(LEXICON)
    sentences = ["Chủ tịch nước tiếp khách.", "Thắt chặt an ninh biên giới.", "Chủ tịch xã họp."]
    enforced = translate_with_terms(model, sentences, glossary, "vi", "en")
    plain = translate_with_terms(model, sentences, glossary, "vi", "en", enforce=False)
    for on, off in zip(enforced, plain, strict=True):
        assert on.text.endswith(".") and on.text.count(".") == off.text.count(".")
        assert len(on.text.split()) <= len(off.text.split()) + 2
    # One decoding pass of the sentences for the whole run: no re-decoding that could run on.
    # (Besides, each source term is translated alone once, to find the model's rendering.)
    assert sorted(s for s in model.decoded if s in sentences) == sorted(2 * sentences)
    assert sorted(s for s in model.decoded if s not in sentences) == sorted(["an ninh biên giới", "Chủ tịch"])


def test_a_replacement_that_would_take_a_neighbours_words_keeps_the_models_output(glossary):
    # The fragile model finds everything after an unexpected word unlikely, so deleting
    # "Chủ tịch" seems to cost the whole sentence: the widest run allowed ("President
    # country Trần", three words) is taken for its rendering. Taking those words out
    # leaves "Trần" of the source unrendered, which the model notices.
    model = BagTranslator(LEXICON, fragile=True)
    result, plain = _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary, find_alone=False)
    assert result.text == plain.text
    (occurrence,) = result.report.occurrences
    assert occurrence.missing and occurrence.note == SCORED_WORSE


def test_a_model_that_never_met_the_terms_words_still_gets_them_placed(glossary):
    # It scores "Chairman" and every token after it as very unlikely, as a model does whose
    # training never showed it the glossary's English. That says nothing about the words
    # around the term, which are the model's own, unchanged: the term is placed.
    model = BagTranslator(LEXICON, dislikes=("Chairman",))
    result, _ = _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary)
    assert result.text == "Chairman country Trần Đại Quang receives guests."
    assert result.report.occurrences[0].present


def test_replacements_the_model_accepts_are_kept_when_another_in_the_sentence_is_refused(glossary):
    # The model's rendering of "Thủ tướng" runs on into "met press": its run takes those
    # words (which render "họp báo"), and so does the run one word shorter, so that
    # replacement is refused; "Chủ tịch" is placed all the same.
    model = BagTranslator({**LEXICON, "thủ tướng": "Premier", "báo": "press"}, runs_on=("Premier",),
                          run_length=2)
    result, plain = _enforce(model, "Chủ tịch xã và Thủ tướng họp báo.", glossary, find_alone=False)
    assert plain.text == "President commune and Premier met press."
    assert result.text == "Chairman commune and Premier met press."
    by_entry = {o.entry_id: o for o in result.report.occurrences}
    assert by_entry["vn-chu-tich"].present
    assert by_entry["vn-thu-tuong"].missing and by_entry["vn-thu-tuong"].note == SCORED_WORSE


def test_the_models_rendering_of_the_term_alone_is_found_without_masking(glossary):
    # Masking "Thủ tướng" would cost "met press" too (a run two words too wide, refused
    # above); translated alone, "Thủ tướng" is "Premier", which the sentence holds once:
    # that is the run, and only the check is scored (one row per term: against a plain
    # hypothesis taken as certain, which passes).
    model = BagTranslator({**LEXICON, "thủ tướng": "Premier", "báo": "press"}, runs_on=("Premier",),
                          run_length=2)
    (result,) = translate_with_terms(model, ["Chủ tịch xã và Thủ tướng họp báo."], glossary, "vi", "en")
    assert result.text == "Chairman commune and Prime Minister met press."
    assert model.scored_rows == 2


def test_a_run_refused_against_a_certain_hypothesis_is_judged_again_against_the_plain_scores(glossary):
    # The model writes "guests" but scores it at -9: taken as certain, the plain hypothesis
    # seems damaged there; against its own plain scores nothing changed, and the term is placed.
    model = BagTranslator(LEXICON, unsure_of=("guests",))
    result, plain = _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary)
    assert result.text == "Chairman country Trần Đại Quang receives guests."
    assert model.scored_rows == 1 + 1 + 1  # check, plain row, check again
    model = BagTranslator(LEXICON, unsure_of=("guests",))
    _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary, max_damage=50.0)
    assert model.scored_rows == 1


def test_a_run_that_took_one_neighbouring_word_is_tried_one_word_shorter(glossary):
    # "Premier" runs on into "met": the run found is "Premier met", which the check
    # refuses ("họp" left unrendered); one word shorter, "Premier", passes.
    model = BagTranslator({**LEXICON, "thủ tướng": "Premier"}, runs_on=("Premier",))
    result, _ = _enforce(model, "Chủ tịch xã và Thủ tướng họp.", glossary, find_alone=False)
    assert result.text == "Chairman commune and Prime Minister met."
    assert all(o.present for o in result.report.occurrences)


def test_of_the_runs_the_check_allows_the_one_that_damages_the_rest_least_is_taken(glossary):
    # With a lenient check both "Premier met" (which leaves "họp" unrendered) and
    # "Premier" pass; the shorter run costs the rest of the sentence nothing and is taken.
    model = BagTranslator({**LEXICON, "thủ tướng": "Premier"}, runs_on=("Premier",))
    result, _ = _enforce(model, "Chủ tịch xã và Thủ tướng họp.", glossary, max_damage=50.0, find_alone=False)
    assert result.text == "Chairman commune and Prime Minister met."


def test_a_replacement_is_judged_with_a_number_standing_for_the_term(glossary):
    # The check's rows hold a number, one token on each side, where the source term and
    # its rendering were: what a model copies unchanged, unlike an unknown-word token.
    model = BagTranslator({**LEXICON, "thủ tướng": "Premier"}, runs_on=("Premier",))
    seen = []
    scorer = model.token_log_probs
    model.token_log_probs = lambda sources, targets: seen.extend(sources) or scorer(sources, targets)
    result, _ = _enforce(model, "Năm 2000 Thủ tướng họp.", glossary, placeholder="number", find_alone=False)
    assert result.text == "years 2000 Prime Minister met."
    masked = [s for s in seen if s != "Năm 2000 Thủ tướng họp."]
    assert masked and all(s.startswith("Năm 2000 ") and "Thủ tướng" not in s and "<unk>" not in s for s in masked)
    # a number already in the sentence is never the placeholder
    assert {s.split()[2] for s in masked} == {"2001"}
    assert placeholder_numbers(model.tokenizer)[:2] == ("2000", "2001")


def test_overlapping_renderings_of_neighbouring_terms_share_their_words_out(glossary):
    # "President" runs on into "People": deleting "Chủ tịch" costs "People" too, so the two
    # renderings found overlap on "People". Each word goes to the term whose deletion
    # costs it more, and both terms are placed, nothing else changed.
    lexicon = {**LEXICON, "ủy ban nhân dân tỉnh": "People Committee province"}
    model = BagTranslator(lexicon, runs_on=("President",))
    result, plain = _enforce(model, "Chủ tịch Ủy ban nhân dân tỉnh họp.", glossary, final_pass=False)
    assert plain.text == "President People Committee province met."
    written = model.tokenizer.decode(model.tokenizer.piece_ids("Chairman Provincial People's Committee met."))
    assert result.text == written  # (the word tokenizer writes "People' s")
    assert all(o.present for o in result.report.occurrences)


def test_a_term_the_model_did_not_render_is_flagged_not_guessed_into_place(glossary):
    model = BagTranslator({**LEXICON, "chủ tịch": ""})
    result, plain = _enforce(model, "Chủ tịch nước Trần Đại Quang tiếp khách.", glossary)
    assert result.text == plain.text == "country Trần Đại Quang receives guests."
    assert result.report.occurrences[0].note == NOT_RENDERED


def test_sentences_that_already_have_their_terms_cost_no_scoring(glossary):
    model = BagTranslator({**LEXICON, "chủ tịch": "Chairman"})
    result, _ = _enforce(model, "Chủ tịch nước tiếp khách.", glossary)
    assert result.text == "Chairman country receives guests." and model.scored_rows == 0


def test_an_acronym_is_replaced_where_the_model_rendered_it_and_nothing_else_changes(glossary):
    # The model reads the sentence as written: "BĐBP" comes out as it is, and the term
    # takes its place. Expanding the acronym for the model (below) would change what it
    # reads, and so possibly its words elsewhere, when the term is not placed after all.
    model = BagTranslator({**LEXICON, "tỉnh": "province of"})
    result, plain = _enforce(model, "BĐBP tỉnh họp.", glossary, final_pass=False)
    assert plain.text == "BĐBP province of met."
    assert result.report.model_source is None
    assert result.text == "Border Guard province of met."


def test_an_expanded_acronym_is_replaced_in_the_models_source(glossary):
    model = BagTranslator(LEXICON)
    result, _ = _enforce(model, "BĐBP tỉnh họp.", glossary, final_pass=False, expand_acronyms=True)
    assert result.report.model_source == "Bộ đội Biên phòng tỉnh họp."
    assert result.text == "Border Guard province met."


def test_an_ordinary_phrase_is_not_taken_for_a_context_bound_term(glossary):
    model = BagTranslator(LEXICON)
    accident = "Anh bị 3 năm trong một vụ tai nạn."
    result, plain = _enforce(model, accident, glossary)
    assert result.report.occurrences == [] and result.text == plain.text
    assert "five" not in result.text
    quoted = translate_with_terms(model, ["Mô hình “năm trong một” ở biên giới."], glossary, "vi", "en")
    assert [o.entry_id for o in quoted[0].report.occurrences] == ["cn-five-in-one"]


def test_rendering_span_is_widened_to_whole_words_and_skips_punctuation():
    settings = EnforcementSettings()
    pieces = ["▁The", "▁Bor", "der", "▁Army", "▁met", "."]
    with_source = [-0.1] * 7
    without = [-0.1, -5.0, -0.2, -5.0, -0.1, -0.1, -0.1]
    # "der" lost little on its own, but it belongs to the word "Border".
    assert rendering_span(with_source, without, pieces, settings) == (1, 4)
    flat = [-0.5] * 7
    assert rendering_span(with_source, flat, pieces, settings) is None
    # No longer than a rendering can be: the best run within one word ("Border": its two
    # pieces are one word), then within two ("The Border").
    losses = [-9.0, -9.0, -5.0, -5.0, -0.1, -0.1, -0.1]
    assert rendering_span(with_source, losses, pieces, settings, 1) == (1, 3)
    assert rendering_span(with_source, losses, pieces, settings, 2) == (0, 3)
    assert rendering_span(with_source, [-0.1] * 5 + [-9.0, -0.1], pieces, settings) is None


def test_a_rendering_nested_inside_another_is_not_placed_and_partial_overlaps_are_cut_at_a_word():
    settings = EnforcementSettings()
    pieces = ["▁President", "▁People", "▁Comm", "ittee", "▁met", "."]
    # Gains (loss beyond the margin) of each token when each source term is deleted.
    president = Replacement(0, 0, 2, [7], gains=[5.0, 3.0, -1.0, -1.0, -1.0, -1.0])
    committee = Replacement(1, 1, 4, [8], gains=[-1.0, 4.0, 5.0, 5.0, -1.0, -1.0])
    kept, refused = separate([committee, president], pieces, settings)
    # "People" costs more without the committee (4) than without the president (3).
    assert [(r.occurrence, r.start, r.end) for r in kept] == [(0, 0, 1), (1, 1, 4)] and refused == []
    inner = Replacement(2, 2, 4, [9], gains=[-1.0, -1.0, 5.0, 5.0, -1.0, -1.0])
    outer = Replacement(3, 0, 5, [9], gains=[3.0, 3.0, 3.0, 3.0, 3.0, -1.0])
    kept, refused = separate([outer, inner], pieces, settings)
    assert kept == [outer] and refused == [inner]


def test_the_rendering_alone_is_found_only_as_whole_words_written_once():
    pieces = ["▁The", "▁Bor", "der", "▁Army", ",", "▁border", "▁army", "▁met", "."]
    # any case, whole words, the punctuation the model wrote after it is not part of it
    assert find_rendering(pieces, "Border Army.", 3) is None  # twice: "Border Army", "border army"
    assert find_rendering(pieces[:5], "border army", 3) == (1, 4)
    assert find_rendering(pieces, "met", 3) == (7, 8)
    assert find_rendering(pieces, "Bor", 3) is None  # part of a word
    assert find_rendering(pieces, "The Border Army", 2) is None  # longer than a rendering may be
    assert find_rendering(pieces, "...", 3) is None


def test_a_term_in_place_of_a_run_glued_to_the_word_before_it_is_glued_too():
    from workbench.glossary.enforce.replacement import _with_term

    class Pieces:  # "(" then "an": the run "an security" starts inside "(an"
        eos_token_id, unk_token_id = 0, 1
        vocabulary = ["</s>", "<unk>", "▁(", "an", "▁security", "▁national", "national", "▁defence"]

        def __call__(self, text=None, *, text_target=None, add_special_tokens=True, **_):
            return {"input_ids": [self.vocabulary.index("▁" + w) for w in (text_target or text).split()]}

        def convert_ids_to_tokens(self, ids):
            return [self.vocabulary[i] for i in ids]

        def convert_tokens_to_ids(self, piece):
            return self.vocabulary.index(piece) if piece in self.vocabulary else self.unk_token_id

    tokenizer = Pieces()
    occurrence = TermOccurrence("vn-qp-an", 0, 1, "an ninh", "national defence", enforced=True)
    plan = type("Plan", (), {"occurrences": [occurrence]})()
    pieces = ["▁(", "an", "▁security"]
    glued = _with_term(Replacement(0, 1, 3, []), plan, pieces, tokenizer)
    assert tokenizer.convert_ids_to_tokens(glued.term_ids) == ["national", "▁defence"]
    apart = _with_term(Replacement(0, 2, 3, []), plan, pieces, tokenizer)
    assert tokenizer.convert_ids_to_tokens(apart.term_ids) == ["▁national", "▁defence"]
