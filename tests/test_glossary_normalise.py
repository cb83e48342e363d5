"""Canonical English for MT documents: every change listed, each one undoable."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbench.glossary import apply_changes, load_glossary, normalise_mt_english, undo_change

REPO = Path(__file__).resolve().parent.parent
COMMISSION = "Border Defense Commission of the Autonomous Region"


@pytest.fixture(scope="module")
def glossary():
    return load_glossary(REPO / "glossaries")


def test_variants_become_canonical_with_spans_in_the_original(glossary):
    original = ("The Frontier Defense Committee met. The Border Protection Committee's members "
                "and the “Three Norths” project in the 14th Five Year Plan.")
    text, changes = normalise_mt_english(original, glossary)
    assert text == (f"The {COMMISSION} met. The {COMMISSION}'s members and the "
                    "Three-North Shelterbelt Program in the 14th Five-Year Plan.")
    assert changes == [
        {"start": 4, "end": 30, "old": "Frontier Defense Committee", "new": COMMISSION,
         "entry_id": "cn-ar-border-defense-commission"},
        {"start": 40, "end": 67, "old": "Border Protection Committee", "new": COMMISSION,
         "entry_id": "cn-ar-border-defense-commission"},
        {"start": 86, "end": 108, "old": "“Three Norths” project",
         "new": "Three-North Shelterbelt Program", "entry_id": "cn-three-north"},
        {"start": 116, "end": 135, "old": "14th Five Year Plan", "new": "14th Five-Year Plan",
         "entry_id": "cn-14th-five-year-plan"},
    ]
    for change in changes:
        assert original[change["start"]:change["end"]] == change["old"]
    assert apply_changes(original, changes) == text


def test_canonical_terms_and_unenforced_entries_are_left_alone(glossary):
    original = f"The {COMMISSION} and the police; public security."
    assert normalise_mt_english(original, glossary) == (original, [])


@pytest.mark.parametrize("order", [[0, 0, 0, 0], [3, 2, 1, 0], [1, 2, 0, 0]])
def test_undo_in_any_order_restores_the_original(glossary, order):
    original = ("Frontier Defense Committee, Border Protection Committee, two maintenances, "
                "14th Five Year Plan.")
    text, changes = normalise_mt_english(original, glossary)
    assert len(changes) == 4
    for index in order:
        undone = changes[index]
        text, changes = undo_change(text, changes, index)
        assert undone not in changes
        assert text == apply_changes(original, changes)
    assert text == original and changes == []


def test_undo_refuses_a_text_edited_since(glossary):
    text, changes = normalise_mt_english("The Frontier Defense Committee met.", glossary)
    with pytest.raises(ValueError, match="edited after normalisation"):
        undo_change(text.replace("Commission", "Committee"), changes, 0)


def test_seed_documents_keep_no_variant(glossary):
    for path in sorted((REPO / "seeds").glob("*_en-mt_*.txt")):
        text, changes = normalise_mt_english(path.read_text(encoding="utf-8"), glossary)
        assert changes
        assert all(m.kind == "term" for m in glossary.match(text, "en")
                   if glossary[m.entry_id].enforce)
