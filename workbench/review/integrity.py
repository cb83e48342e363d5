"""Is a review store whole? One clear error for a damaged store, naming the file and what to do.

`check_store_intact` runs when a command opens the store (`cli.common.open_store`),
and once per process and file when the UI opens it (`check_store_intact_once`):
every table the schema makes must be there, and SQLite's `PRAGMA quick_check`
(every page readable, every index consistent with its table; about 0.7 s for a
550 MB file) must pass. A store from a newer workbench is refused where the store
opens (`ReviewStore`). `damaged_store_message` words the same advice for a
`sqlite3.DatabaseError` met later, so no command ends in a traceback or a silent
exit 0 on a broken file.
"""

from __future__ import annotations

import functools
import sqlite3
from pathlib import Path

from workbench.errors import StoreError


class StoreDamaged(StoreError):
    """The store file is corrupt or incomplete."""


def damaged_store_message(path: str | Path, detail: str) -> str:
    """The one message for a damaged store: which file, what SQLite said, what to do."""
    return (f"{path}: the review store is damaged ({detail}). Nothing was changed. Restore it from a "
            "backup, or check it with `sqlite3 FILE 'PRAGMA integrity_check'` (`.recover` can save what is "
            "readable); do not keep working on this file")


_DAMAGE_SIGNS = ("malformed", "no such table", "no such column", "not a database", "corrupt")


def database_error_message(path: str | Path, exc: sqlite3.DatabaseError) -> str:
    """The message for a database error met outside the open-time check: damage, or a passing condition.

    A locked, busy, read-only or unreachable store is not a damaged one: saying so would send
    a reviewer to restore a backup over good work.
    """
    detail = str(exc)
    if not isinstance(exc, sqlite3.OperationalError) or any(sign in detail.lower() for sign in _DAMAGE_SIGNS):
        return damaged_store_message(path, detail)
    return f"{path}: the review store cannot be used just now ({detail}); nothing was changed. Try again"


@functools.cache
def expected_tables() -> frozenset[str]:
    """The tables every migration together creates (built once, in memory)."""
    from workbench.review.store import MIGRATIONS, split_statements

    conn = sqlite3.connect(":memory:")
    try:
        for migration in MIGRATIONS:
            for statement in split_statements(migration):  # split as the store does: triggers hold ";" inside
                conn.execute(statement)
        return frozenset(row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"))
    finally:
        conn.close()


def check_store_intact(store) -> None:
    """Raise StoreDamaged naming the store when a table is missing or a page or index is damaged."""
    expected = expected_tables()  # outside the try: a fault here is ours, not the file's
    try:
        present = {row[0] for row in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = sorted(expected - present)
        if missing:
            raise StoreDamaged(damaged_store_message(store.path, f"table(s) {', '.join(missing)} missing"))
        problems = [row[0] for row in store.conn.execute("PRAGMA quick_check(5)")]
    except StoreDamaged:
        raise
    except sqlite3.DatabaseError as exc:
        message = database_error_message(store.path, exc)
        raise (StoreDamaged if "damaged" in message else StoreError)(message) from None
    if problems != ["ok"]:
        raise StoreDamaged(damaged_store_message(store.path, "; ".join(problems)[:300]))


_checked: set[tuple[str, int]] = set()


def check_store_intact_once(store) -> None:
    """`check_store_intact`, once per store file in this process (the UI opens the store every run)."""
    try:
        key = (str(store.path.resolve()), store.path.stat().st_ino)
    except OSError:
        key = (str(store.path), -1)
    if key in _checked:
        return
    check_store_intact(store)
    _checked.add(key)
