"""The Streamlit pages, run headless with AppTest against a temporary store holding the seeds.

The seeds are translated once per session with the tiny random-weight
checkpoints (see `ui_support`); each test gets its own copy of that store and
of the glossary, and points the app at them through WORKBENCH_DB and
WORKBENCH_GLOSSARY, exactly as a reviewer's machine would.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest
from ui_support import APP, REPO, copy_store, review_notices, seeded_store_file

from workbench.pipeline import BatchOptions, run_batch
from workbench.review.store import ReviewStore
from workbench.review.views import RANDOM_WEIGHTS_LABEL

PAGES = ("documents", "review", "glossary", "export", "align", "dashboard")


@dataclass
class Workbench:
    db: Path
    glossary: Path

    def store(self) -> ReviewStore:
        return ReviewStore(self.db)


@pytest.fixture(scope="session")
def seeded_db(tiny_checkpoints, tmp_path_factory) -> Path:
    return seeded_store_file(tiny_checkpoints, tmp_path_factory)


def _environment(monkeypatch, tmp_path, db: Path, checkpoints: dict[str, str]) -> Workbench:
    glossary = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    monkeypatch.chdir(tmp_path)  # no workbench.toml of the repository gets in the way
    monkeypatch.setenv("WORKBENCH_DB", str(db))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(glossary))
    for pair in ("vi-en", "en-vi", "zh-en"):
        variable = "WORKBENCH_MODEL_" + pair.upper().replace("-", "_")
        monkeypatch.setenv(variable, checkpoints.get(pair, str(tmp_path / f"no-model-{pair}")))
    return Workbench(db, glossary)


@pytest.fixture
def workbench(seeded_db, tiny_checkpoints, tmp_path, monkeypatch) -> Workbench:
    """The seeds, translated by the random-weight test models; those models configured."""
    db = copy_store(seeded_db, tmp_path / "data" / "workbench.db")
    return _environment(monkeypatch, tmp_path, db, {
        "vi-en": str(tiny_checkpoints["vi-en"]), "en-vi": str(tiny_checkpoints["en-vi"])})


@pytest.fixture
def no_models(tmp_path, monkeypatch) -> Workbench:
    """Seeds ingested but untranslated, and no checkpoint anywhere."""
    env = _environment(monkeypatch, tmp_path, tmp_path / "data" / "workbench.db", {})
    with env.store() as store:
        run_batch([REPO / "seeds"], store, BatchOptions(translate=False))
    return env


def open_app(page: str | None = None, *, reviewer: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    if reviewer:
        at.text_input(key="reviewer").input(reviewer).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def html(at: AppTest) -> str:
    return "\n".join(element.proto.body for element in at.html)


def plain(text: str) -> str:
    """Markdown text with its backslash escapes undone."""
    return re.sub(r"\\(.)", r"\1", text)


def messages(elements) -> list[str]:
    return [plain(element.value) for element in elements]


def show_document(at: AppTest, document_id: int) -> AppTest:
    at.selectbox(key="review_document").set_value(document_id).run()
    assert not at.exception
    return at


def first_vietnamese(env: Workbench):
    with env.store() as store:
        document = next(d for d in store.documents() if d.lang == "vi")
        return document.id, store.segments(document.id)


# -- every page ----------------------------------------------------------------------------------
@pytest.mark.parametrize("page", PAGES)
def test_every_page_runs(workbench, page):
    at = open_app(page)
    assert at.title and not at.exception


def test_documents_page_lists_the_seeds_with_counts_and_progress(workbench):
    at = open_app()
    table = at.dataframe[0].value
    assert len(table) == 5
    assert set(table["pair"]) == {"vi→en", "en→vi"}
    assert set(table["kind"]) == {"original", "MT of zh"}
    assert list(table["statuses"]) == [f"{n} new" for n in table["segments"]]  # nothing reviewed yet
    assert list(table.columns) == ["id", "title", "pair", "kind", "date", "outlet", "segments", "MT", "statuses",
                                   "progress"]
    assert (table["progress"] == 0).all()
    assert any(RANDOM_WEIGHTS_LABEL in m for m in messages(at.info))


# -- review ----------------------------------------------------------------------------------------
def grid_rows(at: AppTest) -> list[int]:
    """Segment ids of the grid rows shown, in order."""
    return [int(i) for i in re.findall(r'<tr data-wb-seg="(\d+)"', html(at))]


def give_plausible_mt(env: Workbench, segment, text: str) -> None:
    """Record a real-looking machine translation (no random-weights flag) for one segment."""
    with env.store() as store:
        document = store.document(segment.document_id)
        store.record_translations([{
            "segment_id": segment.id, "source_text": segment.source_text, "source_lang": document.lang,
            "target_lang": document.target_lang, "checkpoint": "opus-mt-vi-en", "engine": "marian",
            "text": text}])


def test_grid_and_open_segment_approve_and_next(workbench):
    document_id, segments = first_vietnamese(workbench)
    first, second = segments[0], segments[1]
    at = show_document(open_app("review"), document_id)
    assert grid_rows(at) == [s.id for s in segments][:50]
    assert at.session_state["review_focus"] == first.id  # the first segment opens at once
    assert not at.text_area  # no reviewer name yet: nothing to edit
    assert any("Reviewer name" in m for m in messages(at.info))
    at.text_input(key="reviewer").input("Lan").run()
    editor = at.text_area(key=f"target_{first.id}_1")
    assert editor.value == ""  # implausible MT (a random-weight model's noise) is not offered as a start
    editor.input("February 2020")
    at.button(key=f"approve_next_{first.id}_1").click().run()
    assert not at.exception
    assert "Saved segment #1 as approved" in messages(at.toast)[0]
    assert at.session_state["review_focus"] == second.id  # confirm and next
    assert at.text_area(key=f"target_{second.id}_1")
    assert at.query_params["seg"] == str(second.id) and at.query_params["doc"] == str(document_id)

    with workbench.store() as store:
        saved = store.segment(first.id)
        assert (saved.target_text, saved.status, saved.updated_by, saved.version) == (
            "February 2020", "approved", "Lan", 2)
        [change] = store.history(first.id)
        assert (change.reviewer, change.before_text, change.after_text) == ("Lan", None, "February 2020")

    reloaded = show_document(open_app("review"), document_id)  # a new session: read from the store
    assert "February 2020" in html(reloaded)


def test_an_empty_target_is_not_approved(workbench):
    document_id, segments = first_vietnamese(workbench)
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.button(key=f"approve_next_{segments[0].id}_1").click().run()
    assert "an empty target cannot be approved" in review_notices(at)[0]
    with workbench.store() as store:
        assert store.segment(segments[0].id).version == 1


def test_a_plausible_machine_translation_is_the_start_and_one_click_approves_it(workbench):
    document_id, segments = first_vietnamese(workbench)
    segment = segments[3]
    mt = "In the past five years, the self-managed security teams of the five border communes played their part."
    give_plausible_mt(workbench, segment, mt)
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.session_state["review_focus"] = segment.id
    at.run()
    assert at.text_area(key=f"target_{segment.id}_1").value == mt
    assert 'data-wb-action="insert-mt"' in html(at)
    at.button(key=f"approve_next_{segment.id}_1").click().run()
    with workbench.store() as store:
        assert (store.segment(segment.id).target_text, store.segment(segment.id).status) == (mt, "approved")


def test_implausible_machine_translation_is_labelled_and_flagged(workbench):
    document_id, segments = first_vietnamese(workbench)
    at = show_document(open_app("review"), document_id)
    assert segments[0].random_weights
    body = html(at)
    assert f"not plausible: {RANDOM_WEIGHTS_LABEL}" in body
    assert "MT not plausible" in body and 'data-wb-action="insert-mt"' not in body
    assert "implausible machine translation" in body  # the check
    at.multiselect(key="review_checks").set_value(["implausible_mt"]).run()
    assert grid_rows(at) == [s.id for s in segments][:50]


def test_the_url_opens_a_document_and_segment(workbench):
    document_id, segments = first_vietnamese(workbench)
    at = AppTest.from_file(str(APP), default_timeout=60)
    at.query_params["reviewer"] = "Minh"
    at.query_params["doc"] = str(document_id)
    at.query_params["seg"] = str(segments[4].id)
    at.run()
    at.switch_page("app_pages/review.py").run()
    assert not at.exception
    assert at.session_state["reviewer"] == "Minh"
    assert at.session_state["review_focus"] == segments[4].id
    assert at.text_area(key=f"target_{segments[4].id}_1")
    assert 'class="wb-open"' in html(at).split(f'data-wb-seg="{segments[4].id}"')[1][:30]


def test_a_stale_save_is_refused_and_my_text_stays_whichever_version_i_continue_from(workbench):
    document_id, segments = first_vietnamese(workbench)
    segment = segments[2]
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.session_state["review_focus"] = segment.id
    at.run()
    at.text_area(key=f"target_{segment.id}_1").input("Lan's version")
    with workbench.store() as store:  # meanwhile a colleague saves the same segment
        store.save_target(segment.id, "Minh's version", "reviewed", reviewer="Minh", expected_version=1)
    at.button(key=f"save_{segment.id}_1").click().run()

    error = " ".join(messages(at.error))
    assert "Not saved" in error and "Minh" in error and "Nothing was overwritten" in error
    assert "Minh&#x27;s version" in html(at)
    assert at.code[0].value == "Lan's version"  # copyable
    with workbench.store() as store:
        assert store.segment(segment.id).target_text == "Minh's version"

    at.button(key="conflict_theirs").click().run()  # continue from the newer version...
    assert at.text_area(key=f"target_{segment.id}_2").value == "Minh's version"
    assert at.code[0].value == "Lan's version"  # ...and my text is still there to copy
    at.text_area(key=f"target_{segment.id}_2").input("Minh's version, corrected")
    at.button(key=f"approve_next_{segment.id}_2").click().run()
    assert not at.code  # saved: the kept text goes
    with workbench.store() as store:
        assert store.segment(segment.id).target_text == "Minh's version, corrected"
        assert [h.reviewer for h in store.history(segment.id)] == ["Minh", "Lan"]


def test_a_stale_save_can_be_overwritten_on_purpose(workbench):
    document_id, segments = first_vietnamese(workbench)
    segment = segments[2]
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.session_state["review_focus"] = segment.id
    at.run()
    at.text_area(key=f"target_{segment.id}_1").input("Lan's version")
    with workbench.store() as store:
        store.save_target(segment.id, "Minh's version", "reviewed", reviewer="Minh", expected_version=1)
    at.button(key=f"save_{segment.id}_1").click().run()
    at.button(key="conflict_mine").click().run()  # an explicit choice, recorded as a change
    with workbench.store() as store:
        assert store.segment(segment.id).target_text == "Lan's version"
        assert [h.reviewer for h in store.history(segment.id)] == ["Minh", "Lan"]


def test_undo_and_history_as_a_word_diff(workbench):
    document_id, segments = first_vietnamese(workbench)
    segment = segments[1]
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.session_state["review_focus"] = segment.id
    at.run()
    at.text_area(key=f"target_{segment.id}_1").input("First try")
    at.selectbox(key=f"status_{segment.id}_1").set_value("translated")
    at.button(key=f"save_{segment.id}_1").click().run()
    at.text_area(key=f"target_{segment.id}_2").input("Second try")
    at.button(key=f"save_{segment.id}_2").click().run()
    body = html(at)
    assert "First</del>" in body and "Second</ins>" in body and " try" in body
    at.button(key=f"undo_{segment.id}_3").click().run()
    assert not at.exception and "Undid the last change" in messages(at.toast)[0]
    with workbench.store() as store:
        undone = store.segment(segment.id)
        assert (undone.target_text, undone.status, undone.version) == ("First try", "translated", 4)
        assert [h.after_text for h in store.history(segment.id)] == ["First try", "Second try", "First try"]
    assert at.text_area(key=f"target_{segment.id}_4").value == "First try"


def test_filters_and_grid_pages(workbench):
    with workbench.store() as store:
        longest = max(store.document_summaries(), key=lambda s: s["segments"])
        segments = store.segments(longest["id"])
        store.save_target(segments[0].id, "Done.", "approved", reviewer="Lan", expected_version=1)
    at = show_document(open_app("review"), longest["id"])
    assert grid_rows(at) == [s.id for s in segments[:50]]
    at.multiselect(key="review_statuses").set_value(["approved"]).run()
    assert grid_rows(at) == [segments[0].id]
    at.multiselect(key="review_statuses").set_value([]).run()
    at.text_input(key="review_search").input(segments[5].source_text[:25]).run()
    assert segments[5].id in grid_rows(at) and len(grid_rows(at)) < 5
    assert at.session_state["review_focus"] in grid_rows(at)  # the open segment follows the filter
    at.text_input(key="review_search").input("").run()
    at.multiselect(key="review_checks").set_value(["empty_target"]).run()
    # implausible MT is not a target: every segment but the approved one
    assert segments[0].id not in grid_rows(at) and len(grid_rows(at)) == min(50, len(segments) - 1)


def test_grid_pages_follow_the_open_segment(workbench):
    with workbench.store() as store:
        text = "".join(f"Câu thứ {i} về biên giới.\n\n" for i in range(120)).encode()
        from workbench.pipeline import import_uploads

        summary = import_uploads(store, [("long.txt", text)], BatchOptions(translate=False))
        assert not summary.failures
        document_id = store.documents()[-1].id
        segments = store.segments(document_id)
    assert len(segments) == 120
    at = show_document(open_app("review"), document_id)
    assert grid_rows(at) == [s.id for s in segments[:50]]
    at.get("pagination")[0].set_value(3).run()
    assert grid_rows(at) == [s.id for s in segments[100:]]


def test_without_models_reviewers_translate_by_hand_with_terms_and_memory(no_models):
    with no_models.store() as store:
        vi_docs = [d for d in store.document_summaries() if d["lang"] == "vi"]
        a_doc, b_doc = vi_docs[0]["id"], vi_docs[1]["id"]
        a = store.segments(a_doc)[1]
        # the same sentence, slightly changed, in another document: a fuzzy match
        b = store.segments(b_doc)[1]
        store.conn.execute("UPDATE segments SET source_text = ? WHERE id = ?", (a.source_text + " nữa", b.id))
        store.conn.commit()

    at = open_app("review", reviewer="Lan")
    banner = " ".join(messages(at.warning))
    assert "Missing translation models: en-vi" in banner and "vi-en" in banner
    assert "workbench models pull" not in banner  # no command-line advice on the page
    show_document(at, a_doc)
    at.session_state["review_focus"] = a.id
    at.run()
    assert "none: the model is missing" in html(at)
    assert "<mark " in html(at)  # glossary terms highlighted in the sources
    at.text_area(key=f"target_{a.id}_1").input("Translated by hand.")
    at.button(key=f"approve_next_{a.id}_1").click().run()

    show_document(at, b_doc)
    at.session_state["review_focus"] = b.id
    at.run()
    body = html(at)
    assert re.search(r"<b>\d+%</b>", body)  # the score
    assert re.search(r'<del style="[^"]*"> nữa</del>', body)  # what differs from this source
    assert 'data-wb-action="insert-tm" data-wb-index="0"' in body
    assert "Translated by hand." in body


def test_glossary_terms_beside_the_open_segment_with_hover_that_survives_the_note(workbench):
    from workbench.glossary import read_glossary

    note = 'check <img src=x onerror=alert(1)> and </script> "quoted"'
    document_id, segments = first_vietnamese(workbench)
    glossary, _ = read_glossary(workbench.glossary)
    segment, match = next((s, m) for s in segments for m in glossary.match(s.source_text, "vi"))
    for path in sorted(workbench.glossary.glob("*.tsv")):  # give that entry the hostile note
        lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
        header = lines[0].rstrip("\n").split("\t")
        for index, line in enumerate(lines):
            cells = line.rstrip("\n").split("\t")
            if cells[0] == match.entry_id:
                cells[header.index("note")] = note
                lines[index] = "\t".join(cells) + "\n"
                path.write_text("".join(lines), encoding="utf-8")
    at = show_document(open_app("review", reviewer="Lan"), document_id)
    at.session_state["review_focus"] = segment.id
    at.run()
    assert not at.exception and not any("problem" in w for w in messages(at.warning))
    body = html(at)
    assert 'data-wb-action="insert-term"' in body and " → <b>" in body
    assert "‹img src=x onerror=alert(1)› and ‹/script› &quot;quoted&quot;" in body  # the hover text
    assert "&lt;img src=x onerror=alert(1)&gt;" in body  # the note shown as text beside the segment
    assert "<img" not in body and "</script" not in body


def test_a_hostile_document_is_shown_as_text(workbench):
    hostile = ("Bộ đội Biên phòng <script>alert('x')</script> tuần tra.\n"
               "Đồn <img src=x onerror=alert(1)> và **đậm** [link](javascript:alert(2)) :smile:\n")
    at = open_app(reviewer="Lan")
    at.get("file_uploader")[0].set_value(("evil <script>.txt", hostile.encode(), "text/plain"))
    at.selectbox(key="import_lang").set_value("vi")  # so short a text is no sure guess
    at.checkbox(key="import_translate").uncheck()
    at.button(key="import_submit").click().run()
    assert not messages(at.error), messages(at.error)
    with workbench.store() as store:
        document = store.documents()[-1]
        assert Path(document.path).parent == workbench.db.parent / "uploads"
        assert document.name == "evil_script.txt"
    at = show_document(open_app("review", reviewer="Lan"), document.id)
    body = html(at)
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "<script" not in body and "<img" not in body
    assert "**đậm** [link](javascript:alert(2)) :smile:" in body  # no Markdown either


def test_upload_errors_are_the_batch_scripts(workbench):
    at = open_app(reviewer="Lan")
    at.get("file_uploader")[0].set_value([("empty.txt", b"  \n", "text/plain"),
                                          ("legacy.txt", "Bi\xean ph\xf2ng".encode("latin-1"), "text/plain")])
    at.button(key="import_submit").click().run()
    errors = messages(at.error)
    uploads = workbench.db.parent / "uploads"
    assert errors[0] == "Not imported: empty.txt: file holds only whitespace"  # no server path
    assert errors[1].startswith("Not imported: legacy.txt:")
    assert not at.success  # nothing was imported: no green box
    assert not uploads.exists() or not any(uploads.iterdir())


def test_a_translation_runs_in_the_background_and_can_be_cancelled(workbench, tiny_checkpoints):
    import threading
    import time

    from workbench.jobs import JOBS

    text = "".join(f"Đồn Biên phòng tuần tra đoạn {i} của đường biên giới.\n\n" for i in range(150))
    at = open_app(reviewer="Lan")
    at.get("file_uploader")[0].set_value(("patrols.txt", text.encode(), "text/plain"))
    at.button(key="import_submit").click().run()
    assert not at.exception and not messages(at.error)
    job = JOBS.jobs()[0]
    assert job.label == "Translating 1 imported document(s)"
    at.switch_page("app_pages/glossary.py").run()  # leaving the page does not stop it
    deadline = time.monotonic() + 120
    while job.running and time.monotonic() < deadline:
        time.sleep(0.2)
    assert job.state == "done", job.describe()
    with workbench.store() as store:
        document = store.documents()[-1]
        assert document.name == "patrols.txt"
        assert all(s.mt_text for s in store.segments(document.id))
    at.switch_page("app_pages/documents.py").run()
    assert any("finished" in m and "translated: 150" in m for m in messages(at.success))

    # A running job shows its progress and a Cancel button; cancelled, the page says how far it got.
    gate = threading.Event()

    def work(progress):
        progress(3, 10)
        gate.wait(30)
        progress(4, 10)  # the next report after the cancel stops it

    job = JOBS.start("Translating on purpose", work)
    wait_for(lambda: job.done >= 3, "the job to report progress")
    at.run()
    assert at.get("progress")[0].value == 30
    at.button(key=f"cancel_job_{job.id}").click().run()
    gate.set()
    wait_for(lambda: not job.running, "the cancelled job to stop")
    at.run()
    assert job.state == "cancelled"
    assert "Translating on purpose: cancelled after 4 of 10; what was finished is kept" in messages(at.warning)


def wait_for(condition, what: str, timeout: float = 120) -> None:
    """Poll `condition` until it holds; fail naming `what` after a deadline generous for a loaded machine."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"gave up waiting for {what} after {timeout} s"
        time.sleep(0.05)


def test_archive_after_confirming(workbench):
    at = open_app(reviewer="Lan")
    at.selectbox(key="archive_choice").set_value(2).run()
    at.button(key="archive_start").click().run()
    assert "Archive" in messages(at.warning)[-1]
    at.button(key="archive_cancel").click().run()
    with workbench.store() as store:
        assert len(store.documents()) == 5
    at.button(key="archive_start").click().run()
    at.button(key="archive_confirm").click().run()
    with workbench.store() as store:
        assert [d.id for d in store.documents()] == [1, 3, 4, 5]
    assert len(at.dataframe[0].value) == 4


# -- glossary ----------------------------------------------------------------------------------------
def open_glossary_entry(env: Workbench, file_name: str, entry_id: str) -> AppTest:
    at = open_app("glossary", reviewer="Lan")
    at.selectbox(key="glossary_choice").set_value(env.glossary / file_name).run()
    at.selectbox(key="glossary_entry").set_value(entry_id).run()
    assert not at.exception
    return at


def field(at: AppTest, column: str):
    return next(t for t in at.text_input if t.key.startswith(f"glossary_{column}_"))


def save(at: AppTest) -> AppTest:
    at.button(key=next(b.key for b in at.button if b.key.startswith("glossary_save_"))).click().run()
    return at


def test_glossary_edit_round_trip(workbench):
    path = workbench.glossary / "vn-government.tsv"
    before = path.read_text(encoding="utf-8").splitlines()
    at = open_glossary_entry(workbench, "vn-government.tsv", "vn-chi-thi")
    occurrences = at.dataframe[1].value
    assert len(occurrences) and {f.lower() for f in occurrences["found"]} <= {"chỉ thị", "directive"}
    field(at, "note").input("a directive of the Prime Minister")
    save(at)
    assert not at.exception and "Saved vn" in messages(at.success)[0]
    after = path.read_text(encoding="utf-8").splitlines()
    assert [i for i, (x, y) in enumerate(zip(before, after, strict=True)) if x != y] == [13]
    assert after[13].endswith("\ta directive of the Prime Minister")
    assert field(open_glossary_entry(workbench, "vn-government.tsv", "vn-chi-thi"), "note").value == \
        "a directive of the Prime Minister"


def test_glossary_edit_that_breaks_the_glossary_is_refused(workbench):
    path = workbench.glossary / "vn-government.tsv"
    before = path.read_bytes()
    at = open_glossary_entry(workbench, "vn-government.tsv", "vn-chi-thi")
    field(at, "en").input("")
    save(at)
    assert "the change would break the glossary" in messages(at.error)[0]
    assert "missing term in column 'en'" in at.code[-1].value
    assert path.read_bytes() == before


def test_glossary_file_changed_on_disk_is_not_overwritten(workbench):
    path = workbench.glossary / "vn-government.tsv"
    at = open_glossary_entry(workbench, "vn-government.tsv", "vn-chi-thi")
    edited_elsewhere = path.read_text(encoding="utf-8").replace("keep the document code unchanged",
                                                                "edited in another editor")
    path.write_text(edited_elsewhere, encoding="utf-8")
    field(at, "note").input("mine")
    save(at)
    assert "changed on disk since it was loaded" in messages(at.error)[0]
    assert path.read_text(encoding="utf-8") == edited_elsewhere
    at.button(key="glossary_reload").click().run()
    assert not any("changed on disk" in w for w in messages(at.warning))


def test_glossary_add_and_delete(workbench):
    path = workbench.glossary / "vn-border-guard.tsv"
    before = path.read_bytes()
    at = open_app("glossary", reviewer="Lan")
    at.selectbox(key="glossary_choice").set_value(path).run()
    field(at, "id").input("vn-don-truong")
    field(at, "vi").input("Đồn trưởng")
    field(at, "en").input("Station Commander")
    save(at)
    assert path.read_bytes() == before + "vn-don-truong\tĐồn trưởng\tStation Commander\t\t\t\t\t\t\t\t\t\n".encode()
    assert at.selectbox(key="glossary_entry").value == "vn-don-truong"
    confirm = next(c for c in at.checkbox if c.key.startswith("glossary_confirm_"))
    confirm.check().run()
    at.button(key=next(b.key for b in at.button if b.key.startswith("glossary_delete_"))).click().run()
    assert path.read_bytes() == before


# -- export ----------------------------------------------------------------------------------------------
def test_export_parses_back(workbench):
    from lxml import etree

    from workbench.exchange import read_tsv

    with workbench.store() as store:
        segments = store.segments(3)
        store.save_target(segments[0].id, "February 2020", "approved", reviewer="Lan", expected_version=1)
        store.save_target(segments[1].id, "Hà Giang <border> & gate", "approved", reviewer="Lan",
                          expected_version=1)
        store.save_target(segments[2].id, "Not yet approved", "translated", reviewer="Lan",
                          expected_version=1)
    at = open_app("export")
    at.multiselect(key="export_documents").set_value([3]).run()
    exported = {}
    for fmt in ("tmx", "tsv", "jsonl"):
        at.selectbox(key="export_format").set_value(fmt).run()
        at.button(key="export_prepare").click().run()
        assert not at.exception and at.get("download_button")
        exported[fmt] = at.session_state["export_payload"]["data"]

    units = etree.fromstring(exported["tmx"]).findall(".//tu")
    assert [[seg.text for seg in unit.iter("seg")] for unit in units] == [
        [segments[0].source_text, "February 2020"], [segments[1].source_text, "Hà Giang <border> & gate"]]
    assert [row["target"] for row in read_tsv(exported["tsv"])] == ["February 2020", "Hà Giang <border> & gate"]
    lines = [json.loads(line) for line in exported["jsonl"].decode().splitlines()]
    assert [(x["status"], x["source_lang"], x["target_lang"]) for x in lines] == [("approved", "vi", "en")] * 2

    assert {x["document"] for x in lines} == {segments[0] and "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"}
    assert "/" not in exported["jsonl"].decode().split('"document": ')[1].split(",")[0]  # no server path

    at.radio(key="export_scope").set_value("all").run()
    assert not at.get("download_button")  # prepared for another selection: no stale button
    at.selectbox(key="export_format").set_value("jsonl").run()
    at.button(key="export_prepare").click().run()
    assert len(at.session_state["export_payload"]["data"].decode().splitlines()) == 3
    at.selectbox(key="export_format").set_value("tsv").run()
    assert not at.get("download_button")


def test_xliff_of_several_language_pairs_is_a_zip_of_one_file_per_pair(workbench):
    import io
    import zipfile

    from workbench.exchange.xliff import parse_xliff_bytes

    at = open_app("export")  # every document chosen: vi->en and en->vi
    at.selectbox(key="export_format").set_value("xliff").run()
    at.button(key="export_prepare").click().run()
    assert not at.exception and not at.error
    payload = at.session_state["export_payload"]
    assert payload["name"].endswith(".zip") and payload["mime"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(payload["data"])) as archive:
        names = sorted(archive.namelist())
        assert [name.rsplit("-", 2)[-2:] for name in names] == [["en", "vi.xlf"], ["vi", "en.xlf"]]
        for name in names:
            data = archive.read(name)
            root = parse_xliff_bytes(data)
            source, target = name[:-4].rsplit("-", 2)[-2:]
            assert (root.get("srcLang"), root.get("trgLang")) == (source, target)
            assert b"/tmp" not in data and str(workbench.db.parent).encode() not in data  # no server path
            assert b"machine-translation" not in data  # the test model's noise is not exported as MT
    assert "--doc" not in " ".join(messages(at.caption) + messages(at.error))


# -- align -----------------------------------------------------------------------------------------------
def test_align_edit_undo_save_and_export_links(workbench):
    with workbench.store() as store:
        source = store.document(3)
        copy = Path(source.path).read_bytes()  # the same text as its "translation": links are 1-1
    at = open_app("align", reviewer="Lan")
    at.selectbox(key="align_source").set_value(3).run()
    at.radio(key="align_target_kind").set_value("upload").run()
    at.get("file_uploader")[0].set_value(("translation.txt", copy, "text/plain")).run()
    at.button(key="align_run").click().run()
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    count = len(table)
    assert count >= 5 and set(table["type"]) == {"1-1"}

    at.button(key="align_merge_next").click().run()
    assert len(at.dataframe[0].value) == count - 1 and at.dataframe[0].value["type"][0] == "2-2"
    at.button(key="align_undo").click().run()
    assert len(at.dataframe[0].value) == count and "Undone: merge link 1" in messages(at.success)[0]

    at.button(key="align_confirm").click().run()
    at.button(key="align_realign").click().run()
    assert not at.exception and at.dataframe[0].value["mark"][0] == "✔ confirmed"
    assert at.get("download_button")  # the links, [i]:[j]
    state = at.session_state["align_session"]["session"].state
    assert [(link.source, link.target) for link in state.links] == [((i,), (i,)) for i in range(count)]

    at.button(key="align_save").click().run()
    assert "Saved as document" in messages(at.success)[-1]
    with workbench.store() as store:
        pair = store.documents()[-1]
        assert pair.path.endswith("#aligned-with:translation.txt")
        segments = store.segments(pair.id)
        assert [(s.source_text, s.target_text, s.status) for s in segments] == [
            (text, text, "translated") for text in state.source]
        assert store.history(segments[0].id)[0].reviewer == "Lan"


# -- quality dashboard ------------------------------------------------------------------------------------
def test_dashboard_scores_only_plausible_mt_and_shows_no_rate_it_did_not_measure(workbench):
    with workbench.store() as store:
        segments = store.segments(3)
    at = open_app("dashboard")
    labels = {m.label: m.value for m in at.metric}
    assert labels["BLEU"] == "–"  # nothing approved yet
    assert list(at.dataframe[0].value.iloc[0][["BLEU", "edit rate (median %)"]]) == ["–", "–"]  # not "None"
    assert "Term success rate" not in labels  # no term report: no rate
    assert any("nothing measured" in c for c in messages(at.caption))

    mt = "In the past five years, the self-managed security teams of the five border communes played their part."
    give_plausible_mt(workbench, segments[3], mt)
    with workbench.store() as store:
        store.save_target(segments[3].id, mt.replace("played", "have played"), "approved", reviewer="Lan",
                          expected_version=1)
        for segment in segments[:2]:  # approved over the test model's noise: not scored
            store.save_target(segment.id, "Approved text.", "approved", reviewer="Lan", expected_version=1)
    at = open_app("dashboard")
    labels = {m.label: m.value for m in at.metric}
    assert labels["BLEU"] != "–" and re.fullmatch(r"\d+\.\d", labels["BLEU"])  # one decimal
    assert any("1 approved segment(s) with a plausible machine translation; 2 approved segment(s) left out" in c
               for c in messages(at.caption))
    scores = at.dataframe[0].value
    assert list(scores["segments"])[0] == 1 and not scores["random-weight model"].iloc[0]
    assert "nrefs:1" in at.code[0].value
    progress = at.dataframe[-2].value
    assert list(progress["reviewer"]) == ["Lan"] and list(progress["reviewed or approved"]) == [3]
