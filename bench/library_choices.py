"""Where a maintained library was tried in place of hand-written code, and how each did.

1. Encoding guess: `ingest._decode_windows_1258` (Vietnamese letters, no in-word symbols, no
   dangling marks, lingua agrees) against charset-normalizer, on the Vietnamese paragraphs of
   the seeds written in Windows-1258 (to be read) and on TCVN3, VNI and Latin-1 bytes (to be
   refused, since decoding them as Windows-1258 gives mojibake).
2. Backslash-escaped TSV: our `rows_to_tsv`/`read_tsv` against the csv module
   (`QUOTE_NONE`, `escapechar="\\"`), on fields with tabs, line breaks and backslashes.

    python bench/library_choices.py
"""

from __future__ import annotations

import csv
import io
import sys
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from workbench.documents.ingest import _decode_windows_1258  # noqa: E402
from workbench.exchange.export import ExportRow, read_tsv, rows_to_tsv  # noqa: E402

TONE_MARKS = "\u0300\u0301\u0303\u0309\u0323"
REFUSE = {
    "TCVN3 'Bé ®éi Biªn phßng tªnh Qu¸ng Ninh'": b"B\xe9 \xae\xe9i Bi\xaan ph\xdfng t\xaanh Qu\xb8ng Ninh\n",
    "VNI 'Boä ñoäi Bieân phoøng'": b"Bo\xe4 \xf1o\xe4i Bie\xe2n pho\xf8ng\n",
    "Latin-1 English": b"The caf\xe9 on the border was closed.\n",
    "Latin-1 French": "L'été dernier, les élèves de l'école sont allés à la frontière avec leurs professeurs.\n"
                      .encode("latin-1"),
}


def to_windows_1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese software writes it: base letter, then the tone as a combining mark."""
    out = b""
    for character in unicodedata.normalize("NFC", text):
        try:
            out += character.encode("cp1258")
        except UnicodeEncodeError:
            base, *marks = unicodedata.normalize("NFD", character)
            base += "".join(mark for mark in marks if mark not in TONE_MARKS)
            out += unicodedata.normalize("NFC", base).encode("cp1258")
            out += "".join(mark for mark in marks if mark in TONE_MARKS).encode("cp1258")
    return out


def charset_normalizer_reads_vietnamese(raw: bytes) -> bool:
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=["cp1258"]).best()
    return best is not None and best.language == "Vietnamese"


def charset_normalizer_guess(raw: bytes) -> str:
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return f"{best.encoding} ({best.language})" if best else "none"


def encoding_guess() -> None:
    samples = []
    for path in sorted((REPO / "seeds").glob("*_vi_*.txt")):
        text = path.read_text(encoding="utf-8")
        samples.append((f"{path.name} (whole)", text))
        samples += [(f"{path.name} line {k}", line) for k, line in enumerate(text.splitlines(), 1) if len(line) > 20]
    hand = library = 0
    for name, text in samples:
        raw = to_windows_1258(text)
        ours, theirs = _decode_windows_1258(raw) is not None, charset_normalizer_reads_vietnamese(raw)
        hand += ours
        library += theirs
        if ours != theirs:
            print(f"  differ: {name}: hand-written {'reads' if ours else 'refuses'}, charset-normalizer "
                  f"{'reads' if theirs else 'refuses'} ({text[:60]!r})")
    print(f"Windows-1258 Vietnamese read: hand-written {hand}/{len(samples)}, "
          f"charset-normalizer (cp1258 only, language Vietnamese) {library}/{len(samples)}")
    for name, raw in REFUSE.items():
        ours = "reads" if _decode_windows_1258(raw) is not None else "refuses"
        theirs = "reads" if charset_normalizer_reads_vietnamese(raw) else "refuses"
        print(f"  {name}: hand-written {ours}; charset-normalizer cp1258 {theirs}; "
              f"its free guess: {charset_normalizer_guess(raw)}")


FIELDS = ["tab\there", "line\nbreak", "carriage\rreturn", "back\\slash", "C:\\new", "both\\\tand"]


def tsv_with_csv() -> None:
    rows = [ExportRow(1, "p", "n", k, k, field, field, None, "approved", 1, "vi", "en", None)
            for k, field in enumerate(FIELDS)]
    ours = sum(1 for row, back in zip(rows, read_tsv(rows_to_tsv(rows)), strict=True) if back["source"] == row.source)
    print(f"TSV round trips, hand-written: {ours}/{len(FIELDS)}; one record per line: yes")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", quoting=csv.QUOTE_NONE, escapechar="\\", lineterminator="\n")
    for field in FIELDS:
        writer.writerow([field])
    written = buffer.getvalue()
    try:
        back = [row[0] for row in csv.reader(io.StringIO(written), delimiter="\t", quoting=csv.QUOTE_NONE,
                                             escapechar="\\")]
        kept = sum(1 for field, again in zip(FIELDS, back, strict=False) if field == again)
        outcome = f"{kept}/{len(FIELDS)}"
    except csv.Error as exc:
        outcome = f"read fails ({exc})"
    print(f"TSV round trips, csv module: {outcome}; one record per line: "
          f"{'yes' if written.count(chr(10)) == len(FIELDS) else 'no'} ({written.count(chr(10))} line breaks "
          f"for {len(FIELDS)} records: it writes a backslash before a raw line break, not \\n)")


if __name__ == "__main__":
    encoding_guess()
    tsv_with_csv()
