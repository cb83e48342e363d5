"""Shared by the UI tests: a seeded review store, a `streamlit run app.py` server, Debian's Chromium.

Translating the five seeds with the tiny random-weight checkpoints is the slow
part of the UI tests, so it happens once; each test module works on its own
copy. Browser test modules start one server per module (`streamlit_server`)
and drive it with Playwright in /usr/bin/chromium (`require_browser` skips the
module without them, or fails it when WORKBENCH_REQUIRE_BROWSER=1, as in CI).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"
CHROMIUM = Path("/usr/bin/chromium")
#: What a reviewer's laptop shows; the review grid must show at least 12 rows on it.
VIEWPORT = {"width": 1440, "height": 900}
#: How long a browser test waits for what the page should show: generous, because a loaded 2-core
#: machine (the whole suite beside other jobs) can take tens of seconds for one Streamlit run.
BROWSER_TIMEOUT_MS = 120_000
_SEEDED: dict[str, Path] = {}


def seeded_store_file(tiny_checkpoints: dict, tmp_path_factory) -> Path:
    """A store file with the seeds translated by the tiny checkpoints (built on first use)."""
    if "seeds" not in _SEEDED:
        from workbench.pipeline import BatchOptions, run_batch
        from workbench.review.store import ReviewStore

        folder = tmp_path_factory.mktemp("seeded-store")
        with ReviewStore(folder / "store.db") as store:
            summary = run_batch([REPO / "seeds"], store, BatchOptions(
                models={"vi-en": str(tiny_checkpoints["vi-en"]),
                        "en-vi": str(tiny_checkpoints["en-vi"])}, beams=1))
        assert not summary.failures and summary.untranslated == 0, summary
        _SEEDED["seeds"] = folder / "store.db"
    return _SEEDED["seeds"]


def copy_store(template: Path, target: Path) -> Path:
    """Copy a closed store file to `target` (its folder created)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(template, target)
    return target


def record_plausible_mt(store, segment, text: str, checkpoint: str = "opus-mt-vi-en") -> None:
    """Give one segment a real-looking machine translation (no random-weights flag)."""
    document = store.document(segment.document_id)
    store.record_translations([{
        "segment_id": segment.id, "source_text": segment.source_text, "source_lang": document.lang,
        "target_lang": document.target_lang, "checkpoint": checkpoint, "engine": "marian", "text": text}])


def english_like(source: str) -> str:
    """Real English (words of an English seed) about as long as `source`: a plausible MT for tests."""
    words = (REPO / "seeds" / "001_en-mt_inner-mongolia-three-norths-2023.txt").read_text(encoding="utf-8").split()
    text, index = [], 0
    while len(" ".join(text)) < 0.9 * len(source):
        text.append(words[index % len(words)])
        index += 1
    return " ".join(text).rstrip(".,;:") + "."


# -- the browser -------------------------------------------------------------------------------
def require_browser():
    """`playwright.sync_api`, or skip the calling test module when Playwright or Chromium is missing.

    CI installs both (.ci/run sets WORKBENCH_REQUIRE_BROWSER=1), so there a missing browser fails
    the run instead of passing silently; on a developer machine without them the tests are skipped.
    """
    if os.environ.get("WORKBENCH_REQUIRE_BROWSER") == "1":
        import playwright.sync_api as playwright_api

        assert CHROMIUM.exists(), "needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)"
        return playwright_api
    playwright_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright")
    if not CHROMIUM.exists():
        pytest.skip("needs Debian's Chromium at /usr/bin/chromium (apt-get install chromium)",
                    allow_module_level=True)
    return playwright_api


@contextmanager
def chromium(playwright_api):
    """A headless Debian Chromium driven by Playwright (its own browser download is never used)."""
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        try:
            yield browser
        finally:
            browser.close()


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 90) -> None:
    """Wait until Streamlit answers its health check (or fail with its output)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"streamlit exited with {server.returncode}: {server.stdout.read()}")
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=2) as answer:
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"streamlit did not answer at {url} within {timeout} s")


@contextmanager
def streamlit_server(db: Path, glossary: Path, checkpoints: dict, cwd: Path, extra_env: dict | None = None,
                     port: int | None = None):
    """`streamlit run app.py` on this store and glossary, with these checkpoints; yields its URL.

    `extra_env` adds settings such as WORKBENCH_USERS (accounts); pairs without a checkpoint get
    a folder that does not exist, so they are reported missing.
    """
    port = port or free_port()
    env = dict(os.environ, WORKBENCH_DB=str(db), WORKBENCH_GLOSSARY=str(glossary), **(extra_env or {}))
    for pair in ("vi-en", "en-vi", "zh-en"):
        env["WORKBENCH_MODEL_" + pair.upper().replace("-", "_")] = str(checkpoints.get(pair, cwd / "no-model"))
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(APP), "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=20)


# Counts the script runs the page has started, so a test can wait for the run an action caused
# instead of guessing how long the click takes to reach the server.
RUN_COUNTER_SCRIPT = """
(() => {
  window.__wbRunsStarted = 0;
  new MutationObserver(records => {
    for (const record of records) {
      if (record.target.getAttribute('data-test-script-state') === 'running') window.__wbRunsStarted++;
    }
  }).observe(document, {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
})();
"""


def runs_started(page) -> int:
    """How many script runs the page has started since it loaded (needs RUN_COUNTER_SCRIPT)."""
    return page.evaluate("window.__wbRunsStarted || 0")


def wait_for_run_after(page, runs_before: int, start_deadline_ms: int = 10_000) -> None:
    """Wait for a script run to start after `runs_before` runs (an action that changes nothing may
    start none: then give up waiting for the start after the deadline), then for it to finish."""
    try:
        page.wait_for_function("n => (window.__wbRunsStarted || 0) > n", arg=runs_before,
                               timeout=start_deadline_ms)
    except Exception as error:  # playwright's TimeoutError: no run started, nothing to wait for
        if "Timeout" not in type(error).__name__:
            raise
    wait_idle(page)


def wait_idle(page) -> None:
    """Wait until Streamlit has finished the script run the last action started."""
    page.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]')


def wait_focused(page, selector: str) -> None:
    """Wait until the element matching `selector` has the keyboard focus."""
    page.wait_for_function("sel => document.activeElement === document.querySelector(sel)", arg=selector)


def editor_selector(segment_id: int, version: int) -> str:
    """The Review page's target editor of one segment version."""
    return f".st-key-target_{segment_id}_{version} textarea"


def choose_option(page, key: str, label: str) -> None:
    """Pick `label` in the Streamlit selectbox with this key."""
    page.locator(f".st-key-{key}").get_by_role("combobox").click()
    page.get_by_role("option", name=label, exact=True).click()


def open_page(page, title: str) -> None:
    """Follow the sidebar navigation link to a page and wait for its title."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title, exact=True).click()
    page.get_by_role("heading", name=title, exact=True).first.wait_for()


def review_notices(app_test, kind: str = "error") -> list[str]:
    """The messages in the Review page's notice slot (an AppTest run), as plain text: "error" or "warning"."""
    import html
    import re

    pattern = re.compile(rf'<div class="wb-notice wb-notice-{kind}" role="alert">(.*?)</div>', re.S)
    return [html.unescape(found) for element in app_test.html for found in pattern.findall(element.proto.body)]
