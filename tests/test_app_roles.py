"""Each page's actions for each role, headless (AppTest): what is offered, what a click changes.

A users file with one account of each role; the app is signed in through its own form. Pages
offer only what the library (`workbench.authority`) would allow, and a click goes through
`workbench.actions`: the store and the glossary files say who changed what. The real-browser
counterpart is tests/test_browser_accounts.py.
"""

from __future__ import annotations

import shutil

import pytest
from streamlit.testing.v1 import AppTest
from ui_support import APP, REPO

from workbench.accounts import add_account
from workbench.glossary import load_glossary
from workbench.pipeline import BatchOptions, run_batch
from workbench.review import term_statistics
from workbench.review.store import ReviewStore

ACCOUNT_OF = {"reviewer": "rita", "approver": "alex", "glossary-editor": "gabi", "admin": "ada"}
SEED = REPO / "seeds" / "002_vi_ha-giang-thanh-thuy-border-gate-2020.txt"


@pytest.fixture(scope="module")
def template(tmp_path_factory):
    folder = tmp_path_factory.mktemp("roles")
    for role, name in ACCOUNT_OF.items():
        add_account(folder / "users.json", name, role, f"password of {name}")
    with ReviewStore(folder / "workbench.db") as store:
        run_batch([SEED], store, BatchOptions(translate=False))
        # The Terms page shows the list as last ranked (ranking runs on a background job): rank it now.
        term_statistics.refresh_candidate_list(store, load_glossary(REPO / "glossaries"))
    return folder


@pytest.fixture
def team(template, tmp_path, monkeypatch):
    shutil.copy(template / "users.json", tmp_path / "users.json")
    shutil.copy(template / "workbench.db", tmp_path / "workbench.db")
    shutil.copytree(REPO / "glossaries", tmp_path / "glossaries")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("WORKBENCH_DB", str(tmp_path / "workbench.db"))
    monkeypatch.setenv("WORKBENCH_GLOSSARY", str(tmp_path / "glossaries"))
    monkeypatch.setenv("WORKBENCH_USERS", str(tmp_path / "users.json"))
    monkeypatch.setenv("WORKBENCH_CONFIG", str(tmp_path / "none.toml"))
    return tmp_path


def signed_in(role: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    name = ACCOUNT_OF[role]
    at.text_input(key="auth_name").input(name)
    at.text_input(key="auth_password").input(f"password of {name}")
    at.button[0].click().run()
    if page:
        at.switch_page(f"app_pages/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.session_state["reviewer"] == name
    return at


def first_segment(team):
    with ReviewStore(team / "workbench.db") as store:
        return store.segments(store.documents()[0].id)[0]


def button(at: AppTest, prefix: str):
    return next(b for b in at.button if (b.key or "").startswith(prefix))


@pytest.mark.parametrize("role, label, status", [
    ("reviewer", "Reviewed, next", "reviewed"), ("approver", "Approve, next", "approved"),
    ("admin", "Approve, next", "approved")])
def test_review_offers_each_role_its_highest_status_and_saves_it(team, role, label, status):
    segment = first_segment(team)
    at = signed_in(role, "review")
    first = button(at, "approve_next_")
    assert first.label == label
    legend = " ".join(m.value for m in at.markdown)  # the key legend shows each role its own approve key
    assert (f"save as {status}" if status != "approved" else "approve and open the next") in legend
    assert ("approved" in at.selectbox(key=f"status_{segment.id}_{segment.version}").options) == (role != "reviewer")
    at.text_area(key=f"target_{segment.id}_{segment.version}").input("The border gate.")
    button(at, "approve_next_").click().run()
    assert not at.exception
    with ReviewStore(team / "workbench.db") as store:
        saved = store.segment(segment.id)
    assert (saved.status, saved.updated_by, saved.target_text) == (status, ACCOUNT_OF[role], "The border gate.")


def test_review_offers_no_editor_to_a_glossary_editor(team):
    segment = first_segment(team)
    at = signed_in("glossary-editor", "review")
    assert not [t for t in at.text_area if t.key == f"target_{segment.id}_{segment.version}"]
    assert any("may not edit segments" in i.value for i in at.info)


@pytest.mark.parametrize("role", list(ACCOUNT_OF))
def test_glossary_saves_only_for_roles_that_may_change_it(team, role):
    path = team / "glossaries" / "vn-government.tsv"
    before = path.read_bytes()
    at = signed_in(role, "glossary")
    at.selectbox(key="glossary_choice").set_value(path).run()
    at.selectbox(key="glossary_entry").set_value("vn-dang-uy").run()
    save = button(at, "glossary_save_")
    may = role in ("glossary-editor", "admin")
    assert save.disabled == (not may)
    if may:
        note = next(t for t in at.text_input if t.key.startswith("glossary_note_"))
        note.input("checked by the team")
        button(at, "glossary_save_").click().run()
        assert "checked by the team" in path.read_text(encoding="utf-8")
    else:
        assert any("may not change the glossary" in c.value for c in at.caption)
        assert path.read_bytes() == before


@pytest.mark.parametrize("role", list(ACCOUNT_OF))
def test_terms_write_and_dismiss_only_for_roles_that_may_change_the_glossary(team, role):
    at = signed_in(role, "terms")
    may = role in ("glossary-editor", "admin")
    write = button(at, "terms_write_")
    dismiss = button(at, "terms_dismiss_")
    assert (write.disabled, dismiss.disabled) == (not may, not may)
    if may:
        dismiss.click().run()
        with ReviewStore(team / "workbench.db") as store:
            assert [r.dismissed_by for r in store.dismissed_term_candidates()] == [ACCOUNT_OF[role]]


@pytest.mark.parametrize("role", list(ACCOUNT_OF))
def test_documents_offers_import_translate_and_archive_to_an_administrator_only(team, role):
    at = signed_in(role)  # the Documents page is the default
    keys = {b.key for b in at.button}
    if role != "admin":
        assert "import_submit" not in keys and "archive_start" not in keys
        assert any("not offered" in c.value for c in at.caption)
        return
    at.button(key="archive_start").click().run()
    at.button(key="archive_confirm").click().run()
    with ReviewStore(team / "workbench.db") as store:
        assert store.documents() == []


@pytest.mark.parametrize("role", list(ACCOUNT_OF))
def test_align_save_is_offered_to_roles_that_may_edit(team, role):
    with ReviewStore(team / "workbench.db") as store:
        document = store.documents()[0]
    at = signed_in(role, "align")
    at.radio(key="align_target_kind").set_value("upload").run()
    at.get("file_uploader")[0].set_value(("translation.txt", b"The border gate. It opened in 2020.\n", "text/plain"))
    at.run()
    at.button(key="align_run").click().run()
    assert not at.exception, [e.value for e in at.exception]
    save = at.button(key="align_save")
    assert save.disabled == (role == "glossary-editor")
    if not save.disabled:
        save.click().run()
        with ReviewStore(team / "workbench.db") as store:
            pair = [d for d in store.documents() if d.aligned_from == document.id]
            assert len(pair) == 1
            assert {s.updated_by for s in store.segments(pair[0].id) if s.target_text} == {ACCOUNT_OF[role]}


def test_a_page_error_shows_the_workbenchs_message_without_details(team, monkeypatch):
    import streamlit.config

    def broken(*args, **kwargs):
        raise RuntimeError(f"boom in {team}/secret/path")

    at = signed_in("admin", "review")
    monkeypatch.setattr("workbench.glossary.files.glossary_files", broken)
    previous = streamlit.config.get_option("client.showErrorDetails")
    streamlit.config.set_option("client.showErrorDetails", "none")
    try:
        at.switch_page("app_pages/glossary.py").run()
    finally:
        streamlit.config.set_option("client.showErrorDetails", previous)
    assert not at.exception
    shown = " ".join(e.value for e in at.error)
    assert "unexpected error on this page (reference" in shown
    assert "secret" not in shown and "boom" not in shown
