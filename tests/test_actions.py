"""The one authority over every change: a role x action matrix over `workbench.actions`.

Each action is tried by an account of each role against a real store, users file and glossary
copy: an allowed action changes what it should and records the account; a refused one raises
`NotAllowed` and leaves the store and the files exactly as they were. The account is read again
for each change, so a removal or a demotion applies to the very next one.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from types import SimpleNamespace

import pytest

from workbench import actions
from workbench.accounts import ROLES, add_account, change_account, remove_account
from workbench.authority import Actor, command_line_actor, highest_status, permission_allowed
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import ConfirmationRequired, NotAllowed, StoreError
from workbench.exchange.xliff import export_xliff
from workbench.glossary.editing import GlossaryFile
from workbench.jobs import JobRegistry
from workbench.pipeline import BatchOptions
from workbench.review.store import ReviewStore

REPO = Path(__file__).resolve().parent.parent
VIETNAMESE = "Hội nghị biên phòng.\nĐảng ủy họp. Toàn cảnh hội nghị. Bộ đội Biên phòng tuần tra.\n"
ACCOUNT_OF = {"reviewer": "rita", "approver": "alex", "glossary-editor": "gabi", "admin": "ada"}


@pytest.fixture(scope="module")
def users_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("users") / "users.json"
    for role, name in ACCOUNT_OF.items():
        add_account(path, name, role, f"password of {name}")
    return path


@pytest.fixture
def team(tmp_path, monkeypatch, users_template):
    """A store with one vi->en document (segment 0 approved by alex), the users file and a glossary copy."""
    users = tmp_path / "users.json"
    shutil.copy(users_template, users)
    monkeypatch.setenv("WORKBENCH_USERS", str(users))
    glossary = tmp_path / "glossaries"
    shutil.copytree(REPO / "glossaries", glossary)
    store = ReviewStore(tmp_path / "store.db")
    document = parse_document(VIETNAMESE.encode("utf-8"), path=str(tmp_path / "bien-phong.txt"))
    document_id = store.upsert_document(document, segment_document(document), target_lang="en").document_id
    first = store.segments(document_id)[0]
    store.save_target(first.id, "Border defence conference.", "approved", reviewer="alex",
                      expected_version=first.version)
    yield SimpleNamespace(store=store, users=users, glossary=glossary, document_id=document_id, tmp=tmp_path)
    store.close()


def actor(role: str) -> Actor:
    return Actor(ACCOUNT_OF[role], role)


def segment(team, index: int):
    return team.store.segments(team.document_id)[index]


def state(team) -> tuple:
    """Everything a refused action must leave alone."""
    store = team.store
    return (
        [(s.id, s.target_text, s.status, s.version) for s in store.segments(team.document_id)],
        store.conn.execute("SELECT COUNT(*) FROM segment_history").fetchone()[0],
        [tuple(row) for row in store.conn.execute("SELECT id, archived FROM documents ORDER BY id")],
        store.conn.execute("SELECT COUNT(*) FROM dismissed_term_candidates").fetchone()[0],
        sorted((p.name, p.read_bytes()) for p in team.glossary.glob("*.tsv")),
    )


# -- each action: (what it does, what it leaves to check, roles allowed) ------------------------------
def save_translated(team, who):
    target = segment(team, 1)
    actions.save_segment(team.store, who, target.id, "The Party committee met.", "translated",
                         expected_version=target.version)
    return segment(team, 1).status == "translated" and segment(team, 1).updated_by == who.name


def save_reviewed(team, who):
    target = segment(team, 1)
    actions.save_segment(team.store, who, target.id, "The Party committee met.", "reviewed",
                         expected_version=target.version)
    return segment(team, 1).status == "reviewed"


def save_approved(team, who):
    target = segment(team, 1)
    actions.save_segment(team.store, who, target.id, "The Party committee met.", "approved",
                         expected_version=target.version)
    return segment(team, 1).status == "approved"


def reject(team, who):
    target = segment(team, 1)
    actions.save_segment(team.store, who, target.id, "The Party committee met.", "rejected",
                         expected_version=target.version)
    return segment(team, 1).status == "rejected"


def change_approved(team, who):
    target = segment(team, 0)
    actions.save_segment(team.store, who, target.id, "Border-defence conference.", "translated",
                         expected_version=target.version)
    return segment(team, 0).target_text == "Border-defence conference."


def undo_translated(team, who):
    target = segment(team, 2)
    team.store.save_target(target.id, "Overview.", "translated", reviewer="ada", expected_version=target.version)
    actions.undo_segment(team.store, who, target.id, expected_version=target.version + 1)
    return segment(team, 2).target_text is None and team.store.history(target.id)[-1].reviewer == who.name


def undo_approval(team, who):
    target = segment(team, 0)
    actions.undo_segment(team.store, who, target.id, expected_version=target.version)
    return segment(team, 0).status == "new"


def save_new_alignment(team, who):
    pairs = [(s.source_text, f"aligned {s.position}") for s in team.store.segments(team.document_id)]
    saved = actions.save_alignment(team.store, who, team.document_id, "bien-phong.en.txt", "en", pairs)
    return [s.updated_by for s in team.store.segments(saved)] == [who.name] * len(pairs)


def resave_alignment_over_approved(team, who):
    pairs = [(s.source_text, f"aligned {s.position}") for s in team.store.segments(team.document_id)]
    saved = actions.save_alignment(team.store, Actor("ada", "admin"), team.document_id, "t.txt", "en", pairs)
    first = team.store.segments(saved)[0]
    team.store.save_target(first.id, "Approved pair.", "approved", reviewer="alex", expected_version=first.version)
    actions.save_alignment(team.store, who, team.document_id, "t.txt", "en", pairs[1:], confirm=True)
    return [s.source_text for s in team.store.segments(saved)] == [p[0] for p in pairs[1:]]


def import_xliff_translated(team, who):
    target = segment(team, 1)
    team.store.save_target(target.id, "The committee met.", "translated", reviewer="ada",
                           expected_version=target.version)
    data = export_xliff(team.store, [team.document_id]).decode("utf-8")
    result = actions.import_xliff(team.store, who, data.replace("The committee met.", "It met.").encode("utf-8"))
    return result.updated == [target.id] and segment(team, 1).updated_by == who.name


def import_xliff_over_approved(team, who):
    data = export_xliff(team.store, [team.document_id]).decode("utf-8")
    data = data.replace("Border defence conference.", "Border-defence conference.")
    actions.import_xliff(team.store, who, data.encode("utf-8"), confirm=True)
    return segment(team, 0).target_text == "Border-defence conference."


def write_glossary(team, who):
    file = GlossaryFile.open(team.glossary / "vn-government.tsv", scope=team.glossary)
    cells = {**file.row("vn-dang-uy").cells, "note": "checked by the team"}
    actions.write_glossary_entry(who, file, cells, replacing="vn-dang-uy", store=team.store)
    return "checked by the team" in (team.glossary / "vn-government.tsv").read_text(encoding="utf-8")


def delete_glossary(team, who):
    file = GlossaryFile.open(team.glossary / "vn-government.tsv", scope=team.glossary)
    actions.delete_glossary_entry(who, file, "vn-dang-uy", store=team.store)
    return "vn-dang-uy" not in (team.glossary / "vn-government.tsv").read_text(encoding="utf-8")


def accept_candidate(team, who):
    actions.accept_candidate(who, team.glossary / "vn-government.tsv", {"id": "vn-dang-uy", "note": "accepted"},
                             replacing="vn-dang-uy", scope=team.glossary, store=team.store)
    return "accepted" in (team.glossary / "vn-government.tsv").read_text(encoding="utf-8")


CANDIDATE = SimpleNamespace(id="vi-term-1234", lang="vi", kind="term", form="phong trào thi đua")


def dismiss_candidate(team, who):
    actions.dismiss_candidate(team.store, who, CANDIDATE)
    return [r.dismissed_by for r in team.store.dismissed_term_candidates()] == [who.name]


def upload(team, who):
    text = "Đồn Biên phòng tuần tra. Hội nghị tổng kết.\n".encode()
    summary = actions.import_documents(team.store, who, [("tuan-tra.txt", text)], BatchOptions(translate=False))
    return summary.documents == 1


def translate(team, who):
    registry = JobRegistry()
    job = actions.start_translation(team.store, who, [team.document_id], BatchOptions(), "translate",
                                    registry=registry)
    return job.owner == who.name


def archive(team, who):
    actions.archive_document(team.store, who, team.document_id)
    return team.store.document(team.document_id).archived == 1


def cancel(team, who):
    registry = JobRegistry()
    import threading

    release = threading.Event()
    job = registry.start("work", lambda progress: release.wait(30), owner="ada")
    try:
        actions.cancel_job(who, job, store=team.store)
        return job.cancel_requested
    finally:
        release.set()


EDITORS = ("reviewer", "approver", "admin")
APPROVERS = ("approver", "admin")
GLOSSARY = ("glossary-editor", "admin")
ADMIN = ("admin",)
MATRIX = [
    (save_translated, EDITORS), (save_reviewed, EDITORS), (save_approved, APPROVERS), (reject, APPROVERS),
    (change_approved, APPROVERS), (undo_translated, EDITORS), (undo_approval, APPROVERS),
    (save_new_alignment, EDITORS), (resave_alignment_over_approved, APPROVERS),
    (import_xliff_translated, EDITORS), (import_xliff_over_approved, APPROVERS),
    (write_glossary, GLOSSARY), (delete_glossary, GLOSSARY), (accept_candidate, GLOSSARY),
    (dismiss_candidate, GLOSSARY), (upload, ADMIN), (translate, ADMIN), (archive, ADMIN), (cancel, ADMIN),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action, allowed", MATRIX, ids=[m[0].__name__ for m in MATRIX])
def test_role_action_matrix(team, action, allowed, role):
    who = actor(role)
    if role in allowed:
        assert action(team, who) is True
        return
    if action in (undo_translated, import_xliff_translated, resave_alignment_over_approved, cancel):
        # Their set-up writes on its own; what matters is that the refused step changes nothing.
        with pytest.raises(NotAllowed):
            action(team, who)
        return
    before = state(team)
    with pytest.raises(NotAllowed):
        action(team, who)
    assert state(team) == before


# -- rules beyond the matrix -------------------------------------------------------------------------
def test_an_empty_target_is_never_approved_whatever_the_door(team):
    target = segment(team, 1)
    for status in ("approved", "reviewed"):
        with pytest.raises(StoreError, match=f"an empty target cannot be {status}"):
            actions.save_segment(team.store, actor("admin"), target.id, "  ", status, expected_version=target.version)
        with pytest.raises(StoreError, match=f"an empty target cannot be {status}"):
            team.store.save_target(target.id, None, status, reviewer="ada", expected_version=target.version)
    assert segment(team, 1).version == target.version


def test_the_account_is_read_again_for_every_change(team):
    alex = actor("approver")  # what the page still holds
    target = segment(team, 1)
    change_account(team.users, "alex", role="reviewer")
    with pytest.raises(NotAllowed, match="may not mark a segment approved"):
        actions.save_segment(team.store, alex, target.id, "Met.", "approved", expected_version=target.version)
    remove_account(team.users, "alex")
    with pytest.raises(NotAllowed, match="no account 'alex'"):
        actions.save_segment(team.store, alex, target.id, "Met.", "translated", expected_version=target.version)
    assert segment(team, 1).version == target.version


def test_a_reviewer_resaving_an_alignment_over_approved_work_is_refused_and_told_whose(team):
    pairs = [(s.source_text, f"aligned {s.position}") for s in team.store.segments(team.document_id)]
    saved = actions.save_alignment(team.store, actor("reviewer"), team.document_id, "t.txt", "en", pairs)
    first = team.store.segments(saved)[0]
    team.store.save_target(first.id, "Approved pair.", "approved", reviewer="alex", expected_version=first.version)
    changed = [(pairs[0][0], "other text"), *pairs[2:]]
    with pytest.raises(NotAllowed) as refused:
        actions.save_alignment(team.store, actor("reviewer"), team.document_id, "t.txt", "en", changed, confirm=True)
    assert "approved by alex" in str(refused.value)
    assert [(r.segment_id, r.change) for r in refused.value.at_risk] == [(first.id, "altered")]
    assert team.store.segment(first.id).target_text == "Approved pair."
    # An approver must confirm; then the history says who replaced what.
    with pytest.raises(ConfirmationRequired):
        actions.save_alignment(team.store, actor("approver"), team.document_id, "t.txt", "en", changed)
    assert team.store.segment(first.id).status == "approved"
    actions.save_alignment(team.store, actor("approver"), team.document_id, "t.txt", "en", changed, confirm=True)
    last = team.store.history(first.id)[-1]
    assert (last.reviewer, last.before_text, last.before_status, last.after_text) == (
        "alex", "Approved pair.", "approved", "other text")


def test_single_team_mode_allows_everything_but_records_the_name(team, monkeypatch):
    monkeypatch.delenv("WORKBENCH_USERS")
    target = segment(team, 1)
    actions.save_segment(team.store, Actor("Lan"), target.id, "Met.", "approved", expected_version=target.version)
    assert segment(team, 1).updated_by == "Lan"
    with pytest.raises(NotAllowed, match="a reviewer name is required"):
        actions.save_segment(team.store, Actor(" "), target.id, "Met.", "translated",
                             expected_version=target.version + 1)


def test_the_command_line_acts_as_an_account_of_the_users_file(team, monkeypatch):
    assert command_line_actor("rita") == Actor("rita", "reviewer")
    with pytest.raises(NotAllowed, match="no account 'mallory'"):
        command_line_actor("mallory")
    monkeypatch.delenv("WORKBENCH_USERS")
    assert command_line_actor("mallory") == Actor("mallory", None)


@pytest.mark.parametrize("role, key_status", [("reviewer", "reviewed"), ("approver", "approved"),
                                              ("admin", "approved"), ("glossary-editor", None)])
def test_each_roles_approve_key_saves_the_highest_status_it_may_set(role, key_status, team):
    assert highest_status(actor(role)) == key_status
    assert permission_allowed(actor(role), "segment.save") == (role != "glossary-editor")


UNGUARDED_WRITERS = (".save_target(", ".undo_last_change(", ".save_aligned_pair(", ".archive_document(",
                     ".dismiss_term_candidate(", ".restore_term_candidate(", ".save_entry(", ".delete_entry(",
                     " import_uploads(", " translate_documents(", "JOBS.start(", ".cancel()", " import_xliff(")


@pytest.mark.parametrize("page", sorted((REPO / "app_pages").glob("*.py")), ids=lambda p: p.name)
def test_pages_change_nothing_except_through_the_actions(page):
    import re

    text = page.read_text(encoding="utf-8")
    # `actions.archive_document(` is the door; `store.archive_document(` would walk round it.
    assert [w for w in UNGUARDED_WRITERS if re.search(r"(?<!actions)" + re.escape(w), text)] == []


def test_a_changed_file_that_would_retire_approved_work_is_refused_unless_confirmed(team):
    from workbench.pipeline import run_batch

    path = team.tmp / "hoi-nghi.txt"
    path.write_text(VIETNAMESE, encoding="utf-8")
    first_run = run_batch([path], team.store, BatchOptions(translate=False))
    document_id = team.store.documents()[-1].id
    assert first_run.documents == 1
    first = team.store.segments(document_id)[0]
    team.store.save_target(first.id, "Border defence conference.", "approved", reviewer="alex",
                           expected_version=first.version)
    path.write_text(VIETNAMESE.replace("Hội nghị biên phòng.", "Hội nghị biên phòng năm 2020."), encoding="utf-8")
    refused = run_batch([path], team.store, BatchOptions(translate=False))
    assert refused.documents == 0
    assert "would retire 1 reviewed or approved segment(s) whose sentence left it: segment #1 (approved by alex)" in (
        refused.failures[0])
    assert team.store.segments(document_id)[0].id == first.id
    confirmed = run_batch([path], team.store, BatchOptions(translate=False, retire_reviewed=True))
    assert confirmed.documents == 1 and team.store.segments(document_id)[0].id != first.id
    assert team.store.segment(first.id).target_text == "Border defence conference."  # kept, hidden


def test_import_xliff_on_the_command_line_acts_as_an_account_of_the_users_file(team, capsys):
    from workbench.cli import main

    data = export_xliff(team.store, [team.document_id]).decode("utf-8")
    xlf = team.tmp / "work.xlf"
    xlf.write_text(data.replace("Border defence conference.", "Border-defence conference."), encoding="utf-8")
    db = str(team.store.path)
    assert main(["import-xliff", str(xlf), "--reviewer", "mallory", "--db", db]) == 1
    assert "no account 'mallory'" in capsys.readouterr().err
    assert main(["import-xliff", str(xlf), "--reviewer", "rita", "--db", db, "--confirm"]) == 1
    assert (f"Error: {xlf}:4: unit 'seg-{segment(team, 0).id}': your account (reviewer) may not change a segment "
            "that is approved; ask an approver; nothing was imported") in capsys.readouterr().err
    assert main(["import-xliff", str(xlf), "--reviewer", "alex", "--db", db]) == 1
    assert "segment #1 (approved by alex): altered" in capsys.readouterr().err
    assert segment(team, 0).target_text == "Border defence conference."
    assert main(["import-xliff", str(xlf), "--reviewer", "alex", "--db", db, "--confirm"]) == 0
    last = team.store.history(segment(team, 0).id)[-1]
    assert (last.reviewer, last.before_text, last.after_text) == (
        "alex", "Border defence conference.", "Border-defence conference.")
