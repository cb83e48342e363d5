"""Reading and checking glossary files (TSV or CSV with a header row, UTF-8).

People edit these files by hand and review them in diffs, so the reader is
strict and complete: it collects every problem it can find, each as
`file:line: reason`, and a glossary with any problem is refused as a whole
(`load_glossary` raises `GlossaryError`); no row is ever skipped silently.

Format (see glossaries/README.md): one entry per row; blank lines and lines
starting with `#` are ignored; columns are named by the header, in any order:
`id`, the canonical terms `vi`, `en`, `zh`, the variant forms `vi_variants`,
`en_variants`, `zh_variants`, the forbidden renderings `vi_forbidden`,
`en_forbidden`, `zh_forbidden` (several forms separated by `|`),
`case_sensitive` and `enforce` (yes/no), `context` (what must surround a form
before it matches, e.g. `vi:quoted|vi:after=mô hình`; optional) and `note`. Only `id` and `en` are
required columns. TSV fields are split on tabs with no quoting; CSV follows
RFC 4180 quoting.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbench.errors import DocumentError, GlossaryError, LocatedError
from workbench.files import read_guarded, special_kind
from workbench.glossary.entries import LANGUAGES, Glossary, GlossaryEntry, parse_context
from workbench.glossary.matching import TermMatcher, has_matchable_content

GLOSSARY_SUFFIXES = (".tsv", ".csv")
FORM_SEPARATOR = "|"
TERM_COLUMNS = LANGUAGES
VARIANT_COLUMNS = tuple(f"{lang}_variants" for lang in LANGUAGES)
FORBIDDEN_COLUMNS = tuple(f"{lang}_forbidden" for lang in LANGUAGES)
FLAG_COLUMNS = ("case_sensitive", "enforce")
COLUMNS = ("id",) + TERM_COLUMNS + VARIANT_COLUMNS + FORBIDDEN_COLUMNS + FLAG_COLUMNS + ("context", "note")
REQUIRED_COLUMNS = ("id", "en")
FLAG_VALUES = {"yes": True, "y": True, "true": True, "1": True,
               "no": False, "n": False, "false": False, "0": False}
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*\Z")
_CONTROL_RE = re.compile(r"[\x00-\x1f\x7f]")

# Limits that keep a pasted paragraph or a runaway cell from passing as a term.
MAX_FILE_BYTES = 20_000_000
MAX_LINE_CHARS = 20_000
MAX_ID_CHARS = 100
MAX_FORM_CHARS = 200
MAX_FORMS_PER_CELL = 50
MAX_NOTE_CHARS = 2_000

# Which language's canonical term a source form in each language is translated into.
TARGET_OF = {"vi": "en", "en": "vi", "zh": "en"}


class GlossaryFileError(LocatedError):
    """One problem in a glossary file, at `path:line`."""


def default_glossary_path() -> Path:
    """The glossary in use: WORKBENCH_GLOSSARY, else `glossary` in workbench.toml, else `glossaries/`."""
    from workbench.config import default_glossary_path as configured_glossary_path

    return configured_glossary_path()


@dataclass
class _ParsedFile:
    entries: list[GlossaryEntry] = field(default_factory=list)
    problems: list[LocatedError] = field(default_factory=list)
    content: bytes = b""
    row_ids: list[tuple[str, int]] = field(default_factory=list)  # every row's id, valid or not


def glossary_files(path: str | Path) -> tuple[list[Path], list[LocatedError]]:
    """The glossary files at `path` (a file, or the .tsv/.csv files of a folder) and problems."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and p.suffix.lower() in GLOSSARY_SUFFIXES
                       and not p.name.startswith("."))
        if not files:
            return [], [GlossaryFileError("no .tsv or .csv glossary files in this folder", path)]
        return files, []
    if path.is_file():
        if path.suffix.lower() not in GLOSSARY_SUFFIXES:
            return [], [GlossaryFileError(
                f"unknown glossary file type '{path.suffix}' (expected .tsv or .csv)", path)]
        return [path], []
    try:
        kind = special_kind(path.stat().st_mode)
    except OSError:
        return [], [GlossaryFileError("no such file or folder", path)]
    return [], [GlossaryFileError(f"{kind}, not a glossary file (.tsv or .csv); not read", path)]


def read_glossary(path: str | Path | None = None) -> tuple[Glossary | None, list[LocatedError]]:
    """Parse and check a glossary file or folder; return (glossary or None, problems)."""
    path = default_glossary_path() if path is None else Path(path)
    files, problems = glossary_files(path)
    entries: list[GlossaryEntry] = []
    digest = hashlib.sha256()
    first_with_id: dict[str, str] = {}
    for file in files:
        parsed = _parse_file(file)
        problems.extend(parsed.problems)
        entries.extend(parsed.entries)
        # Ids are compared over every row, so a duplicate is reported even on a broken row.
        for entry_id, line in parsed.row_ids:
            if entry_id in first_with_id:
                problems.append(GlossaryFileError(
                    f"duplicate id '{entry_id}' (first defined at {first_with_id[entry_id]})",
                    file, line))
            else:
                first_with_id[entry_id] = f"{file}:{line}"
        # The version hashes names and bytes, not locations: the same files elsewhere agree.
        digest.update(file.name.encode() + b"\0" + parsed.content + b"\0")
    if files and not entries and not problems:
        problems.append(GlossaryFileError("the glossary has no entries", path))
    problems.extend(cross_entry_problems(entries, check_ids=False))
    problems.sort(key=lambda p: (files.index(Path(p.path)) if p.path and Path(p.path) in files
                                 else -1, p.line or 0))
    if problems:
        return None, problems
    glossary = Glossary(entries, "sha256:" + digest.hexdigest()[:16], [str(f) for f in files])
    return glossary, []


def load_glossary(path: str | Path | None = None) -> Glossary:
    """Load a glossary file or folder; raise GlossaryError listing every problem."""
    glossary, problems = read_glossary(path)
    if problems:
        raise GlossaryError(problems)
    return glossary


def check_glossary(path: str | Path | None = None) -> list[LocatedError]:
    """Every problem in a glossary file or folder (empty when it is fine)."""
    return read_glossary(path)[1]


# -- one file ------------------------------------------------------------------------------
def _parse_file(path: Path) -> _ParsedFile:
    parsed = _ParsedFile()
    try:  # the guarded door: a regular file, at most MAX_FILE_BYTES read
        data = read_guarded(path, MAX_FILE_BYTES, advice="; is this a glossary?")
    except DocumentError as exc:
        parsed.problems.append(GlossaryFileError(exc.reason, path))
        return parsed
    parsed.content = data
    text = _decode(data, path, parsed.problems)
    if text is None:
        return parsed
    rows = list(_rows(text, path, parsed.problems, csv_format=path.suffix.lower() == ".csv"))
    if not rows:
        if not parsed.problems:
            parsed.problems.append(GlossaryFileError("empty file: expected a header row", path, 1))
        return parsed
    header_line, header = rows[0]
    if header is None:
        return parsed
    columns = _check_header(header, path, header_line, parsed.problems)
    if columns is None:
        return parsed
    if len(rows) == 1:
        parsed.problems.append(GlossaryFileError("header row but no entries", path, header_line))
    id_index = columns.index("id")
    for line, cells in rows[1:]:
        if cells is None:
            continue
        if id_index < len(cells) and cells[id_index].strip():
            parsed.row_ids.append((cells[id_index].strip(), line))
        entry = _parse_row(cells, columns, path, line, parsed.problems)
        if entry is not None:
            parsed.entries.append(entry)
    return parsed


def _decode(data: bytes, path: Path, problems: list) -> str | None:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        problems.append(GlossaryFileError("file is UTF-16; save it as UTF-8", path, 1))
        return None
    if b"\0" in data:
        line = data[:data.index(b"\0")].count(b"\n") + 1
        problems.append(GlossaryFileError("NUL byte: this is not a text file", path, line))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[:exc.start]
        line = before.count(b"\n") + 1
        column = exc.start - (before.rfind(b"\n") + 1) + 1
        problems.append(GlossaryFileError(
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at column {column}); "
            "save the file as UTF-8", path, line))
        return None


def _rows(text: str, path: Path, problems: list, *, csv_format: bool):
    """(line number, cells) of every non-blank, non-comment row."""
    if not csv_format:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if len(line) > MAX_LINE_CHARS:
                problems.append(GlossaryFileError(
                    f"line is {len(line)} characters long (at most {MAX_LINE_CHARS})", path, number))
                yield number, None  # reported; still a row, so the file is not "empty"
                continue
            yield number, line.split("\t")
        return
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            problems.append(GlossaryFileError(f"malformed CSV: {exc}", path, start))
            return
        if not cells or all(not c.strip() for c in cells) or cells[0].lstrip().startswith("#"):
            continue
        if sum(len(c) for c in cells) > MAX_LINE_CHARS:
            problems.append(GlossaryFileError(
                f"row is {sum(len(c) for c in cells)} characters long (at most {MAX_LINE_CHARS})",
                path, start))
            yield start, None
            continue
        yield start, cells


def _check_header(header: list[str], path: Path, line: int, problems: list) -> list[str] | None:
    columns = [cell.strip().lower() for cell in header]
    before = len(problems)
    seen = set()
    for column in columns:
        if column not in COLUMNS:
            problems.append(GlossaryFileError(
                f"unknown column '{column}' in header (known: {', '.join(COLUMNS)})", path, line))
        elif column in seen:
            problems.append(GlossaryFileError(f"column '{column}' appears twice in header", path, line))
        seen.add(column)
    for required in REQUIRED_COLUMNS:
        if required not in seen:
            problems.append(GlossaryFileError(f"header lacks the required column '{required}'",
                                              path, line))
    if not {"vi", "zh"} & seen:
        problems.append(GlossaryFileError("header needs a 'vi' or 'zh' column", path, line))
    return columns if len(problems) == before else None


def _parse_row(cells: list[str], columns: list[str], path: Path, line: int,
               problems: list) -> GlossaryEntry | None:
    def problem(reason: str) -> None:
        problems.append(GlossaryFileError(reason, path, line))

    if len(cells) != len(columns):
        separator = "tab-separated " if path.suffix.lower() == ".tsv" else ""
        problem(f"expected {len(columns)} {separator}columns, found {len(cells)}")
        return None
    row = {column: cell.strip() for column, cell in zip(columns, cells, strict=True)}
    before = len(problems)
    entry_id = row.get("id", "")
    if not entry_id:
        problem("missing id")
    elif len(entry_id) > MAX_ID_CHARS:
        problem(f"id is {len(entry_id)} characters long (at most {MAX_ID_CHARS})")
    elif not ID_PATTERN.match(entry_id):
        problem(f"bad id '{entry_id}': use letters, digits and . _ : - (not starting with one)")
    label = f"entry '{entry_id}'" if entry_id else "entry"

    terms: dict[str, str] = {}
    variants: dict[str, tuple[str, ...]] = {}
    forbidden: dict[str, tuple[str, ...]] = {}
    for lang in LANGUAGES:
        term = row.get(lang, "")
        if term:
            if _form_problem(term, lang, problem, label):
                terms[lang] = term
        for column, target in ((f"{lang}_variants", variants), (f"{lang}_forbidden", forbidden)):
            forms = _split_forms(row.get(column, ""), column, problem, label)
            if forms and not term and column.endswith("_variants"):
                problem(f"{label}: {column} given but the {lang} term is empty")
            if forms:
                target[lang] = tuple(f for f in forms if _form_problem(f, lang, problem, label))
    if "en" not in terms and not row.get("en"):
        problem(f"{label}: missing term in column 'en'")
    if not terms.keys() & {"vi", "zh"} and not (row.get("vi") or row.get("zh")):
        problem(f"{label}: missing term in column 'vi' (or 'zh')")
    flags = {}
    for column, default in (("case_sensitive", False), ("enforce", True)):
        value = row.get(column, "").lower()
        if not value:
            flags[column] = default
        elif value in FLAG_VALUES:
            flags[column] = FLAG_VALUES[value]
        else:
            problem(f"{label}: column '{column}' must be yes or no, not '{row.get(column)}'")
    context = {}
    try:
        context = parse_context(row.get("context", ""))
    except ValueError as exc:
        problem(f"{label}: column 'context': {exc}")
    note = row.get("note", "")
    if len(note) > MAX_NOTE_CHARS:
        problem(f"{label}: note is {len(note)} characters long (at most {MAX_NOTE_CHARS})")
    if len(problems) != before:
        return None
    return GlossaryEntry(entry_id, terms, variants, forbidden, note,
                         flags["case_sensitive"], flags["enforce"], str(path), line, context)


def _split_forms(cell: str, column: str, problem, label: str) -> list[str]:
    if not cell:
        return []
    forms = [form.strip() for form in cell.split(FORM_SEPARATOR)]
    if any(not form for form in forms):
        problem(f"{label}: empty form in column '{column}' (stray '{FORM_SEPARATOR}'?)")
        forms = [form for form in forms if form]
    if len(forms) > MAX_FORMS_PER_CELL:
        problem(f"{label}: {len(forms)} forms in column '{column}' (at most {MAX_FORMS_PER_CELL})")
        return []
    return forms


def _form_problem(form: str, lang: str, problem, label: str) -> bool:
    """Report what is wrong with one form; True if it is usable."""
    if len(form) > MAX_FORM_CHARS:
        problem(f"{label}: {lang} form '{form[:40]}...' is {len(form)} characters long "
                f"(at most {MAX_FORM_CHARS})")
        return False
    if not has_matchable_content(form):
        problem(f"{label}: {lang} form '{form}' has no letter, digit or ideograph")
        return False
    if _CONTROL_RE.search(form):
        problem(f"{label}: {lang} form {form!r} contains a control character")
        return False
    return True


# -- the whole glossary --------------------------------------------------------------------
def _where(entry: GlossaryEntry) -> str:
    return f"{entry.path}:{entry.line}"


def cross_entry_problems(entries: list[GlossaryEntry], *, check_ids: bool = True
                         ) -> list[LocatedError]:
    """Duplicate ids, one source form with two targets, forbidden forms that are terms."""
    problems: list[LocatedError] = []

    def problem(entry: GlossaryEntry, reason: str) -> None:
        problems.append(GlossaryFileError(reason, entry.path, entry.line))

    first_with_id: dict[str, GlossaryEntry] = {}
    for entry in entries if check_ids else ():
        if entry.id in first_with_id:
            problem(entry, f"duplicate id '{entry.id}' (first defined at "
                           f"{_where(first_with_id[entry.id])})")
        else:
            first_with_id[entry.id] = entry

    keys_of: dict[tuple[str, str], tuple] = {}

    def form_keys(lang: str, form: str) -> tuple:
        key = keys_of.get((lang, form))
        if key is None:
            key = keys_of[(lang, form)] = keyers[lang].form_keys(form)
        return key

    keyers = {lang: TermMatcher(lang) for lang in LANGUAGES}
    for lang in LANGUAGES:
        target_lang = TARGET_OF[lang]
        owner: dict[tuple, tuple[GlossaryEntry, str]] = {}
        kind_of: dict[tuple, tuple[GlossaryEntry, str]] = {}
        for entry in entries:
            for form in entry.forms(lang):
                key = form_keys(lang, form)
                kind_of.setdefault(key, (entry, "term" if form == entry.term(lang) else "variant"))
                if key not in owner:
                    owner[key] = (entry, form)
                    continue
                other, other_form = owner[key]
                if other.id == entry.id:
                    continue
                mine = entry.term(target_lang) or ""
                theirs = other.term(target_lang) or ""
                if form_keys(target_lang, mine) != form_keys(target_lang, theirs):
                    problem(entry, f"{lang} form '{form}' maps to '{mine}' here but to "
                                   f"'{theirs}' in entry '{other.id}' ({_where(other)})")
                else:
                    problem(entry, f"{lang} form '{form}' is also a form of entry '{other.id}' "
                                   f"({_where(other)}); merge the two entries")
        for entry in entries:
            own = {form_keys(lang, form) for form in entry.forms(lang)}
            for form in entry.forbidden.get(lang, ()):
                key = form_keys(lang, form)
                if key in own:
                    problem(entry, f"entry '{entry.id}': forbidden {lang} rendering '{form}' is "
                                   "also one of its own forms")
                elif key in kind_of:
                    other, kind = kind_of[key]
                    what = "canonical term" if kind == "term" else "variant"
                    problem(entry, f"entry '{entry.id}': forbidden {lang} rendering '{form}' is "
                                   f"the {what} of entry '{other.id}' ({_where(other)})")
    return problems
