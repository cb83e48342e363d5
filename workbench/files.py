"""Every file in through one guarded door, every file out whole.

In: `read_guarded` is the one way the workbench reads a file it was handed
(documents, sidecars, uploads, XLIFF, TBX, glossary files, the users file). It
opens regular files only: a named pipe, a device or a socket is refused by name
and never opened (so a FIFO cannot block a run and /dev/zero cannot fill
memory); a symbolic link that leads outside the folder a run was given is not
followed unless the caller asks for it; the size limit counts the bytes actually
read, not what `stat` claimed. `check_archive` looks at a ZIP package (DOCX)
before anything unpacks it: total uncompressed size and compression ratio.
`parse_xml` parses XML without entities, DTDs or network access and within
lxml's depth limit; a document that declares a DTD is refused outright.

Out: `write_atomic` is the one way the workbench writes a file: a temporary
file beside the target, flushed and fsynced, given the mode the umask gives a
new file, then renamed over the target. A reader sees the old file or the new
one, never half of either, and a failure (full disk, no permission) leaves the
previous file as it was and says so.

`spreadsheet_safe` is the rule every TSV and CSV the workbench writes applies to
its cells by default (a leading `=`, `+`, `-`, `@`, tab or carriage return would
make a spreadsheet evaluate the cell).

Any failure is a `FileRefused` (a `DocumentError`: `path: reason`) or a
`WriteFailed`, never a bare OSError, so each front prints it as one line.
"""

from __future__ import annotations

import errno
import os
import stat
import tempfile
import threading
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

from workbench.errors import DocumentError, WorkbenchError

#: Read in pieces of this size, so a limit is enforced on the bytes read so far.
_CHUNK = 1 << 20
#: A ZIP package may expand to at most this many bytes in all ...
MAX_ARCHIVE_UNPACKED = 200 * 1024 * 1024
#: ... and no member larger than `_RATIO_FLOOR` may expand more than this many times.
MAX_COMPRESSION_RATIO = 100
_RATIO_FLOOR = 1024 * 1024
MAX_ARCHIVE_MEMBERS = 10_000
#: XML larger than this is refused before parsing.
MAX_XML_BYTES = 100 * 1024 * 1024


class FileRefused(DocumentError):
    """A file was not read: not a regular file, a link leading out, too large, unsafe content."""


class WriteFailed(WorkbenchError):
    """A file could not be written; the previous file at that path is unchanged."""


def special_kind(mode: int) -> str | None:
    """'a named pipe (FIFO)', 'a socket', 'a device'... for a non-regular file's mode; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISDIR(mode):
        return "a folder"
    return "not a regular file"


def _os_reason(exc: OSError) -> str:
    if exc.errno == errno.ENAMETOOLONG:
        return "the file name is too long for this file system (at most 255 bytes per name); rename it"
    return exc.strerror or str(exc)


def link_outside(path: Path, root: Path) -> Path | None:
    """Where `path` leads when a symbolic link on its way leaves `root`; None when it stays inside."""
    try:
        target = path.resolve()
        inside = root.resolve()
    except (OSError, RuntimeError):  # a link loop
        return path
    if target == inside or inside in target.parents:
        return None
    return target


def check_regular(path: str | Path, *, root: str | Path | None = None,
                  follow_symlinks: bool = False) -> os.stat_result:
    """The stat of `path` when it may be read: a regular file, not a link out of `root`.

    Raises FileRefused naming what the path is. Never opens the file.
    """
    path = Path(path)
    try:
        os.lstat(path)
        if root is not None and not follow_symlinks:  # the file itself or a folder on its way
            outside = link_outside(path, Path(root))
            if outside is not None:
                raise FileRefused(f"a symbolic link to {outside}, outside {root}; not followed "
                                  "(give --follow-symlinks to read it)", path)
        info = os.stat(path)
    except FileNotFoundError:
        raise FileRefused("cannot read (no such file)", path) from None
    except OSError as exc:
        raise FileRefused(f"cannot read ({_os_reason(exc)})", path) from None
    kind = special_kind(info.st_mode)
    if kind:
        raise FileRefused(f"{kind}, not a regular file; not opened", path)
    return info


def read_guarded(path: str | Path, limit: int, *, what: str = "file", root: str | Path | None = None,
                 follow_symlinks: bool = False, advice: str = "") -> bytes:
    """The bytes of a regular file, at most `limit` of them; raise FileRefused otherwise.

    The file is opened non-blocking (a pipe swapped in after the check still cannot
    block), checked again on the open descriptor, and read piece by piece so that
    the limit counts what was actually read. `advice` follows the limit in the message.
    """
    path = Path(path)
    declared = check_regular(path, root=root, follow_symlinks=follow_symlinks).st_size
    if declared > limit:  # refused without reading it
        raise FileRefused(f"{what} is {declared / 1e6:.1f} MB, above the {_size(limit)} limit{advice}", path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as exc:
        raise FileRefused(f"cannot read ({_os_reason(exc)})", path) from None
    try:
        kind = special_kind(os.fstat(descriptor).st_mode)
        if kind:
            raise FileRefused(f"{kind}, not a regular file; not read", path)
        pieces: list[bytes] = []
        total = 0
        while True:
            piece = os.read(descriptor, min(_CHUNK, limit + 1 - total))
            if not piece:
                break
            pieces.append(piece)
            total += len(piece)
            if total > limit:
                raise FileRefused(f"{what} is above the {_size(limit)} limit{advice}; not read", path)
        return b"".join(pieces)
    except OSError as exc:
        raise FileRefused(f"cannot read ({_os_reason(exc)})", path) from None
    finally:
        os.close(descriptor)


def _size(count: int) -> str:
    return f"{count // 2**20} MiB" if count >= 2**20 else f"{count // 1024} KiB" if count >= 1024 else f"{count} bytes"


def check_archive(archive: zipfile.ZipFile, path: str | Path, *, max_unpacked: int = MAX_ARCHIVE_UNPACKED,
                  max_ratio: int = MAX_COMPRESSION_RATIO) -> None:
    """Refuse a ZIP package that would unpack too large or too compressed (a zip bomb), before unpacking.

    Python's zipfile never inflates a member past its declared size, so the declared
    sizes checked here bound what a later reader can unpack.
    """
    members = archive.infolist()
    if len(members) > MAX_ARCHIVE_MEMBERS:
        raise FileRefused(f"the package holds {len(members)} files, above the {MAX_ARCHIVE_MEMBERS} limit", path)
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > _RATIO_FLOOR and member.file_size > max_ratio * max(member.compress_size, 1):
            raise FileRefused(
                f"'{member.filename}' expands {member.file_size // max(member.compress_size, 1)} times "
                f"({_size(member.file_size)}), above the {max_ratio}x limit: a zip bomb?; not unpacked", path)
    if total > max_unpacked:
        raise FileRefused(f"the package expands to {_size(total)}, above the {_size(max_unpacked)} limit; "
                          "not unpacked", path)


def safe_xml_parser(**options):
    """An lxml parser that resolves no entity, loads no DTD, reaches no network and keeps depth limits."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False,
                           huge_tree=False, **options)


def parse_xml(data: bytes, path: str | Path | None = None, *, what: str = "the XML", in_file: bool = True,
              allow_doctype: bool = False, **options):
    """Parse XML bytes safely (see `safe_xml_parser`); return the root element or raise FileRefused.

    `in_file` False: the XML is a part inside `path` (a DOCX package), so its line numbers
    are not lines of `path` and are left out.

    A document type declaration is refused (entities are how XML attacks work: billion
    laughs, XXE); `allow_doctype` lets through one that only names an external DTD
    (TBX v2 files carry `<!DOCTYPE martif SYSTEM "TBXcoreStructV02.dtd">`), which is
    never loaded. An internal subset, where entities are declared, is always refused,
    and so is any entity reference left in the tree.
    """
    from lxml import etree

    if len(data) > MAX_XML_BYTES:
        raise FileRefused(f"{what} is larger than the {_size(MAX_XML_BYTES)} limit", path)
    try:
        root = etree.fromstring(data, safe_xml_parser(**options))
    except etree.XMLSyntaxError as exc:
        if in_file:
            raise FileRefused(f"not well-formed XML: {exc.msg}", path, exc.lineno) from None
        raise FileRefused(f"{what} is not well-formed XML: {exc.msg}", path) from None
    except ValueError as exc:
        raise FileRefused(f"{what} is not readable XML ({exc})", path) from None
    if root is None:
        raise FileRefused(f"empty {what}", path)
    info = root.getroottree().docinfo
    internal = info.internalDTD
    declares = internal is not None and (any(True for _ in internal.iterentities())
                                         or any(True for _ in internal.iterelements()))
    if declares or (info.doctype and not allow_doctype):
        raise FileRefused(f"{what} declares a DTD (<!DOCTYPE ...>), which is refused: entities in "
                          "it could expand without bound or read local files", path)
    for node in root.iter(etree.Entity):
        raise FileRefused(f"{what} uses an entity reference ({node.text}), which is refused", path,
                          node.sourceline if in_file else None)
    return root


# -- out -------------------------------------------------------------------------------------------
#: What makes a spreadsheet read a cell as a formula (OWASP's CSV injection list).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _needs_guard(text: str) -> bool:
    return text.startswith(_FORMULA_STARTS) or (text.startswith("'") and _needs_guard(text[1:]))


def spreadsheet_safe(text: str) -> str:
    """A TSV/CSV cell a spreadsheet shows as text: a leading = + - @ tab or CR gets a `'` before it.

    A cell that already starts with `'` before such a character gets one more, so
    `spreadsheet_unsafe` gives back exactly the text that was written.
    """
    return "'" + text if _needs_guard(text) else text


def spreadsheet_unsafe(text: str) -> str:
    """Undo `spreadsheet_safe`."""
    return text[1:] if text.startswith("'") and _needs_guard(text[1:]) else text


_umask_lock = threading.Lock()


def current_umask() -> int:
    """The process's umask, read without changing it where the system allows (Linux /proc)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    with _umask_lock:  # elsewhere: set and restore, briefly
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


@contextmanager
def folder_lock(folder: str | Path, timeout: float):
    """Hold an exclusive lock on a folder (flock on its descriptor) for a check-and-replace of a file in it.

    Locking the folder, not the file, because the file's inode changes with every
    atomic replace, and a lock file would clutter a folder a person edits. Raises
    TimeoutError when another process holds it for `timeout` seconds.
    """
    import fcntl

    descriptor = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"{folder} is locked by another process") from None
                time.sleep(0.01)
        yield
    finally:
        os.close(descriptor)  # closing the last descriptor releases the lock


def write_atomic(path: str | Path, data: bytes | str, *, mode: int | None = None) -> None:
    """Write `data` to `path` whole or not at all; raise WriteFailed, the previous file intact.

    The new file gets `mode` if given, else the mode the umask gives a new file
    (0666 less the umask), never the temporary file's 0600.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    temporary = None
    try:
        if path.is_dir():
            raise IsADirectoryError(errno.EISDIR, "it is a folder")
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:200]}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
            os.fchmod(out.fileno(), mode if mode is not None else 0o666 & ~current_umask())
        os.replace(temporary, path)
        temporary = None
    except OSError as exc:
        kept = "the previous file is unchanged" if path.exists() else "nothing was written"
        raise WriteFailed(f"{path}: cannot write ({_os_reason(exc)}); {kept}") from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)
