"""Background jobs: work that goes on when the page (or the browser tab) that started it is left.

A Streamlit script run stops when the reviewer switches page, so a translation
started from the Documents page cannot run inside it. `JobRegistry.start`
runs the work on a daemon thread owned by the registry (one per server
process, `JOBS`), and the work reports progress through the callback it is
given. The page only reads a `Job`: its state, how far it got, its result or
error, and it can ask it to stop (`Job.cancel`): the next progress report then
raises `JobCancelled` inside the work, which stops at a chunk boundary with
everything finished so far kept (the pipeline writes each chunk as it goes).
A job whose server process ends is gone with it; the store still holds every
chunk it finished.
"""

from __future__ import annotations

import itertools
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from workbench.errors import WorkbenchError

#: Finished jobs kept for the pages to report on; the oldest beyond this are forgotten.
KEEP_FINISHED = 20

RUNNING, DONE, FAILED, CANCELLED = "running", "done", "failed", "cancelled"


class JobCancelled(WorkbenchError):
    """Raised inside a job's work when someone asked it to stop."""


@dataclass
class Job:
    """One piece of background work and what is known about it so far."""

    id: int
    label: str
    owner: str | None = None  # who started it (recorded by `workbench.actions.start_translation`)
    kind: str = "translation"  # what `result` holds: a translation summary, or "term-candidates" (a count)
    started_at: float = field(default_factory=time.time)
    state: str = RUNNING
    done: int = 0
    total: int = 0
    finished_at: float | None = None
    result: Any = None
    error: str | None = None
    _cancel: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def running(self) -> bool:
        """True until the work returned, failed or stopped."""
        return self.state == RUNNING

    @property
    def fraction(self) -> float:
        """How far it got, from 0 to 1 (0 before the first report)."""
        return min(1.0, self.done / self.total) if self.total else (1.0 if self.state == DONE else 0.0)

    @property
    def cancel_requested(self) -> bool:
        """True once `cancel` was called."""
        return self._cancel.is_set()

    def cancel(self) -> None:
        """Ask the work to stop at its next progress report."""
        self._cancel.set()

    def report(self, done: int, total: int) -> None:
        """The progress callback handed to the work: record how far it got, stop if asked to."""
        self.done, self.total = done, total
        if self._cancel.is_set():
            raise JobCancelled(f"{self.label}: stopped on request after {done} of {total}")

    def describe(self) -> str:
        """One line: what, how far, in what state."""
        where = f"{self.done} of {self.total}" if self.total else "starting"
        if self.state == RUNNING:
            return f"{self.label}: {where}" + (" (stopping...)" if self.cancel_requested else "")
        if self.state == DONE:
            return f"{self.label}: finished, {where}"
        if self.state == CANCELLED:
            return f"{self.label}: cancelled after {where}; what was finished is kept"
        return f"{self.label}: stopped by an error after {where}; what was finished is kept ({self.error})"


class JobRegistry:
    """The background jobs of one process; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[int, Job] = {}
        self._ids = itertools.count(1)

    def start(self, label: str, work: Callable[[Callable[[int, int], None]], Any], *,
              owner: str | None = None, kind: str = "translation") -> Job:
        """Run `work(progress)` on a new daemon thread; return its `Job` at once."""
        with self._lock:
            job = Job(next(self._ids), label, owner, kind=kind)
            self._jobs[job.id] = job
            self._forget_old()

        def run() -> None:
            try:
                job.result = work(job.report)
                job.state = DONE
            except JobCancelled:
                job.state = CANCELLED
            except Exception as exc:  # the page shows it; a background thread has nobody else to tell
                job.error = str(exc) or type(exc).__name__
                job.state = FAILED
                traceback.print_exc()
            finally:
                job.finished_at = time.time()

        threading.Thread(target=run, name=f"workbench-job-{job.id}", daemon=True).start()
        return job

    def get(self, job_id: int) -> Job | None:
        """The job with this id, if it is still known."""
        with self._lock:
            return self._jobs.get(job_id)

    def jobs(self) -> list[Job]:
        """Every known job, newest first."""
        with self._lock:
            return sorted(self._jobs.values(), key=lambda job: job.id, reverse=True)

    def running(self) -> list[Job]:
        """The jobs still running, newest first."""
        return [job for job in self.jobs() if job.running]

    def _forget_old(self) -> None:
        finished = sorted((job for job in self._jobs.values() if not job.running), key=lambda job: job.id)
        for job in finished[:max(0, len(finished) - KEEP_FINISHED)]:
            del self._jobs[job.id]


#: The registry of this server process (a plain object: creating it starts nothing).
JOBS = JobRegistry()
