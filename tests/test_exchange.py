"""Exchange formats: TMX/TSV/JSONL export, XLIFF 2.0 export and re-import, and their CLI."""

from __future__ import annotations

import json

import pytest

from workbench.cli import main as cli
from workbench.documents.ingest import parse_document
from workbench.documents.segment import segment_document
from workbench.errors import WorkbenchError
from workbench.exchange import (
    ExportError,
    XliffImportError,
    export_segments,
    export_xliff,
    import_xliff,
    read_tsv,
    state_to_status,
    status_to_state,
)
from workbench.review.store import STATUSES, ReviewStore

VIETNAMESE = "Hội nghị biên phòng.\nĐảng ủy họp. Toàn cảnh hội nghị. Bộ đội Biên phòng tuần tra.\n"
ENGLISH_MT = ("Border defence meeting held.\nThe commission met on Monday. "
              "Patrols were increased along the border.\n")
# Targets per segment position of the Vietnamese document: (text, status); None: untouched.
REVIEW = [
    ("Border defence conference.", "approved"),
    ("The Party committee met;\tit agreed\nthree points.", "approved"),
    ("Overview of the conference.", "reviewed"),
    None,
]


#: A machine translation the plausibility check accepts (a copy of the source would be flagged).
MT_TEXT = {"en": "The committee met to review segment {n} of the report.",
           "vi": "Ủy ban đã họp để xem xét đoạn {n} của bài báo."}


def import_text(store, text, path, **kwargs):
    """Ingest one text, store it, and give every segment a machine translation."""
    document = parse_document(text.encode("utf-8"), path=str(path), **kwargs)
    target = "vi" if document.lang == "en" else "en"
    result = store.upsert_document(document, segment_document(document), target_lang=target)
    segments = store.segments(result.document_id)
    store.record_translations([{
        "segment_id": s.id, "source_text": s.source_text, "source_lang": document.lang,
        "target_lang": target, "checkpoint": f"opus-mt-{document.lang}-{target}",
        "engine": "marian", "text": MT_TEXT[target].format(n=s.position + 1)} for s in segments])
    return result.document_id


@pytest.fixture
def reviewed(tmp_path):
    """A store with one vi->en document: two segments approved, one reviewed, one new."""
    with ReviewStore(tmp_path / "x.db") as store:
        document_id = import_text(store, VIETNAMESE, tmp_path / "bien-phong.txt")
        for segment, review in zip(store.segments(document_id), REVIEW, strict=True):
            if review:
                store.save_target(segment.id, review[0], review[1], reviewer="lan",
                                  expected_version=segment.version)
        yield store, document_id


def add_english_document(store, tmp_path):
    return import_text(store, ENGLISH_MT, tmp_path / "mongolia.txt", lang="en",
                       machine_translated_from="zh")


def snapshot(store, document_id):
    """Everything an import could change: targets, statuses, versions, history length."""
    segments = [(s.id, s.target_text, s.status, s.version) for s in store.segments(document_id)]
    history = store.conn.execute("SELECT COUNT(*) FROM segment_history").fetchone()[0]
    return segments, history


# -- TMX, TSV, JSONL ----------------------------------------------------------------------

def test_tmx_reads_back_with_translate_toolkit(reviewed):
    from translate.storage.tmx import tmxfile

    store, document_id = reviewed
    tmx = tmxfile.parsestring(export_segments(store, [document_id], "tmx"))
    assert tmx.sourcelanguage == "vi"
    assert [(u.source, u.target) for u in tmx.units] == [(s, t) for s, t in [
        ("Hội nghị biên phòng.", REVIEW[0][0]), ("Đảng ủy họp.", REVIEW[1][0])]]
    props = {p.get("type"): p.text for p in tmx.units[1].xmlelement.findall("prop")}
    segment = store.segments(document_id)[1]
    assert props == {"x-document": "bien-phong.txt", "x-segment-id": str(segment.id),
                     "x-status": "approved", "x-checkpoint": "opus-mt-vi-en"}
    assert tmx.units[1].gettarget("en") == REVIEW[1][0]


def test_tmx_with_two_language_pairs_names_the_source_language_per_unit(reviewed, tmp_path):
    from translate.storage.tmx import tmxfile

    store, _ = reviewed
    english = add_english_document(store, tmp_path)
    first = store.segments(english)[0]
    store.save_target(first.id, "Đã tổ chức hội nghị biên phòng.", "approved", reviewer="lan",
                      expected_version=first.version)
    tmx = tmxfile.parsestring(export_segments(store, None, "tmx"))
    header = tmx.document.getroot().find("header")
    assert header.get("srclang") == "*all*"
    assert [u.xmlelement.get("srclang") for u in tmx.units] == ["vi", "vi", "en"]
    assert tmx.units[2].gettarget("vi") == "Đã tổ chức hội nghị biên phòng."


@pytest.mark.parametrize("approved_only, statuses", [
    (True, ["approved", "approved"]),
    (False, ["approved", "approved", "reviewed"]),  # the untouched segment has no target
])
@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "tmx"])
def test_status_filter(reviewed, fmt, approved_only, statuses):
    store, document_id = reviewed
    data = export_segments(store, [document_id], fmt, approved_only=approved_only)
    if fmt == "tsv":
        found = [row["status"] for row in read_tsv(data)]
    elif fmt == "jsonl":
        found = [json.loads(line)["status"] for line in data.decode("utf-8").splitlines()]
    else:
        from translate.storage.tmx import tmxfile

        found = [u.xmlelement.find("prop[@type='x-status']").text
                 for u in tmxfile.parsestring(data).units]
    assert found == statuses


def test_tsv_escapes_tabs_and_newlines_and_reads_back(reviewed):
    store, document_id = reviewed
    data = export_segments(store, [document_id], "tsv")
    lines = data.decode("utf-8").splitlines()
    assert len(lines) == 3  # header and two approved segments: no field broke a line
    assert lines[0].split("\t") == ["document", "segment_id", "position", "status",
                                    "source_lang", "target_lang", "source", "target", "mt"]
    assert all(line.count("\t") == 8 for line in lines)
    rows = read_tsv(data)
    assert rows[1]["target"] == REVIEW[1][0]
    assert (rows[1]["source"], rows[1]["mt"], rows[1]["source_lang"], rows[1]["target_lang"]) == (
        "Đảng ủy họp.", MT_TEXT["en"].format(n=2), "vi", "en")


def test_jsonl_has_one_object_per_segment(reviewed):
    store, document_id = reviewed
    lines = export_segments(store, None, "jsonl").decode("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    segments = store.segments(document_id)
    assert records[1] == {
        "document": "bien-phong.txt", "document_name": "bien-phong.txt",  # the name, not the server path
        "segment_id": segments[1].id, "position": 1, "source": "Đảng ủy họp.",
        "target": REVIEW[1][0], "status": "approved", "mt": MT_TEXT["en"].format(n=2),
        "source_lang": "vi", "target_lang": "en", "checkpoint": "opus-mt-vi-en"}


def test_archived_documents_are_left_out_unless_named(reviewed):
    store, document_id = reviewed
    store.archive_document(document_id)
    assert export_segments(store, None, "jsonl") == b""
    assert len(export_segments(store, [document_id], "jsonl").splitlines()) == 2


@pytest.mark.parametrize("call, message", [
    (lambda store, doc: export_segments(store, [doc], "csv"), "unknown export format 'csv'"),
    (lambda store, doc: export_segments(store, [doc + 99], "tsv"), "no document with id"),
])
def test_export_errors(reviewed, call, message):
    store, document_id = reviewed
    with pytest.raises(ExportError, match=message):
        call(store, document_id)


# -- XLIFF 2.0 ---------------------------------------------------------------------------

@pytest.mark.parametrize("status, has_target, state", [
    ("new", False, "initial"),
    ("draft", False, "initial"),
    ("draft", True, "translated"),
    ("translated", True, "translated"),
    ("reviewed", True, "reviewed"),
    ("approved", True, "final"),
    ("rejected", True, "initial"),
])
def test_status_maps_to_state_and_back(status, has_target, state):
    assert status_to_state(status, has_target) == state
    assert state_to_status(state, f"workbench:{status}", has_target) == status


@pytest.mark.parametrize("state, sub_state, has_target, status", [
    ("final", "workbench:reviewed", True, "approved"),  # the CAT tool moved the state on
    ("initial", None, True, "draft"),
    ("initial", None, False, "new"),
    ("initial", "workbench:new", True, "draft"),  # a target was typed into a new segment
    ("reviewed", "othertool:checked", True, "reviewed"),
])
def test_a_state_changed_in_a_cat_tool_wins_over_a_stale_substate(state, sub_state, has_target, status):
    assert state_to_status(state, sub_state, has_target) == status


def test_xliff_export_reads_with_translate_toolkit(reviewed):
    from translate.storage.xliff2 import Xliff2File

    store, document_id = reviewed
    xliff = Xliff2File(export_xliff(store, [document_id]))
    segments = store.segments(document_id)
    assert (xliff.sourcelanguage, xliff.targetlanguage) == ("vi", "en")
    assert [u.getid() for u in xliff.units] == [f"seg-{s.id}" for s in segments]
    assert [u.target for u in xliff.units] == [r[0] if r else None for r in REVIEW]
    assert [u.xmlelement.get("state") for u in xliff.units] == [
        "final", "final", "reviewed", "initial"]
    assert xliff.units[3].xmlelement.get("subState") == "workbench:new"


def test_xliff_round_trip_applies_an_edit_made_in_the_file(reviewed):
    store, document_id = reviewed
    before = store.segments(document_id)
    text = export_xliff(store, [document_id]).decode("utf-8")
    # A translator edits an approved target, and finalises the reviewed segment.
    text = text.replace("Border defence conference.", "Border-defence conference.")
    text = text.replace('state="reviewed" subState="workbench:reviewed"', 'state="final"')
    result = import_xliff(store, text.encode("utf-8"), reviewer="minh")
    assert (sorted(result.updated), result.unchanged, result.skipped) == (
        [before[0].id, before[2].id], 2, [])
    after = store.segments(document_id)
    assert (after[0].target_text, after[0].status, after[0].version) == (
        "Border-defence conference.", "approved", before[0].version + 1)
    assert (after[2].target_text, after[2].status, after[2].version) == (
        "Overview of the conference.", "approved", before[2].version + 1)
    last = store.history(before[0].id)[-1]
    assert (last.reviewer, last.before_text, last.after_text) == (
        "minh", "Border defence conference.", "Border-defence conference.")
    # The same file again matches the store: nothing to do, nothing to skip.
    again = import_xliff(store, text.encode("utf-8"), reviewer="minh")
    assert (again.updated, again.unchanged, again.skipped) == ([], 4, [])


def test_untouched_export_imports_as_unchanged(reviewed):
    store, document_id = reviewed
    state = snapshot(store, document_id)
    result = import_xliff(store, export_xliff(store), reviewer="minh")
    assert (result.updated, result.unchanged, result.skipped) == ([], 4, [])
    assert snapshot(store, document_id) == state


def test_a_target_typed_into_a_new_segment_makes_it_a_draft(reviewed):
    store, document_id = reviewed
    new = store.segments(document_id)[3]
    unit = f'<unit id="seg-{new.id}"'
    text = export_xliff(store).decode("utf-8")
    head, tail = text.split(unit)
    tail = tail.replace("</source>", "</source><target>The Border Guard patrols.</target>", 1)
    result = import_xliff(store, (head + unit + tail).encode("utf-8"), reviewer="minh")
    assert result.updated == [new.id]
    assert (store.segment(new.id).target_text, store.segment(new.id).status) == (
        "The Border Guard patrols.", "draft")


@pytest.mark.parametrize("edit, reason", [
    (lambda t: t.replace("<source>Hội nghị biên phòng.</source>",
                         "<source>Hội nghị biên giới.</source>")
     .replace("Border defence conference.", "Border conference."), "the source changed"),
    (lambda t: t.replace("<target>Border defence conference.</target>", ""),
     "no target for a segment the store has translated"),
])
def test_units_that_cannot_apply_are_skipped_with_a_reason(reviewed, edit, reason):
    store, document_id = reviewed
    state = snapshot(store, document_id)
    data = edit(export_xliff(store).decode("utf-8")).encode("utf-8")
    result = import_xliff(store, data, reviewer="minh")
    assert (result.updated, len(result.skipped)) == ([], 1)
    assert reason in result.skipped[0].reason
    assert result.skipped[0].unit_id == f"seg-{store.segments(document_id)[0].id}"
    assert snapshot(store, document_id) == state


def test_a_segment_changed_in_the_store_after_export_is_not_overwritten(reviewed):
    store, document_id = reviewed
    data = export_xliff(store).replace(b"Border defence conference.", b"Border meeting.")
    segment = store.segments(document_id)[0]
    store.save_target(segment.id, "Border guard conference.", "approved", reviewer="lan",
                      expected_version=segment.version)
    result = import_xliff(store, data, reviewer="minh")
    assert [s.reason.split(" (")[0] for s in result.skipped] == [
        "the segment changed in the store since the export"]
    assert store.segment(segment.id).target_text == "Border guard conference."


XXE = ('<!DOCTYPE xliff [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
       "&xxe;")
LAUGHS = ('<!DOCTYPE xliff [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">'
          '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>', "&c;")


def _with_doctype(text, payload):
    doctype, reference = payload
    declaration, rest = text.split("\n", 1)
    return (declaration + "\n" + doctype + "\n"
            + rest.replace("Border defence conference.", reference))


def line_of(text: str, marker: str | None) -> int:
    """1-based line of the first occurrence of marker (the last with "LAST:"; 1 when None)."""
    if not marker:
        return 1
    index = text.rindex(marker[5:]) if marker.startswith("LAST:") else text.index(marker)
    return text[:index].count("\n") + 1


@pytest.mark.parametrize("edit, message, marker", [
    (lambda t: t.replace("</target>", "</targett>", 1), "not well-formed XML", "</targett>"),
    (lambda t: "", "not well-formed XML", None),
    (lambda t: _with_doctype(t, XXE), "refusing a file with a DOCTYPE", "<!DOCTYPE"),
    (lambda t: _with_doctype(t, LAUGHS), "refusing a file with a DOCTYPE", "<!DOCTYPE"),
    (lambda t: '<?xml version="1.0"?>\n<!DOCTYPE tmx SYSTEM "tmx14.dtd">\n<tmx version="1.4"/>',
     "the root element is <tmx> without a namespace", "<tmx"),
    (lambda t: t.replace("urn:oasis:names:tc:xliff:document:2.0",
                         "urn:oasis:names:tc:xliff:document:1.2"), "not an XLIFF 2 file", "<xliff"),
    (lambda t: t.replace('version="2.0"', 'version="1.2"'), "not an XLIFF 2 file", "<xliff"),
    (lambda t: t.replace('<unit id="seg-1"', '<unit id="seg-999"'), "no segment 999", "seg-999"),
    (lambda t: t.replace('<unit id="seg-4"', '<unit id="u4"'), "not a workbench segment id",
     '"u4"'),
    (lambda t: t.replace('<unit id="seg-4"', '<unit id="seg-1"'), "appears twice",
     'LAST:<unit id="seg-1"'),
    (lambda t: t.replace('state="reviewed"', 'state="signed-off"'), "unknown state 'signed-off'",
     "signed-off"),
    (lambda t: t.replace('srcLang="vi"', 'srcLang="zh"'), "the file is zh->en", "seg-1"),
])
def test_a_broken_file_is_refused_and_changes_nothing(reviewed, edit, message, marker):
    store, document_id = reviewed
    assert [s.id for s in store.segments(document_id)] == [1, 2, 3, 4]  # the ids edits name
    state = snapshot(store, document_id)
    # A valid edit rides along: it must not be applied either.
    text = edit(export_xliff(store).decode("utf-8").replace("Overview of", "A view of"))
    with pytest.raises(XliffImportError) as caught:
        import_xliff(store, text.encode("utf-8"), reviewer="minh", path="back.xlf")
    assert message in caught.value.reason
    line = line_of(text, marker)
    assert (caught.value.path, caught.value.line) == ("back.xlf", line)
    assert str(caught.value).startswith(f"back.xlf:{line}: ")
    assert snapshot(store, document_id) == state


def test_xliff_export_refuses_two_language_pairs(reviewed, tmp_path):
    store, _ = reviewed
    add_english_document(store, tmp_path)
    with pytest.raises(ExportError, match="one language pair.*en->vi, vi->en"):
        export_xliff(store)


def test_import_requires_a_reviewer(reviewed):
    store, _ = reviewed
    with pytest.raises(WorkbenchError, match="reviewer name is required"):
        import_xliff(store, export_xliff(store), reviewer=" ")


@pytest.mark.parametrize("status", [s for s in STATUSES if s != "new"])
def test_a_target_edited_in_the_file_keeps_its_exact_status(reviewed, status):
    store, document_id = reviewed
    segment = store.segments(document_id)[3]
    store.save_target(segment.id, "Patrols.", status, reviewer="lan", expected_version=1)
    data = export_xliff(store).replace(b"Patrols.", b"Border Guard patrols.")
    assert import_xliff(store, data, reviewer="minh").updated == [segment.id]
    assert (store.segment(segment.id).target_text, store.segment(segment.id).status) == (
        "Border Guard patrols.", status)


# -- command line --------------------------------------------------------------------------

def test_cli_export_to_stdout_and_file(reviewed, tmp_path, capsysbinary):
    store, _ = reviewed
    db = str(store.path)
    assert cli(["export", "--db", db, "--format", "tsv"]) == 0
    out = capsysbinary.readouterr().out
    assert len(read_tsv(out)) == 2
    target = tmp_path / "out.jsonl"
    assert cli(["export", "--db", db, "--doc", "bien-phong.txt", "--all-statuses",
                "--format", "jsonl", "--out", str(target)]) == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == 3
    assert capsysbinary.readouterr().err.decode() == f"wrote 3 segment(s) to {target}\n"


def test_cli_xliff_round_trip(reviewed, tmp_path, capsys):
    store, document_id = reviewed
    db, xlf = str(store.path), tmp_path / "work.xlf"
    assert cli(["export", "--db", db, "--doc", str(document_id), "--format", "xliff",
                "--out", str(xlf)]) == 0
    xlf.write_text(xlf.read_text(encoding="utf-8").replace("Overview of", "A view of"),
                   encoding="utf-8")
    capsys.readouterr()
    # The edit alters a reviewed segment: refused without --confirm, naming it and whose work it is.
    assert cli(["import-xliff", str(xlf), "--reviewer", "minh", "--db", db]) == 1
    assert "segment #3 (reviewed by lan): altered" in capsys.readouterr().err
    assert store.segments(document_id)[2].target_text == "Overview of the conference."
    assert cli(["import-xliff", str(xlf), "--reviewer", "minh", "--db", db, "--confirm"]) == 0
    assert capsys.readouterr().out == "updated 1, unchanged 3, skipped 0\n"
    assert store.segments(document_id)[2].target_text == "A view of the conference."


@pytest.mark.parametrize("argv, message", [
    (["export", "--format", "tsv", "--doc", "nope.txt"], "Error: no document 'nope.txt' in "),
    (["import-xliff", "{missing}", "--reviewer", "minh"], "Error: {missing}: cannot read"),
    (["import-xliff", "{garbage}", "--reviewer", "minh"],
     "Error: {garbage}:1: not well-formed XML"),
])
def test_cli_errors(reviewed, tmp_path, capsys, argv, message):
    store, _ = reviewed
    garbage = tmp_path / "garbage.xlf"
    garbage.write_bytes(b"<xliff")
    names = {"missing": str(tmp_path / "missing.xlf"), "garbage": str(garbage)}
    argv = [a.format(**names) for a in argv] + ["--db", str(store.path)]
    assert cli(argv) == 1
    err = capsys.readouterr().err
    assert err.startswith(message.format(**names)) and err.count("\n") == 1


def test_cli_refuses_a_missing_store(tmp_path, capsys):
    missing = tmp_path / "nowhere.db"
    assert cli(["evaluate", "--db", str(missing)]) == 1
    assert capsys.readouterr().err.startswith(f"Error: no review store at {missing}")
    assert not missing.exists()
