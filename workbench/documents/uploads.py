"""Documents uploaded through the UI: checked, saved beside the store, then run as a batch.

An upload goes through the batch script's own code: `parse_document` first
(so a bad file is refused with the batch script's message before anything is
written), then `run_batch` on the saved file. Files are saved under
`<folder of the review store>/uploads/` with a sanitised name: no path from
the uploader's side is ever used, so nothing is written outside that folder.
Uploading a file with the same name again updates that document in place,
keeping the work on unchanged segments, exactly as re-running the batch
script on a changed file does.
"""

from __future__ import annotations

import os
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterable
from pathlib import Path

from workbench.documents.ingest import MAX_DOCUMENT_BYTES, parse_document
from workbench.errors import DocumentError
from workbench.pipeline import DOCUMENT_SUFFIXES, BatchOptions, BatchSummary, run_batch

UPLOADS_FOLDER = "uploads"
MAX_UPLOAD_BYTES = MAX_DOCUMENT_BYTES
MAX_NAME_CHARS = 100


class UploadRefused(DocumentError):
    """An uploaded file is refused before it is read (type, size)."""


def uploads_folder(store) -> Path:
    """Where uploads of this store are kept: `uploads/` beside the database file."""
    return store.path.resolve().parent / UPLOADS_FOLDER


def safe_upload_name(name: str) -> str:
    """A file name made of ASCII letters, digits, '.', '_' and '-', with an accepted suffix.

    Any folder part is dropped; letters with diacritics lose them ("Biên phòng"
    becomes "Bien_phong"). Raises UploadRefused for a type the batch script
    would not read.
    """
    base = re.split(r"[\\/]", name)[-1].replace("đ", "d").replace("Đ", "D")
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = re.sub(r"[^A-Za-z0-9._-]+", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot or f".{suffix.lower()}" not in DOCUMENT_SUFFIXES:
        raise UploadRefused(
            f"not a document type the workbench reads (accepted: {', '.join(sorted(DOCUMENT_SUFFIXES))})",
            name)
    stem = re.sub(r"\.+", ".", stem).strip("._-")[:MAX_NAME_CHARS] or "upload"
    return f"{stem}.{suffix.lower()}"


def upload_path(store, name: str) -> Path:
    """The path an upload named `name` is saved to; always inside `uploads_folder(store)`."""
    folder = uploads_folder(store)
    path = folder / safe_upload_name(name)
    if path.resolve().parent != folder:
        raise UploadRefused("file name resolves outside the uploads folder", name)
    return path


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".upload-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


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
            path = upload_path(store, name)
            if len(data) > MAX_UPLOAD_BYTES:
                raise UploadRefused(
                    f"file is {len(data) / 1e6:.1f} MB, above the {MAX_DOCUMENT_BYTES // 2**20} MiB "
                    "limit for one document; split it", path)
            parse_document(data, path=str(path), lang=options.lang,
                           machine_translated_from=options.machine_translated_from)
        except DocumentError as exc:
            refused.append(str(exc))
            continue
        _write_atomically(path, data)
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
        stored = store.document(document_id)["path"]
        if store.ALIGNED_PATH_MARK in stored:
            continue
        path = Path(stored)
        (paths if path.is_file() else gone).append(path)
    summary = run_batch(paths, store, options, progress=progress) if paths else BatchSummary()
    summary.failures[:0] = [f"{path}: the file is no longer there; import it again" for path in gone]
    return summary
