"""MarianMT translation through `transformers`, loaded lazily and once per process.

A `MarianTranslator` wraps one checkpoint (hub id or local directory). It loads
nothing until the first translation; `get_translator` keeps one instance per
(pair, checkpoint) so the batch script and the UI never load a model twice.

Sentences are sorted by length and packed into batches under a token budget.
Each sentence's output-length limit depends only on its own length bucket,
and a batch never mixes buckets, so a sentence translated alone or inside a
batch gets the same output.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from workbench.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_BEAMS,
    DEFAULT_MAX_BATCH_SENTENCES,
)
from workbench.errors import ModelUnavailable
from workbench.mt.checkpoints import hub_reachable, offline

# Marian multi-target checkpoints name the target language with a token such as >>vie<<.
TARGET_LANGUAGE_TOKENS = {"vi": ">>vie<<", "en": ">>eng<<", "zh": ">>cmn_Hans<<"}
LENGTH_BUCKET = 8
MAX_OUTPUT_TOKENS = 512

LogitsProcessorFactory = Callable[[list[int], int], list]

_translators: dict[tuple[str, str], MarianTranslator] = {}
_translators_lock = threading.Lock()


def get_translator(pair: str, checkpoint: str) -> MarianTranslator:
    """The process-wide translator for (pair, checkpoint), created on first use."""
    key = (pair, str(checkpoint))
    with _translators_lock:
        if key not in _translators:
            _translators[key] = MarianTranslator(pair, str(checkpoint))
        return _translators[key]


def output_limit(source_tokens: int) -> int:
    """Maximum new tokens for a source of this many tokens (a function of its bucket only)."""
    bucket = -(-source_tokens // LENGTH_BUCKET) * LENGTH_BUCKET
    return min(MAX_OUTPUT_TOKENS, 2 * bucket + 16)


class MarianTranslator:
    """One MarianMT checkpoint for one language pair."""

    runs_logits_processors = True  # `translate(logits_processor_factory=...)` is honoured

    def __init__(
        self,
        pair: str,
        checkpoint: str,
        *,
        beams: int = DEFAULT_BEAMS,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
        max_batch_sentences: int = DEFAULT_MAX_BATCH_SENTENCES,
        device: str | None = None,
    ):
        self.pair = pair
        self.checkpoint = str(checkpoint)
        self.source_lang, self.target_lang = pair.split("-")
        self.beams = beams
        self.batch_tokens = batch_tokens
        self.max_batch_sentences = max_batch_sentences
        self._device = device
        self._tokenizer = None
        self._model = None
        self._load_error: ModelUnavailable | None = None
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------------
    @property
    def tokenizer(self):
        """The MarianTokenizer, loaded on first access."""
        self.load()
        return self._tokenizer

    @property
    def model(self):
        """The MarianMTModel in eval mode, loaded on first access."""
        self.load()
        return self._model

    @property
    def device(self) -> str:
        """'cuda' when a GPU is visible and no device was forced, else 'cpu'."""
        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        return self._device

    def load(self) -> None:
        """Load tokenizer and model once; raise ModelUnavailable (remembered) if impossible."""
        if self._model is not None:
            return
        if self._load_error is not None:
            raise self._load_error
        with self._lock:
            if self._model is not None:
                return
            try:
                self._tokenizer, self._model = self._load_checkpoint()
            except ModelUnavailable as exc:
                self._load_error = exc
                raise

    def _load_checkpoint(self):
        local = Path(self.checkpoint)
        looks_local = local.exists() or self.checkpoint.startswith((".", "/", "~"))
        if looks_local and not (local / "config.json").exists():
            raise ModelUnavailable(self.pair, self.checkpoint, "no config.json in that directory")
        import warnings

        from transformers import MarianMTModel, MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()
        attempts = [{}] if looks_local else [{"local_files_only": True}]
        if not looks_local and not offline() and hub_reachable():
            attempts.append({})
        reason = ""
        for options in attempts:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    tokenizer = MarianTokenizer.from_pretrained(self.checkpoint, **options)
                    model = MarianMTModel.from_pretrained(self.checkpoint, **options)
                break
            except Exception as exc:  # transformers raises OSError, ValueError, HTTP errors...
                text = str(exc).strip()
                reason = text.splitlines()[0][:200] if text else type(exc).__name__
        else:
            if not looks_local:
                why = ("HF_HUB_OFFLINE is set" if offline()
                       else "the hub is unreachable" if len(attempts) == 1 else reason)
                reason = f"not in the local Hugging Face cache and {why}" if len(attempts) == 1 \
                    else f"download failed: {why}"
            raise ModelUnavailable(self.pair, self.checkpoint, reason)
        model.eval()
        model.to(self.device)
        return tokenizer, model

    @property
    def is_random_weights(self) -> bool:
        """True for the random-weight checkpoints built for tests and benchmarks."""
        return bool(getattr(self.model.config, "workbench_random_weights", False))

    @property
    def target_prefix(self) -> str:
        """The target-language token to prepend, only when the tokenizer knows it."""
        token = TARGET_LANGUAGE_TOKENS.get(self.target_lang)
        codes = getattr(self.tokenizer, "supported_language_codes", None) or []
        if token and token in codes:
            return token + " "
        return ""

    # -- translation -------------------------------------------------------------------
    def translate(
        self,
        sentences: Sequence[str],
        *,
        beams: int | None = None,
        num_return_sequences: int = 1,
        logits_processor_factory: LogitsProcessorFactory | None = None,
        on_batch_done: Callable[[int], None] | None = None,
    ) -> list[list[str]]:
        """Translate; per sentence, `num_return_sequences` hypotheses, best first."""
        import torch
        from transformers import LogitsProcessorList

        beams = max(beams or self.beams, num_return_sequences)
        tokenizer, model = self.tokenizer, self.model
        prefix = self.target_prefix
        token_ids = [tokenizer(prefix + s, truncation=True, max_length=MAX_OUTPUT_TOKENS).input_ids
                     for s in sentences]
        results: list[list[str]] = [[] for _ in sentences]
        for batch in self.plan_batches([len(ids) for ids in token_ids], beams):
            padded = tokenizer.pad({"input_ids": [token_ids[i] for i in batch]}, return_tensors="pt")
            processors = LogitsProcessorList(
                logits_processor_factory(batch, beams) if logits_processor_factory else [])
            with torch.inference_mode():
                generated = model.generate(
                    input_ids=padded["input_ids"].to(self.device),
                    attention_mask=padded["attention_mask"].to(self.device),
                    num_beams=beams,
                    num_return_sequences=num_return_sequences,
                    max_new_tokens=output_limit(len(token_ids[batch[0]])),
                    do_sample=False,
                    logits_processor=processors,
                )
            texts = tokenizer.batch_decode(generated, skip_special_tokens=True)
            for row, text in enumerate(texts):
                results[batch[row // num_return_sequences]].append(text.strip())
            if on_batch_done:
                on_batch_done(len(batch))
        return results

    def translate_best(self, sentences: Sequence[str], **options) -> list[str]:
        """Translate and keep only the best hypothesis of each sentence."""
        return [hyps[0] for hyps in self.translate(sentences, **options)]

    def plan_batches(self, lengths: Sequence[int], beams: int = 1) -> list[list[int]]:
        """Group sentence indices by length bucket, under the token and sentence budgets."""
        order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
        batches: list[list[int]] = []
        current: list[int] = []
        current_limit = None
        for index in order:
            limit = output_limit(lengths[index])
            longest = max(lengths[index], max((lengths[i] for i in current), default=0))
            cost = (len(current) + 1) * beams * longest
            if current and (limit != current_limit or cost > self.batch_tokens
                            or len(current) >= self.max_batch_sentences):
                batches.append(current)
                current = []
            current.append(index)
            current_limit = limit
        if current:
            batches.append(current)
        return batches
