"""CTranslate2 engine specifics: parity with transformers, conversion cache, prefixes, scores.

What every engine must do is in tests/test_translators.py.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("ctranslate2", reason="the ctranslate2 engine is not installed")

from workbench.mt import ctranslate2_engine as ct2  # noqa: E402
from workbench.mt.base import DecodingSettings, output_limit  # noqa: E402
from workbench.mt.ctranslate2_engine import CTranslate2Translator  # noqa: E402
from workbench.mt.transformers_engine import MarianTranslator  # noqa: E402

SENTENCES = [
    "Toàn cảnh hội nghị.",
    "Lực lượng BĐBP ngày càng lớn mạnh và thực hiện tốt nhiệm vụ công tác quản lý BVCQANBG.",
    "Nhà nước có nhiều chính sách ưu đãi đầu tư phát triển kinh tế xã hội tại các xã biên giới.",
    "Tỉnh uỷ Lạng Sơn.",
]
ENGLISH = ["The Border Guard held a conference.", "Inner Mongolia border defence commission."]


@pytest.fixture(scope="module", autouse=True)
def ct2_cache(tmp_path_factory):
    """A conversion cache for this module only."""
    with pytest.MonkeyPatch.context() as patch:
        root = tmp_path_factory.mktemp("ct2-cache")
        patch.setenv(ct2.CACHE_ENV, str(root))
        yield root


def float32(checkpoint) -> CTranslate2Translator:
    return CTranslate2Translator("vi-en", str(checkpoint), device="cpu", compute_type="float32")


GREEDY = DecodingSettings(beams=1)


def transformers_greedy_ids(translator: MarianTranslator, sentence: str) -> list[int]:
    """Greedy output of `transformers` as the workbench asks for it, without start and EOS tokens."""
    import torch

    ids = translator.tokenizer(translator.target_prefix + sentence).input_ids
    with torch.inference_mode():
        out = translator.model.generate(input_ids=torch.tensor([ids]), num_beams=1, do_sample=False,
                                        max_new_tokens=output_limit(len(ids)))[0].tolist()
    out = out[1:]
    return out[:-1] if out and out[-1] == translator.tokenizer.eos_token_id else out


@pytest.mark.parametrize(("pair", "sentences"), [("vi-en", SENTENCES), ("en-vi", ENGLISH)])
def test_float32_greedy_gives_the_same_tokens_as_transformers(tiny_checkpoints, pair, sentences):
    checkpoint = str(tiny_checkpoints[pair])
    reference = MarianTranslator(pair, checkpoint)
    engine = CTranslate2Translator(pair, checkpoint, device="cpu", compute_type="float32")
    assert engine.target_prefix == reference.target_prefix
    got = engine.translate_token_ids(sentences, GREEDY)
    assert [hyps[0] for hyps in got] == [transformers_greedy_ids(reference, s) for s in sentences]
    assert engine.translate_best(sentences, GREEDY) == reference.translate_best(sentences, GREEDY)
    assert [h[0] for h in reference.translate_token_ids(sentences, GREEDY)] == [h[0] for h in got]


def test_source_reaches_the_decoder_identically(tiny_checkpoints):
    """Per-token log-probabilities of a fixed target agree: encoder and cross-attention match too."""
    import torch

    checkpoint = tiny_checkpoints["vi-en"]
    reference, engine = MarianTranslator("vi-en", str(checkpoint)), float32(checkpoint)
    tokenizer = reference.tokenizer
    target = engine.translate_token_ids([SENTENCES[0]])[0][0][:8]
    scored_tokens = target + [tokenizer.eos_token_id]  # CTranslate2 scores the end token too
    for sentence in SENTENCES[:2]:
        source = tokenizer(sentence).input_ids
        decoder_input = [reference.model.config.decoder_start_token_id] + target
        with torch.no_grad():
            logits = reference.model(input_ids=torch.tensor([source]),
                                     decoder_input_ids=torch.tensor([decoder_input])).logits[0]
        logits[:, tokenizer.pad_token_id] = float("-inf")  # the converted model has no <pad> to emit
        expected = torch.log_softmax(logits, -1)[torch.arange(len(scored_tokens)),
                                                 torch.tensor(scored_tokens)].tolist()
        (scored,) = engine.model.score_batch([tokenizer.convert_ids_to_tokens(source)],
                                             [tokenizer.convert_ids_to_tokens(target)])
        assert scored.log_probs == pytest.approx(expected, abs=1e-5)


def test_conversion_is_cached_and_not_repeated(tiny_checkpoints, ct2_cache, monkeypatch):
    first = float32(tiny_checkpoints["vi-en"])
    first.load()
    assert first.is_random_weights
    assert first.model_dir.parent == ct2_cache and first.model_dir.name.startswith("vi-en-float32-")
    assert not [p for p in ct2_cache.iterdir() if p.name.startswith(".")]  # no temporary folder left
    calls = []
    monkeypatch.setattr(ct2, "_convert", lambda *args: calls.append(args))
    second = float32(tiny_checkpoints["vi-en"])
    assert second.translate_best(SENTENCES[:1]) == first.translate_best(SENTENCES[:1])
    assert calls == []
    # Another quantisation is another cache entry.
    assert CTranslate2Translator("vi-en", str(tiny_checkpoints["vi-en"]), compute_type="int8").model_dir \
        != first.model_dir


def test_default_quantisation_is_int8_on_cpu(tiny_checkpoints):
    translator = CTranslate2Translator("vi-en", str(tiny_checkpoints["vi-en"]), device="cpu")
    assert translator.compute_type == "int8"
    assert len(translator.translate_best(SENTENCES[:2])) == 2
    assert translator.signature.startswith("ctranslate2 ") and " int8 cpu" in translator.signature
    # On a CPU, one single-threaded decoder per core, each taking its own batch.
    assert translator.model.num_translators == ct2.available_cores()


def test_term_enforcement_runs_on_this_engine(tiny_checkpoints, monkeypatch):
    """One plain decoding pass of the sentence, then its source terms alone, then scoring only."""
    from workbench.glossary import load_glossary
    from workbench.glossary.enforce import translate_with_terms

    glossary = load_glossary(Path(__file__).resolve().parent.parent / "glossaries")
    translator = float32(tiny_checkpoints["vi-en"])
    decodes, scores = [], []
    original_decode, original_score = translator.translate_token_ids, translator.token_log_probs
    monkeypatch.setattr(translator, "translate_token_ids",
                        lambda sentences, settings, **options: decodes.append((list(sentences), options))
                        or original_decode(sentences, settings, **options))
    monkeypatch.setattr(translator, "token_log_probs",
                        lambda sentences, targets: scores.append(len(sentences)) or original_score(sentences, targets))
    (result,) = translate_with_terms(translator, ["BĐBP tỉnh họp."], glossary, "vi", "en",
                                     decoding=DecodingSettings(beams=4))
    (plain,) = translate_with_terms(translator, ["BĐBP tỉnh họp."], glossary, "vi", "en", enforce=False)
    # The sentence is decoded once by each run, with no forced prefix; the term alone once.
    assert sorted(s for sentences, _ in decodes for s in sentences) == ["BĐBP", "BĐBP tỉnh họp.", "BĐBP tỉnh họp."]
    assert not any(options.get("target_prefixes") for _, options in decodes)
    assert scores  # the random model never writes the term: its rendering was looked for
    assert result.report.occurrences[0].entry_id == "vn-bdbp"
    assert "Border Army" not in result.text
    assert result.report.present_terms == ["Border Guard"] or result.report.occurrences[0].note
    assert "random weights" in result.report.model and "ctranslate2" in result.report.model


def test_decoding_continues_after_a_forced_prefix(tiny_checkpoints):
    translator = float32(tiny_checkpoints["vi-en"])
    settings = DecodingSettings(beams=2)
    plain = translator.translate_token_ids(SENTENCES[:1], settings)[0][0]
    prefix = plain[:2] + translator.tokenizer(text_target="Border Guard", add_special_tokens=False).input_ids
    first, second = translator.translate_token_ids(
        SENTENCES[:2], settings, num_return_sequences=3, alternatives=True, target_prefixes=[prefix, []])
    assert all(h[:len(prefix)] == prefix and len(h) > len(prefix) for h in first)
    assert len({h[len(prefix)] for h in first}) == 3  # alternatives differ right after the prefix
    assert len({h[0] for h in second}) == 3  # no prefix: they differ at the first token


def test_scores_match_transformers_log_probabilities(tiny_checkpoints):
    import torch

    translator = float32(tiny_checkpoints["vi-en"])
    reference = MarianTranslator("vi-en", str(tiny_checkpoints["vi-en"]))
    targets = [hyps[0] for hyps in translator.translate_token_ids(SENTENCES[:2], GREEDY)]
    scores = translator.score_token_ids(SENTENCES[:2], targets)
    per_token = translator.token_log_probs(SENTENCES[:2], targets)
    # Both engines score a given target alike, token by token (term enforcement relies on it).
    for ours, theirs in zip(per_token, reference.token_log_probs(SENTENCES[:2], targets), strict=True):
        assert len(ours) == len(theirs) and ours == pytest.approx(theirs, abs=1e-4)
    for sentence, target, score in zip(SENTENCES[:2], targets, scores, strict=True):
        inputs = reference.tokenizer(sentence, return_tensors="pt")
        labels = torch.tensor([target + [reference.tokenizer.eos_token_id]])
        with torch.no_grad():
            logits = reference.model(**inputs, labels=labels).logits[0]
        logits[:, reference.tokenizer.pad_token_id] = float("-inf")  # never generated, as in decoding
        log_probs = torch.log_softmax(logits, dim=-1)[torch.arange(labels.shape[1]), labels[0]]
        assert score == pytest.approx(float(log_probs.mean()), abs=1e-4)


def test_fixed_output_length_for_benchmarks(tiny_checkpoints):
    translator = float32(tiny_checkpoints["vi-en"])
    translator.fixed_output_length = lambda source_tokens: 5
    assert [len(h[0]) for h in translator.translate_token_ids(SENTENCES, DecodingSettings(beams=2))] == \
        [5] * len(SENTENCES)


def test_logits_processors_are_refused_not_ignored(tiny_checkpoints):
    with pytest.raises(ValueError, match="cannot run logits processors"):
        float32(tiny_checkpoints["vi-en"]).translate(SENTENCES[:1], logits_processor_factory=lambda b, n: [])


def test_a_prefix_without_room_is_refused(tiny_checkpoints):
    translator = float32(tiny_checkpoints["vi-en"])
    with pytest.raises(ValueError, match="positions"):
        translator.translate_token_ids(SENTENCES[:1], target_prefixes=[[5] * translator.max_positions])




def test_a_checkpoint_that_learnt_a_start_embedding_keeps_it(tiny_checkpoints, tmp_path):
    # Marian starts decoding from a zero vector and the stock converter relies on it. A
    # checkpoint trained by transformers with tied output weights has trained its <pad>
    # row (the decoder's start token) away from zero; converted the stock way, its first
    # token came out wrong (the proxy of docs/term-enforcement.md lost its first word).
    import torch
    from transformers import MarianMTModel, MarianTokenizer

    source = tiny_checkpoints["vi-en"]
    model = MarianMTModel.from_pretrained(source)
    tokenizer = MarianTokenizer.from_pretrained(source)
    assert float(model.get_input_embeddings().weight[tokenizer.pad_token_id].detach().abs().sum()) == 0.0
    with torch.no_grad():
        torch.manual_seed(1)
        model.get_input_embeddings().weight[tokenizer.pad_token_id] = torch.randn(model.config.d_model) * 3
    trained = tmp_path / "trained"
    model.save_pretrained(trained)
    tokenizer.save_pretrained(trained)
    reference = MarianTranslator("vi-en", str(trained))
    engine = float32(trained)
    got = [hyps[0] for hyps in engine.translate_token_ids(SENTENCES, GREEDY)]
    assert got == [transformers_greedy_ids(reference, s) for s in SENTENCES]
    for ours, theirs in zip(engine.token_log_probs(SENTENCES, got), reference.token_log_probs(SENTENCES, got),
                            strict=True):
        assert ours == pytest.approx(theirs, abs=1e-4)
