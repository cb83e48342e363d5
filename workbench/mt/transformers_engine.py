"""MarianMT translation through `transformers`: the checkpoint as loaded, no conversion.

`MarianTranslator` implements `workbench.mt.base.Translator` with
`model.generate`; it runs logits processors, so term enforcement nudges its
decoding token by token. Loading tries the local Hugging Face cache first and
asks the hub only when `hub_reachable()` says it answers (see
`workbench.mt.checkpoints`). Obtain instances through `workbench.mt.factory`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from workbench.errors import ModelUnavailable
from workbench.mt.base import (
    DEFAULT_DECODING,
    DecodingSettings,
    LogitsProcessorFactory,
    TokenIds,
    Translator,
    output_limit,
    plan_batches,
    split_by_suppression,
)
from workbench.mt.checkpoints import hub_reachable, offline

ENGINE = "transformers"


class MarianTranslator(Translator):
    """One MarianMT checkpoint for one language pair, run by `transformers`."""

    engine = ENGINE
    runs_logits_processors = True

    @property
    def device(self) -> str:
        """'cuda' when a GPU is visible and no device was forced, else 'cpu'."""
        if self._device is None:
            import torch

            self._device = "cuda" if torch.cuda.is_available() else "cpu"
        return self._device

    def _load(self):
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
        if self.threads:
            import torch

            # torch has one intra-op thread pool per process: --threads of the batch script sets
            # it for the whole (single-run) process; the UI never passes threads.
            torch.set_num_threads(self.threads)
        model.eval()
        model.to(self.device)
        return tokenizer, model

    @property
    def is_random_weights(self) -> bool:
        """True for the random-weight checkpoints built for tests and benchmarks."""
        return bool(getattr(self.model.config, "workbench_random_weights", False))

    @property
    def max_positions(self) -> int:
        """The decoder's positions (`max_position_embeddings` of the checkpoint's config)."""
        return int(self.model.config.max_position_embeddings)

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
        """Decode with `model.generate`; see `Translator.translate_token_ids` (no prefixes here)."""
        if target_prefixes is not None or alternatives:
            raise NotImplementedError("the transformers engine places terms with logits processors, not prefixes")
        import torch
        from transformers import LogitsProcessorList

        beams = max(settings.beams, num_return_sequences)
        tokenizer, model = self.tokenizer, self.model
        special = {tokenizer.pad_token_id, tokenizer.eos_token_id, model.config.decoder_start_token_id}
        # The checkpoint's own banned words (opus-mt bans <pad>) stay banned beside the suppressed ones.
        banned = [list(ids) for ids in (model.generation_config.bad_words_ids or [])]
        token_ids = self.source_token_ids(sentences)
        results: list[list[list[int]]] = [[] for _ in sentences]
        for planned in plan_batches([len(ids) for ids in token_ids], settings, beams):
            for batch, suppressed in split_by_suppression(planned, suppress_sequences):
                padded = tokenizer.pad({"input_ids": [token_ids[i] for i in batch]}, return_tensors="pt")
                processors = LogitsProcessorList(
                    logits_processor_factory(batch, beams) if logits_processor_factory else [])
                with torch.inference_mode():
                    generated = model.generate(
                        input_ids=padded["input_ids"].to(self.device),
                        attention_mask=padded["attention_mask"].to(self.device),
                        num_beams=beams,
                        num_return_sequences=num_return_sequences,
                        max_new_tokens=output_limit(len(token_ids[batch[0]]), self.max_positions),
                        do_sample=False,
                        logits_processor=processors,
                        bad_words_ids=(banned + suppressed) or None,
                    )
                for row, ids in enumerate(generated.tolist()):
                    results[batch[row // num_return_sequences]].append([i for i in ids if i not in special])
                if on_batch_done:
                    on_batch_done(len(batch))
        return results

    def token_log_probs(self, sentences: Sequence[str], targets: Sequence[TokenIds]) -> list[list[float]]:
        """Log-probability of each target token, then of EOS, given its source sentence (one forward pass)."""
        import torch

        tokenizer, model = self.tokenizer, self.model
        eos, start = tokenizer.eos_token_id, model.config.decoder_start_token_id
        sources = self.source_token_ids(sentences)
        results: list[list[float]] = [[] for _ in sentences]
        for batch in plan_batches([len(ids) for ids in sources], DEFAULT_DECODING, 1):
            labels = [self.scorable(targets[i]) + [eos] for i in batch]
            width = max(map(len, labels))
            padded = tokenizer.pad({"input_ids": [sources[i] for i in batch]}, return_tensors="pt")
            decoder_input = torch.tensor([[start] + row[:-1] + [tokenizer.pad_token_id] * (width - len(row))
                                          for row in labels])
            with torch.inference_mode():
                logits = model(input_ids=padded["input_ids"].to(self.device),
                               attention_mask=padded["attention_mask"].to(self.device),
                               decoder_input_ids=decoder_input.to(self.device)).logits
                logits = logits.float()
                logits[..., tokenizer.pad_token_id] = float("-inf")  # never generated, as in decoding
                log_probs = torch.log_softmax(logits, dim=-1)
            for row, index in enumerate(batch):
                wanted = torch.tensor(labels[row], device=log_probs.device)
                picked = log_probs[row, :len(labels[row])].gather(1, wanted[:, None])[:, 0]
                results[index] = picked.tolist()
        return results
