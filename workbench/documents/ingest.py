"""Read a press-report text file into a clean, segmentable document.

Steps, in order: decode the bytes (UTF-8, UTF-8/UTF-16 with BOM, Windows-1258
Vietnamese; anything else is refused, never guessed into mojibake), normalise
Unicode (NFC, Ð used for Đ, control characters dropped once, here, so that
what is stored, exported and re-imported is the same text), detect the
language among many (lingua, offline; only vi, en and zh are translated, any
other language is refused by name unless the caller gives the language), pull
metadata out of the text (title, date, outlet, author), and drop boilerplate
(hotlines, share buttons, editor lines, repeated paragraphs), keeping what was
dropped.

A sidecar file `NAME.meta.json` next to `NAME.txt` can set `lang`,
`machine_translated_from` (e.g. "zh": the English text is a machine translation
of a Chinese original), `title`, `date`, `outlet` and `author`; options passed
by the caller override the sidecar.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from pathlib import Path

from workbench.documents.readers import METADATA_KEYS, ExtractedDocument, extract_document
from workbench.errors import DocumentError, EncodingRefused, UnknownLanguage
from workbench.files import read_guarded
from workbench.text import (
    KANA_CHARACTER,
    LANGUAGE_NAMES,
    SUPPORTED_LANGUAGES,
    VIETNAMESE_LETTERS,
    is_han,
    language_name,
    repair_vietnamese_d,
)

# What the language detector chooses among: ours, and those our documents get confused with
# (Latin-script languages with accents, the languages of the region). ISO 639-1 codes.
DETECTED_LANGUAGES = ("vi", "en", "zh", "fr", "de", "es", "pt", "it", "nl", "id", "ms", "pl", "cs",
                      "ro", "tr", "ru", "ja", "ko", "th")
# The detector's confidence (0-1) above which a language other than ours is refused by name.
FOREIGN_CONFIDENCE = 0.5
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024
MAX_SIDECAR_BYTES = 64 * 1024
MAX_METADATA_CHARS = 1000
SIDECAR_SUFFIX = ".meta.json"
SIDECAR_KEYS = {"lang", "machine_translated_from", "title", "date", "outlet", "author"}

_ENGLISH_FUNCTION_WORDS = {
    "the", "of", "and", "to", "in", "is", "was", "that", "for", "on", "with", "as",
    "by", "are", "be", "this", "it", "from", "at", "an", "has", "have", "will",
}
_KNOWN_OUTLETS = {
    "BHG": "Báo Hà Giang",
    "LSO": "Báo Lạng Sơn",
    "Biên phòng": "Báo Biên phòng",
}

_BOILERPLATE_RULES: list[tuple[str, re.Pattern[str]]] = [
    ("hotline", re.compile(r"^\s*Đường dây nóng\s*:", re.IGNORECASE)),
    ("comment widget", re.compile(r"^\s*(Bình luận|Ý kiến\s*\(\d*\)|Gửi bình luận)\s*$", re.IGNORECASE)),
    ("share button", re.compile(r"^\s*(ZALO|Facebook|Twitter|Chia sẻ|In bài|Share)\s*$", re.IGNORECASE)),
    ("WeChat scan line", re.compile(r"^\s*WeChat\s+[\"“]?Scan[\"”]?", re.IGNORECASE)),
    ("editor line", re.compile(r"^\s*[(（]\s*(Editor in charge|Responsible editor)\s*:.*[)）]\s*$", re.IGNORECASE)),
    ("site breadcrumb", re.compile(r"^.{1,60}\s>>\s.{1,60}$")),
    ("stray token", re.compile(r"^\s*[a-z]*x{3,}[a-z]*\s*$")),
]

_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}(?:-\d{2})?)\b\s*")
_ENGLISH_DATELINE = re.compile(
    r"^\s*(?:\d{1,2}:\d{2},\s*)?(January|February|March|April|May|June|July|August|September|"
    r"October|November|December)\s+(\d{1,2}),\s*(\d{4})\s*(?:Source:\s*(?P<outlet>.+))?$"
)
_VI_NUMERIC_DATE = re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4})\b")
_VI_OUTLET_PREFIX = re.compile(r"^\s*(?P<outlet>[A-ZĐ]{2,5}|Biên phòng)\s*-\s*(?=\S)")
_BYLINE = re.compile(r"^\s*([A-ZĐ][\wÀ-ỹ]+(?:\s+[A-ZĐ][\wÀ-ỹ]+){1,3})\s*$")


@dataclass
class RemovedLine:
    """A line dropped from a document, kept so a reviewer can inspect it."""

    line: int
    text: str
    reason: str


@dataclass
class Paragraph:
    """A non-empty line of the cleaned document, with its 1-based line number."""

    line: int
    text: str
    kind: str = "body"  # "heading", "dateline" or "body"


@dataclass
class Document:
    """A decoded, cleaned document ready for segmentation."""

    path: str
    name: str
    lang: str
    machine_translated_from: str | None
    encoding: str
    content_hash: str
    paragraphs: list[Paragraph]
    title: str | None = None
    date: str | None = None
    outlet: str | None = None
    author: str | None = None
    removed: list[RemovedLine] = field(default_factory=list)
    # Things a reader should know that did not stop the import (e.g. an over-long sentence split).
    warnings: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """'machine_translation' when the text is an MT of another language, else 'original'."""
        return "machine_translation" if self.machine_translated_from else "original"

    def removed_as_dicts(self) -> list[dict]:
        """The removed lines as plain dicts (for JSON storage)."""
        return [asdict(r) for r in self.removed]


def read_document(
    path: str | Path,
    *,
    lang: str | None = None,
    machine_translated_from: str | None = None,
    root: str | Path | None = None,
    follow_symlinks: bool = False,
) -> Document:
    """Read, decode and clean one document file; raise DocumentError naming the file.

    The file and its sidecar are read through the guarded door (`workbench.files`):
    regular files only, at most MAX_DOCUMENT_BYTES read, and a symbolic link leading
    outside `root` (the folder the run was given) not followed unless `follow_symlinks`.
    """
    path = Path(path)
    raw = read_guarded(path, MAX_DOCUMENT_BYTES, what="file", root=root,
                       follow_symlinks=follow_symlinks, advice=" for one document; split it")
    sidecar = read_sidecar(path, root=root, follow_symlinks=follow_symlinks)
    return parse_document(
        raw,
        path=str(path),
        lang=lang or sidecar.get("lang"),
        machine_translated_from=machine_translated_from or sidecar.get("machine_translated_from"),
        overrides={k: v for k, v in sidecar.items() if k in {"title", "date", "outlet", "author"}},
    )


def read_sidecar(path: Path, *, root: str | Path | None = None, follow_symlinks: bool = False) -> dict:
    """Read `NAME.meta.json` beside `NAME.txt` if present; raise DocumentError if malformed.

    Every field must be a string (the languages one of ours); a sidecar that is not a
    regular file (a named pipe...) is refused without being opened.
    """
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    try:
        os.lstat(sidecar)
    except OSError:  # absent, or a name too long to exist beside this document
        return {}
    raw = read_guarded(sidecar, MAX_SIDECAR_BYTES, what="the sidecar", root=root,
                       follow_symlinks=follow_symlinks)
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise DocumentError(f"sidecar is not valid UTF-8 JSON ({exc})", sidecar, line) from None
    except RecursionError:
        raise DocumentError("sidecar JSON is nested too deeply", sidecar) from None
    if not isinstance(data, dict):
        raise DocumentError("sidecar must hold a JSON object", sidecar)
    unknown = set(data) - SIDECAR_KEYS
    if unknown:
        raise DocumentError(
            f"unknown sidecar keys {sorted(unknown)}; allowed: {sorted(SIDECAR_KEYS)}", sidecar)
    for key, value in data.items():
        if value is not None and not isinstance(value, str):
            raise DocumentError(f"sidecar field '{key}' must be a string, not {type(value).__name__}", sidecar)
        if key in ("lang", "machine_translated_from") and value and value not in SUPPORTED_LANGUAGES:
            raise DocumentError(f"sidecar field '{key}' must be one of {', '.join(SUPPORTED_LANGUAGES)}, "
                                f"not {value!r}", sidecar)
        if isinstance(value, str) and len(value) > MAX_METADATA_CHARS:
            raise DocumentError(f"sidecar field '{key}' is longer than {MAX_METADATA_CHARS} characters", sidecar)
    return {key: normalise_unicode(value).strip() if isinstance(value, str) else value
            for key, value in data.items()}


def parse_document(
    raw: bytes,
    *,
    path: str,
    lang: str | None = None,
    machine_translated_from: str | None = None,
    overrides: dict | None = None,
) -> Document:
    """Turn the bytes of one document into a cleaned Document (see module docstring)."""
    try:  # HTML, DOCX, PDF: text blocks; None for plain text
        extracted = extract_document(raw, path, decode_bytes)
    except DocumentError:
        raise
    except Exception as exc:  # a crafted file can make any parser raise anything: that file fails, named
        raise DocumentError(f"cannot read this {Path(path).suffix or 'file'} file "
                            f"({type(exc).__name__}: {str(exc)[:200]})", path) from None
    text, encoding = decode_bytes(raw, path) if extracted is None else (extracted.text, extracted.encoding)
    text = normalise_unicode(text)
    if not text.strip():
        raise DocumentError("file holds only whitespace", path)
    lines = text.split("\n")

    detected = lang or detect_language(text, path)
    if detected not in SUPPORTED_LANGUAGES:
        raise UnknownLanguage(
            f"language '{detected}' is not supported (supported: {', '.join(SUPPORTED_LANGUAGES)})",
            path)
    if detected == "vi":
        lines = [repair_vietnamese_d(line) for line in lines]
    if machine_translated_from and machine_translated_from not in SUPPORTED_LANGUAGES:
        raise DocumentError(
            f"machine_translated_from '{machine_translated_from}' is not a supported language", path)

    doc = Document(
        path=path, name=Path(path).name, lang=detected,
        machine_translated_from=machine_translated_from, encoding=encoding,
        content_hash=hashlib.sha256(raw).hexdigest(), paragraphs=[],
    )
    _clean_into(doc, lines)
    if extracted is not None:
        apply_to_document(doc, extracted)
    for key, value in (overrides or {}).items():
        if value:
            setattr(doc, key, value)
    if not doc.paragraphs:
        raise DocumentError("no article text left after removing boilerplate", path)
    return doc


def decode_bytes(raw: bytes, path: str) -> tuple[str, str]:
    """Decode document bytes; return (text, encoding name) or raise EncodingRefused."""
    if not raw:
        raise DocumentError("file is empty", path)
    if raw.startswith(b"\xef\xbb\xbf"):
        return _strict_decode(raw[3:], "utf-8", path), "utf-8-sig"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        codec = "utf-16-le" if raw.startswith(b"\xff\xfe") else "utf-16-be"
        return _strict_decode(raw[2:], codec, path), "utf-16"
    if b"\x00" in raw:
        hint = ""
        if raw[1::2].count(0) > len(raw) // 4 or raw[0::2].count(0) > len(raw) // 4:
            hint = " (it looks like UTF-16 without a byte-order mark; save it as UTF-8)"
        raise EncodingRefused(f"binary file: contains NUL bytes{hint}", path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        text = _decode_windows_1258(raw)
        if text is None:
            raise EncodingRefused(
                f"not UTF-8 (byte 0x{raw[exc.start]:02X}) and not recognisably Windows-1258 "
                f"Vietnamese{_latin1_hint(raw)}; it may be TCVN3, VNI, Latin-1 or another legacy "
                "encoding. Convert it to UTF-8 (e.g. with UniKey's converter or iconv) and import it again",
                path, line) from None
        return text, "windows-1258"
    if _looks_binary(text):
        raise EncodingRefused("binary file: too many control characters for a text document", path)
    return text, "utf-8"


def _strict_decode(raw: bytes, codec: str, path: str) -> str:
    try:
        return raw.decode(codec)
    except UnicodeDecodeError as exc:
        raise EncodingRefused(
            f"invalid {codec} despite its byte-order mark (byte offset {exc.start})", path) from None


def _looks_binary(text: str) -> bool:
    sample = text[:20000]
    controls = sum(1 for ch in sample if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    return controls > max(2, len(sample) // 100)


def _decode_windows_1258(raw: bytes) -> str | None:
    """Decode as Windows-1258 only if the result reads as Vietnamese, else None.

    Windows-1258 writes tones as combining marks after a base letter; text in
    TCVN3 or VNI decoded the same way yields symbols (¸, µ, ¶...) inside words,
    which is how we tell them apart instead of guessing.
    """
    try:
        text = raw.decode("cp1258")
    except UnicodeDecodeError:
        return None
    composed = unicodedata.normalize("NFC", text)
    letters = [ch for ch in composed if ch.isalpha()]
    if not letters:
        return None
    vietnamese = sum(1 for ch in letters if ch in VIETNAMESE_LETTERS)
    # A no-break space (0xA0) or soft hyphen (0xAD) between words is ordinary typing, not the
    # letter-as-symbol of TCVN3 or VNI.
    in_word_symbols = len(re.findall(r"(?<=\w)[\u0080-\u009f\u00a1-\u00ac\u00ae-\u00bf](?=\w)", composed))
    dangling_marks = sum(1 for ch in composed if unicodedata.combining(ch))
    # VNI read as Windows-1258 gives letters Vietnamese never uses (ä, ñ, ø...).
    foreign = sum(1 for ch in letters if not ch.isascii() and ch not in VIETNAMESE_LETTERS)
    if (vietnamese / len(letters) < 0.05 or foreign > 0.05 * (vietnamese + foreign)
            or in_word_symbols > 0 or dangling_marks > 0):
        return None
    # Latin-1 French, Spanish... also decode to letters Vietnamese uses (é, è, à): the
    # language detector tells them apart.
    if _likely_language(composed)[0] != "vi":
        return None
    return text


def _latin1_hint(raw: bytes) -> str:
    """' (it reads as French in Latin-1)' when the bytes make sense that way, else ''."""
    try:
        text = raw.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes any byte
        return ""
    lang, confidence = _likely_language(text)
    if lang in LANGUAGE_NAMES and confidence >= FOREIGN_CONFIDENCE and lang != "vi":
        return f" (it reads as {language_name(lang)} in Latin-1)"
    return ""


# Line-like controls become line breaks; every other C0/C1 control (tab and newline
# excepted) is dropped: XML cannot hold them, so export and re-import would disagree.
# So are lone surrogates and the noncharacters U+FFFE/U+FFFF, which XML cannot hold either.
_LINE_CONTROLS = re.compile("[\v\f\x1c-\x1e\x85\u2028\u2029]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")


_CONTROLS = re.compile(f"{_LINE_CONTROLS.pattern}|{_OTHER_CONTROLS.pattern}")


def control_character_problem(text: str) -> str | None:
    """Why `text` may not be saved as it is (a control character ingest would have removed), or None.

    The rule of `normalise_unicode`, applied to what a reviewer types or imports: a
    stored text must be one that export and re-import give back unchanged.
    """
    found = _CONTROLS.search(text)
    if found is None:
        return None
    return (f"the text holds the control character U+{ord(found.group()):04X} at character "
            f"{found.start() + 1}, which documents may not contain; remove it")


def normalise_unicode(text: str) -> str:
    """NFC, unify line breaks, drop zero-width, BOM and control characters, NBSP to space."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _LINE_CONTROLS.sub("\n", text)
    text = _OTHER_CONTROLS.sub("", text)
    text = re.sub("[\u200b\u200c\u200d\u2060\ufeff]", "", text)
    text = text.replace("\u00a0", " ")
    return unicodedata.normalize("NFC", text)


@functools.cache
def _language_detector():
    """The lingua detector over DETECTED_LANGUAGES, built on first use (its models load lazily).

    Low-accuracy mode uses trigram models only: about 0.8 s to load against 7 s for the
    full models on our machines, and documents are long enough for trigrams.
    """
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def _likely_language(text: str) -> tuple[str | None, float]:
    """(ISO 639-1 code, confidence 0-1) of the most likely language of a text sample."""
    sample = text[:3000]
    if not any(ch.isalpha() for ch in sample):
        return None, 0.0
    values = _language_detector().compute_language_confidence_values(sample)
    if not values:
        return None, 0.0
    best = values[0]
    return best.language.iso_code_639_1.name.lower(), best.value


def detect_language(text: str, path: str = "") -> str:
    """Detect vi, en or zh; raise UnknownLanguage naming the language a text looks like otherwise.

    Han characters decide Chinese. Otherwise the lingua detector picks among
    DETECTED_LANGUAGES: vi or en is taken; another language it is confident of is
    refused by name; when it is unsure, the letters and words used decide.
    """
    sample = text[:50000]
    letters = [ch for ch in sample if ch.isalpha()]
    if not letters:
        raise UnknownLanguage("cannot detect the language: the text has no letters; "
                              "give it with --lang or a sidecar", path)
    han = sum(1 for ch in letters if is_han(ch))
    kana = sum(1 for ch in letters if KANA_CHARACTER.match(ch))
    if han / len(letters) > 0.3 and kana < 0.05 * len(letters):
        return "zh"
    likely, confidence = _likely_language(sample)
    if likely in ("vi", "en"):
        return likely
    if likely is not None and likely not in SUPPORTED_LANGUAGES and confidence >= FOREIGN_CONFIDENCE:
        raise UnknownLanguage(
            f"the text looks like {language_name(likely)} ({likely}, confidence "
            f"{confidence:.2f}); the workbench translates only Vietnamese, English and Chinese. If it "
            "is one of them, give the language with --lang or a sidecar NAME.meta.json", path)
    vietnamese = sum(1 for ch in letters if ch in VIETNAMESE_LETTERS)
    if vietnamese / len(letters) > 0.03:
        return "vi"
    words = re.findall(r"[a-z]+", sample.lower())
    if words and sum(1 for w in words if w in _ENGLISH_FUNCTION_WORDS) / len(words) > 0.08:
        return "en"
    looks = f" (it looks most like {language_name(likely)})" if likely else ""
    raise UnknownLanguage(
        f"cannot detect the language (not clearly Vietnamese, English or Chinese{looks}); "
        "give it with --lang or a sidecar NAME.meta.json", path)


def _clean_into(doc: Document, lines: list[str]) -> None:
    """Fill paragraphs, metadata and removed lines of `doc` from its raw lines."""
    seen: set[str] = set()
    for number, raw_line in enumerate(lines, start=1):
        line = re.sub(r"[ \t]+", " ", raw_line).strip()
        if not line:
            continue
        reason = _boilerplate_reason(line)
        if reason:
            _harvest_metadata(doc, line)
            doc.removed.append(RemovedLine(number, raw_line, reason))
            continue
        key = line.casefold()
        if key in seen:
            doc.removed.append(RemovedLine(number, raw_line, "repeated paragraph"))
            continue
        seen.add(key)

        dated = _DATE_LINE.match(line)
        if dated:
            doc.date = doc.date or dated.group(1)
            doc.paragraphs.append(Paragraph(number, dated.group(0).strip(), "dateline"))
            line = line[dated.end():].strip()
            if not line:
                continue
        if _ENGLISH_DATELINE.match(line):
            _harvest_metadata(doc, line)
            doc.paragraphs.append(Paragraph(number, line, "dateline"))
            continue
        _harvest_metadata(doc, line)
        doc.paragraphs.append(Paragraph(number, line, "body"))

    _mark_headings_and_byline(doc)


def _boilerplate_reason(line: str) -> str | None:
    for reason, pattern in _BOILERPLATE_RULES:
        if pattern.search(line):
            return reason
    return None


def _harvest_metadata(doc: Document, line: str) -> None:
    """Take date and outlet from a dateline-like line, first occurrence wins."""
    english = _ENGLISH_DATELINE.match(line)
    if english:
        doc.date = doc.date or _iso_date(" ".join(english.group(1, 2, 3)), "en")
        if english.group("outlet"):
            doc.outlet = doc.outlet or english.group("outlet").strip()
        return
    prefix = _VI_OUTLET_PREFIX.match(line)
    if prefix and doc.lang == "vi":
        code = prefix.group("outlet")
        if code in _KNOWN_OUTLETS or re.fullmatch(r"[A-ZĐ]{2,5}", code):
            doc.outlet = doc.outlet or _KNOWN_OUTLETS.get(code, code)
            numeric = _VI_NUMERIC_DATE.search(line[:60])
            if numeric:
                doc.date = doc.date or _iso_date(numeric.group(), "vi")
            return
    numeric = _VI_NUMERIC_DATE.search(line) if doc.lang == "vi" else None
    if numeric and _boilerplate_reason(line) == "hotline":
        doc.date = doc.date or _iso_date(numeric.group(), "vi")


def _iso_date(text: str, lang: str) -> str | None:
    """'2024-05-21' for a date as the press writes it ("21/05/2024", "May 21 2024"); None if no such day.

    dateparser reads the day first, as Vietnamese writes it, and refuses a day that does
    not exist ("31/02/2024") instead of storing it.
    """
    import dateparser

    parsed = dateparser.parse(text, languages=[lang], settings={"DATE_ORDER": "DMY", "STRICT_PARSING": True})
    return parsed.date().isoformat() if parsed else None


def _mark_headings_and_byline(doc: Document) -> None:
    """Mark short lines without final punctuation as headings; take a trailing byline."""
    paragraphs = doc.paragraphs
    if len(paragraphs) > 2:
        last = paragraphs[-1]
        if _BYLINE.match(last.text) and len(last.text) <= 40:
            doc.author = doc.author or last.text
            doc.removed.append(RemovedLine(last.line, last.text, "byline (kept as author)"))
            paragraphs.pop()
    for paragraph in paragraphs:
        if paragraph.kind != "body":
            continue
        text = paragraph.text
        if len(text) <= 400 and not re.search(r"[.!?。！？…]\s*$", text) and len(text.split()) <= 60:
            paragraph.kind = "heading"
    if doc.title is None:
        for paragraph in paragraphs:
            if paragraph.kind == "heading" and not paragraph.text.endswith(":") and (
                    len(paragraph.text.split()) >= 4):
                doc.title = paragraph.text
                break


def apply_to_document(document, extracted: ExtractedDocument) -> None:
    """Carry what only the file format knows into a cleaned ingest Document.

    Headings the format marks (Word heading styles, HTML headlines) become heading
    paragraphs, the file's own metadata wins over what was guessed from the text
    (a sidecar still wins over both: ingest applies it afterwards), and the text
    the reader dropped joins the removed lines.
    """
    for paragraph in document.paragraphs:
        line = paragraph.line
        if 1 <= line <= len(extracted.blocks) and extracted.blocks[line - 1].heading:
            paragraph.kind = "heading"
    for key in METADATA_KEYS:
        value = extracted.metadata.get(key)
        if value:
            setattr(document, key, value)
    document.removed[:0] = [RemovedLine(item.line, item.text, item.reason) for item in extracted.dropped]
