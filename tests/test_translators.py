"""The `Translator` contract, checked for every engine: the same tests, parametrised over engines.

Each engine loads the tiny random-weight checkpoints through its real loading code
(`from_pretrained`; CTranslate2 converts them first). Settings travel with each call,
so one shared translator serves runs with different beams at once.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from workbench.errors import ModelUnavailable
from workbench.mt.base import DecodingSettings, output_limit, plan_batches
from workbench.mt.factory import LOCAL_ENGINES, get_translator, new_translator

REPO = Path(__file__).resolve().parent.parent
SENTENCES = [
    "Toàn cảnh hội nghị.",
    "Lực lượng BĐBP ngày càng lớn mạnh và thực hiện tốt nhiệm vụ công tác quản lý BVCQANBG.",
    "Nhà nước có nhiều chính sách ưu đãi đầu tư phát triển kinh tế xã hội tại các xã biên giới.",
    "Phối hợp với các lực lượng trên địa bàn tham gia bảo vệ biên giới.",
    "BHG - Ngày 19.2, Đảng ủy Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy tổ chức hội nghị.",
    "Tỉnh uỷ Lạng Sơn.",
]
ENGINES = pytest.mark.parametrize("engine", LOCAL_ENGINES)


def translator_of(engine: str, checkpoint, pair: str = "vi-en"):
    return new_translator(engine, pair, str(checkpoint), device="cpu")


@ENGINES
@pytest.mark.parametrize("beams", [1, 3])
def test_a_sentence_alone_or_in_a_batch_gives_the_same_output(tiny_checkpoints, engine, beams):
    translator = translator_of(engine, tiny_checkpoints["vi-en"])
    settings = DecodingSettings(beams=beams)
    batched = translator.translate_best(SENTENCES, settings)
    alone = [translator.translate_best([s], settings)[0] for s in SENTENCES]
    assert batched == alone
    assert all(batched)


@ENGINES
def test_n_best_hypotheses_best_first(tiny_checkpoints, engine):
    translator = translator_of(engine, tiny_checkpoints["vi-en"])
    settings = DecodingSettings(beams=4)
    hypotheses = translator.translate(SENTENCES[:2], settings, num_return_sequences=3)
    assert [len(h) for h in hypotheses] == [3, 3]
    assert all(len(set(h)) == 3 for h in hypotheses)
    assert [h[0] for h in hypotheses] == translator.translate_best(SENTENCES[:2], settings)


@ENGINES
def test_target_language_token_only_when_the_tokenizer_knows_it(tiny_checkpoints, engine):
    assert translator_of(engine, tiny_checkpoints["en-vi"], "en-vi").target_prefix == ">>vie<< "
    # Same target language, tokenizer without the token: nothing is prepended.
    assert translator_of(engine, tiny_checkpoints["vi-en"], "en-vi").target_prefix == ""


@ENGINES
def test_random_checkpoint_is_labelled(tiny_checkpoints, engine):
    assert translator_of(engine, tiny_checkpoints["vi-en"]).is_random_weights


@ENGINES
def test_missing_local_directory_says_how_to_get_the_model(tmp_path, engine):
    translator = translator_of(engine, tmp_path / "nowhere")
    with pytest.raises(ModelUnavailable) as caught:
        translator.translate_best(["Xin chào."])
    message = str(caught.value)
    assert "nowhere" in message and "models pull vi-en" in message and "--model vi-en=DIR" in message
    with pytest.raises(ModelUnavailable):  # remembered: no second load attempt
        translator.load()


@ENGINES
def test_uncached_hub_checkpoint_fails_fast_offline(engine):
    translator = translator_of(engine, "Helsinki-NLP/opus-mt-vi-en-not-cached")
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE is set"):
        translator.load()
    assert time.monotonic() - started < 60  # a generous bound: the hub client's retries took minutes


@ENGINES
@pytest.mark.parametrize("length", [1, 2])
def test_a_suppressed_sequence_never_appears_and_only_where_asked(tiny_checkpoints, engine, length):
    translator = translator_of(engine, tiny_checkpoints["vi-en"])
    settings = DecodingSettings(beams=1)
    plain = translator.translate_token_ids(SENTENCES[:2], settings)
    banned = tuple(plain[0][0][:length])  # the very start of the greedy output
    got = translator.translate_token_ids(SENTENCES[:2], settings, suppress_sequences=[[banned], []])
    output = got[0][0]
    assert not any(tuple(output[i:i + length]) == banned for i in range(len(output)))
    assert got[1] == plain[1]  # the other sentence is decoded as before


@ENGINES
def test_decoding_stays_within_the_models_positions(tiny_checkpoints, tmp_path_factory, engine):
    """A model with few positions, a long source and random weights that never stop: no crash, output fits."""
    from conftest import seed_texts

    from workbench.mt.random_checkpoint import build_random_marian

    checkpoint = build_random_marian(tmp_path_factory.mktemp("short") / "vi-en", seed_texts("vi"),
                                     seed_texts("en-mt"), max_positions=24)
    translator = translator_of(engine, checkpoint)
    long_source = " ".join(SENTENCES * 3)
    (hypotheses,) = translator.translate_token_ids([long_source], DecodingSettings(beams=2))
    assert 0 < len(hypotheses[0]) <= 23


@ENGINES
def test_term_enforcement_keeps_within_positions(tiny_checkpoints, tmp_path_factory, engine):
    from conftest import seed_texts

    from workbench.glossary import load_glossary, translate_with_terms
    from workbench.mt.random_checkpoint import build_random_marian

    checkpoint = build_random_marian(tmp_path_factory.mktemp("short-terms") / "vi-en", seed_texts("vi"),
                                     seed_texts("en-mt"), max_positions=32)
    translator = translator_of(engine, checkpoint)
    # Every output the engine decodes passes through `translate_token_ids`, and every output with a
    # term put in place is scored through `token_log_probs`: record their lengths.
    decoded, scored = [], []
    decode_ids, score_ids = translator.translate_token_ids, translator.token_log_probs

    def recording_decode(*args, **kwargs):
        hypotheses = decode_ids(*args, **kwargs)
        decoded.extend(len(hypothesis) for hyps in hypotheses for hypothesis in hyps)
        return hypotheses

    def recording_score(sentences, targets):
        scored.extend(len(target) for target in targets)
        return score_ids(sentences, targets)

    translator.translate_token_ids, translator.token_log_probs = recording_decode, recording_score
    glossary = load_glossary(REPO / "glossaries")
    sentence = "Đảng uỷ BĐBP tỉnh và Bộ Chỉ huy BĐBP tỉnh tổ chức hội nghị " * 3
    (result,) = translate_with_terms(translator, [sentence], glossary, "vi", "en")
    assert result.report.occurrences  # terms were found and handled, whatever was placed
    # The decoder start token takes position 0: every output, and every output with a term put in
    # place (scored with its end-of-sentence token), fits in the 31 positions after it.
    assert decoded and max(decoded) <= 31
    assert scored, "no output was scored with a term in place, so the limit was not tested with one"
    assert max(scored) <= 31



@ENGINES
def test_a_target_longer_than_the_positions_is_scored_in_the_part_that_fits(tiny_checkpoints, tmp_path_factory,
                                                                           engine):
    """Every engine scores a too-long target the same way: its first max_positions - 1 tokens, then EOS."""
    from conftest import seed_texts

    from workbench.mt.random_checkpoint import build_random_marian

    checkpoint = build_random_marian(tmp_path_factory.mktemp("short-scores") / "vi-en", seed_texts("vi"),
                                     seed_texts("en-mt"), max_positions=32)
    translator = translator_of(engine, checkpoint)
    (hypotheses,) = translator.translate_token_ids([SENTENCES[0]], DecodingSettings(beams=1))
    long_target = (hypotheses[0] * 60)[:60]
    short_target = long_target[:10]
    long_scores, short_scores = translator.token_log_probs([SENTENCES[0]] * 2, [long_target, short_target])
    assert len(long_scores) == 32 and len(short_scores) == 11  # 31 tokens and EOS; 10 tokens and EOS
    assert long_scores[:10] == pytest.approx(short_scores[:10], abs=1e-4)  # the same tokens, the same scores


def test_batches_respect_budget_and_never_mix_length_buckets():
    lengths = [5, 7, 30, 6, 8, 31, 29, 4, 60]
    batches = plan_batches(lengths, DecodingSettings(batch_tokens=200, max_batch_sentences=3), beams=2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len({output_limit(lengths[i]) for i in batch}) == 1
        assert len(batch) == 1 or len(batch) * 2 * max(lengths[i] for i in batch) <= 200


def test_output_limit_keeps_room_for_the_decoder_start_token():
    assert output_limit(400) == 512 and output_limit(400, max_positions=512) == 511
    assert output_limit(3, max_positions=512) == output_limit(3)


def test_the_factory_shares_translators_by_what_defines_them(tiny_checkpoints):
    checkpoint = str(tiny_checkpoints["vi-en"])
    first = get_translator("vi-en", checkpoint)
    assert first.engine == "ctranslate2"  # the configured default engine
    assert get_translator("vi-en", checkpoint) is first
    assert get_translator("vi-en", checkpoint, engine="transformers") is not first
    assert get_translator("vi-en", checkpoint, threads=1) is not first
    assert get_translator("en-vi", str(tiny_checkpoints["en-vi"])) is not first
    assert not hasattr(first, "beams")  # run settings never live on the shared translator


@ENGINES
def test_two_threads_with_different_settings_at_once_each_get_their_own(tiny_checkpoints, engine):
    """Two runs share one translator (as two Streamlit sessions do): beams and glossary stay per run."""
    from workbench.glossary import load_glossary
    from workbench.pipeline import BatchOptions, translate_chunk

    translator = get_translator("vi-en", str(tiny_checkpoints["vi-en"]), engine=engine)
    glossary = load_glossary(REPO / "glossaries")
    runs = {"plain, beam 1": BatchOptions(beams=1, engine=engine),
            "terms, beam 3": BatchOptions(beams=3, glossary=glossary, engine=engine)}
    alone = {name: translate_chunk(translator, SENTENCES, options) for name, options in runs.items()}
    assert alone["plain, beam 1"] != alone["terms, beam 3"]
    together: dict[str, list] = {name: [] for name in runs}
    barrier = threading.Barrier(len(runs))

    def run(name):
        barrier.wait()
        for _ in range(3):
            together[name].append(translate_chunk(translator, SENTENCES, runs[name]))

    threads = [threading.Thread(target=run, args=(name,)) for name in runs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for name in runs:
        assert together[name] == [alone[name]] * 3, name


def test_importing_the_library_loads_no_heavy_module():
    code = ("import sys, workbench.cli, workbench.pipeline, workbench.review.store, workbench.mt.factory,"
            " workbench.mt.transformers_engine, workbench.mt.ctranslate2_engine, workbench.mt.ray_engine;"
            "print(sorted(m for m in ('torch', 'transformers', 'sentencepiece', 'ctranslate2', 'ray')"
            " if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    assert result.stdout.strip() == "[]"
