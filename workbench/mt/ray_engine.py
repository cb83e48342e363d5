"""Scale-out: translate a corpus on Ray Data, one loaded model per actor.

The sources become a Ray dataset; `map_batches` sends batches of them to a
fixed pool of actors, each holding one translator (CTranslate2 by default),
and each batch comes back with its texts and term reports as soon as it is
done, so the caller writes it to the review store and reports progress as
the local pipeline does. The store stays on the machine that runs the
command: workers only translate.

On a cluster, every worker must reach the checkpoint (a hub id in each
node's Hugging Face cache, or a directory on a shared file system) and have
the packages of requirements.txt; the `workbench` package itself is shipped
with the job. `ray` is imported only here, and only when used.

What an actor does with a chunk is given by the caller (`translate_chunk`, the
pipeline's own function, shipped to the actors by reference), so this module
never imports the pipeline. Actors obtain their translator from
`workbench.mt.factory` like every other caller.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from workbench.errors import ModelUnavailable, WorkbenchError

# Sources per call of an actor: enough for the translator's own length-sorted batches,
# small enough that progress moves and a lost actor costs little work.
ROWS_PER_CALL = 64
# Environment passed on to the workers (checkpoint overrides, caches, offline switches).
FORWARDED_ENV_PREFIXES = ("WORKBENCH_", "HF_", "TRANSFORMERS_", "OMP_")


class RayUnavailable(WorkbenchError):
    """Ray is not installed, or the cluster cannot be reached."""


@dataclasses.dataclass
class RayTranslation:
    """One translated source: its index in the input, text, term report, and the model's kind."""

    index: int
    text: str
    term_report: dict | None
    random_weights: bool = False


# (translator, sources, options) -> (texts, term reports): the pipeline's `translate_chunk`.
ChunkTranslator = Callable[..., tuple[list[str], list[dict | None]]]


def run_on_ray(
    items: Sequence[str],
    pair: str,
    checkpoint: str,
    options,
    translate_chunk: ChunkTranslator,
    **settings,
) -> list[tuple[str, dict | None]]:
    """Translate `items` on Ray; return (text, term report) per item, in order.

    `options` is the pipeline's BatchOptions; `settings` (address, progress, actors...)
    go to `iter_ray_translations`.
    """
    results: list[tuple[str, dict | None] | None] = [None] * len(items)
    for chunk in iter_ray_translations(items, pair, checkpoint, options, translate_chunk, **settings):
        for item in chunk:
            results[item.index] = (item.text, item.term_report)
    return results  # type: ignore[return-value]


def iter_ray_translations(
    items: Sequence[str],
    pair: str,
    checkpoint: str,
    options,
    translate_chunk: ChunkTranslator,
    *,
    address: str | None = None,
    progress: Callable[[int, int], None] | None = None,
    engine: str = "ctranslate2",
    actors: int | None = None,
    threads_per_actor: int | None = None,
    compute_type: str | None = None,
    rows_per_call: int = ROWS_PER_CALL,
) -> Iterator[list[RayTranslation]]:
    """Yield translated chunks as actors finish them; raise at the end if some failed.

    A checkpoint that no actor can load raises ModelUnavailable; other failures
    raise WorkbenchError with the first message and the count. Chunks already
    yielded are good: the caller keeps them.
    """
    ray = _import_ray()
    started_here = connect(address)
    try:
        from ray.data import ActorPoolStrategy, DataContext

        with warnings.catch_warnings():  # Ray's own deprecated settings warn on first access
            warnings.simplefilter("ignore", DeprecationWarning)
            context = DataContext.get_current()
        context.enable_progress_bars = False  # the caller reports progress its own way
        logging.getLogger("ray.data").setLevel(logging.WARNING)
        context.execution_options.preserve_order = False
        resources = ray.cluster_resources()
        gpus = int(resources.get("GPU", 0))
        cpus = max(1, int(resources.get("CPU", 1)))
        if threads_per_actor is None:
            threads_per_actor = 1 if gpus else min(4, cpus)
        if actors is None:
            actors = gpus or max(1, cpus // threads_per_actor)
        total = len(items)
        # Sorted by length, so that each call gets sentences of similar length to batch together.
        order = sorted(range(total), key=lambda i: (len(items[i]), i))
        dataset = ray.data.from_items([{"index": i, "source": items[i]} for i in order],
                                      override_num_blocks=max(1, -(-total // rows_per_call)))
        translated = dataset.map_batches(
            TranslationActor,
            fn_constructor_kwargs=dict(
                pair=pair, checkpoint=str(checkpoint),
                options=options, translate_chunk=translate_chunk,
                engine=engine, compute_type=compute_type, threads=threads_per_actor,
                device="cuda" if gpus else None),
            batch_size=rows_per_call, batch_format="numpy",
            compute=ActorPoolStrategy(size=actors),
            num_cpus=threads_per_actor, num_gpus=1 if gpus else 0,
            runtime_env={"env_vars": _forwarded_env()})
        done = 0
        errors: list[str] = []
        unavailable: list[str] = []
        try:
            for batch in translated.iter_batches(batch_size=None, batch_format="numpy"):
                chunk = []
                for index, text, report, error, missing, random_weights in zip(
                        batch["index"], batch["text"], batch["report"], batch["error"],
                        batch["missing"], batch["random_weights"], strict=True):
                    if missing:
                        unavailable.append(str(missing))
                    elif error:
                        errors.append(str(error))
                    else:
                        chunk.append(RayTranslation(int(index), str(text),
                                                    json.loads(report) if report else None,
                                                    bool(random_weights)))
                done += len(batch["index"])
                if chunk:
                    yield chunk
                if progress:
                    progress(done, total)
        except Exception as exc:  # Ray wraps worker failures in its own exception types
            if isinstance(exc, WorkbenchError):
                raise
            first = str(exc).strip().splitlines()
            raise WorkbenchError(f"translation on Ray failed: {first[0] if first else type(exc).__name__}") \
                from None
        if unavailable:
            raise ModelUnavailable(pair, str(checkpoint), f"on the Ray workers: {unavailable[0]}")
        if errors:
            raise WorkbenchError(f"{len(errors)} segment(s) failed on Ray; first error: {errors[0]}")
    finally:
        if started_here:
            ray.shutdown()


class TranslationActor:
    """A Ray Data actor: loads one translator at start, then translates batches of sources."""

    def __init__(self, pair, checkpoint, options, translate_chunk, engine, compute_type, threads, device):
        from workbench.mt.factory import new_translator

        self.options = options
        self.translate_chunk = translate_chunk
        self.missing = ""
        self.random_weights = False
        self.translator = new_translator(engine, pair, checkpoint, compute_type=compute_type, threads=threads,
                                         device=device)
        try:
            self.translator.load()
            self.random_weights = self.translator.is_random_weights
        except ModelUnavailable as exc:
            self.missing = exc.reason

    def __call__(self, batch: dict) -> dict:
        import numpy as np

        count = len(batch["index"])
        texts, reports, errors = [""] * count, [""] * count, [""] * count
        if not self.missing:
            try:
                translated, term_reports = self.translate_chunk(
                    self.translator, [str(s) for s in batch["source"]], self.options)
                texts = translated
                reports = [json.dumps(r, ensure_ascii=False) if r is not None else "" for r in term_reports]
            except Exception as exc:  # reported per segment to the driver, which raises it there
                errors = [f"{type(exc).__name__}: {exc}"] * count
        return {"index": batch["index"], "text": np.array(texts, dtype=object),
                "report": np.array(reports, dtype=object), "error": np.array(errors, dtype=object),
                "missing": np.array([self.missing] * count, dtype=object),
                "random_weights": np.array([self.random_weights] * count, dtype=bool)}


def connect(address: str | None) -> bool:
    """Join the Ray cluster at `address` (or start a local one); True if started here."""
    ray = _import_ray()
    if ray.is_initialized():
        return False
    try:
        ray.init(address=address, include_dashboard=False, log_to_driver=False, configure_logging=False,
                 runtime_env={"py_modules": [str(Path(__file__).resolve().parents[1])], "env_vars": _forwarded_env()})
    except (ConnectionError, RuntimeError, ValueError) as exc:
        where = f"at {address}" if address else "locally"
        raise RayUnavailable(f"cannot start or join a Ray cluster {where}: {exc}") from None
    return True


def _forwarded_env() -> dict[str, str]:
    """The driver's environment variables that workers need (checkpoints, caches, offline mode)."""
    return {k: v for k, v in os.environ.items() if k.startswith(FORWARDED_ENV_PREFIXES)}


def _import_ray():
    try:
        import ray
        import ray.data  # noqa: F401
    except ImportError:
        raise RayUnavailable(
            "the ray engine needs Ray Data: pip install 'ray[data]' (same version on every node), "
            "or use --engine ctranslate2") from None
    return ray
