"""Writing entries back to a glossary file, the way a careful person edits it by hand.

`GlossaryFile.open(path)` reads one TSV or CSV glossary file and remembers its
fingerprint (modification time and SHA-256 of its bytes). `save_entry` and
`delete_entry` change exactly one row and keep every other byte as it was:
the other rows, comments, blank lines, column order, line endings and a BOM.
Before writing they

1. refuse if the file changed on disk since it was opened (`GlossaryChanged`):
   someone else edited it, and overwriting would lose their work;
2. run the glossary checker (`check_glossary`) over the whole glossary with
   the new file in place, and refuse (`GlossaryError`) if the change brings in
   a problem that was not there before;
3. write a temporary file in the same folder and `os.replace` it over the old
   one, so a reader sees the old file or the new one, never half of either.

All three happen under a lock on the file's folder (`workbench.files.folder_lock`), so
two editors in different processes cannot both pass the check: the later one is
refused with `GlossaryChanged` and no acknowledged change is ever lost.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbench.errors import DocumentError, GlossaryError, LocatedError, WorkbenchError
from workbench.files import folder_lock, read_guarded, write_atomic
from workbench.glossary.files import COLUMNS, MAX_FILE_BYTES, GlossaryFileError, check_glossary, glossary_files

_BOM = b"\xef\xbb\xbf"
#: Seconds an editor waits for another one's save of the same file.
LOCK_TIMEOUT = 30
# Characters that end a line for str.splitlines (and so for the TSV reader).
_LINE_BREAKS = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")
_PHYSICAL_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")
_LINE_SUFFIX = re.compile(r":\d+\b")


class GlossaryChanged(WorkbenchError):
    """The glossary file changed on disk since it was opened for editing."""


class GlossaryEditError(GlossaryFileError):
    """An entry cannot be written to this file as given."""


@dataclass(frozen=True)
class FileFingerprint:
    """What a file looked like when it was read: modification time and content hash."""

    mtime_ns: int
    sha256: str

    @classmethod
    def of(cls, path: Path) -> FileFingerprint:
        """The fingerprint of the file as it is now."""
        data = path.read_bytes()
        return cls(path.stat().st_mtime_ns, hashlib.sha256(data).hexdigest())


@dataclass(frozen=True)
class GlossaryRow:
    """One entry row of a glossary file: its first line and its cells by column name."""

    line: int
    cells: dict[str, str]

    @property
    def id(self) -> str:
        """The entry id ("" when the row has none)."""
        return self.cells.get("id", "")


@dataclass
class _Record:
    text: str  # exactly as in the file, line ending(s) included
    kind: str  # "header", "row" or "other" (blank line, comment)
    cells: list[str] | None = None


class GlossaryFile:
    """One glossary file opened for editing; see the module docstring."""

    def __init__(self, path: Path, scope: Path, data: bytes, fingerprint: FileFingerprint):
        self.path = path
        self.scope = scope
        self.fingerprint = fingerprint
        self.bom = data.startswith(_BOM)
        self.text = data[len(_BOM):].decode("utf-8") if self.bom else data.decode("utf-8")
        self.is_csv = path.suffix.lower() == ".csv"
        self.newline = "\r\n" if "\r\n" in self.text else "\n"
        self.records = self._split(self.text)
        header = next((r for r in self.records if r.kind == "header"), None)
        if header is None:
            raise GlossaryEditError("no header row: fix the file by hand first", path)
        self.columns = [cell.strip().lower() for cell in header.cells]

    @classmethod
    def open(cls, path: str | Path, *, scope: str | Path | None = None) -> GlossaryFile:
        """Read a glossary file for editing; `scope` is the whole glossary it belongs to.

        By default the scope is the file's folder (every .tsv/.csv file in it),
        which is how `glossaries/` is loaded.
        """
        path = Path(path)
        try:
            data = read_guarded(path, MAX_FILE_BYTES)
            fingerprint = FileFingerprint(path.stat().st_mtime_ns, hashlib.sha256(data).hexdigest())
        except DocumentError as exc:
            raise GlossaryEditError(exc.reason, path) from None
        except OSError as exc:
            raise GlossaryEditError(f"cannot read file: {exc.strerror}", path) from None
        try:
            return cls(path, Path(scope) if scope is not None else path.parent, data, fingerprint)
        except UnicodeDecodeError:
            raise GlossaryEditError("not valid UTF-8: fix the file by hand first", path) from None

    # -- reading ---------------------------------------------------------------------------
    def _split(self, text: str) -> list[_Record]:
        records: list[_Record] = []
        header_seen = False
        if self.is_csv:
            lines = _PHYSICAL_LINES.findall(text)
            reader = csv.reader(iter(lines), strict=True)
            consumed = 0
            while True:
                try:
                    cells = next(reader)
                except StopIteration:
                    break
                except csv.Error as exc:
                    raise GlossaryEditError(f"malformed CSV: {exc}; fix the file by hand first",
                                            self.path, consumed + 1) from None
                raw = "".join(lines[consumed:reader.line_num])
                consumed = reader.line_num
                if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
                    records.append(_Record(raw, "other"))
                else:
                    records.append(_Record(raw, "row" if header_seen else "header", cells))
                    header_seen = True
            return records
        for line in text.splitlines(keepends=True):
            content = line.rstrip("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
            if not content.strip() or content.lstrip().startswith("#"):
                records.append(_Record(line, "other"))
            else:
                records.append(_Record(line, "row" if header_seen else "header", content.split("\t")))
                header_seen = True
        return records

    def _line_of(self, index: int) -> int:
        if self.is_csv:
            return sum(len(_PHYSICAL_LINES.findall(r.text)) for r in self.records[:index]) + 1
        return index + 1  # one record per line

    def _cells_of(self, record: _Record) -> dict[str, str]:
        values = [cell.strip() for cell in record.cells]
        return {column: values[i] if i < len(values) else "" for i, column in enumerate(self.columns)}

    @property
    def rows(self) -> list[GlossaryRow]:
        """The entry rows in file order."""
        return [GlossaryRow(self._line_of(i), self._cells_of(r))
                for i, r in enumerate(self.records) if r.kind == "row"]

    def row(self, entry_id: str) -> GlossaryRow | None:
        """The row with this id, or None."""
        return next((row for row in self.rows if row.id == entry_id), None)

    def changed_on_disk(self) -> bool:
        """True when the file's bytes are no longer those that were read (or it is gone).

        The bytes are always hashed: file times are only as fine as the kernel's
        clock tick, so two writes within one tick can share a modification time.
        """
        try:
            return FileFingerprint.of(self.path).sha256 != self.fingerprint.sha256
        except OSError:
            return True

    # -- writing ---------------------------------------------------------------------------
    def save_entry(self, cells: dict[str, str], *, replacing: str | None = None) -> GlossaryFile:
        """Add an entry (`replacing=None`) or replace the row with id `replacing`; return the file reread."""
        records = list(self.records)
        text = self._format_row(cells)
        if replacing is None:
            if records and not records[-1].text.endswith(("\n", "\r")):
                records[-1] = _Record(records[-1].text + self.newline, records[-1].kind, records[-1].cells)
            records.append(_Record(text, "row"))
        else:
            index = self._index_of(replacing)
            ending = re.search(r"(\r\n|\r|\n)?\Z", records[index].text).group()
            records[index] = _Record(text[:-len(self.newline)] + ending, "row")
        return self._write(records)

    def delete_entry(self, entry_id: str) -> GlossaryFile:
        """Remove the row with this id; return the file reread."""
        records = list(self.records)
        del records[self._index_of(entry_id)]
        return self._write(records)

    def _index_of(self, entry_id: str) -> int:
        for index, record in enumerate(self.records):
            if record.kind == "row" and self._cells_of(record).get("id") == entry_id:
                return index
        raise GlossaryEditError(f"no entry '{entry_id}' in this file", self.path)

    def _format_row(self, cells: dict[str, str]) -> str:
        unknown = [c for c, v in cells.items() if (v or "").strip() and c not in self.columns]
        for column in unknown:
            reason = (f"column '{column}' is not in this file's header; add it to the header first"
                      if column in COLUMNS else f"unknown column '{column}'")
            raise GlossaryEditError(reason, self.path)
        values = [(cells.get(column) or "").strip() for column in self.columns]
        for column, value in zip(self.columns, values, strict=True):
            if _LINE_BREAKS.search(value) or (not self.is_csv and "\t" in value):
                what = "a line break" if _LINE_BREAKS.search(value) else "a tab"
                raise GlossaryEditError(f"column '{column}' contains {what}, which a glossary cell "
                                        "cannot hold", self.path)
        if not any(values):
            raise GlossaryEditError("the entry is empty", self.path)
        if values[0].startswith("#"):
            raise GlossaryEditError(f"column '{self.columns[0]}' starts with '#', which would turn "
                                    "the row into a comment", self.path)
        if self.is_csv:
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator=self.newline).writerow(values)
            return buffer.getvalue()
        return "\t".join(values) + self.newline

    def _write(self, records: list[_Record]) -> GlossaryFile:
        # A lock held from the change check to the rename: without it two editors could
        # both pass the check and the later rename would drop the earlier change.
        try:
            with folder_lock(self.path.parent, LOCK_TIMEOUT):
                return self._write_locked(records)
        except TimeoutError:
            raise GlossaryChanged(f"{self.path}: another editor has held the file for {LOCK_TIMEOUT} s; "
                                  "try again. Nothing was written.") from None

    def _write_locked(self, records: list[_Record]) -> GlossaryFile:
        if self.changed_on_disk():
            raise GlossaryChanged(
                f"{self.path}: the file changed on disk since it was loaded (someone else edited "
                "it); reload it and make your change again. Nothing was written.")
        data = (_BOM if self.bom else b"") + "".join(r.text for r in records).encode("utf-8")
        introduced = self._new_problems(data)
        if introduced:
            raise GlossaryError(introduced)
        write_atomic(self.path, data, mode=self.path.stat().st_mode & 0o7777)
        return GlossaryFile.open(self.path, scope=self.scope)

    # -- validation ------------------------------------------------------------------------
    def _scope_files(self) -> list[Path]:
        if self.scope.is_dir():
            files, _ = glossary_files(self.scope)
        else:
            files = [self.scope]
        resolved = {f.resolve() for f in files}
        return files if self.path.resolve() in resolved else files + [self.path]

    def _check_with(self, data: bytes) -> list[LocatedError]:
        """The checker's problems for the glossary with this file's bytes replaced by `data`."""
        files = self._scope_files()
        with tempfile.TemporaryDirectory(prefix="glossary-check-") as folder:
            copy = Path(folder)
            for file in files:
                own = file.resolve() == self.path.resolve()
                (copy / file.name).write_bytes(data if own else file.read_bytes())
            target = copy if self.scope.is_dir() or len(files) > 1 else copy / self.path.name
            problems = check_glossary(target)
            real = {file.name: file for file in files}
            located = []
            for problem in problems:
                name = Path(problem.path).name if problem.path else None
                reason = problem.reason
                for file in files:
                    reason = reason.replace(str(copy / file.name), str(file))
                reason = reason.replace(str(copy), str(self.scope))
                path = real.get(name, self.scope) if name else None
                located.append(GlossaryFileError(reason, path, problem.line))
            return located

    def _new_problems(self, data: bytes) -> list[LocatedError]:
        def key(problem: LocatedError) -> tuple[str, str]:
            return (Path(problem.path).name if problem.path else "",
                    _LINE_SUFFIX.sub("", problem.reason))

        current = self.text.encode("utf-8")
        before = {key(p) for p in self._check_with((_BOM if self.bom else b"") + current)}
        return [p for p in self._check_with(data) if key(p) not in before]

    def problems(self) -> list[LocatedError]:
        """The checker's problems of the glossary as it is on disk now."""
        return check_glossary(self.scope)
