"""Round trips of the exchange formats with arbitrary text (hypothesis).

Whatever a segment holds (markup, backslashes, tabs, line breaks, CJK of every plane,
control characters) TSV and JSONL give it back exactly. TMX and XLIFF are XML: they
give back every text XML can carry, and refuse by name a text holding a character
XML forbids (a C0 control) rather than dropping it without a word.
"""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from workbench.documents.ingest import control_character_problem
from workbench.errors import WorkbenchError
from workbench.exchange import ExportError, export_xliff, import_xliff, read_tsv
from workbench.exchange.export import ExportRow, rows_to_jsonl, rows_to_tmx, rows_to_tsv
from workbench.text import XML_FORBIDDEN

# The characters that break formats, weighted up against the rest of Unicode (with what a spreadsheet
# would take for a formula: TSV neutralises it with a leading ' that `read_tsv` takes off again).
TRICKY = list("<>&\"'\\\t\n\r\x0b\x0c\x1c\x85\u2028\u2029\x00\x01\x1f\x7f\ufeff中𠀀ĐđÐ ")
PIECES = ["=", "+", "-", "@", "'=", "=SUM(A1)", "]]>", "\\t", "\\n", "\\\\", "<script>", "&amp;", "\r\n", "</seg>"]
TEXT = st.lists(st.one_of(st.characters(exclude_categories=("Cs",)), st.sampled_from(TRICKY + PIECES)),
                max_size=30).map("".join)
XML_TEXT = TEXT.map(lambda text: XML_FORBIDDEN.sub("", text))
# What the store accepts: no control character that ingest would have removed (`control_character_problem`).
STORABLE = TEXT.map(lambda text: "".join(ch for ch in text if control_character_problem(ch) is None))
NAMES = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=20)


def row(source: str, target: str | None, mt: str | None = None, name: str = "report.txt", segment_id: int = 1
        ) -> ExportRow:
    return ExportRow(document_id=1, document_path=f"/srv/{name}", document_name=name, segment_id=segment_id,
                     position=segment_id - 1, source=source, target=target, mt=mt, status="approved", version=1,
                     source_lang="vi", target_lang="en", checkpoint="opus-mt-vi-en")


@given(st.lists(st.tuples(TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT), NAMES), max_size=5))
@example([("C:\\new\\table\\", "a\\tb", "\\\\n", "x.txt")])  # backslashes before the letters of the escapes
def test_tsv_round_trip(values):
    rows = [row(source, target, mt, name, k + 1) for k, (source, target, mt, name) in enumerate(values)]
    data = rows_to_tsv(rows)
    assert data.count(b"\n") == len(rows) + 1  # no field breaks a line
    back = read_tsv(data)
    assert [(r["source"], r["target"], r["mt"], r["document"]) for r in back] == [
        (r.source, r.target or "", r.mt or "", r.document_name) for r in rows]


def test_tsv_escapes_a_backslash_so_it_never_reads_as_an_escape():
    data = rows_to_tsv([row("C:\\new", "tab\\t")])
    assert "C:\\\\new\ttab\\\\t" in data.decode("utf-8")
    [back] = read_tsv(data)
    assert (back["source"], back["target"]) == ("C:\\new", "tab\\t")


@given(st.lists(st.tuples(TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT)), max_size=5))
def test_jsonl_round_trip(values):
    rows = [row(source, target, mt, segment_id=k + 1) for k, (source, target, mt) in enumerate(values)]
    lines = rows_to_jsonl(rows).decode("utf-8").split("\n")  # JSON Lines: records end at "\n" only
    assert lines[-1] == ""
    back = [json.loads(line) for line in lines[:-1]]
    assert [(r["source"], r["target"], r["mt"]) for r in back] == [(r.source, r.target, r.mt) for r in rows]


@given(st.lists(st.tuples(XML_TEXT, XML_TEXT), min_size=1, max_size=5))
def test_tmx_round_trip(values):
    from translate.storage.tmx import tmxfile

    rows = [row(source, target, segment_id=k + 1) for k, (source, target) in enumerate(values)]
    units = tmxfile.parsestring(rows_to_tmx(rows)).units
    assert [(unit.source, unit.target) for unit in units] == [(r.source, r.target) for r in rows]


@given(XML_TEXT, XML_TEXT, st.sampled_from("\x00\x01\x08\x0b\x0c\x1b\x1f\ufffe"), st.sampled_from(["source", "target"]))
def test_tmx_and_xliff_refuse_what_xml_cannot_carry(before, after, control, part):
    text = before + control + after
    bad = row(text, "fine") if part == "source" else row("fine", text)
    with pytest.raises(ExportError, match=rf"report.txt: segment 1 \(id 1\): its {part} holds U\+{ord(control):04X}, "
                                          r"a control character that TMX \(XML\) cannot carry"):
        rows_to_tmx([row("ok", "ok", segment_id=2), bad])


@pytest.fixture
def one_segment(store, tmp_path):
    from workbench.documents.ingest import parse_document
    from workbench.documents.segment import segment_document

    document = parse_document("Đồn Biên phòng tuần tra biên giới.\n".encode(), path=str(tmp_path / "a.txt"))
    result = store.upsert_document(document, segment_document(document), target_lang="en")
    return store, result.document_id, store.segments(result.document_id)[0].id


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=STORABLE.filter(str.strip), edited=STORABLE.filter(str.strip))
def test_xliff_round_trip_through_a_cat_tool(one_segment, first, edited):
    """The store's target leaves in the file; the target a translator puts in the file comes back exactly."""
    from lxml import etree

    store, document_id, segment_id = one_segment
    segment = store.segment(segment_id)
    store.save_target(segment_id, first, "reviewed", reviewer="lan", expected_version=segment.version)
    data = export_xliff(store, [document_id])
    untouched = import_xliff(store, data, reviewer="minh")
    assert (untouched.updated, untouched.unchanged) == ([], 1)  # the file says what the store holds

    root = etree.fromstring(data)
    [target] = root.iter("{urn:oasis:names:tc:xliff:document:2.0}target")
    target.text = edited
    result = import_xliff(store, etree.tostring(root, xml_declaration=True, encoding="utf-8"), reviewer="minh")
    assert result.skipped == []
    assert store.segment(segment_id).target_text == edited


@pytest.mark.parametrize("control", ["\x7f", "\x85", "\u2028", "\x9c"])
def test_an_xliff_target_with_a_control_character_is_refused_and_changes_nothing(one_segment, control):
    """XML carries these, the store does not hold them (ingest drops them): the import says so."""
    from lxml import etree

    store, document_id, segment_id = one_segment
    store.save_target(segment_id, "Border guards.", "reviewed", reviewer="lan", expected_version=1)
    root = etree.fromstring(export_xliff(store, [document_id]))
    [target] = root.iter("{urn:oasis:names:tc:xliff:document:2.0}target")
    target.text = f"Border{control}guards."
    with pytest.raises(WorkbenchError, match=rf"control character U\+{ord(control):04X}"):
        import_xliff(store, etree.tostring(root, xml_declaration=True, encoding="utf-8"), reviewer="minh")
    assert (store.segment(segment_id).target_text, store.segment(segment_id).version) == ("Border guards.", 2)


def test_xliff_export_refuses_a_target_xml_cannot_carry(one_segment):
    """A store written before saves refused control characters may still hold one: export names it."""
    store, document_id, segment_id = one_segment
    store.conn.execute("UPDATE segments SET target_text = ? WHERE id = ?", ("Border\x0bguards", segment_id))
    store.conn.commit()
    with pytest.raises(ExportError, match=r"its target holds U\+000B, a control character that XLIFF \(XML\)"):
        export_xliff(store, [document_id])


@pytest.mark.parametrize("character", ["\ufffe", "\uffff", "\ud800"])
def test_a_target_xml_cannot_carry_is_not_saved(one_segment, character):
    """Hypothesis found U+FFFE: the store held it and XLIFF export then refused the segment."""
    from workbench.errors import StoreError

    store, _, segment_id = one_segment
    with pytest.raises(StoreError, match=rf"U\+{ord(character):04X}.*nothing was saved"):
        store.save_target(segment_id, f"Border{character} guards.", "reviewed", reviewer="lan", expected_version=1)
    assert store.segment(segment_id).target_text is None
