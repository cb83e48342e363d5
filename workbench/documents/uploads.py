"""Documents uploaded through the UI: checked, saved beside the store, then run as a batch.

An upload goes through the batch script's own code: `check_upload` parses it
first (so a bad file is refused with the batch script's message before anything
is written), then `workbench.pipeline.import_uploads` saves it here and runs the
batch on the saved file. Files are saved under
`<folder of the review store>/uploads/` with a sanitised name: no path from
the uploader's side is ever used, so nothing is written outside that folder.
Uploading a file with the same name again updates that document in place,
keeping the work on unchanged segments, exactly as re-running the batch
script on a changed file does.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from workbench.documents.discover import DOCUMENT_SUFFIXES
from workbench.documents.ingest import MAX_DOCUMENT_BYTES, parse_document
from workbench.errors import DocumentError
from workbench.files import write_atomic

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
        hint = "; an old Word .doc file: save it as .docx in Word or LibreOffice" if suffix.lower() == "doc" else ""
        raise UploadRefused(
            f"not a document type the workbench reads (accepted: {', '.join(sorted(DOCUMENT_SUFFIXES))}){hint}",
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


def check_upload(store, name: str, data: bytes, *, lang: str | None = None,
                 machine_translated_from: str | None = None) -> Path:
    """Where an upload would be saved, after checking its name, size and content; raises DocumentError."""
    path = upload_path(store, name)
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadRefused(
            f"file is {len(data) / 1e6:.1f} MB, above the {MAX_DOCUMENT_BYTES // 2**20} MiB "
            "limit for one document; split it", path)
    parse_document(data, path=str(path), lang=lang, machine_translated_from=machine_translated_from)
    return path


def save_upload(path: Path, data: bytes) -> None:
    """Write a checked upload into place atomically (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, data)
