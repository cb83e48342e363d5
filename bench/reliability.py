"""Reliability of the review store under concurrency and crashes: what is saved, refused, lost.

Scenarios (each on fresh stores in a temporary folder; every worker is its own process):
- first-open: N processes open the same not-yet-existing store at once (T trials);
- reviewers: N reviewer processes x M optimistic saves on one document (random segment,
  version read just before, StaleVersion counted as a conflict);
- batch+reviewers: the same reviewers while a batch translates C copies of the seeds;
- two-batches: two batches started at once on the same C copies;
- kill: a batch killed with SIGKILL at a random moment, then run again (K trials);
- hostile-files: `translate --ingest-only` over crafted hostile files (bench/hostile_files.py:
  zip bomb, XML entity attacks, crafted PDFs and sidecars, a FIFO, a link out of the folder),
  each in its own process, and over real files from other projects' test suites gathered in
  --real-files (one folder per project, a process per folder); counts files ingested,
  refused with a message (a `failed:` line naming the file), tracebacks, crashes and hangs
  (no exit within --file-timeout seconds), and the peak memory (max RSS) of each process.

After each scenario the store is checked: every save a worker was told succeeded must be
in the history with its text and version ("lost" counts those that are not), every
returned record must be what that call wrote ("wrong return"), the last history entry
must be the segment's state, `PRAGMA integrity_check` must say ok; for batches, the
translation rows are compared with the distinct (source, target language, checkpoint,
glossary version) keys of live segments, and the sentences the runs translated with the
segments the runs wrote a new translation for with the segments that needed one
("translated twice": the difference).

    python bench/reliability.py [--reviewers 8] [--saves 1000] [--kill-trials 5] [--copies 4]
                                [--scenarios first-open,reviewers,batch+reviewers,two-batches,kill,hostile-files]
                                [--real-files DIR] [--file-timeout 120]
                                [--checkpoints DIR] [--engine transformers] [--json] [--seed 1]

Batches use tiny random-weight checkpoints (built here unless --checkpoints names a folder
holding vi-en/ and en-vi/, as tests/conftest.py builds them): their output is noise, only the
bookkeeping is measured. Prints a table; asserts nothing about time.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

SCENARIOS = ("first-open", "reviewers", "batch+reviewers", "two-batches", "kill", "hostile-files")
REVIEW_DOCUMENT = "004_vi_lang-son-party-committee-border-guard-2013.txt"
STATUSES_SAVED = ("draft", "translated", "reviewed")


# -- workers (run as `python bench/reliability.py _WORKER ...`) ---------------------------------
def worker_open(db: str, start_at: float) -> None:
    """Open a store at `start_at` (all workers at once); print ok or the error."""
    from workbench.errors import StoreError
    from workbench.review.store import ReviewStore

    time.sleep(max(0.0, start_at - time.time()))
    try:
        with ReviewStore(db) as store:
            store.schema_version  # noqa: B018 - a read through the new connection
        print("ok")
    except StoreError as exc:
        print(f"error: {exc}")


def worker_reviewer(db: str, document_id: int, index: int, saves: int, out: str, seed: int) -> None:
    """M saves on random segments of one document; write what happened to `out` (JSON)."""
    from workbench.errors import StaleVersion, WorkbenchError
    from workbench.review.store import ReviewStore

    chooser = random.Random(seed * 1000 + index)
    reviewer = f"p{index}"
    saved, conflicts, errors, wrong = [], 0, [], 0
    with ReviewStore(db) as store:
        ids = [s.id for s in store.segments(document_id)]
        for number in range(saves):
            segment_id = chooser.choice(ids)
            text, status = f"{reviewer}-n{number}", chooser.choice(STATUSES_SAVED)
            try:
                version = store.segment(segment_id).version
                record = store.save_target(segment_id, text, status, reviewer=reviewer,
                                           expected_version=version)
            except StaleVersion:
                conflicts += 1
                continue
            except (WorkbenchError, sqlite3.Error) as exc:
                errors.append(str(exc))
                continue
            if (record.target_text, record.status, record.version, record.updated_by) != (
                    text, status, version + 1, reviewer):
                wrong += 1
            saved.append([segment_id, version + 1, text, status])
    Path(out).write_text(json.dumps({"saved": saved, "conflicts": conflicts, "errors": errors,
                                     "wrong_return": wrong}))


# -- helpers ---------------------------------------------------------------------------------
def _python() -> str:
    return sys.executable


def _spawn(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([_python(), str(Path(__file__).resolve()), *args], **kwargs)


def make_copies(folder: Path, copies: int, seed: int) -> Path:
    """C copies of the seeds; in each copy about half the lines carry the copy's number.

    So the copies share some sentences (one translation serves them all) and differ in others.
    """
    chooser = random.Random(seed)
    docs = folder / "docs"
    for number in range(copies):
        target = docs / f"copy-{number}"
        target.mkdir(parents=True)
        for source in sorted((REPO / "seeds").iterdir()):
            if source.name.endswith(".meta.json"):
                shutil.copy(source, target / source.name)
                continue
            lines = source.read_text(encoding="utf-8").splitlines()
            marker = f" (bản {number})" if "_vi_" in source.name else f" (copy {number})"
            changed = [line + marker if line.strip() and chooser.random() < 0.5 else line for line in lines]
            (target / source.name).write_text("\n".join(changed) + "\n", encoding="utf-8")
    return docs


def build_checkpoints(folder: Path) -> Path:
    """Tiny random-weight vi-en and en-vi checkpoints, as tests/conftest.py builds them."""
    from workbench.mt.random_checkpoint import build_random_marian

    seeds = REPO / "seeds"
    vietnamese = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*_vi_*.txt"))]
    english = [p.read_text(encoding="utf-8") for p in sorted(seeds.glob("*_en-mt_*.txt"))]
    build_random_marian(folder / "vi-en", vietnamese, english)
    build_random_marian(folder / "en-vi", english, vietnamese, language_tokens=[">>vie<<"])
    return folder


class Batch:
    """One `python -m workbench translate` process on the given folder and store."""

    def __init__(self, args, db: Path, docs: Path, workdir: Path):
        self.command = [_python(), "-m", "workbench", "translate", str(docs), "--db", str(db),
                        "--engine", args.engine, "--beams", "1",
                        "--model", f"vi-en={args.checkpoints / 'vi-en'}",
                        "--model", f"en-vi={args.checkpoints / 'en-vi'}"]
        env = dict(os.environ, PYTHONPATH=str(REPO), WORKBENCH_GLOSSARY=str(workdir / "no-glossary"),
                   HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", OMP_NUM_THREADS="1",
                   WORKBENCH_CT2_CACHE=str(workdir / "ct2"))
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.command, cwd=workdir, env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, text=True)

    def finish(self) -> dict:
        out, err = self.process.communicate()
        found = re.search(r"translated: (\d+), reused from cache: (\d+)", out)
        return {"rc": self.process.returncode, "seconds": time.monotonic() - self.started,
                "translated": int(found.group(1)) if found else 0,
                "reused": int(found.group(2)) if found else 0,
                "errors": [line for line in err.splitlines() if line.startswith(("failed", "Error", "Traceback"))]}

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.communicate()


def ingest(db: Path, docs: Path) -> None:
    subprocess.run([_python(), "-m", "workbench", "translate", str(docs), "--db", str(db), "--ingest-only"],
                   check=True, capture_output=True, cwd=REPO)


def run_reviewers(args, db: Path, workdir: Path, tag: str) -> list[subprocess.Popen]:
    from workbench.review.store import ReviewStore

    with ReviewStore(db) as store:
        document_id = next(d.id for d in store.documents() if d.name == REVIEW_DOCUMENT)
    workers = []
    for index in range(args.reviewers):
        out = workdir / f"{tag}-reviewer-{index}.json"
        workers.append((_spawn("_reviewer", str(db), str(document_id), str(index), str(args.saves), str(out),
                               str(args.seed)), out))
    return workers


def collect_reviewers(db: Path, workers) -> dict:
    """Wait for the reviewer processes; check their saves against the store's history."""
    results = []
    for process, out in workers:
        process.wait()
        results.append(json.loads(out.read_text()) if out.exists() else
                       {"saved": [], "conflicts": 0, "errors": [f"worker exited {process.returncode}"],
                        "wrong_return": 0})
    con = sqlite3.connect(db)
    history = {(row[0], row[1]): (row[2], row[3]) for row in con.execute(
        "SELECT segment_id, version, after_text, after_status FROM segment_history")}
    saved = [tuple(item) for result in results for item in result["saved"]]
    lost = sum(1 for segment_id, version, text, status in saved
               if history.get((segment_id, version)) != (text, status))
    # The state of each segment is its last change.
    inconsistent = con.execute(
        """SELECT COUNT(*) FROM segments s JOIN segment_history h ON h.segment_id = s.id
           WHERE h.id = (SELECT MAX(id) FROM segment_history WHERE segment_id = s.id)
             AND (h.version != s.version OR h.after_text IS NOT s.target_text)""").fetchone()[0]
    attempted = sum(len(r["saved"]) + r["conflicts"] + len(r["errors"]) for r in results)
    return {"attempted": attempted, "saved": len(saved), "conflicts": sum(r["conflicts"] for r in results),
            "errors": sum(len(r["errors"]) for r in results), "lost": lost, "inconsistent": inconsistent,
            "wrong_return": sum(r["wrong_return"] for r in results),
            "unexplained_history": len(history) - len(saved),
            "error_samples": [e for r in results for e in r["errors"]][:3]}


def translation_figures(db: Path) -> dict:
    """Translation rows against the distinct keys of live segments; integrity; untranslated."""
    con = sqlite3.connect(db)
    rows = con.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
    distinct = con.execute(
        "SELECT COUNT(DISTINCT source_text || char(0) || d.target_lang) FROM segments s "
        "JOIN documents d ON d.id = s.document_id WHERE s.retired_at IS NULL").fetchone()[0]
    untranslated = con.execute("SELECT COUNT(*) FROM segments WHERE retired_at IS NULL "
                               "AND translation_id IS NULL").fetchone()[0]
    unused = con.execute("SELECT COUNT(*) FROM translations t WHERE NOT EXISTS "
                         "(SELECT 1 FROM segments s WHERE s.translation_id = t.id)").fetchone()[0]
    segments = con.execute("SELECT COUNT(*) FROM segments WHERE retired_at IS NULL").fetchone()[0]
    integrity = con.execute("PRAGMA integrity_check").fetchone()[0]
    return {"translation_rows": rows, "distinct_sources": distinct, "untranslated": untranslated,
            "unused_rows": unused, "integrity": integrity, "segments": segments,
            "translated_segments": segments - untranslated}


# -- scenarios ----------------------------------------------------------------------------------
def scenario_first_open(args, workdir: Path) -> dict:
    failures, attempted, samples = 0, 0, []
    for trial in range(args.open_trials):
        db = workdir / f"first-open-{trial}" / "store.db"
        start_at = time.time() + 2.0
        processes = [_spawn("_open", str(db), str(start_at), stdout=subprocess.PIPE, text=True)
                     for _ in range(args.reviewers)]
        for process in processes:
            answer = process.communicate()[0].strip()
            attempted += 1
            if answer != "ok":
                failures += 1
                samples.append(answer or f"exit {process.returncode}")
    return {"scenario": "first-open", "shape": f"{args.reviewers} x {args.open_trials} trials",
            "attempted": attempted, "saved": attempted - failures, "errors": failures,
            "error_samples": samples[:3]}


def scenario_reviewers(args, workdir: Path) -> dict:
    db = workdir / "reviewers.db"
    ingest(db, REPO / "seeds")
    figures = collect_reviewers(db, run_reviewers(args, db, workdir, "reviewers"))
    return {"scenario": "reviewers", "shape": f"{args.reviewers} x {args.saves}", **figures,
            "integrity": translation_figures(db)["integrity"]}


def scenario_batch_and_reviewers(args, workdir: Path, docs: Path) -> dict:
    db = workdir / "batch-reviewers.db"
    ingest(db, docs)
    batch = Batch(args, db, docs, workdir)
    figures = collect_reviewers(db, run_reviewers(args, db, workdir, "batch"))
    result = batch.finish()
    return {"scenario": "batch+reviewers", "shape": f"1 batch + {args.reviewers} x {args.saves}", **figures,
            **translation_figures(db), "translated": result["translated"],
            "batch_errors": result["errors"], "batch_rc": result["rc"]}


def scenario_two_batches(args, workdir: Path, docs: Path) -> dict:
    db = workdir / "two-batches.db"
    ingest(db, docs)  # so both start translating at once rather than one ingesting first
    batches = [Batch(args, db, docs, workdir) for _ in range(2)]
    results = [batch.finish() for batch in batches]
    figures = translation_figures(db)
    # Segments each batch wrote a new translation for; each needed one, from one of them.
    translated = sum(r["translated"] for r in results)
    return {"scenario": "two-batches", "shape": "2 batches at once", **figures, "translated": translated,
            "translated_twice": translated - figures["segments"],
            "batch_rc": [r["rc"] for r in results], "batch_errors": [e for r in results for e in r["errors"]]}


def scenario_kill(args, workdir: Path, docs: Path) -> dict:
    chooser = random.Random(args.seed)
    template = workdir / "kill-template.db"
    ingest(template, docs)
    # One uninterrupted run tells how long a batch takes, so the kills land inside one.
    timing_db = workdir / "kill-timing.db"
    shutil.copy(template, timing_db)
    full = Batch(args, timing_db, docs, workdir).finish()
    trials = []
    for trial in range(args.kill_trials):
        db = workdir / f"kill-{trial}.db"
        shutil.copy(template, db)
        batch = Batch(args, db, docs, workdir)
        moment = chooser.uniform(0.1, 0.95) * full["seconds"]
        time.sleep(moment)
        batch.kill()
        before = translation_figures(db)
        rerun = Batch(args, db, docs, workdir).finish()
        after = translation_figures(db)
        trials.append({"killed_at_s": round(moment, 1), "rows_before_rerun": before["translation_rows"],
                       "rerun_translated": rerun["translated"], **after,
                       "translated_twice": before["translated_segments"] + rerun["translated"]
                       - after["segments"], "rerun_rc": rerun["rc"]})
    return {"scenario": "kill", "shape": f"{args.kill_trials} kills of a {full['seconds']:.0f} s batch, re-run",
            "trials": trials,
            "translation_rows": sum(t["translation_rows"] for t in trials),
            "distinct_sources": sum(t["distinct_sources"] for t in trials),
            "segments": sum(t["segments"] for t in trials),
            "untranslated": sum(t["untranslated"] for t in trials),
            "translated_twice": sum(t["translated_twice"] for t in trials),
            "integrity": ",".join(sorted({t["integrity"] for t in trials})) or "-",
            "errors": sum(1 for t in trials if t["rerun_rc"] != 0)}


def _run_measured(args: list[str], timeout: float) -> tuple[int | None, str, float]:
    """Run a command; (exit status or None on a hang, stderr, peak RSS in MB of that process)."""
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=errors, env=_env())
        deadline = time.monotonic() + timeout
        status = None
        while time.monotonic() < deadline:
            pid, wait_status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                status = os.waitstatus_to_exitcode(wait_status)
                break
            time.sleep(0.05)
        if status is None:
            process.kill()
            _, _, usage = os.wait4(process.pid, 0)
        process.returncode = status if status is not None else -9  # already reaped: Popen must not wait
        errors.seek(0)
        return status, errors.read().decode("utf-8", "replace"), usage.ru_maxrss / 1024


def _env() -> dict:
    return dict(os.environ, PYTHONPATH=str(REPO))


def _classify(files: list[Path], status: int | None, stderr: str) -> dict[Path, str]:
    """What happened to each file of one run: ingested, refused, traceback, crash or hang."""
    failed = [line for line in stderr.splitlines() if line.startswith("failed: ")]
    outcome = {}
    for path in files:
        if status is None:
            outcome[path] = "hang"
        elif "Traceback (most recent call last)" in stderr:
            outcome[path] = "traceback"
        elif status not in (0, 1):
            outcome[path] = "crash"
        elif any(str(path) in line or str(path.with_name(path.stem)) in line for line in failed):
            outcome[path] = "refused"
        else:
            outcome[path] = "ingested"
    return outcome


def scenario_hostile_files(args, workdir: Path) -> list[dict]:
    """Crafted hostile files one process each, then real test-suite files one process per project."""
    from bench.hostile_files import CASES, build_cases

    rows = []
    python = _python()
    for case in CASES:
        folder = workdir / "hostile" / re.sub(r"\W+", "-", case).strip("-")
        (name, expected), = build_cases(folder, [case]).values()
        path = folder / name
        status, stderr, peak = _run_measured(
            [python, "-m", "workbench", "translate", str(folder), "--ingest-only", "--db", str(folder / "w.db")],
            args.file_timeout)
        outcome = _classify([path], status, stderr)[path]
        message = next((line for line in stderr.splitlines() if line.startswith("failed: ")), "")
        rows.append({"set": case, "files": 1, "ingested": int(outcome == "ingested"),
                     "refused": int(outcome == "refused"), "traceback": int(outcome == "traceback"),
                     "crash": int(outcome == "crash"), "hang": int(outcome == "hang"),
                     "peak_mb": round(peak), "expected": expected,
                     "message": message.replace(str(folder) + "/", "")[:160]})
    if args.real_files:
        for project in sorted(p for p in Path(args.real_files).iterdir() if p.is_dir()):
            files = sorted(p for p in project.rglob("*") if p.is_file())
            db = workdir / f"real-{project.name}.db"
            status, stderr, peak = _run_measured(
                [python, "-m", "workbench", "translate", str(project), "--ingest-only", "--db", str(db)],
                args.file_timeout * 10)
            counts = {"ingested": 0, "refused": 0, "traceback": 0, "crash": 0, "hang": 0}
            for outcome in _classify(files, status, stderr).values():
                counts[outcome] += 1
            rows.append({"set": f"{project.name} test files", "files": len(files), **counts,
                         "peak_mb": round(peak), "expected": "-", "message": ""})
    return rows


def print_hostile_table(rows: list[dict]) -> None:
    columns = [("set", "files"), ("files", "files"), ("expected", "expected"), ("ingested", "ingested"),
               ("refused", "refused with a message"), ("traceback", "traceback"), ("crash", "crash"),
               ("hang", "hang"), ("peak_mb", "peak memory (MB)")]
    print("| " + " | ".join(title for _, title in columns) + " |")
    print("|" + "---|" * len(columns))
    for row in rows:
        print("| " + " | ".join(str(row[key]) for key, _ in columns) + " |")
    totals = {key: sum(row[key] for row in rows) for key in ("files", "ingested", "refused", "traceback",
                                                               "crash", "hang")}
    print(f"| total | {totals['files']} | | {totals['ingested']} | {totals['refused']} | {totals['traceback']} "
          f"| {totals['crash']} | {totals['hang']} | {max(row['peak_mb'] for row in rows)} |")
    for row in rows:
        if row["message"]:
            print(f"  {row['set']}: {row['message']}")


COLUMNS = [("scenario", "scenario"), ("shape", "shape"), ("attempted", "attempted"), ("saved", "saved"),
           ("conflicts", "refused as conflict"), ("errors", "errors"), ("lost", "lost"),
           ("wrong_return", "wrong return"), ("translation_rows", "translation rows"),
           ("distinct_sources", "distinct sources"), ("segments", "segments"),
           ("translated_twice", "segments translated twice"),
           ("untranslated", "untranslated"), ("integrity", "integrity")]


def print_table(results: list[dict]) -> None:
    print("| " + " | ".join(title for _, title in COLUMNS) + " |")
    print("|" + "---|" * len(COLUMNS))
    for result in results:
        cells = [result.get(key, "-") for key, _ in COLUMNS]
        print("| " + " | ".join(f"{c:,}" if isinstance(c, int) else str(c) for c in cells) + " |")
    for result in results:
        for sample in result.get("error_samples", []) + result.get("batch_errors", []):
            print(f"  {result['scenario']}: {sample}")
        for trial in result.get("trials", []):
            print(f"  kill at {trial['killed_at_s']} s: {trial['rows_before_rerun']} rows kept, re-run translated "
                  f"{trial['rerun_translated']}, {trial['translation_rows']} rows for {trial['distinct_sources']} "
                  f"distinct, untranslated {trial['untranslated']}, integrity {trial['integrity']}")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_open":
        worker_open(argv[1], float(argv[2]))
        return 0
    if argv and argv[0] == "_reviewer":
        worker_reviewer(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), argv[5], int(argv[6]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--reviewers", type=int, default=8, help="reviewer (and first-open) processes")
    parser.add_argument("--saves", type=int, default=1000, help="saves per reviewer process")
    parser.add_argument("--open-trials", type=int, default=20, help="first-open trials")
    parser.add_argument("--kill-trials", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4, help="copies of the seeds the batches translate")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help=f"comma-separated, from {', '.join(SCENARIOS)}")
    parser.add_argument("--checkpoints", type=Path, help="folder with vi-en/ and en-vi/ test checkpoints")
    parser.add_argument("--engine", default="transformers", choices=["transformers", "ctranslate2"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the stores here (default: a temporary folder)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    parser.add_argument("--real-files", type=Path,
                        help="hostile-files: a folder of folders (one per project) of real files from other "
                             "projects' test suites, e.g. pypdf/, python-docx/, trafilatura/")
    parser.add_argument("--file-timeout", type=float, default=120,
                        help="hostile-files: seconds one file may take before it counts as a hang")
    args = parser.parse_args(argv)
    chosen = [name.strip() for name in args.scenarios.split(",") if name.strip()]
    unknown = set(chosen) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenario(s) {sorted(unknown)}")
    temporary = None if args.workdir else tempfile.TemporaryDirectory(prefix="reliability-")
    workdir = args.workdir or Path(temporary.name)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        needs_batches = {"batch+reviewers", "two-batches", "kill"} & set(chosen)
        if needs_batches and args.checkpoints is None:
            args.checkpoints = build_checkpoints(workdir / "checkpoints")
        docs = make_copies(workdir, args.copies, args.seed) if needs_batches else None
        results = []
        hostile_rows = []
        for name in chosen:
            started = time.monotonic()
            if name == "hostile-files":
                hostile_rows = scenario_hostile_files(args, workdir)
                print(f"{name}: done in {time.monotonic() - started:.1f} s", file=sys.stderr)
                continue
            if name == "first-open":
                result = scenario_first_open(args, workdir)
            elif name == "reviewers":
                result = scenario_reviewers(args, workdir)
            elif name == "batch+reviewers":
                result = scenario_batch_and_reviewers(args, workdir, docs)
            elif name == "two-batches":
                result = scenario_two_batches(args, workdir, docs)
            else:
                result = scenario_kill(args, workdir, docs)
            result["seconds"] = round(time.monotonic() - started, 1)
            results.append(result)
            print(f"{name}: done in {result['seconds']} s", file=sys.stderr)
        if args.json:
            print(json.dumps(results + [{"scenario": "hostile-files", "rows": hostile_rows}] * bool(hostile_rows),
                             indent=2, ensure_ascii=False))
        else:
            if results:
                print_table(results)
            if hostile_rows:
                print_hostile_table(hostile_rows)
    finally:
        if temporary is not None:
            temporary.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
