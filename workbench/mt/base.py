"""The `Translator` interface every engine implements, and the settings of one run.

A translator is one MarianMT checkpoint for one language pair, loaded lazily and
shared by every caller that asks the factory (`workbench.mt.factory`) for the same
(engine, pair, checkpoint, threads, device). Because it is shared (the batch script's
chunks, Ray actors, several Streamlit sessions on their own threads), nothing about
a run is stored on it: beams and batch budgets travel with each call as a
`DecodingSettings` value.

Batching rule, the same for every engine: sentences are sorted by length and packed
into batches under a token budget; each sentence's output-length limit depends only
on its own length bucket, and a batch never mixes buckets, so a sentence translated
alone or inside a batch gets the same output.

Capabilities an engine declares (class attributes, not probed):
- `runs_logits_processors`: `translate(logits_processor_factory=...)` is honoured
  (transformers). Term enforcement then nudges decoding token by token.
- otherwise the engine offers forced target prefixes (`translate_token_ids(
  target_prefixes=...)`) (CTranslate2).
Both honour `suppress_sequences` (token sequences a sentence must never contain) and
score given targets token by token (`token_log_probs`), which term enforcement uses to
find the words that render a source term and to check a replacement.
"""

from __future__ import annotations

import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from workbench.config import DEFAULT_BATCH_TOKENS, DEFAULT_BEAMS, DEFAULT_MAX_BATCH_SENTENCES
from workbench.errors import ModelUnavailable

# Marian multi-target checkpoints name the target language with a token such as >>vie<<.
TARGET_LANGUAGE_TOKENS = {"vi": ">>vie<<", "en": ">>eng<<", "zh": ">>cmn_Hans<<"}
LENGTH_BUCKET = 8
SOURCE_IDS_REMEMBERED = 4096
MAX_OUTPUT_TOKENS = 512

TokenIds = Sequence[int]
# (sentence indices of one batch, beams) -> transformers logits processors for that batch.
LogitsProcessorFactory = Callable[[list[int], int], list]


@dataclass(frozen=True)
class DecodingSettings:
    """How one run decodes: beam size and batch budgets. A value, passed with every call."""

    beams: int = DEFAULT_BEAMS
    batch_tokens: int = DEFAULT_BATCH_TOKENS  # source tokens x beams per batch
    max_batch_sentences: int = DEFAULT_MAX_BATCH_SENTENCES


DEFAULT_DECODING = DecodingSettings()


def output_limit(source_tokens: int, max_positions: int | None = None) -> int:
    """Maximum new tokens for a source of this many tokens (a function of its bucket only).

    Never more than the model has positions for: the decoder start token takes
    position 0, so at most `max_positions - 1` tokens can follow it.
    """
    bucket = -(-source_tokens // LENGTH_BUCKET) * LENGTH_BUCKET
    limit = min(MAX_OUTPUT_TOKENS, 2 * bucket + 16)
    return min(limit, max_positions - 1) if max_positions else limit


def plan_batches(lengths: Sequence[int], settings: DecodingSettings, beams: int | None = None) -> list[list[int]]:
    """Group sentence indices by length bucket, under the token and sentence budgets."""
    beams = beams or settings.beams
    order = sorted(range(len(lengths)), key=lambda i: (lengths[i], i))
    batches: list[list[int]] = []
    current: list[int] = []
    current_limit = None
    for index in order:
        limit = output_limit(lengths[index])
        longest = max(lengths[index], max((lengths[i] for i in current), default=0))
        cost = (len(current) + 1) * beams * longest
        if current and (limit != current_limit or cost > settings.batch_tokens
                        or len(current) >= settings.max_batch_sentences):
            batches.append(current)
            current = []
        current.append(index)
        current_limit = limit
    if current:
        batches.append(current)
    return batches


def split_by_suppression(batch: list[int], suppress: Sequence[Sequence[TokenIds]] | None
                         ) -> list[tuple[list[int], list[list[int]]]]:
    """Sub-batches of sentences sharing one suppression list (engines apply one per call)."""
    if suppress is None:
        return [(batch, [])]
    groups: dict[tuple, list[int]] = {}
    for index in batch:
        key = tuple(sorted({tuple(int(t) for t in seq) for seq in suppress[index] if len(seq)}))
        groups.setdefault(key, []).append(index)
    return [(indices, [list(seq) for seq in key]) for key, indices in groups.items()]


class Translator(ABC):
    """One MarianMT checkpoint for one language pair, behind one engine.

    Subclasses load in `_load()` (returning the tokenizer and the model) and decode in
    `translate_token_ids`; loading happens once, on first use, under a lock, and a
    failure (`ModelUnavailable`) is remembered so a missing model is not retried per call.
    """

    engine: ClassVar[str]
    runs_logits_processors: ClassVar[bool] = False

    def __init__(self, pair: str, checkpoint: str, *, device: str | None = None, threads: int | None = None):
        self.pair = pair
        self.checkpoint = str(checkpoint)
        self.source_lang, self.target_lang = pair.split("-")
        self.threads = threads
        self._device = device
        self._tokenizer = None
        self._model = None
        self._load_error: ModelUnavailable | None = None
        self._lock = threading.Lock()

    # -- loading -----------------------------------------------------------------------
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
                self._tokenizer, self._model = self._load()
            except ModelUnavailable as exc:
                self._load_error = exc
                raise

    @abstractmethod
    def _load(self) -> tuple:
        """(tokenizer, model) of the checkpoint; raise ModelUnavailable when it cannot be had."""

    @property
    def tokenizer(self):
        """The MarianTokenizer, loaded on first access."""
        self.load()
        return self._tokenizer

    @property
    def model(self):
        """The engine's model object, loaded on first access."""
        self.load()
        return self._model

    @property
    @abstractmethod
    def is_random_weights(self) -> bool:
        """True for the random-weight checkpoints built for tests and benchmarks."""

    @property
    @abstractmethod
    def max_positions(self) -> int:
        """How many positions the model's decoder has (opus-mt: 512)."""

    def scorable(self, target: TokenIds) -> list[int]:
        """The part of a target every engine can score: its first `max_positions - 1` tokens.

        Forced decoding feeds the start token (position 0) and the target's tokens; EOS is
        only predicted after the last one, so it takes no position of its own. A decoded
        hypothesis (at most `max_positions - 1` tokens, `output_limit`) is scored whole.
        """
        return list(target)[:self.max_positions - 1]

    @property
    def target_prefix(self) -> str:
        """The target-language token to prepend, only when the tokenizer knows it."""
        token = TARGET_LANGUAGE_TOKENS.get(self.target_lang)
        codes = getattr(self.tokenizer, "supported_language_codes", None) or []
        if token and token in codes:
            return token + " "
        return ""

    def source_token_ids(self, sentences: Sequence[str]) -> list[list[int]]:
        """Source token ids as the model sees them (target-language token, truncation).

        The last few thousand are remembered: term enforcement decodes a sentence and then
        scores targets against it, and the (pure Python) tokenizer costs as much as scoring.
        """
        tokenizer, prefix = self.tokenizer, self.target_prefix
        limit = min(MAX_OUTPUT_TOKENS, self.max_positions)
        cache = self.__dict__.setdefault("_source_ids", {})
        out = []
        for sentence in sentences:
            ids = cache.get(sentence)
            if ids is None:
                ids = tokenizer(prefix + sentence, truncation=True, max_length=limit).input_ids
                if len(cache) >= SOURCE_IDS_REMEMBERED:
                    cache.clear()
                cache[sentence] = ids
            out.append(list(ids))
        return out

    # -- translation -------------------------------------------------------------------
    def translate(
        self,
        sentences: Sequence[str],
        settings: DecodingSettings = DEFAULT_DECODING,
        *,
        num_return_sequences: int = 1,
        suppress_sequences: Sequence[Sequence[TokenIds]] | None = None,
        logits_processor_factory: LogitsProcessorFactory | None = None,
        on_batch_done: Callable[[int], None] | None = None,
    ) -> list[list[str]]:
        """Translate; per sentence, `num_return_sequences` hypotheses, best first."""
        if logits_processor_factory is not None and not self.runs_logits_processors:
            raise ValueError(f"the {self.engine} engine cannot run logits processors")
        hypotheses = self.translate_token_ids(
            sentences, settings, num_return_sequences=num_return_sequences,
            suppress_sequences=suppress_sequences, logits_processor_factory=logits_processor_factory,
            on_batch_done=on_batch_done)
        decode = self.tokenizer.decode
        return [[decode(ids, skip_special_tokens=True).strip() for ids in hyps] for hyps in hypotheses]

    def translate_best(self, sentences: Sequence[str], settings: DecodingSettings = DEFAULT_DECODING
                       ) -> list[str]:
        """Translate and keep only the best hypothesis of each sentence."""
        return [hyps[0] for hyps in self.translate(sentences, settings)]

    # Each engine repeats this signature in its own `translate_token_ids`: it is the
    # interface, spelled out where it is implemented (the one justified repetition here).
    @abstractmethod
    def translate_token_ids(
        self,
        sentences: Sequence[str],
        settings: DecodingSettings = DEFAULT_DECODING,
        *,
        num_return_sequences: int = 1,
        suppress_sequences: Sequence[Sequence[TokenIds]] | None = None,
        logits_processor_factory: LogitsProcessorFactory | None = None,
        on_batch_done: Callable[[int], None] | None = None,
        target_prefixes: Sequence[TokenIds] | None = None,
        alternatives: bool = False,
    ) -> list[list[list[int]]]:
        """Like `translate`, but each hypothesis as target token ids (without EOS).

        `target_prefixes[i]`: target token ids that hypothesis i must begin with; decoding
        continues after them (returned hypotheses include the prefix). With `alternatives`,
        the `num_return_sequences` hypotheses differ at the first token after the prefix.
        Engines that run logits processors need not support prefixes (NotImplementedError).
        """

    def token_log_probs(self, sentences: Sequence[str], targets: Sequence[TokenIds]) -> list[list[float]]:
        """Log-probability of each target token, then of EOS, given its source sentence (forced decoding)."""
        raise NotImplementedError(f"the {self.engine} engine does not score given targets")

    def score_token_ids(self, sentences: Sequence[str], targets: Sequence[TokenIds]) -> list[float]:
        """Mean log-probability per token (EOS included) of each target given its source sentence."""
        return [sum(scores) / max(len(scores), 1) for scores in self.token_log_probs(sentences, targets)]
