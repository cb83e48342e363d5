"""The sentences that get aligned: read through the documents path, the same for the CLI and the UI.

A document file or an uploaded file goes through `workbench.documents.ingest`
(the accepted encodings, Unicode normalisation, boilerplate removal, language
detection, a sidecar's `lang`) and `workbench.documents.segment`, exactly as
the batch script imports it; a stored document gives its live segments, which
were made the same way. A gold-format file (`--presplit`: one sentence per
line, indices are line numbers) is decoded and normalised by the same rules
but keeps every line, boilerplate included, since its line numbers are the
link indices; its language is detected when it can be and is otherwise unknown
(gold sets come in languages the workbench does not translate).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.documents.ingest import (
    MAX_DOCUMENT_BYTES,
    decode_bytes,
    detect_language,
    normalise_unicode,
    parse_document,
    read_document,
)
from workbench.documents.segment import segment_document
from workbench.errors import DocumentError, UnknownLanguage
from workbench.text import repair_vietnamese_d


@dataclass(frozen=True)
class AlignmentText:
    """One side of an alignment: where it came from, its language (None if unknown) and its sentences."""

    name: str
    lang: str | None
    sentences: tuple[str, ...]


def _checked_path(path: str | Path) -> Path:
    path = Path(path)
    if path.is_dir():
        raise DocumentError("is a directory, not a file", path)
    if not path.exists():
        raise DocumentError("no such file", path)
    return path


def _nonempty(text: AlignmentText, path: str | Path) -> AlignmentText:
    if not any(sentence.strip() for sentence in text.sentences):
        raise DocumentError("no sentences to align", path)
    return text


def read_sentences(path: str | Path, *, lang: str | None = None) -> AlignmentText:
    """The segments of a document file, read as the batch script reads it; `lang` overrides detection."""
    document = read_document(_checked_path(path), lang=lang)
    sentences = tuple(segment.text for segment in segment_document(document))
    return _nonempty(AlignmentText(document.name, document.lang, sentences), path)


def parse_sentences(raw: bytes, *, path: str, lang: str | None = None) -> AlignmentText:
    """The segments of an uploaded file's bytes (`path` names it in errors)."""
    document = parse_document(raw, path=path, lang=lang)
    sentences = tuple(segment.text for segment in segment_document(document))
    return _nonempty(AlignmentText(document.name, document.lang, sentences), path)


def read_sentence_lines(path: str | Path, *, lang: str | None = None) -> AlignmentText:
    """One sentence per line (the gold format); every line counts, so indices are line numbers."""
    path = _checked_path(path)
    try:
        size = path.stat().st_size
        if size > MAX_DOCUMENT_BYTES:
            raise DocumentError(f"file is {size / 1e6:.1f} MB, above the {MAX_DOCUMENT_BYTES // 2**20} MiB limit "
                                "for one document; split it", path)
        raw = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"cannot read file ({exc.strerror})", path) from None
    text = normalise_unicode(decode_bytes(raw, str(path))[0])
    if lang is None:
        try:
            lang = detect_language(text, str(path))
        except UnknownLanguage:
            lang = None
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()  # the final newline ends the last line; it does not start another
    if lang == "vi":
        lines = [repair_vietnamese_d(line) for line in lines]
    return _nonempty(AlignmentText(path.name, lang, tuple(lines)), path)


def stored_sentences(store, document_id: int) -> AlignmentText:
    """The live segments of a stored document, in order."""
    document = store.document(document_id)
    sentences = tuple(segment.source_text for segment in store.segments(document_id))
    if not sentences:
        raise DocumentError("no sentences to align", document.name)
    return AlignmentText(document.name, document.lang, sentences)


def stored_translation_signal(store, document_id: int, target_lang: str | None):
    """A translate function from a stored document's machine translations, for the aligner; None if none.

    Only translations into `target_lang` that a real model made count (a
    random-weight test model's output is noise); a sentence without one
    translates to "" and adds nothing.
    """
    if store.document(document_id).target_lang != target_lang:
        return None
    known = {segment.source_text: segment.mt_text for segment in store.segments(document_id)
             if segment.mt_text and not segment.random_weights}
    if not known:
        return None
    return lambda sentences: [known.get(sentence, "") for sentence in sentences]
