"""TMX import: the memories OmegaT, MateCat and Trados write, into the translation memory; bad files refused."""

from __future__ import annotations

import pytest

from workbench.cli import main
from workbench.exchange.tmx_import import TmxImportError, import_tmx, language_code, read_tmx
from workbench.review.memory import TranslationMemory, imported_memory_summary

VI = "Bộ đội Biên phòng tuần tra đường biên giới."
EN = "The Border Guard patrols the borderline."

OMEGAT = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE tmx SYSTEM "tmx14.dtd">
<tmx version="1.4">
  <header creationtool="OmegaT" o-tmf="OmegaT TMX" adminlang="EN-US" datatype="plaintext"
          segtype="sentence" srclang="VI-VN" creationtoolversion="6.0.0"/>
  <body>
    <tu>
      <tuv xml:lang="VI-VN"><seg>{VI}</seg></tuv>
      <tuv xml:lang="EN-US" changeid="lan" changedate="20240105T101500Z"><seg>{EN}</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="VI-VN"><seg>Hội nghị <bpt i="1">&lt;b&gt;</bpt>tổng kết<ept i="1">&lt;/b&gt;</ept> năm.</seg></tuv>
      <tuv xml:lang="EN-US"><seg>The <hi>year-end</hi> review conference.</seg></tuv>
    </tu>
    <tu>
      <tuv xml:lang="VI-VN"><seg>Chỉ có tiếng Việt.</seg></tuv>
    </tu>
  </body>
</tmx>
"""

# Trados writes UTF-16 with a byte-order mark, lower-case language codes and the TMX 1.4 `tu` attributes.
TRADOS = f"""<?xml version="1.0" encoding="utf-16"?>
<tmx version="1.4"><header creationtool="SDL Language Platform" srclang="en-US" datatype="xml"
 segtype="sentence" adminlang="en-US" o-tmf="SDL TM8 Format"/>
<body><tu creationdate="20230301T080000Z" creationid="TRADOS\\minh">
<tuv xml:lang="en-US"><seg>{EN}</seg></tuv><tuv xml:lang="vi-VN"><seg>{VI}</seg></tuv></tu>
<tu><tuv xml:lang="en-US"><seg>Hello.</seg></tuv><tuv xml:lang="fr-FR"><seg>Bonjour.</seg></tuv></tu>
</body></tmx>""".encode("utf-16")

# MateCat: TMX 1.4 with `lang` on old exports (TMX 1.1 style) and a note.
MATECAT = f"""<?xml version="1.0" encoding="UTF-8"?>
<tmx version="1.4"><header creationtool="Matecat" srclang="vi-VN" datatype="plaintext" segtype="sentence"
 adminlang="en-US" o-tmf="Matecat"/><body>
<tu tuid="1"><note>reviewed</note><tuv lang="vi-VN"><seg>{VI}</seg></tuv><tuv lang="en-GB"><seg>{EN}</seg></tuv></tu>
</body></tmx>"""


@pytest.mark.parametrize("value, expected", [
    ("vi-VN", "vi"), ("EN-US", "en"), ("en_GB", "en"), ("zh-Hans-CN", "zh"), ("vi", "vi"), ("", None), (None, None),
])
def test_language_code(value, expected):
    assert language_code(value) == expected


@pytest.mark.parametrize("data", [OMEGAT, TRADOS, MATECAT], ids=["omegat", "trados-utf16", "matecat"])
def test_each_tools_file_gives_both_directions(data):
    contents = read_tmx(data, "team.tmx")
    pairs = {(u.source_lang, u.target_lang, u.source_text, u.target_text) for u in contents.units}
    assert ("vi", "en", VI, EN) in pairs
    assert ("en", "vi", EN, VI) in pairs


def test_inline_codes_are_dropped_highlighted_text_kept_and_lone_units_counted():
    contents = read_tmx(OMEGAT, "team.tmx")
    texts = {(u.source_text, u.target_text) for u in contents.units if u.source_lang == "vi"}
    assert ("Hội nghị tổng kết năm.", "The year-end review conference.") in texts
    assert contents.tu_count == 3 and contents.single_language == 1
    assert read_tmx(TRADOS).other_languages == {"fr"}


def test_import_labels_matches_with_their_origin_and_a_second_import_adds_nothing(store):
    result = import_tmx(store, OMEGAT, name="border-team.tmx", imported_by="lan")
    assert result.added == 4 and result.already_present == 0
    assert "4 memory entries added (2 en-vi, 2 vi-en)" in result.summary()
    match = TranslationMemory.from_store(store, "vi", "en").lookup(VI)[0]
    assert match.target_text == EN and match.exact
    assert match.unit.origin == "border-team.tmx"
    assert match.unit.provenance == "imported from border-team.tmx, line 7 (by lan)"
    assert TranslationMemory.from_store(store, "en", "vi").lookup(EN)[0].target_text == VI
    again = import_tmx(store, OMEGAT, name="border-team.tmx", imported_by="lan")
    assert again.added == 0 and again.already_present == 4
    assert imported_memory_summary(store)[0].units == 2


BROKEN = [
    pytest.param(b"<tmx version='1.4'><body><tu><tuv xml:lang='vi'><seg>a</seg></tuv>\n<tuv xml:lang='en'><seg>b"
                 b"</tuv></tu></body></tmx>", 2, "not well-formed XML", id="not well-formed"),
    pytest.param(b"<?xml version='1.0'?>\n<xliff version='2.0'/>", 2, "not a TMX file: the root element is <xliff>",
                 id="another format"),
    pytest.param(b"<tmx version='1.4'>\n<header/>\n</tmx>", 1, "no <body>", id="no body"),
    pytest.param(b"<tmx version='1.4'><body>\n<tu><tuv xml:lang='vi'><seg>a</seg></tuv>\n<tuv><seg>b</seg></tuv>"
                 b"</tu>\n</body></tmx>", 3, "<tuv> without xml:lang", id="tuv without language"),
    pytest.param(b"<tmx version='1.4'><body>\n<tu><tuv xml:lang='vi'><seg>a</seg></tuv>\n\n<tuv xml:lang='en'/></tu>"
                 b"</body></tmx>", 4, "without <seg>", id="tuv without seg"),
    pytest.param(b"<?xml version='1.0'?>\n<!DOCTYPE tmx [<!ENTITY x 'boom'>]>\n<tmx version='1.4'><body><tu>"
                 b"<tuv xml:lang='vi'><seg>&x;</seg></tuv><tuv xml:lang='en'><seg>b</seg></tuv></tu></body></tmx>",
                 2, "refusing a DOCTYPE", id="entity declarations"),
    pytest.param(b"<tmx version='1.4'><body>\n<tu><tuv xml:lang='fr'><seg>a</seg></tuv><tuv xml:lang='de'>"
                 b"<seg>b</seg></tuv></tu></body></tmx>", 1, "holds two of vi, en, zh", id="no usable unit"),
]


@pytest.mark.parametrize("data, line, message", BROKEN)
def test_a_broken_file_is_refused_with_its_line_and_nothing_is_stored(store, data, line, message):
    with pytest.raises(TmxImportError) as caught:
        import_tmx(store, data, name="bad.tmx", imported_by="lan")
    assert caught.value.line == line
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"bad.tmx:{line}: ")
    assert "nothing was stored" in str(caught.value)
    assert imported_memory_summary(store) == []


def test_a_file_with_one_bad_unit_among_good_ones_stores_nothing(store):
    data = OMEGAT.replace('<tuv xml:lang="EN-US"><seg>The <hi>', '<tuv><seg>The <hi>')
    with pytest.raises(TmxImportError, match=r"team.tmx:13: <tuv> without xml:lang"):
        import_tmx(store, data, name="team.tmx", imported_by="lan")
    assert TranslationMemory.from_store(store, "vi", "en").lookup(VI) == []


def test_cli_imports_and_refuses(tmp_path, store, capsys):
    good, bad = tmp_path / "team.tmx", tmp_path / "bad.tmx"
    good.write_text(OMEGAT, encoding="utf-8")
    bad.write_bytes(BROKEN[3].values[0])
    db = str(store.path)
    assert main(["import-tmx", str(good), "--reviewer", "lan", "--db", db]) == 0
    assert "team.tmx: 3 translation units read; 4 memory entries added" in capsys.readouterr().out
    assert main(["import-tmx", str(bad), "--reviewer", "lan", "--db", db]) == 1
    assert f"Error: {bad}:3: <tuv> without xml:lang; nothing was stored" in capsys.readouterr().err
    assert [row.origin for row in imported_memory_summary(store)] == ["team.tmx", "team.tmx"]


@pytest.fixture
def accounts(tmp_path, monkeypatch):
    """A users file with a reviewer (rita), an approver (alex) and a glossary editor (gabi)."""
    from workbench.accounts import add_account

    path = tmp_path / "users.json"
    for name, role in (("rita", "reviewer"), ("alex", "approver"), ("gabi", "glossary-editor")):
        add_account(path, name, role, f"password of {name}")
    monkeypatch.setenv("WORKBENCH_USERS", str(path))
    return path


def test_with_accounts_only_an_approver_imports_a_memory(store, accounts):
    from workbench import actions
    from workbench.authority import Actor
    from workbench.errors import NotAllowed

    with pytest.raises(NotAllowed, match="import translation memories"):
        actions.import_tmx(store, Actor("rita", "reviewer"), OMEGAT, name="team.tmx")
    assert imported_memory_summary(store) == []
    result = actions.import_tmx(store, Actor("alex", "approver"), OMEGAT, name="team.tmx")
    assert result.added == 4
    assert TranslationMemory.from_store(store, "vi", "en").lookup(VI)[0].unit.provenance.endswith("(by lan)")
    assert {row.imported_by for row in imported_memory_summary(store)} == {"alex"}


def test_with_accounts_only_a_glossary_editor_adds_accepted_words(tmp_path, accounts):
    from workbench import actions
    from workbench.authority import Actor
    from workbench.errors import NotAllowed
    from workbench.review.spelling import read_accepted_words

    path = tmp_path / "glossaries" / "accepted-words.txt"
    with pytest.raises(NotAllowed):
        actions.accept_word(Actor("rita", "reviewer"), path, "xyzcorp")
    assert not path.exists()
    actions.accept_word(Actor("gabi", "glossary-editor"), path, "xyzcorp")
    assert read_accepted_words(path) == {"xyzcorp"}
