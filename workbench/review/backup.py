"""Back up and restore a review store with SQLite's online backup API.

A backup is consistent while reviewers keep saving (the API copies a snapshot
page by page and restarts when the source changes underneath). It is written to
a temporary file beside the target, checked with `PRAGMA integrity_check`, then
renamed into place. A restore checks the backup first, keeps the store it
replaces as `NAME.before-restore-TIMESTAMP.db`, so nothing is lost, and copies
the backup into the live file through SQLite, so its WAL and locks stay right.
"""

from __future__ import annotations

import sqlite3
import time
import urllib.parse
from pathlib import Path

from workbench.errors import StoreError


def _timestamp() -> str:
    return time.strftime("%Y%m%d-%H%M%S")


def _connect_read_only(path: Path) -> sqlite3.Connection:
    uri = "file:" + urllib.parse.quote(str(path.resolve())) + "?mode=ro"
    return sqlite3.connect(uri, uri=True, timeout=30)


def _copy(source: sqlite3.Connection, target_path: Path) -> None:
    """Copy `source` into a new file at `target_path` (via a temporary file), checked."""
    temporary = target_path.with_name(f".{target_path.name}.{_timestamp()}.tmp")
    try:
        target = sqlite3.connect(temporary)
        try:
            source.backup(target, pages=1024)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            result = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
        if result != "ok":
            raise StoreError(f"{target_path}: the copy failed its integrity check ({result}); nothing was written")
        temporary.replace(target_path)
    except OSError as exc:
        raise StoreError(f"{target_path}: cannot write ({exc.strerror})") from None
    finally:
        temporary.unlink(missing_ok=True)


def check_store_file(path: Path) -> int:
    """The schema version of a workbench store file; StoreError if it is not one or is damaged."""
    from workbench.review.store import SCHEMA_VERSION

    if not path.is_file():
        raise StoreError(f"no review store at {path}")
    try:
        connection = _connect_read_only(path)
        try:
            result = connection.execute("PRAGMA integrity_check").fetchone()[0]
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            version = connection.execute("PRAGMA user_version").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a workbench store ({exc})") from None
    if result != "ok":
        raise StoreError(f"{path}: damaged ({result})")
    if not {"documents", "segments"} <= tables:
        raise StoreError(f"{path}: not a workbench store (no documents and segments tables)")
    if version > SCHEMA_VERSION:
        raise StoreError(f"{path}: schema version {version} is newer than this workbench understands "
                         f"({SCHEMA_VERSION}); upgrade the workbench first")
    return version


def backup_store(store_path: str | Path, destination: str | Path) -> Path:
    """Copy the store to `destination` (a file, or a folder for a time-stamped name); return the file."""
    store_path, destination = Path(store_path), Path(destination)
    check_store_file(store_path)
    if destination.is_dir():
        destination = destination / f"{store_path.stem}-{_timestamp()}.db"
    if destination.exists():
        raise StoreError(f"{destination}: already exists; name a new file or a folder")
    if destination.resolve() == store_path.resolve():
        raise StoreError(f"{destination}: is the store itself")
    if not destination.parent.is_dir():
        raise StoreError(f"{destination.parent}: no such folder")
    source = _connect_read_only(store_path)
    try:
        _copy(source, destination)
    finally:
        source.close()
    return destination


def restore_store(backup_path: str | Path, store_path: str | Path) -> Path | None:
    """Put a backup in place of the store; return where the replaced store was kept (None if there was none).

    Stop the UI and batch runs first: a process that keeps the old store open would go on
    writing to the replaced file's connection.
    """
    backup_path, store_path = Path(backup_path), Path(store_path)
    check_store_file(backup_path)
    if store_path.exists() and store_path.resolve() == backup_path.resolve():
        raise StoreError(f"{backup_path}: is the store itself")
    kept = None
    source = _connect_read_only(backup_path)
    try:
        if store_path.exists():
            kept = backup_store(store_path, store_path.with_name(
                f"{store_path.stem}.before-restore-{_timestamp()}.db"))
            # Into the live file, through SQLite: its WAL and locks stay consistent for every connection.
            target = sqlite3.connect(store_path, timeout=30)
            try:
                source.backup(target, pages=1024)
                result = target.execute("PRAGMA integrity_check").fetchone()[0]
            except sqlite3.DatabaseError as exc:
                raise StoreError(f"{store_path}: cannot restore into it ({exc}); the store was kept as "
                                 f"{kept}") from None
            finally:
                target.close()
            if result != "ok":
                raise StoreError(f"{store_path}: the restored store fails its integrity check ({result}); "
                                 f"the previous one is kept as {kept}")
        else:
            store_path.parent.mkdir(parents=True, exist_ok=True)
            _copy(source, store_path)
    finally:
        source.close()
    from workbench.review.store import ReviewStore

    with ReviewStore(store_path):  # an older backup is migrated now, under the store's lock
        pass
    return kept
