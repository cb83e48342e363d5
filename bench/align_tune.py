"""Try aligner settings on Text+Berg `dev` (the only tuning document) and print the scores.

    python bench/align_tune.py [--data DIR] [NAME=VALUE ...]

Each NAME=VALUE overrides one field of AlignerSettings (numbers only), e.g.
`anchor_weight=0.5 lexicon=0`. Prints strict and lax P/R/F1 and the link types
predicted versus gold.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from align_gold import DEFAULT_DATA, textberg_documents  # noqa: E402

from workbench.alignment import AlignerSettings, align, score_alignments  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Score one settings variant on dev."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=os.environ.get("WORKBENCH_ALIGN_DATA", DEFAULT_DATA))
    parser.add_argument("overrides", nargs="*")
    args = parser.parse_args(argv)
    settings = AlignerSettings()
    for override in args.overrides:
        name, value = override.split("=", 1)
        if "." in name:
            group, field = name.split(".", 1)
            group_settings = getattr(settings, group)
            kind = type(getattr(group_settings, field))
            inner = dataclasses.replace(group_settings, **{field: kind(float(value))})
            settings = dataclasses.replace(settings, **{group: inner})
        else:
            settings = dataclasses.replace(settings, **{name: type(getattr(settings, name))(float(value))})
    documents = textberg_documents(Path(args.data), ["dev"])
    predicted = [align(s, t, settings=settings) for s, t, _ in documents]
    score = score_alignments([g for _, _, g in documents], predicted)
    types = Counter(link.link_type for links in predicted for link in links)
    gold_types = Counter(f"{len(g.source)}-{len(g.target)}" for _, _, gold in documents for g in gold)
    print(
        f"dev strict P/R/F1 {score.strict_precision:.3f} {score.strict_recall:.3f} {score.strict_f1:.3f}  "
        f"lax {score.lax_precision:.3f} {score.lax_recall:.3f} {score.lax_f1:.3f}  {' '.join(args.overrides)}"
    )
    print("  predicted", dict(types.most_common()))
    print("  gold     ", dict(gold_types.most_common()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
