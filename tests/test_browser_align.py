"""The Align page in a real browser: seeded random sequences of edits, clicked and typed as a reviewer would.

`streamlit run app.py` serves a copy of the seeded store; Playwright drives
Debian's Chromium. A reviewer gives a name, aligns a stored document with an
uploaded translation, and then makes at least 20 edits picked at random (seeded):
choose a link by typing its number, merge with the previous or next link, move
a sentence, give a sentence no counterpart, split a sentence, confirm, realign
the rest, undo, and save in between. The test keeps the same edits on a model
session built with the library (`workbench.alignment.editing`): after every
action the page must show no exception, the counts of the model, and the
model's refusal message where the model refuses; the downloaded links must be
the model's, and what each Save put in the store must be the model's pairs.

Needs the `playwright` package and /usr/bin/chromium; skipped without them,
unless WORKBENCH_REQUIRE_BROWSER=1 (CI), where their absence fails the run.
"""

from __future__ import annotations

import random
import re
import shutil
from pathlib import Path

import pytest
from ui_support import (
    BROWSER_TIMEOUT_MS,
    REPO,
    RUN_COUNTER_SCRIPT,
    chromium,
    copy_store,
    require_browser,
    runs_started,
    seeded_store_file,
    streamlit_server,
    wait_for_run_after,
)

from workbench.alignment import align, format_links, glossary_term_pairs
from workbench.alignment.editing import (
    AlignmentEditError,
    AlignmentSession,
    confirm,
    merge,
    move_sentence,
    no_counterpart,
    realign_rest,
    split_points,
    split_sentence,
)
from workbench.alignment.sentences import parse_sentences, stored_sentences, stored_translation_signal
from workbench.glossary import load_glossary
from workbench.review.store import ReviewStore

playwright_api = require_browser()

SOURCE_DOCUMENT = 4  # seeds/003_vi_quang-ninh-border-sovereignty-movement-2019.txt
UPLOAD_NAME = "translation.txt"
ACTIONS_PER_RUN = 24
SEEDS = (11, 29)


@pytest.fixture(scope="module")
def served(tiny_checkpoints, tmp_path_factory):
    """A copy of the seeded store served by `streamlit run app.py`; yields (url, db, glossary)."""
    folder = tmp_path_factory.mktemp("align-browser")
    db = copy_store(seeded_store_file(tiny_checkpoints, tmp_path_factory), folder / "data" / "workbench.db")
    glossary = folder / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    checkpoints = {pair: tiny_checkpoints[pair] for pair in ("vi-en", "en-vi")}
    with streamlit_server(db, glossary, checkpoints, folder) as url:
        yield url, db, glossary


@pytest.fixture
def page():
    with chromium(playwright_api) as browser:
        tab = browser.new_page(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
        tab.set_default_timeout(BROWSER_TIMEOUT_MS)
        yield tab


def translation_bytes(source: tuple[str, ...], rng: random.Random) -> bytes:
    """A stand-in translation: the source sentences with some joined on one line, one dropped, one added."""
    lines, kept = [], list(source)
    del kept[rng.randrange(1, len(kept) - 1)]
    kept.insert(rng.randrange(1, len(kept)), "Một câu chỉ có trong bản dịch, không có trong bản gốc.")
    i = 0
    while i < len(kept):
        take = 2 if rng.random() < 0.25 and i + 1 < len(kept) else 1
        lines.append(" ".join(kept[i:i + take]))
        i += take
    return ("\n".join(lines) + "\n").encode("utf-8")


class AlignPage:
    """The Align page as a reviewer uses it, kept in step with a model session made by the library."""

    def __init__(self, page, url: str):
        self.page, self.url = page, url
        self.runs_seen = runs_started(page)

    def settle(self) -> None:
        """Wait until the script run that the last click or key started has finished."""
        wait_for_run_after(self.page, self.runs_seen)
        self.runs_seen = runs_started(self.page)
        assert self.page.locator('[data-testid="stException"]').count() == 0, self.exception_text()

    def exception_text(self) -> str:
        shown = self.page.locator('[data-testid="stException"]')
        return shown.first.inner_text() if shown.count() else ""

    def choose(self, box: str, option: re.Pattern | str, typed: str | None = None) -> None:
        """Open a selectbox inside container `box` (typing to filter, or with its arrow), click the option."""
        combobox = self.page.locator(f".st-key-{box}").get_by_role("combobox")
        if typed:
            combobox.click()
            combobox.fill(typed)  # typing filters the options and opens the list
        else:
            self.page.locator(f".st-key-{box}").get_by_role("button", name="Open").click()
        self.page.get_by_role("option", name=option).first.click()
        self.settle()

    def selected(self, box: str) -> str:
        return self.page.locator(f".st-key-{box}").get_by_role("combobox").input_value()

    def focus(self) -> int:
        """The link open for editing (0-based), read from the link chooser."""
        return int(self.selected("align_link_box").split(" · ")[0]) - 1

    def button(self, key: str):
        return self.page.locator(f".st-key-{key} button").first  # a button with help text is drawn twice

    def click(self, key: str) -> None:
        self.button(key).click()
        self.settle()

    @staticmethod
    def link_label(session: AlignmentSession, index: int) -> str:
        """How the link chooser names link `index` of the model (number, type, confidence, marks, source)."""
        link, source = session.state.links[index], " ".join(session.state.texts(index)[0]) or "(no source)"
        source = source if len(source) <= 70 else source[:69] + "…"
        return (f"{index + 1} · {link.link_type} · {link.confidence:.2f}{' · ⚠' if link.low_confidence else ''}"
                f"{' · ✔' if link.confirmed else ''} · {source}")

    def caption(self, session: AlignmentSession) -> str:
        state = session.state
        return (f"{len(state.links)} links · {sum(link.confirmed for link in state.links)} confirmed · "
                f"{sum(link.low_confidence for link in state.links)} below confidence")


def test_random_edit_sequences_never_fail_and_save_what_is_shown(served, page, tmp_path):
    url, db, glossary_path = served
    page.add_init_script(RUN_COUNTER_SCRIPT)
    page.goto(url + "/align")
    page.get_by_role("heading", name="Align").first.wait_for()
    ui = AlignPage(page, url)
    name = page.locator(".st-key-reviewer input")
    name.fill("Lan")
    name.press("Enter")
    ui.settle()
    with ReviewStore(db) as store:
        source = stored_sentences(store, SOURCE_DOCUMENT)
    term_pairs_of = load_glossary(glossary_path)
    for seed in SEEDS:
        try:
            run_edit_sequence(ui, db, tmp_path, source, term_pairs_of, seed)
        except Exception:
            page.screenshot(path=str(tmp_path / f"failure-{seed}.png"), full_page=True)  # for the post-mortem
            raise


def run_edit_sequence(ui: AlignPage, db: Path, tmp_path: Path, source, glossary, seed: int) -> None:
    rng = random.Random(seed)
    upload = tmp_path / f"{seed}" / UPLOAD_NAME
    upload.parent.mkdir()
    upload.write_bytes(translation_bytes(source.sentences, rng))

    # Choose the document by typing its id, a file as its translation, and align.
    ui.choose("align_source", re.compile(rf"^{SOURCE_DOCUMENT}: "), typed=f"{SOURCE_DOCUMENT}: ")
    ui.page.locator(".st-key-align_target_kind").get_by_text("a file").click()
    ui.settle()
    ui.page.locator(".st-key-align_upload input[type=file]").set_input_files(str(upload))
    ui.settle()
    ui.click("align_run")

    target = parse_sentences(upload.read_bytes(), path=UPLOAD_NAME)
    with ReviewStore(db) as store:
        options = {"term_pairs": glossary_term_pairs(glossary, source.lang, target.lang),
                   "translate": stored_translation_signal(store, SOURCE_DOCUMENT, target.lang)}
    model = AlignmentSession.start(source.sentences, target.sentences,
                                   align(source.sentences, target.sentences, **options))
    ui.page.get_by_text(ui.caption(model)).wait_for()
    saves = 0
    done = 0
    log: list[str] = []  # what was done, for the message of a failed assertion
    while done < ACTIONS_PER_RUN:
        if rng.random() < 0.5:  # pick another link, typing its number to filter the list
            wanted = rng.randrange(len(model.state.links))
            ui.choose("align_link_box", re.compile(rf"^{wanted + 1} · "), typed=f"{wanted + 1} · ")
        index = ui.focus()
        assert ui.selected("align_link_box") == ui.link_label(model, index), log
        link = model.state.links[index]
        action = rng.choice(["merge_previous", "merge_next", "confirm", "move", "move", "no_counterpart",
                             "split", "split", "realign", "undo", "save"])
        log.append(f"{action} on link {index + 1}")
        edit = None  # (button key, operation, args) of the model's edit
        if action == "merge_previous" and index > 0:
            edit = ("align_merge_previous", merge, (index, "previous"))
        elif action == "merge_next" and index < len(model.state.links) - 1:
            edit = ("align_merge_next", merge, (index, "next"))
        elif action == "confirm":
            edit = ("align_confirm", confirm, (index, not link.confirmed))
        elif action == "move":
            side, direction = rng.choice(["source", "target"]), rng.choice(["previous", "next"])
            key = f"align_move_{side}_{direction}"
            possible = link.side(side) and (index > 0 if direction == "previous"
                                            else index < len(model.state.links) - 1)
            assert ui.button(key).is_disabled() == (not possible)
            if possible:
                edit = (key, move_sentence, (index, side, direction))
        elif action in ("no_counterpart", "split"):
            side, sentence = rng.choice([(s, i) for s in ("source", "target") for i in link.side(s)])
            text = model.state.sentences(side)[sentence]
            ui.choose("align_sentence_box", re.compile(rf"^{side} {sentence + 1}: "), typed=f"{side} {sentence + 1}: ")
            if action == "no_counterpart":
                edit = ("align_no_counterpart", no_counterpart, (index, side, sentence))
            elif split_points(text):
                points = split_points(text)
                point = rng.choice(points[:6])
                ui.choose("align_split_box", re.compile(re.escape(f"{text[max(0, point - 30):point].strip()} | ")))
                edit = ("align_split", split_sentence, (side, sentence, point))
            else:
                assert ui.button("align_split").is_disabled()
        elif action == "realign":
            edit = ("align_realign", realign_rest, tuple(options.items()))
        elif action == "undo":
            assert ui.button("align_undo").is_disabled() == (not model.can_undo)
            if model.can_undo:
                ui.click("align_undo")
                model.undo()
                done += 1
        elif action == "save":
            saves += 1
            save_and_check(ui, db, model, saves)
            done += 1
        if edit is not None:
            key, operation, args = edit
            try:
                if operation is realign_rest:
                    model.apply("realign", realign_rest, **dict(args))
                else:
                    model.apply(key, operation, *args)
            except AlignmentEditError as refused:
                ui.click(key)
                ui.page.get_by_text(str(refused)).first.wait_for()
            else:
                ui.click(key)
            done += 1
        ui.page.get_by_text(ui.caption(model)).wait_for()

    with ui.page.expect_download() as download:
        ui.button("align_export").click()
    assert Path(download.value.path()).read_text(encoding="utf-8") == format_links(model.state.links)
    save_and_check(ui, db, model, saves + 1)


def save_and_check(ui: AlignPage, db: Path, model: AlignmentSession, count: int) -> None:
    """Press Save; the pair in the store must be the model's links with a source, in order."""
    ui.click("align_save")
    ui.page.get_by_text("Saved as document").wait_for()
    with ReviewStore(db) as store:
        (pair,) = [row for row in store.documents()
                   if row.aligned_from == SOURCE_DOCUMENT and row.aligned_with == UPLOAD_NAME]
        saved = [(segment.source_text, segment.target_text) for segment in store.segments(pair.id)]
    expected = [(source, target or None) for source, target in model.state.pairs() if source]
    assert saved == expected, f"save {count}"
