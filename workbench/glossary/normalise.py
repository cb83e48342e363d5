"""Canonical English for English machine translations of Chinese originals.

The MT renders one Chinese term several ways ("Frontier Defense Committee",
"Border Protection Committee"...). Before such a document is translated to
Vietnamese, every variant form of a glossary entry is replaced by the entry's
canonical English term. The original text is kept by the caller; the list of
changes (span in the ORIGINAL text, old, new, entry id) lets a reviewer see
each one and undo any of them.
"""

from __future__ import annotations

from workbench.glossary.entries import Glossary


def normalise_mt_english(text: str, glossary: Glossary) -> tuple[str, list[dict]]:
    """Replace English variant forms by canonical terms; return (text, changes)."""
    changes = []
    for match in glossary.match(text, "en"):
        entry = glossary[match.entry_id]
        if match.kind != "variant" or not entry.enforce:
            continue
        canonical = entry.terms["en"]
        if match.surface == canonical:
            continue
        changes.append({"start": match.start, "end": match.end, "old": match.surface,
                        "new": canonical, "entry_id": entry.id})
    return apply_changes(text, changes), changes


def apply_changes(original: str, changes: list[dict]) -> str:
    """Rebuild the normalised text from the original and a list of changes."""
    pieces = []
    position = 0
    for change in sorted(changes, key=lambda c: c["start"]):
        if change["start"] < position or original[change["start"]:change["end"]] != change["old"]:
            raise ValueError(f"change {change} does not fit the original text")
        pieces.append(original[position:change["start"]])
        pieces.append(change["new"])
        position = change["end"]
    pieces.append(original[position:])
    return "".join(pieces)


def undo_change(normalised_text: str, changes: list[dict], index: int) -> tuple[str, list[dict]]:
    """Revert change `index` in the normalised text; return (text, remaining changes).

    Spans stay in original-text coordinates, so the remaining changes remain
    valid and can be undone in any order.
    """
    ordered = sorted(changes, key=lambda c: c["start"])
    target = changes[index]
    offset = 0
    for change in ordered:
        if change is target:
            break
        offset += len(change["new"]) - (change["end"] - change["start"])
    start = target["start"] + offset
    end = start + len(target["new"])
    if normalised_text[start:end] != target["new"]:
        raise ValueError(f"the text at {start}-{end} is no longer {target['new']!r}; "
                         "it was edited after normalisation")
    text = normalised_text[:start] + target["old"] + normalised_text[end:]
    return text, [change for i, change in enumerate(changes) if i != index]
