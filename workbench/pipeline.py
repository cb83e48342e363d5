"""The batch run: ingest files, store them, translate what is not yet translated.

A bad file is reported and the others go on. A checkpoint that cannot be
loaded leaves its documents stored but untranslated, with one message per
missing model. Translations are cached by (source text, target language,
checkpoint, glossary version), so a second run over the same inputs does no
model work at all.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from workbench.config import (
    DEFAULT_BATCH_TOKENS,
    DEFAULT_BEAMS,
    DEFAULT_ENGINE,
    DEFAULT_MAX_BATCH_SENTENCES,
    TARGET_LANGUAGE,
    pair_for_language,
    resolve_checkpoint,
)
from workbench.documents.discover import discover_documents
from workbench.documents.ingest import read_document
from workbench.documents.segment import segment_document
from workbench.documents.uploads import check_upload, save_upload
from workbench.errors import DocumentError, ModelUnavailable, WorkbenchError
from workbench.mt.base import DecodingSettings
from workbench.mt.factory import get_translator
from workbench.review.store import ReviewStore, new_claim_owner

# Segments written to the store per transaction: small enough that an interrupted
# run keeps most of its work, large enough that commits stay cheap.
WRITE_CHUNK = 64
# How often a run looks again at sources another live run is translating (seconds).
CLAIM_POLL_SECONDS = 0.5


@dataclass
class BatchOptions:
    """Settings of one batch run (see `python -m workbench translate --help`)."""

    lang: str | None = None
    machine_translated_from: str | None = None
    models: dict[str, str] = field(default_factory=dict)
    beams: int = DEFAULT_BEAMS
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    max_batch_sentences: int = DEFAULT_MAX_BATCH_SENTENCES
    glossary: object | None = None  # a workbench.glossary.Glossary, or None for no term handling
    enforce_terms: bool = True
    translate: bool = True
    engine: str = DEFAULT_ENGINE  # "transformers", "ctranslate2" or "ray"
    threads: int | None = None  # CPU threads per model; None: the engine's default
    ray_address: str | None = None  # None with engine "ray": a local Ray instance
    # A changed file whose re-import would retire reviewed or approved segments is refused unless this is set
    # (the segments are kept, hidden, with their history; see `reviewed_work_retired`).
    retire_reviewed: bool = False
    follow_symlinks: bool = False  # read links inside given folders that lead outside them

    @property
    def decoding(self) -> DecodingSettings:
        """This run's decoding settings, passed to every translator call as a value."""
        return DecodingSettings(beams=self.beams, batch_tokens=self.batch_tokens,
                                max_batch_sentences=self.max_batch_sentences)


@dataclass
class BatchSummary:
    """What a batch run did; `failures` and `missing_models` hold one message each."""

    documents: int = 0
    documents_changed: int = 0
    segments: int = 0
    translated: int = 0
    reused: int = 0
    already_done: int = 0
    untranslated: int = 0
    failed_segments: int = 0  # segments an engine error left untranslated (reported in `failures`)
    failures: list[str] = field(default_factory=list)
    missing_models: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # `file:line: ...` notes on stored documents

    @property
    def failed(self) -> int:
        """Number of failures: files that could not be processed, chunks an engine could not translate."""
        return len(self.failures)


def run_batch(
    paths: Iterable[str | Path],
    store: ReviewStore,
    options: BatchOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
    report: Callable[[str], None] = lambda message: None,
) -> BatchSummary:
    """Ingest, store and translate the documents under `paths`; return the summary."""
    summary = BatchSummary()
    files, problems = discover_documents(paths, follow_symlinks=options.follow_symlinks)
    summary.failures.extend(problems)
    stored: list[tuple[int, str]] = []  # (document id, language)
    for path in files:
        try:
            document_id, lang, changed = _ingest_one(path, store, options, summary)
        except (DocumentError, WorkbenchError) as exc:
            summary.failures.append(str(exc))
            report(f"failed: {exc}")
            continue
        except OSError as exc:
            summary.failures.append(f"{path}: {exc.strerror or exc}")
            report(f"failed: {path}: {exc.strerror or exc}")
            continue
        except Exception as exc:  # noqa: BLE001 - one crafted file must not stop the batch
            message = f"{path}: cannot import this file ({type(exc).__name__}: {str(exc)[:200]})"
            summary.failures.append(message)
            report(f"failed: {message}")
            continue
        summary.documents += 1
        summary.documents_changed += int(changed)
        stored.append((document_id, lang))
    summary.segments = sum(len(store.segments(doc_id)) for doc_id, _ in stored)
    if options.translate:
        _translate_stored(stored, store, options, summary, progress)
    return summary


def _ingest_one(path: Path, store: ReviewStore, options: BatchOptions, summary: BatchSummary
                ) -> tuple[int, str, bool]:
    document = read_document(path, lang=options.lang,
                             machine_translated_from=options.machine_translated_from,
                             root=path.parent, follow_symlinks=options.follow_symlinks)
    segments = segment_document(document)
    summary.warnings.extend(document.warnings)  # over-long sentences split for translation
    normalised = {}
    if options.glossary is not None and document.machine_translated_from and document.lang == "en":
        from workbench.glossary import normalise_mt_english

        for segment in segments:
            text, changes = normalise_mt_english(segment.text, options.glossary)
            if changes:
                normalised[segment.position] = (text, changes)
    if not options.retire_reviewed:
        retired = reviewed_work_retired(store, document.path, segments)
        if retired:
            shown = "; ".join(retired[:10]) + (f"; and {len(retired) - 10} more" if len(retired) > 10 else "")
            raise WorkbenchError(
                f"{path}: the file changed, and importing it again would retire {len(retired)} reviewed or "
                f"approved segment(s) whose sentence left it: {shown}. Nothing of it was imported; import it "
                "again with the confirmation (`translate --retire-reviewed`, or the Documents page's box) to "
                "go on (the retired segments are kept, hidden, with their history)")
    result = store.upsert_document(document, segments, target_lang=TARGET_LANGUAGE[document.lang],
                                   normalised=normalised)
    return result.document_id, document.lang, result.changed


@dataclass
class PairRun:
    """One language pair of a batch run being translated: what every step of it reads and updates.

    `to_translate` maps each distinct source text to the segments holding it; `done` counts the
    segments finished in the whole run (reused, translated, failed or left without a model), so
    `progress(done, total)` reports across pairs.
    """

    store: ReviewStore
    options: BatchOptions
    summary: BatchSummary
    pair: str
    checkpoint: str
    glossary_version: str
    to_translate: dict[str, list[int]]
    total: int
    progress: Callable[[int, int], None] | None = None
    done: int = 0

    @property
    def target_lang(self) -> str:
        """The language translated into."""
        return self.pair.split("-")[1]

    def segments_of(self, sources: Iterable[str]) -> int:
        """How many segments hold these source texts."""
        return sum(len(self.to_translate[source]) for source in sources)

    def finish(self, segments: int) -> None:
        """Count `segments` as finished and report progress."""
        self.done += segments
        if self.progress:
            self.progress(self.done, self.total)

    def records(self, sources: list[str], texts: list[str], reports: list[dict | None], random_weights: bool,
                engine: str | None = None) -> list[dict]:
        """Store records of translated sources, one per segment holding each source."""
        source_lang, target_lang = self.pair.split("-")
        return [dict(segment_id=segment_id, source_text=source, source_lang=source_lang,
                     target_lang=target_lang, checkpoint=self.checkpoint, random_weights=random_weights,
                     glossary_version=self.glossary_version, engine=engine or self.options.engine,
                     beams=self.options.beams, text=text, term_report=term_report)
                for source, text, term_report in zip(sources, texts, reports, strict=True)
                for segment_id in self.to_translate[source]]


def reviewed_work_retired(store: ReviewStore, document_path, segments) -> list[str]:
    """The reviewed, approved or rejected segments an import of `segments` at this path would retire.

    Each as 'segment #N (approved by lan)'. Follows `ReviewStore.upsert_document`: a live segment
    whose source text is among the new segments is kept, the others are retired.
    """
    stored = store.document_at(document_path)
    if stored is None:
        return []
    remaining: dict[str, int] = {}
    for segment in segments:
        remaining[segment.text] = remaining.get(segment.text, 0) + 1
    retired = []
    for segment in store.segments(stored.id):
        key = segment.original_source_text or segment.source_text
        if remaining.get(key):
            remaining[key] -= 1
        elif segment.status in ("reviewed", "approved", "rejected"):
            retired.append(f"segment #{segment.position + 1} ({segment.status} by {segment.updated_by or 'unknown'})")
    return retired


def _translate_stored(stored: list[tuple[int, str]], store: ReviewStore, options: BatchOptions,
                      summary: BatchSummary, progress: Callable[[int, int], None] | None) -> None:
    """Translate the stored documents' untranslated segments: reuse the cache, then one `PairRun` per pair."""
    glossary_version = getattr(options.glossary, "version", "") or ""
    work: dict[str, list[tuple[int, str]]] = {}
    for document_id, lang in stored:
        pair = pair_for_language(lang)
        checkpoint = resolve_checkpoint(pair, options.models)
        pending = store.untranslated_segments(document_id, checkpoint, glossary_version)
        summary.already_done += len(store.segments(document_id)) - len(pending)
        work.setdefault(pair, []).extend(pending)

    total = sum(len(items) for items in work.values())
    done = 0
    for pair, items in work.items():
        if not items:
            continue
        checkpoint = resolve_checkpoint(pair, options.models)
        run = PairRun(store, options, summary, pair, checkpoint, glossary_version, {}, total, progress, done)
        reuse = []
        for segment_id, text in items:
            cached = store.cached_translation(text, run.target_lang, checkpoint, glossary_version)
            if cached is not None:
                reuse.append((segment_id, cached))
            else:
                run.to_translate.setdefault(text, []).append(segment_id)
        if reuse:
            store.link_translations(reuse)
            summary.reused += len(reuse)
            run.finish(len(reuse))
        if run.to_translate:
            _translate_pair(run)
        done = run.done


def _translate_pair(run: PairRun) -> None:
    """Translate what `run` still needs, on Ray or on a translator loaded here."""
    # Sorted by length, so each chunk holds sentences of similar length and the engine
    # can fill its batches (it groups by length only within the chunk it is given).
    sources = sorted(run.to_translate, key=len)
    if run.options.engine == "ray":
        _translate_on_ray(run, sources)
        return
    translator = get_translator(run.pair, run.checkpoint, engine=run.options.engine, threads=run.options.threads)
    try:
        translator.load()
    except ModelUnavailable as exc:
        waiting = run.segments_of(sources)
        run.summary.missing_models.append(str(exc))
        run.summary.untranslated += waiting
        run.finish(waiting)
        return
    _translate_claimed(run, translator, sources)


def _translate_claimed(run: PairRun, translator, sources: list[str]) -> None:
    """Translate `sources` chunk by chunk, claiming each chunk first (see `ReviewStore.claim_translations`).

    So two runs at once never translate the same source: what another live run holds is left
    to it and linked once stored; what it leaves (it died, or its claim expired) is taken over.
    """
    store = run.store
    owner = new_claim_owner()
    pending = list(sources)
    try:
        while pending:
            held: list[str] = []
            for start in range(0, len(pending), WRITE_CHUNK):
                claim = store.claim_translations(pending[start:start + WRITE_CHUNK], run.target_lang, run.checkpoint,
                                                 run.glossary_version, owner=owner)
                held.extend(claim.held)
                finished = 0
                if claim.cached:
                    links = [(segment_id, translation_id) for source, translation_id in claim.cached.items()
                             for segment_id in run.to_translate[source]]
                    store.link_translations(links)
                    run.summary.reused += len(links)
                    finished += len(links)
                if claim.claimed:
                    finished += _translate_one_chunk(run, translator, claim.claimed)
                run.finish(finished)
            if held:
                time.sleep(CLAIM_POLL_SECONDS)  # another run is translating these: look again soon
            pending = held
    finally:
        store.release_claims(owner)


def _translate_one_chunk(run: PairRun, translator, chunk: list[str]) -> int:
    """Translate and store one claimed chunk; the number of segments it finished (stored or failed)."""
    try:
        texts, reports = translate_chunk(translator, chunk, run.options)
    except Exception as exc:  # an engine failure costs this chunk, not the run
        run.summary.failures.append(_chunk_failure(run, chunk, exc))
        failed = run.segments_of(chunk)
        run.summary.failed_segments += failed
        return failed
    records = run.records(chunk, texts, reports, translator.is_random_weights)
    run.store.record_translations(records)
    run.summary.translated += len(records)
    return len(records)


def _chunk_failure(run: PairRun, chunk: list[str], exc: Exception) -> str:
    """One line naming the documents and segment positions an engine error left untranslated."""
    where: dict[str, list[int]] = {}
    for source in chunk:
        for segment_id in run.to_translate[source]:
            segment = run.store.segment(segment_id)
            name = Path(run.store.document(segment.document_id).path).name
            where.setdefault(name, []).append(segment.position + 1)
    places = "; ".join(f"{name} segment(s) {', '.join(map(str, sorted(positions)[:20]))}"
                       + (" ..." if len(positions) > 20 else "") for name, positions in where.items())
    reason = str(exc).strip().splitlines()[0][:300] if str(exc).strip() else ""
    return f"{run.pair} engine error, left untranslated: {places} ({type(exc).__name__}: {reason})"


def _translate_on_ray(run: PairRun, sources: list[str]) -> None:
    """Translate on Ray Data actors, writing each finished chunk to the store as it arrives."""
    from workbench.mt.ray_engine import iter_ray_translations

    try:
        for chunk in iter_ray_translations(sources, run.pair, run.checkpoint, run.options, translate_chunk,
                                           address=run.options.ray_address):
            chosen = [sources[item.index] for item in chunk]
            records = run.records(chosen, [item.text for item in chunk], [item.term_report for item in chunk],
                                  any(item.random_weights for item in chunk),
                                  engine="ray/ctranslate2")  # the actors run CTranslate2
            run.store.record_translations(records)
            run.summary.translated += len(records)
            run.finish(len(records))
    except ModelUnavailable as exc:
        run.summary.missing_models.append(str(exc))
        run.summary.untranslated += run.total - run.done
        run.done = run.total


def translate_chunk(translator, sources: list[str], options: BatchOptions
                    ) -> tuple[list[str], list[dict | None]]:
    """Translate sentences with this run's settings; term enforcement and reports when a glossary is in use."""
    if options.glossary is None:
        return translator.translate_best(sources, options.decoding), [None] * len(sources)
    from workbench.glossary import translate_with_terms

    results = translate_with_terms(
        translator, sources, options.glossary, translator.source_lang, translator.target_lang,
        decoding=options.decoding, enforce=options.enforce_terms)
    return [r.text for r in results], [r.report.to_dict() for r in results]


# -- the UI's entry points: uploads and re-translation of stored documents ---------------
def import_uploads(
    store,
    files: Iterable[tuple[str, bytes]],
    options: BatchOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Check, save and import uploaded (name, bytes) files; translate them unless told not to.

    Refused files are listed in the summary's `failures` with the batch
    script's messages; the other files go on.
    """
    refused: list[str] = []
    saved: list[Path] = []
    for name, data in files:
        try:
            path = check_upload(store, name, data, lang=options.lang,
                                machine_translated_from=options.machine_translated_from)
        except DocumentError as exc:
            refused.append(str(exc))
            continue
        except Exception as exc:  # noqa: BLE001 - one crafted upload must not stop the others
            refused.append(f"{name}: cannot import this file ({type(exc).__name__}: {str(exc)[:200]})")
            continue
        try:
            save_upload(path, data)
        except WorkbenchError as exc:
            refused.append(str(exc))
            continue
        saved.append(path)
    summary = run_batch(saved, store, options, progress=progress) if saved else BatchSummary()
    summary.failures[:0] = refused
    return summary


def translate_documents(
    store,
    document_ids: Iterable[int],
    options: BatchOptions,
    *,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Run the batch again over stored documents, translating what is still untranslated.

    Documents whose file is gone are reported in `failures`; re-reading the
    file keeps the batch script's behaviour for changed files. Documents saved
    from an alignment have no file and no machine translation to make; they
    are left out.
    """
    paths, gone = [], []
    for document_id in document_ids:
        if store.is_aligned_pair(document_id):
            continue
        stored = store.document(document_id).path
        path = Path(stored)
        (paths if path.is_file() else gone).append(path)
    summary = run_batch(paths, store, options, progress=progress) if paths else BatchSummary()
    summary.failures[:0] = [f"{path}: the file is no longer there; import it again" for path in gone]
    return summary
