"""MarianMT translation through CTranslate2: the same checkpoints, converted once, run faster.

`CTranslate2Translator` has the public interface of `MarianTranslator` (pair,
checkpoint, beams, batch budgets, tokenizer, `load()`, `translate()` with
n-best lists, `translate_best()`, `plan_batches()`), so the pipeline and the
term enforcement use either engine. It batches exactly like the transformers
engine (same length buckets and output limits), so in float32 greedy decoding
both give the same tokens.

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
position (`target_prefixes=`, `alternatives=`) to place a missing term, and
`score_token_ids` to let the model choose among the placements. A
transformers-style `logits_processor_factory` passed anyway is not run: the
forbidden sequences it carries are suppressed and its bonuses are dropped.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
import threading
import warnings
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path

from workbench.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_BEAMS,
    DEFAULT_MAX_BATCH_SENTENCES,
)
from workbench.errors import ModelUnavailable, WorkbenchError
from workbench.mt.transformers_engine import MAX_OUTPUT_TOKENS, MarianTranslator, output_limit

ENGINE = "ctranslate2"
CACHE_ENV = "WORKBENCH_CT2_CACHE"
MANIFEST = "workbench.json"
TOKENIZER_FOLDER = "tokenizer"
# Bump when the cached layout or the conversion changes, so old caches are not reused.
CACHE_FORMAT = 1

TokenIds = Sequence[int]
SCORE_BATCH_TOKENS = 512

_translators: dict[tuple, CTranslate2Translator] = {}
_translators_lock = threading.Lock()


class EngineUnavailable(WorkbenchError):
    """The ctranslate2 package is missing or cannot run the requested configuration."""


def get_ct2_translator(
    pair: str,
    checkpoint: str,
    *,
    device: str | None = None,
    compute_type: str | None = None,
    threads: int | None = None,
) -> CTranslate2Translator:
    """The process-wide CTranslate2 translator for these settings, created on first use."""
    key = (pair, str(checkpoint), device, compute_type, threads)
    with _translators_lock:
        if key not in _translators:
            _translators[key] = CTranslate2Translator(
                pair, str(checkpoint), device=device, compute_type=compute_type, threads=threads)
        return _translators[key]


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


class CTranslate2Translator:
    """One MarianMT checkpoint for one language pair, run by CTranslate2."""

    engine = ENGINE
    # No logits processors: term enforcement places missing terms with forced prefixes
    # (`target_prefixes`) and `score_token_ids` instead (see workbench.glossary.enforce).
    runs_logits_processors = False

    def __init__(
        self,
        pair: str,
        checkpoint: str,
        *,
        beams: int = DEFAULT_BEAMS,
        batch_tokens: int = DEFAULT_BATCH_TOKENS,
        max_batch_sentences: int = DEFAULT_MAX_BATCH_SENTENCES,
        device: str | None = None,
        compute_type: str | None = None,
        threads: int | None = None,
    ):
        self.pair = pair
        self.checkpoint = str(checkpoint)
        self.source_lang, self.target_lang = pair.split("-")
        self.beams = beams
        self.batch_tokens = batch_tokens
        self.max_batch_sentences = max_batch_sentences
        self.threads = threads
        # Benchmarks only: a function (longest source length of a batch) -> exact number of
        # new tokens, so random weights, which never stop by themselves, cost what a real
        # model costs. None in normal use: output stops at EOS or at `output_limit`.
        self.fixed_output_length: Callable[[int], int] | None = None
        self._device = device
        self._compute_type = compute_type
        self._tokenizer = None
        self._model = None
        self._manifest: dict = {}
        self._model_dir: Path | None = None
        self._load_error: ModelUnavailable | None = None
        self._lock = threading.Lock()

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

    # -- loading -----------------------------------------------------------------------
    @property
    def tokenizer(self):
        """The MarianTokenizer (from the conversion cache), loaded on first access."""
        self.load()
        return self._tokenizer

    @property
    def model(self):
        """The `ctranslate2.Translator`, loaded on first access."""
        self.load()
        return self._model

    @property
    def model_dir(self) -> Path:
        """The converted model's folder in the cache (it may not exist yet)."""
        if self._model_dir is None:
            self._model_dir = cache_root() / cache_key(self.checkpoint, self.compute_type)
        return self._model_dir

    def load(self) -> None:
        """Convert if needed, then load; raise ModelUnavailable (remembered) if impossible."""
        if self._model is not None:
            return
        if self._load_error is not None:
            raise self._load_error
        with self._lock:
            if self._model is not None:
                return
            try:
                ensure_converted(self.pair, self.checkpoint, self.compute_type, self.model_dir)
                self._tokenizer, self._model, self._manifest = self._load_converted()
            except ModelUnavailable as exc:
                self._load_error = exc
                raise

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

    # Same target-language token rule and same batching as the transformers engine.
    target_prefix = MarianTranslator.target_prefix
    plan_batches = MarianTranslator.plan_batches

    # -- translation -------------------------------------------------------------------
    def translate(
        self,
        sentences: Sequence[str],
        *,
        beams: int | None = None,
        num_return_sequences: int = 1,
        suppress_sequences: Sequence[Sequence[TokenIds]] | None = None,
        logits_processor_factory: Callable | None = None,
        on_batch_done: Callable[[int], None] | None = None,
    ) -> list[list[str]]:
        """Translate; per sentence, `num_return_sequences` hypotheses, best first.

        `suppress_sequences[i]` lists target token-id sequences that sentence i must
        never contain. A `logits_processor_factory` cannot run here; see the module
        docstring for what is done with it.
        """
        hypotheses = self.translate_token_ids(
            sentences, beams=beams, num_return_sequences=num_return_sequences,
            suppress_sequences=suppress_sequences, logits_processor_factory=logits_processor_factory,
            on_batch_done=on_batch_done)
        decode = self.tokenizer.decode
        return [[decode(ids, skip_special_tokens=True).strip() for ids in hyps] for hyps in hypotheses]

    def translate_token_ids(
        self,
        sentences: Sequence[str],
        *,
        beams: int | None = None,
        num_return_sequences: int = 1,
        suppress_sequences: Sequence[Sequence[TokenIds]] | None = None,
        logits_processor_factory: Callable | None = None,
        on_batch_done: Callable[[int], None] | None = None,
        target_prefixes: Sequence[TokenIds] | None = None,
        alternatives: bool = False,
    ) -> list[list[list[int]]]:
        """Like `translate`, but each hypothesis as target token ids (without EOS).

        `target_prefixes[i]`: target token ids that hypothesis i must begin with; decoding
        continues after them (returned hypotheses include the prefix). With `alternatives`,
        the `num_return_sequences` hypotheses differ at the first token after the prefix.
        """
        beams = max(beams or self.beams, 1 if alternatives else num_return_sequences)
        if suppress_sequences is None and logits_processor_factory is not None:
            suppress_sequences = forbidden_sequences_from_factory(logits_processor_factory, len(sentences))
        if suppress_sequences is not None and len(suppress_sequences) != len(sentences):
            raise ValueError("suppress_sequences needs one list per sentence")
        tokenizer, model = self.tokenizer, self.model
        prefix = self.target_prefix
        token_ids = [tokenizer(prefix + s, truncation=True, max_length=MAX_OUTPUT_TOKENS).input_ids
                     for s in sentences]
        results: list[list[list[int]]] = [[] for _ in sentences]
        # Every batch is queued at once; CTranslate2 decodes several side by side (see
        # `_thread_layout`). Each batch is decoded on its own, so which batches share the
        # cores does not change any output.
        pending = []
        for planned in self.plan_batches([len(ids) for ids in token_ids], beams):
            for batch, suppressed in _split_by_suppression(planned, suppress_sequences):
                longest = max(len(token_ids[i]) for i in batch)
                # Room for at least two tokens after the longest forced prefix.
                longest_prefix = max((len(target_prefixes[i]) for i in batch), default=0) if target_prefixes else 0
                if self.fixed_output_length is not None:
                    new_tokens = max(self.fixed_output_length(longest), longest_prefix + 2)
                    lengths = dict(min_decoding_length=new_tokens, max_decoding_length=new_tokens)
                else:
                    # transformers counts the EOS it forces at the limit in max_new_tokens;
                    # CTranslate2 forces none, so one token less gives the same text.
                    lengths = dict(max_decoding_length=max(output_limit(longest) - 1, longest_prefix + 2))
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

    def translate_best(self, sentences: Sequence[str], **options) -> list[str]:
        """Translate and keep only the best hypothesis of each sentence."""
        return [hyps[0] for hyps in self.translate(sentences, **options)]

    def score_token_ids(self, sentences: Sequence[str], targets: Sequence[TokenIds]) -> list[float]:
        """Mean log-probability per token (EOS included) of each target given its source sentence."""
        if not sentences:
            return []
        tokenizer, model = self.tokenizer, self.model
        prefix = self.target_prefix
        sources = [tokenizer.convert_ids_to_tokens(
            tokenizer(prefix + s, truncation=True, max_length=MAX_OUTPUT_TOKENS).input_ids) for s in sentences]
        # Scoring keeps a vocabulary-wide row of log-probabilities per target token (53.7k
        # floats for opus-mt): batches of SCORE_BATCH_TOKENS target tokens keep that small.
        results = model.score_batch(sources, [tokenizer.convert_ids_to_tokens(list(t)) for t in targets],
                                    max_batch_size=SCORE_BATCH_TOKENS, batch_type="tokens", max_input_length=0)
        return [sum(r.log_probs) / max(len(r.log_probs), 1) for r in results]


def _split_by_suppression(batch: list[int], suppress: Sequence[Sequence[TokenIds]] | None):
    """Sub-batches of sentences sharing one suppression list (CTranslate2 takes one per call)."""
    if suppress is None:
        return [(batch, [])]
    groups: dict[tuple, list[int]] = {}
    for index in batch:
        key = tuple(sorted({tuple(int(t) for t in seq) for seq in suppress[index] if len(seq)}))
        groups.setdefault(key, []).append(index)
    return [(indices, [list(seq) for seq in key]) for key, indices in groups.items()]


def forbidden_sequences_from_factory(factory: Callable, count: int) -> list[list[TokenIds]] | None:
    """The per-sentence forbidden token sequences a glossary logits-processor factory carries.

    `workbench.glossary.enforce` builds its factory as `functools.partial(_make_processors,
    constraints, ...)`, one constraint (with `.forbidden`) or None per sentence. Anything
    else is ignored with a warning: CTranslate2 cannot run transformers logits processors.
    """
    constraints = factory.args[0] if isinstance(factory, functools.partial) and factory.args else None
    if (isinstance(constraints, list) and len(constraints) == count
            and all(c is None or hasattr(c, "forbidden") for c in constraints)):
        return [[tuple(seq) for seq in c.forbidden] if c is not None else [] for c in constraints]
    warnings.warn("the ctranslate2 engine cannot run logits processors; this one is ignored",
                  stacklevel=3)
    return None


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

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        LoadedCheckpointConverter(str(config_dir)).convert(str(output), quantization=quantization, force=True)
    tokenizer.save_pretrained(output / TOKENIZER_FOLDER)
    import transformers

    manifest = {
        "format": CACHE_FORMAT, "pair": source.pair, "checkpoint": source.checkpoint,
        "quantization": quantization, "random_weights": source.is_random_weights,
        "ctranslate2": ctranslate2.__version__, "transformers": transformers.__version__,
    }
    (output / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


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
