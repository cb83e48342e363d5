"""MarianTranslator: loading through from_pretrained, batching, determinism, missing models."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from workbench.errors import ModelUnavailable
from workbench.mt.transformers_engine import MarianTranslator, get_translator, output_limit

SENTENCES = [
    "Toàn cảnh hội nghị.",
    "Lực lượng BĐBP ngày càng lớn mạnh và thực hiện tốt nhiệm vụ công tác quản lý BVCQANBG.",
    "Nhà nước có nhiều chính sách ưu đãi đầu tư phát triển kinh tế xã hội tại các xã biên giới.",
    "Phối hợp với các lực lượng trên địa bàn tham gia bảo vệ biên giới.",
    "BHG - Ngày 19.2, Đảng ủy Đồn Biên phòng Cửa khẩu Quốc tế Thanh Thủy tổ chức hội nghị.",
    "Tỉnh uỷ Lạng Sơn.",
]


@pytest.mark.parametrize("beams", [1, 3])
def test_sentence_alone_or_in_a_batch_gives_the_same_output(tiny_checkpoints, beams):
    translator = MarianTranslator("vi-en", tiny_checkpoints["vi-en"], beams=beams)
    batched = translator.translate_best(SENTENCES)
    alone = [translator.translate_best([s])[0] for s in SENTENCES]
    assert batched == alone
    assert all(batched)


def test_batches_respect_budget_and_never_mix_length_buckets():
    translator = MarianTranslator("vi-en", "unused", batch_tokens=200, max_batch_sentences=3)
    lengths = [5, 7, 30, 6, 8, 31, 29, 4, 60]
    batches = translator.plan_batches(lengths, beams=2)
    assert sorted(i for batch in batches for i in batch) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 3
        assert len({output_limit(lengths[i]) for i in batch}) == 1
        assert len(batch) == 1 or len(batch) * 2 * max(lengths[i] for i in batch) <= 200


def test_n_best_hypotheses(tiny_checkpoints):
    translator = MarianTranslator("vi-en", tiny_checkpoints["vi-en"])
    hypotheses = translator.translate(SENTENCES[:2], beams=4, num_return_sequences=3)
    assert [len(h) for h in hypotheses] == [3, 3]


def test_target_language_token_only_when_the_tokenizer_knows_it(tiny_checkpoints):
    assert MarianTranslator("en-vi", tiny_checkpoints["en-vi"]).target_prefix == ">>vie<< "
    # Same target language, tokenizer without the token: nothing is prepended.
    assert MarianTranslator("en-vi", tiny_checkpoints["vi-en"]).target_prefix == ""


def test_random_checkpoint_is_labelled(tiny_checkpoints):
    assert MarianTranslator("vi-en", tiny_checkpoints["vi-en"]).is_random_weights


def test_missing_local_directory_says_how_to_get_the_model(tmp_path):
    translator = MarianTranslator("vi-en", str(tmp_path / "nowhere"))
    with pytest.raises(ModelUnavailable) as caught:
        translator.translate_best(["Xin chào."])
    message = str(caught.value)
    assert "nowhere" in message and "models pull vi-en" in message and "--model vi-en=DIR" in message
    # The failure is remembered: no second load attempt.
    with pytest.raises(ModelUnavailable):
        translator.load()


def test_uncached_hub_checkpoint_fails_fast_offline():
    translator = MarianTranslator("vi-en", "Helsinki-NLP/opus-mt-vi-en-not-cached")
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="HF_HUB_OFFLINE is set"):
        translator.load()
    assert time.monotonic() - started < 60  # a generous bound: the retry loop took minutes


def test_one_translator_per_pair_and_checkpoint(tiny_checkpoints):
    first = get_translator("vi-en", str(tiny_checkpoints["vi-en"]))
    assert get_translator("vi-en", str(tiny_checkpoints["vi-en"])) is first
    assert get_translator("en-vi", str(tiny_checkpoints["en-vi"])) is not first


def test_importing_the_package_loads_no_heavy_module():
    code = ("import sys, workbench.cli, workbench.pipeline, workbench.review.store, workbench.mt.transformers_engine;"
            "print(sorted(m for m in ('torch', 'transformers', 'sentencepiece') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
