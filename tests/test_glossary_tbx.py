"""TBX export and import: the glossary survives a round trip, CAT-tool TBX v2 is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.errors import GlossaryError
from workbench.glossary import load_glossary
from workbench.glossary.tbx import export_tbx, import_tbx, write_tsv

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "glossary"


def as_dicts(glossary):
    return [entry.to_dict() for entry in glossary]


@pytest.mark.parametrize("source", [REPO / "glossaries", DATA / "small"], ids=["repo", "small"])
def test_round_trip_keeps_every_field(tmp_path, source):
    glossary = load_glossary(source)
    tbx = tmp_path / "out.tbx"
    export_tbx(glossary, tbx)
    imported = import_tbx(tbx)
    assert as_dicts(imported) == as_dicts(glossary)
    tsv = tmp_path / "back.tsv"
    write_tsv(imported, tsv)
    assert as_dicts(load_glossary(tsv)) == as_dicts(glossary)


def test_export_is_tbx_basic_with_statuses(tmp_path):
    from lxml import etree

    data = export_tbx(load_glossary(DATA / "small"))
    root = etree.fromstring(data)
    ns = {"t": "urn:iso:std:iso:30042:ed-2"}
    assert root.get("type") == "TBX-Basic"
    statuses = root.xpath("//t:conceptEntry[@id='t-bdbp']/t:langSec[@xml:lang='en']"
                          "/t:termSec[t:term='Border Army']/t:termNote/text()", namespaces=ns)
    assert statuses == ["deprecatedTerm-admn-sts"]


def test_cat_tool_tbx_v2_is_imported():
    glossary = import_tbx(DATA / "cat-tool-v2.tbx")
    first, second = glossary["c1"], glossary["c2"]
    assert first.terms == {"vi": "Bộ đội Biên phòng", "en": "Border Guard"}
    assert first.variants == {"vi": ("BĐBP",)}
    assert first.forbidden == {"en": ("Border Army",)}
    assert first.note == "Vietnam Border Guard"
    assert second.terms == {"zh": "十四五规划", "en": "14th Five-Year Plan"}
    assert second.variants == {"en": ("14th Five Year Plan",)}
    assert [m.entry_id for m in glossary.match("BĐBP", "vi")] == ["c1"]


@pytest.mark.parametrize("body, expected", [
    ('<conceptEntry id="x"><langSec xml:lang="fr"><termSec><term>Garde</term></termSec></langSec>'
     '<langSec xml:lang="en"><termSec><term>Guard</term></termSec></langSec>'
     '<langSec xml:lang="vi"><termSec><term>Biên phòng</term></termSec></langSec></conceptEntry>',
     ["in.tbx:4: entry 'x': language 'fr' is not one of vi, en, zh"]),
    ('<conceptEntry id="y"><langSec xml:lang="vi"><termSec><term>Biên phòng</term></termSec>'
     '</langSec></conceptEntry>',
     ["in.tbx:4: entry 'y': no English term"]),
])
def test_import_reports_problems_with_lines(tmp_path, body, expected):
    path = tmp_path / "in.tbx"
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n'
                    '<tbx xmlns="urn:iso:std:iso:30042:ed-2" type="TBX-Basic">\n<text><body>\n'
                    f"{body}\n</body></text></tbx>\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as raised:
        import_tbx(path)
    assert [p.location_message() for p in raised.value.problems] == \
        [f"{tmp_path}/{message}" for message in expected]


def test_malformed_xml_is_reported(tmp_path):
    path = tmp_path / "bad.tbx"
    path.write_text("<tbx>\n<text>\n</tbx>\n", encoding="utf-8")
    with pytest.raises(GlossaryError) as raised:
        import_tbx(path)
    (problem,) = raised.value.problems
    assert problem.path == str(path) and problem.line == 3
    assert problem.reason.startswith("not well-formed XML")
