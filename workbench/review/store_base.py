"""The review store's connection: opening a file (read-only where it must), upgrading it, transactions.

Every part of `ReviewStore` (documents, segments and history, translations and claims,
terminology state) inherits this class, so each holds the same connection and writes
only through `transaction()`. A store whose file or folder is not writable opens
read-only: everything reads, every change is refused with `ReadOnlyStore`.
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from workbench.errors import ReadOnlyStore, StoreError
from workbench.review import schema


def now_stamp() -> str:
    """The time a change is recorded with: UTC, ISO 8601, to the second."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def require_reviewer(reviewer: str | None, what: str) -> str:
    """The reviewer's name, stripped; StoreError when there is none (`what`: "to change a segment")."""
    if not reviewer or not reviewer.strip():
        raise StoreError(f"a reviewer name is required {what}")
    return reviewer.strip()


class StoreConnection:
    """One SQLite file opened for the store; open with `ReviewStore(path)`, close with `.close()`."""

    def __init__(self, path: str | Path, *, read_only: bool | None = None):
        """Open (or create) the store; `read_only` None: read-only when the file or folder is not writable."""
        self.path = Path(path)
        if self.path.exists() and self.path.is_dir():
            raise StoreError(f"{self.path}: is a folder, not a database file")
        if read_only is None:
            read_only = self.path.exists() and not _writable(self.path)
        self.read_only = read_only
        try:
            if read_only:
                self.conn = self._connect_read_only()
                self._check_readable_version()
            else:
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                except OSError as exc:
                    raise StoreError(f"{self.path}: cannot create its folder ({exc.strerror})") from None
                if not self.path.exists() and not os.access(self.path.parent, os.W_OK):
                    raise StoreError(f"{self.path}: cannot create the store: its folder is not writable")
                self.conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
                self.conn.row_factory = sqlite3.Row
                self.conn.execute("PRAGMA foreign_keys = ON")
                self._prepare_for_writing()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path}: not a workbench database ({exc})") from None

    def _connect_read_only(self) -> sqlite3.Connection:
        if not self.path.exists():
            raise StoreError(f"no review store at {self.path}")
        uri = "file:" + urllib.parse.quote(str(self.path.resolve())) + "?mode=ro"
        conn = sqlite3.connect(uri, uri=True, timeout=30, check_same_thread=False)
        try:
            conn.execute("PRAGMA user_version").fetchone()
        except sqlite3.OperationalError:
            # A WAL file cannot be read without its -shm file, which a read-only folder
            # cannot hold; nobody can write there either, so the file is read as immutable.
            conn.close()
            conn = sqlite3.connect(uri + "&immutable=1", uri=True, timeout=30, check_same_thread=False)
        conn.row_factory = sqlite3.Row
        return conn

    def _check_readable_version(self) -> None:
        version = self.schema_version
        schema.check_not_newer(version, self.path)
        if version < schema.SCHEMA_VERSION:
            raise ReadOnlyStore(
                f"{self.path}: the store needs an upgrade (schema {version} -> {schema.SCHEMA_VERSION}) but "
                "it is read-only here (the file or its folder is not writable); open it once with "
                "write access, e.g. `python -m workbench status --db FILE` as its owner")

    def _prepare_for_writing(self) -> None:
        """WAL mode and the schema; the slow path only for a new or older file, under a lock."""
        journal = self.conn.execute("PRAGMA journal_mode").fetchone()[0]
        if self.schema_version == schema.SCHEMA_VERSION and journal == "wal":
            return
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.path) + ".lock")
        try:
            with lock.acquire(timeout=120):
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode = WAL")
                schema.migrate(self.conn, self.path)
        except Timeout:
            raise StoreError(f"{self.path}: another process held {lock.lock_file} for 2 minutes "
                             "while creating or upgrading the store; try again") from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: committed on success, rolled back on any error.

        Inside another one it is a savepoint of the outer transaction, so a caller can
        make many changes all-or-nothing (an XLIFF import) through the usual methods.
        """
        if self.read_only:
            raise ReadOnlyStore(f"{self.path}: opened read-only (the file or its folder is not "
                                "writable here); nothing can be changed")
        if self.conn.in_transaction:
            self.conn.execute("SAVEPOINT nested")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK TO nested")
                self.conn.execute("RELEASE nested")
                raise
            self.conn.execute("RELEASE nested")
            return
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.rollback()
            raise
        self.conn.commit()

    @property
    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        return self.conn.execute("PRAGMA user_version").fetchone()[0]
