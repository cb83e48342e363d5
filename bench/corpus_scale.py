"""Time and peak memory of what reads the corpus, at 1,000, 5,000 and 35,000 documents.

    .venv/bin/python bench/corpus_scale.py [--sizes 1000,5000,35000] [--folder DIR] [--no-browser]

Builds one store that grows: the synthetic Vietnamese corpus of
`bench/synthetic_corpus.py` (Zipf vocabulary, recurring names, acronyms defined
inline then used, glossary terms and their variants; about 20 segments per
document), 2 % of the segments approved with a target (so consistency QA has
work). The store is built by a bulk path (one transaction per 500 documents,
the same rows and triggers as `upsert_document`); the library's own import path
is timed on 100 further documents. At each size it prints, each measured in a
fresh subprocess with its CPU time and peak resident memory (`resource.getrusage`:
the process and its worker processes, the larger peak; for the UI, the Streamlit
server's VmHWM, no CPU time), and the load average at the start and at the end
(on a shared machine the wall-clock times follow the load, the CPU times much less):

- build: bulk-insert time, store size; ingest: seconds per document through `upsert_document`;
- candidates full rebuild (count every document, rank, store the list);
- candidates after one new document (count it, rank, store the list);
- concordance "Bộ đội Biên phòng" (first 20 lines and the true total) and "dang uy";
- consistency QA with the shipped glossary; `status`;
- the Documents, Terms and Review pages opened in Chromium (until their content shows) on a fresh
  server, then opened again on that server in a new session ("again").

Then the growth factor of each figure from one size to the next. It asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "bench"), str(REPO / "tests")]

from synthetic_corpus import CorpusGenerator  # noqa: E402

BULK_CHUNK = 500
CONCORDANCE_QUERIES = ("Bộ đội Biên phòng", "dang uy")


def _cpu_s() -> float:
    """CPU seconds of this process and its (worker) processes so far."""
    return sum(usage.ru_utime + usage.ru_stime for usage in (resource.getrusage(resource.RUSAGE_SELF),
                                                             resource.getrusage(resource.RUSAGE_CHILDREN)))


def _peak_mb() -> float:
    """The largest resident size this process or any of its (worker) processes reached."""
    return max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 1024


# -- building the store ----------------------------------------------------------------------------
def bulk_insert(db: Path, generator: CorpusGenerator, first: int, last: int) -> None:
    """Documents first..last-1 inserted in large transactions (the triggers keep the index in step)."""
    from workbench.review.store import ReviewStore
    from workbench.review.store_base import now_stamp as _now

    with ReviewStore(db) as store:
        for start in range(first, last, BULK_CHUNK):
            now = _now()
            with store.transaction() as conn:
                for number in range(start, min(last, start + BULK_CHUNK)):
                    document = generator.document(number)
                    path = f"/corpus/{document.name}"
                    cursor = conn.execute(
                        "INSERT INTO documents (path, name, content_hash, lang, target_lang, kind, encoding, title, "
                        "date, outlet, created_at, updated_at) VALUES (?, ?, ?, 'vi', 'en', 'original', 'utf-8', "
                        "?, ?, ?, ?, ?)", (path, document.name, document.content_hash, document.title,
                                           document.date, document.outlet, now, now))
                    document_id = cursor.lastrowid
                    rows = []
                    for position, sentence in enumerate(document.sentences):
                        approved = (number * 31 + position) % 50 == 0
                        target = (f"The border guard of {document.outlet} reported {position}." if approved else None)
                        rows.append((document_id, position, position, sentence, target,
                                     "approved" if approved else "new", now))
                    conn.executemany(
                        "INSERT INTO segments (document_id, position, paragraph, source_text, target_text, status, "
                        "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)", rows)


def library_ingest(db: Path, generator: CorpusGenerator, first: int, count: int) -> float:
    """Seconds per document through `ReviewStore.upsert_document` (the import path)."""
    from workbench.documents.ingest import Document
    from workbench.documents.segment import Segment
    from workbench.review.store import ReviewStore

    with ReviewStore(db) as store:
        started = time.perf_counter()
        for number in range(first, first + count):
            _upsert(store, generator.document(number), Document, Segment)
        return (time.perf_counter() - started) / count


def _upsert(store, document, Document, Segment) -> int:
    path = f"/corpus/{document.name}"
    stored = Document(path=path, name=document.name, lang="vi", machine_translated_from=None, encoding="utf-8",
                      content_hash=hashlib.sha256(document.text.encode()).hexdigest(), paragraphs=[],
                      title=document.title, date=document.date, outlet=document.outlet)
    segments = [Segment(i, i, sentence, "body") for i, sentence in enumerate(document.sentences)]
    return store.upsert_document(stored, segments, target_lang="en").document_id


# -- measurements, each in its own process -----------------------------------------------------------
def measure(what: str, db: Path, extra: str) -> dict:
    """Run one measurement here (in the child); return seconds, peak MB and details."""
    from workbench.glossary import load_glossary
    from workbench.review.store import ReviewStore

    glossary = load_glossary(REPO / "glossaries")
    details: dict = {}
    with ReviewStore(db) as store:
        started, cpu_started = time.perf_counter(), _cpu_s()
        if what == "candidates-rebuild":
            from workbench.review import term_statistics

            counted = term_statistics.rebuild_statistics(store, workers=min(2, os.cpu_count() or 1))
            details["count_s"] = round(time.perf_counter() - started, 2)
            details["listed"] = term_statistics.refresh_candidate_list(store, glossary)
            details["documents"] = counted
            details["grams"] = store.conn.execute("SELECT COUNT(*) FROM term_grams").fetchone()[0]
        elif what == "candidates-update":
            from workbench.documents.ingest import Document
            from workbench.documents.segment import Segment
            from workbench.review import term_statistics

            generator = CorpusGenerator()
            _upsert(store, generator.document(int(extra)), Document, Segment)
            started, cpu_started = time.perf_counter(), _cpu_s()
            details["documents"] = term_statistics.update_statistics(store)
            details["count_s"] = round(time.perf_counter() - started, 2)
            details["listed"] = term_statistics.refresh_candidate_list(store, glossary)
        elif what == "concordance":
            from workbench.review.concordance import concordance

            found = concordance(store, extra, limit=20)
            details["total"] = found.total
        elif what == "consistency":
            from workbench.review.consistency import check_consistency

            details["findings"] = len(check_consistency(store, glossary))
        elif what == "status":
            from workbench.cli import main

            with contextlib.redirect_stdout(io.StringIO()):
                main(["status", "--db", str(db)])
        seconds, cpu = time.perf_counter() - started, _cpu_s() - cpu_started
    return {"seconds": round(seconds, 3), "cpu_s": round(cpu, 3), "peak_mb": round(_peak_mb(), 1), **details}


def in_subprocess(what: str, db: Path, extra: str = "") -> dict:
    output = subprocess.run([sys.executable, __file__, "--measure", what, "--db", str(db), "--extra", extra],
                            capture_output=True, text=True, check=False, cwd=REPO)
    if output.returncode != 0:
        return {"error": output.stderr.strip().splitlines()[-1] if output.stderr.strip() else "failed"}
    return json.loads(output.stdout.strip().splitlines()[-1])


def pages(db: Path, folder: Path) -> dict[str, dict]:
    """Open each page in Chromium against a fresh server; seconds until its content shows, server peak MB."""
    from ui_support import chromium, require_browser, streamlit_server

    playwright_api = require_browser()
    results = {}
    checks = {
        "Documents page": ("", "text=/documents · page 1 of/"),
        "Terms page": ("/terms", "text=/Candidates as of|No candidate list yet/"),
        "Review page": ("/review", ".st-key-review_document"),
    }
    for name, (path, selector) in checks.items():
        with streamlit_server(db, REPO / "glossaries", {}, folder) as url, chromium(playwright_api) as browser:
            server_pid = _server_pid(url)
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.set_default_timeout(300_000)
            tab.goto(url + "/_stcore/health")
            started = time.perf_counter()
            tab.goto(url + path)
            tab.locator(selector).first.wait_for()
            seconds = time.perf_counter() - started
            # Opened again on the running server (a new session: what a second reviewer waits for).
            tab.goto(url + "/_stcore/health")
            started = time.perf_counter()
            tab.goto(url + path)
            tab.locator(selector).first.wait_for()
            again = time.perf_counter() - started
            results[name] = {"seconds": round(seconds, 2), "again_s": round(again, 2), "peak_mb": _vm_hwm(server_pid)}
    return results


def _server_pid(url: str) -> int | None:
    """The Streamlit server listening on the URL's port (for its peak memory)."""
    port = url.rsplit(":", 1)[1]
    try:
        found = subprocess.run(["ss", "-ltnpH", f"sport = :{port}"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        return None
    import re

    match = re.search(r"pid=(\d+)", found.stdout)
    return int(match.group(1)) if match else None


def _vm_hwm(pid: int | None) -> float | None:
    if pid is None:
        return None
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return None


# -- the run ---------------------------------------------------------------------------------------
def run(sizes: list[int], folder: Path, browser: bool) -> list[dict]:
    generator = CorpusGenerator()
    db = folder / "data" / "workbench.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    results = []
    built = 0
    extra_number = 10_000_000  # documents added by the measurements, numbered apart from the corpus
    for size in sizes:
        started = time.perf_counter()
        bulk_insert(db, generator, built, size)
        build_s = time.perf_counter() - started
        built = size
        row = {"documents": size, "build_s": round(build_s, 1), "load_start": round(os.getloadavg()[0], 1)}
        row["ingest_s_per_doc"] = round(library_ingest(db, generator, extra_number, 100), 4)
        extra_number += 100
        row["segments"] = _count(db, "SELECT COUNT(*) FROM segments WHERE retired_at IS NULL")
        row["store_mb"] = round(sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20, 1)
        print(f"N={size}: built in {build_s:.0f} s, {row['segments']} segments, {row['store_mb']} MB", flush=True)
        row["candidates-rebuild"] = in_subprocess("candidates-rebuild", db)
        print(f"  candidates rebuild: {row['candidates-rebuild']}", flush=True)
        row["candidates-update"] = in_subprocess("candidates-update", db, str(extra_number))
        extra_number += 1
        print(f"  candidates update: {row['candidates-update']}", flush=True)
        for query in CONCORDANCE_QUERIES:
            row[f"concordance {query}"] = in_subprocess("concordance", db, query)
            print(f"  concordance {query}: {row[f'concordance {query}']}", flush=True)
        for what in ("consistency", "status"):
            row[what] = in_subprocess(what, db)
            print(f"  {what}: {row[what]}", flush=True)
        if browser:
            for name, figures in pages(db, folder).items():
                row[name] = figures
                print(f"  {name}: {figures}", flush=True)
        row["load_end"] = round(os.getloadavg()[0], 1)
        print(f"  load average {row['load_start']} at the start of N={size}, {row['load_end']} at its end", flush=True)
        results.append(row)
    return results


def _count(db: Path, sql: str) -> int:
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as conn:
        return conn.execute(sql).fetchone()[0]


MEASURES = ["candidates-rebuild", "candidates-update", *(f"concordance {q}" for q in CONCORDANCE_QUERIES),
            "consistency", "status", "Documents page", "Terms page", "Review page"]


def table(results: list[dict]) -> str:
    """A Markdown table: each measure's seconds and peak MB per size, and the growth from the size before."""
    header = "| what | " + " | ".join(f"{r['documents']:,} docs" for r in results) + " | growth |"
    lines = [header, "|---" * (len(results) + 2) + "|"]
    lines.append("| segments / store size | " + " | ".join(f"{r['segments']:,} / {r['store_mb']} MB" for r in results)
                 + " | " + _growth([r["store_mb"] for r in results]) + " |")
    lines.append("| load average (1 min), start → end | " + " | ".join(
        f"{r.get('load_start', '?')} → {r.get('load_end', '?')}" for r in results) + " | |")
    lines.append("| bulk build (bench only) | " + " | ".join(f"{r['build_s']} s" for r in results) + " | |")
    lines.append("| ingest, `upsert_document` | " + " | ".join(f"{r['ingest_s_per_doc'] * 1000:.1f} ms/doc"
                                                             for r in results) + " | |")
    for measure in MEASURES:
        cells, seconds, peaks = [], [], []
        for r in results:
            figures = r.get(measure)
            if not figures:
                cells.append("")
                continue
            if "error" in figures:
                cells.append(f"failed: {figures['error'][:60]}")
                continue
            seconds.append(figures["seconds"])
            peaks.append(figures["peak_mb"] or 0)
            cpu = f" (CPU {figures['cpu_s']:.2f} s)" if "cpu_s" in figures else \
                f" (again {figures['again_s']:.2f} s)" if "again_s" in figures else ""
            cells.append(f"{figures['seconds']:.2f} s{cpu}, {figures['peak_mb']} MB")
        if any(cells):
            growth = f"time {_growth(seconds)}; memory {_growth(peaks)}"
            lines.append(f"| {measure} | " + " | ".join(cells) + f" | {growth} |")
    return "\n".join(lines)


def _growth(values: list[float]) -> str:
    return " → ".join(f"×{b / a:.1f}" if a else "-" for a, b in zip(values, values[1:], strict=False)) or "-"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,5000,35000", help="document counts, ascending (default %(default)s)")
    parser.add_argument("--folder", help="where the store grows (default: a temporary folder, removed after)")
    parser.add_argument("--no-browser", action="store_true", help="leave out the pages opened in Chromium")
    parser.add_argument("--json", help="also write the figures to this JSON file")
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument("--extra", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, Path(args.db), args.extra)))
        return 0
    sizes = sorted(int(size) for size in args.sizes.split(","))
    load = os.getloadavg()
    print(f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} CPUs, "
          f"load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    with tempfile.TemporaryDirectory(prefix="corpus-scale-") as temporary:
        folder = Path(args.folder) if args.folder else Path(temporary)
        results = run(sizes, folder, not args.no_browser)
    load = os.getloadavg()
    print(f"\nload at the end {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}\n")
    print(table(results))
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
