"""Sentence alignment: link the sentences of a document to those of its translation.

`align(source, target)` returns `Link`s that cover every sentence exactly once,
in order, with link types 1-1, 1-2, 2-1, 2-2, 1-3, 3-1, 1-0 and 0-1 and a
confidence for each. Signals: sentence length (Gale-Church, calibrated per
document pair), anchors (numbers, punctuation, names and cognates, glossary
term pairs), a word list learned from the documents themselves, and, given a
translate function, chrF of the machine translation against the target.
`score_alignments` measures links against gold links (strict and lax P/R/F1).

`Link` is the one link type, used by the aligner, the editor (`editing`), the
link files (`formats`) and the Align page. The sentences to align come from
`sentences` (the documents path, as the batch script reads files), glossary
term pairs from `terms`, the machine-translation signal from `translation`
(the translator factory).
"""

from workbench.alignment.aligner import LENGTH_ONLY, AlignerSettings, Translate, align
from workbench.alignment.formats import format_link, format_links, parse_link, read_links
from workbench.alignment.links import LOW_CONFIDENCE, InvalidLinks, Link, LinkFormatError
from workbench.alignment.scoring import AlignmentScore, score_alignment, score_alignments
from workbench.alignment.terms import glossary_term_pairs

__all__ = [
    "LENGTH_ONLY",
    "LOW_CONFIDENCE",
    "AlignerSettings",
    "AlignmentScore",
    "InvalidLinks",
    "Link",
    "LinkFormatError",
    "Translate",
    "align",
    "format_link",
    "format_links",
    "glossary_term_pairs",
    "parse_link",
    "read_links",
    "score_alignment",
    "score_alignments",
]
