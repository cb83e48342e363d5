"""MarianMT translation through CTranslate2: the same checkpoints, converted once, run faster.

`CTranslate2Translator` implements `workbench.mt.base.Translator`, so the
pipeline and the term enforcement use either engine. It batches exactly like the
transformers engine (same length buckets and output limits), so in float32
greedy decoding both give the same tokens. Obtain instances through
`workbench.mt.factory`.

Conversion. The first load of a checkpoint (hub id or local directory) loads
it through `MarianTranslator` (same offline rules, same `ModelUnavailable`),
converts it with `ctranslate2.converters.TransformersConverter` and caches the
result, with the tokenizer and a `workbench.json` manifest, under
`WORKBENCH_CT2_CACHE` (default `~/.cache/workbench/ct2`) in a folder named
after the checkpoint and the quantisation: int8 on a CPU, float16 on a GPU.
Conversion writes to a temporary folder and renames it into place, under a
file lock, so parallel workers never see half a model. Later loads read the
cache only: no torch, no hub.

Terms. CTranslate2 has no logits processors (`runs_logits_processors` is False),
so `workbench.glossary.enforce` uses what it has: several hypotheses
(`num_return_sequences`), suppressed sequences (`suppress_sequences=`, per
sentence the target token-id sequences it must never contain; sentences with
different lists run in separate batches because CTranslate2 applies them to a
whole batch), forced target prefixes with alternatives at the first free
position (`target_prefixes=`, `alternatives=`), and `token_log_probs`, with which
term enforcement finds the words rendering a source term and checks a replacement. A
transformers-style `logits_processor_factory` is refused (ValueError).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import WorkbenchError
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
from workbench.mt.transformers_engine import MarianTranslator

ENGINE = "ctranslate2"
CACHE_ENV = "WORKBENCH_CT2_CACHE"
MANIFEST = "workbench.json"
TOKENIZER_FOLDER = "tokenizer"
# Bump when the cached layout or the conversion changes, so old caches are not reused.
CACHE_FORMAT = 3  # 3: a decoder that starts from a non-zero <pad> row keeps it

SCORE_BATCH_EXAMPLES = 1  # rows scored per engine batch: see token_log_probs


class EngineUnavailable(WorkbenchError):
    """The ctranslate2 package is missing or cannot run the requested configuration."""


def cache_root() -> Path:
    """Where converted models live: WORKBENCH_CT2_CACHE, else ~/.cache/workbench/ct2."""
    configured = os.environ.get(CACHE_ENV)
    return Path(configured).expanduser() if configured else Path.home() / ".cache" / "workbench" / "ct2"


def default_device() -> str:
    """'cuda' when CTranslate2 sees a GPU, else 'cpu'."""
    ctranslate2 = _import_ctranslate2()
    return "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"


def default_compute_type(device: str) -> str:
    """int8 on a CPU, float16 on a GPU (float32 where the hardware lacks the faster type)."""
    ctranslate2 = _import_ctranslate2()
    wanted = "float16" if device == "cuda" else "int8"
    supported = ctranslate2.get_supported_compute_types(device)
    return wanted if wanted in supported else "float32"


def available_cores() -> int:
    """CPU cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class CTranslate2Translator(Translator):
    """One MarianMT checkpoint for one language pair, run by CTranslate2."""

    engine = ENGINE
    # No logits processors; term enforcement needs none (it scores given targets, see
    # workbench.glossary.enforce).
    runs_logits_processors = False

    def __init__(self, pair: str, checkpoint: str, *, device: str | None = None,
                 compute_type: str | None = None, threads: int | None = None):
        super().__init__(pair, checkpoint, device=device, threads=threads)
        # Benchmarks only: a function (longest source length of a batch) -> exact number of
        # new tokens, so random weights, which never stop by themselves, cost what a real
        # model costs. None in normal use: output stops at EOS or at `output_limit`.
        self.fixed_output_length: Callable[[int], int] | None = None
        self._compute_type = compute_type
        self._manifest: dict = {}
        self._model_dir: Path | None = None

    # -- settings ----------------------------------------------------------------------
    @property
    def device(self) -> str:
        """'cuda' when a GPU is visible and no device was forced, else 'cpu'."""
        if self._device is None:
            self._device = default_device()
        return self._device

    @property
    def compute_type(self) -> str:
        """The quantisation converted to and run in: int8 on CPU, float16 on GPU by default."""
        if self._compute_type is None:
            self._compute_type = default_compute_type(self.device)
        return self._compute_type

    @property
    def signature(self) -> str:
        """How translations are computed, e.g. 'ctranslate2 4.8.5 int8 cpu, 2 batches in parallel'."""
        ctranslate2 = _import_ctranslate2()
        parallel, _ = self._thread_layout()
        return f"{ENGINE} {ctranslate2.__version__} {self.compute_type} {self.device}, {parallel} batches in parallel"

    def _thread_layout(self) -> tuple[int, int]:
        """(batches decoded in parallel, threads per batch).

        On a CPU, `threads` batches run side by side with one thread each: batches of a
        few sentences leave a second thread per batch mostly waiting (measured on 2 cores,
        opus-mt-sized model, beam 4, 4 sentences per batch: 2 batches x 1 thread gave 2.5
        sentences/s, 1 batch x 2 threads 1.2).
        """
        if self.device == "cpu":
            return self.threads or available_cores(), 1
        return 1, 1

    @property
    def model_dir(self) -> Path:
        """The converted model's folder in the cache (it may not exist yet)."""
        if self._model_dir is None:
            self._model_dir = cache_root() / cache_key(self.checkpoint, self.compute_type)
        return self._model_dir

    def _load(self):
        ensure_converted(self.pair, self.checkpoint, self.compute_type, self.model_dir)
        tokenizer, model, self._manifest = self._load_converted()
        return tokenizer, model

    def _load_converted(self):
        ctranslate2 = _import_ctranslate2()
        from transformers import MarianTokenizer
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity_error()
        manifest = json.loads((self.model_dir / MANIFEST).read_text(encoding="utf-8"))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tokenizer = MarianTokenizer.from_pretrained(self.model_dir / TOKENIZER_FOLDER)
        parallel, threads_per_batch = self._thread_layout()
        model = ctranslate2.Translator(
            str(self.model_dir), device=self.device, compute_type=self.compute_type,
            inter_threads=parallel, intra_threads=threads_per_batch)
        return tokenizer, model, manifest

    @property
    def is_random_weights(self) -> bool:
        """True for the random-weight checkpoints built for tests and benchmarks."""
        self.load()
        return bool(self._manifest.get("random_weights"))

    @property
    def max_positions(self) -> int:
        """The decoder's positions, as recorded in the manifest at conversion (opus-mt: 512)."""
        self.load()
        return int(self._manifest.get("max_positions") or 512)

    # -- translation -------------------------------------------------------------------
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
        """Decode with `translate_batch`; see `Translator.translate_token_ids`.

        Every length stays within the decoder's positions: a forced prefix that leaves
        no room for a token after it is an error (ValueError), not a crash in the engine.
        """
        if logits_processor_factory is not None:
            raise ValueError("the ctranslate2 engine cannot run logits processors")
        beams = max(settings.beams, 1 if alternatives else num_return_sequences)
        if suppress_sequences is not None and len(suppress_sequences) != len(sentences):
            raise ValueError("suppress_sequences needs one list per sentence")
        tokenizer, model = self.tokenizer, self.model
        token_ids = self.source_token_ids(sentences)
        # The decoder start token takes position 0: at most max_positions - 1 tokens follow it.
        room = self.max_positions - 1
        if target_prefixes is not None and any(len(p) + 1 > room for p in target_prefixes):
            raise ValueError(f"a target prefix leaves no room within the model's {self.max_positions} positions")
        results: list[list[list[int]]] = [[] for _ in sentences]
        # Every batch is queued at once; CTranslate2 decodes several side by side (see
        # `_thread_layout`). Each batch is decoded on its own, so which batches share the
        # cores does not change any output.
        pending = []
        for planned in plan_batches([len(ids) for ids in token_ids], settings, beams):
            for batch, suppressed in split_by_suppression(planned, suppress_sequences):
                longest = max(len(token_ids[i]) for i in batch)
                # Room for at least two tokens after the longest forced prefix.
                longest_prefix = max((len(target_prefixes[i]) for i in batch), default=0) if target_prefixes else 0
                if self.fixed_output_length is not None:
                    new_tokens = min(max(self.fixed_output_length(longest), longest_prefix + 2), room)
                    lengths = dict(min_decoding_length=new_tokens, max_decoding_length=new_tokens)
                else:
                    # transformers counts the EOS it forces at the limit in max_new_tokens;
                    # CTranslate2 forces none, so one token less gives the same text.
                    limit = max(output_limit(longest, self.max_positions) - 1, longest_prefix + 2)
                    lengths = dict(max_decoding_length=min(limit, room))
                prefixes = None
                if target_prefixes is not None:
                    prefixes = [tokenizer.convert_ids_to_tokens(list(target_prefixes[i])) or None for i in batch]
                pending.append((batch, model.translate_batch(
                    [tokenizer.convert_ids_to_tokens(token_ids[i]) for i in batch], prefixes,
                    beam_size=beams, num_hypotheses=num_return_sequences, return_alternatives=alternatives,
                    suppress_sequences=[tokenizer.convert_ids_to_tokens(s) for s in suppressed] or None,
                    max_input_length=0, asynchronous=True, **lengths)))
        for batch, outputs in pending:
            for index, output in zip(batch, outputs, strict=True):
                hyps = [tokenizer.convert_tokens_to_ids(tokens) for tokens in output.result().hypotheses]
                # Fewer hypotheses than asked can come back; pad as the caller expects n.
                hyps += [hyps[-1] if hyps else []] * (num_return_sequences - len(hyps))
                results[index] = hyps
            if on_batch_done:
                on_batch_done(len(batch))
        return results

    def token_log_probs(self, sentences: Sequence[str], targets: Sequence[TokenIds]) -> list[list[float]]:
        """Log-probability of each target token, then of EOS, given its source sentence."""
        if not sentences:
            return []
        tokenizer, model = self.tokenizer, self.model
        sources = [tokenizer.convert_ids_to_tokens(ids) for ids in self.source_token_ids(sentences)]
        # Scoring keeps a vocabulary-wide row of log-probabilities per target token (53.7k
        # floats for opus-mt). One row per engine batch keeps that to one sentence's worth,
        # which stays in the CPU's cache, and the rows spread over the parallel workers
        # without padding: on the proxy of docs/term-enforcement.md, the scoring calls of
        # one enforced run took 1.5-2.8 s against 2.4-8.7 s in batches of 512 tokens
        # (identical scores).
        results = model.score_batch(sources, [tokenizer.convert_ids_to_tokens(self.scorable(t)) for t in targets],
                                    max_batch_size=SCORE_BATCH_EXAMPLES, batch_type="examples", max_input_length=0)
        return [list(r.log_probs) for r in results]


# -- conversion cache --------------------------------------------------------------------
def cache_key(checkpoint: str, quantization: str) -> str:
    """Folder name of a converted checkpoint: readable name, quantisation, digest of the source.

    A local checkpoint is identified by its absolute path and the size and modification
    time of its files, so a checkpoint rebuilt in place is converted again.
    """
    local = Path(checkpoint).expanduser()
    if local.is_dir():
        identity = str(local.resolve()) + "".join(
            f"|{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(local.iterdir()) if p.is_file())
    else:
        identity = checkpoint
    digest = hashlib.sha256(f"{CACHE_FORMAT}\0{identity}\0{quantization}".encode()).hexdigest()[:16]
    name = "".join(c if c.isalnum() or c in "-_." else "-" for c in local.name or checkpoint)[-48:]
    return f"{name}-{quantization}-{digest}"


def ensure_converted(pair: str, checkpoint: str, quantization: str, target: Path) -> Path:
    """Convert the checkpoint into `target` unless a complete conversion is already there."""
    if (target / MANIFEST).exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(target.with_name(target.name + ".lock")):
        if (target / MANIFEST).exists():  # another process finished while we waited
            return target
        source = MarianTranslator(pair, checkpoint, device="cpu")
        source.load()  # ModelUnavailable, exactly as the transformers engine raises it
        scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            _convert(source, scratch, quantization)
            try:
                os.rename(scratch, target)
            except OSError:
                if not (target / MANIFEST).exists():
                    raise
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
    return target


def _convert(source: MarianTranslator, output: Path, quantization: str) -> None:
    """Write the CTranslate2 model, the tokenizer and the manifest of a loaded checkpoint."""
    ctranslate2 = _import_ctranslate2()
    from ctranslate2.converters import TransformersConverter

    model, tokenizer = source.model, source.tokenizer
    config_dir = _local_checkpoint_dir(source.checkpoint)

    class LoadedCheckpointConverter(TransformersConverter):
        """Converts the model and tokenizer already loaded by `MarianTranslator`.

        The stock converter would load them a second time, and for a hub id without
        the offline rules of the workbench.
        """

        def load_model(self, model_class, model_name_or_path, **kwargs):
            return model

        def load_tokenizer(self, tokenizer_class, model_name_or_path, **kwargs):
            return tokenizer

        def _load(self):
            if not _starts_from_pad_row(model, tokenizer):
                return super()._load()
            from ctranslate2.converters import transformers as loaders

            stock = loaders._MODEL_LOADERS["MarianConfig"]
            loaders._MODEL_LOADERS["MarianConfig"] = _pad_start_loader(loaders)
            try:
                return super()._load()
            finally:
                loaders._MODEL_LOADERS["MarianConfig"] = stock

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LoadedCheckpointConverter(str(config_dir)).convert(str(output), quantization=quantization, force=True)
    tokenizer.save_pretrained(output / TOKENIZER_FOLDER)
    import transformers

    manifest = {
        "format": CACHE_FORMAT, "pair": source.pair, "checkpoint": source.checkpoint,
        "quantization": quantization, "random_weights": source.is_random_weights,
        "max_positions": source.max_positions,
        "ctranslate2": ctranslate2.__version__, "transformers": transformers.__version__,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def _starts_from_pad_row(model, tokenizer) -> bool:
    """Whether the checkpoint's decoder starts from a non-zero <pad> embedding.

    Marian (and every opus-mt checkpoint) starts decoding from a zero vector, which the
    stock converter relies on: it drops the <pad> row and starts from zeros. A checkpoint
    trained by transformers from a random <pad> row (the term-enforcement proxy of
    docs/term-enforcement.md) learnt to start from that row instead, and converted the
    stock way it loses the first word of nearly every sentence.
    """
    pad = tokenizer.pad_token_id
    start = getattr(model.config, "decoder_start_token_id", None)
    if pad is None or start != pad:
        return False
    row = model.get_input_embeddings().weight[pad].detach()
    return bool(row.abs().sum() > 0)


def _pad_start_loader(loaders):
    """The stock Marian loader, but the decoder starts from the <pad> token's own embedding."""

    class PadStartMarianLoader(loaders.MarianMTLoader):
        def get_model_spec(self, model):
            import torch

            model.config.normalize_before = False
            model.config.normalize_embedding = False
            spec = loaders.BartLoader.get_model_spec(self, model)  # the <pad> row kept
            # ...but never written, as transformers never writes it (bad_words_ids).
            projection = spec.decoder.projection
            vocab = model.config.vocab_size
            bias = projection.bias if projection.has_bias() else torch.zeros(vocab)
            bias = torch.as_tensor(bias, dtype=torch.float32).clone()
            bias[model.config.pad_token_id] = -1e4
            projection.bias = bias
            return spec

        def set_config(self, config, model, tokenizer):
            super().set_config(config, model, tokenizer)
            config.decoder_start_token = tokenizer.pad_token

        def set_decoder(self, spec, decoder):
            loaders.BartLoader.set_decoder(self, spec, decoder)  # no zero start

        def get_vocabulary(self, model, tokenizer):
            return loaders.BartLoader.get_vocabulary(self, model, tokenizer)  # <pad> kept

    return PadStartMarianLoader()


def _local_checkpoint_dir(checkpoint: str) -> Path:
    """The folder holding the checkpoint's config.json (a hub id resolves to its cached snapshot)."""
    local = Path(checkpoint).expanduser()
    if (local / "config.json").exists():
        return local
    from huggingface_hub import snapshot_download

    return Path(snapshot_download(checkpoint, local_files_only=True))


@contextmanager
def _file_lock(path: Path):
    """An exclusive lock between processes (conversion runs once even with many workers)."""
    try:
        import fcntl
    except ImportError:  # not POSIX: the atomic rename alone keeps the cache consistent
        yield
        return
    with open(path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _import_ctranslate2():
    try:
        import ctranslate2
    except ImportError:
        raise EngineUnavailable(
            "the ctranslate2 engine needs the ctranslate2 package: pip install ctranslate2 "
            "(or use --engine transformers)") from None
    return ctranslate2
