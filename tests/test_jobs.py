"""Tests for workbench.jobs: background work that outlives the page run that started it."""

import threading
import time

from workbench.jobs import CANCELLED, DONE, FAILED, JobRegistry


def wait(job, timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while job.running and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not job.running, job.describe()


def test_a_job_reports_progress_and_its_result():
    registry = JobRegistry()
    seen = []

    def work(progress):
        for done in range(1, 4):
            progress(done, 3)
            seen.append(done)
        return "summary"

    job = registry.start("Translating", work)
    wait(job)
    assert (job.state, job.result, job.done, job.total, job.fraction) == (DONE, "summary", 3, 3, 1.0)
    assert seen == [1, 2, 3]
    assert job.describe() == "Translating: finished, 3 of 3"
    assert registry.get(job.id) is job and registry.running() == []


def test_a_cancelled_job_stops_at_its_next_report_and_says_how_far_it_got():
    registry = JobRegistry()
    gate, reached = threading.Event(), []

    def work(progress):
        progress(128, 300)
        gate.wait(10)
        progress(192, 300)
        reached.append("after the cancel")  # never runs

    job = registry.start("Translating", work)
    while job.done < 128:
        time.sleep(0.01)
    assert registry.running() == [job] and "128 of 300" in job.describe()
    job.cancel()
    assert job.describe().endswith("(stopping...)")
    gate.set()
    wait(job)
    assert job.state == CANCELLED and reached == []
    assert job.describe() == "Translating: cancelled after 192 of 300; what was finished is kept"


def test_a_failing_job_keeps_its_error_and_progress():
    registry = JobRegistry()

    def work(progress):
        progress(2, 5)
        raise RuntimeError("disk full")

    job = registry.start("Translating", work)
    wait(job)
    assert job.state == FAILED and job.error == "disk full"
    assert "stopped by an error after 2 of 5" in job.describe()


def test_old_finished_jobs_are_forgotten():
    registry = JobRegistry()
    started = []
    for index in range(25):
        started.append(registry.start(f"job {index}", lambda progress: None))
        wait(started[-1])
    known = registry.jobs()
    assert len(known) <= 21 and known[0] is started[-1]  # newest first, the oldest gone
