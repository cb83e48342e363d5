"""Term candidates: what the corpus says the glossary is missing.

`find_candidates(segments, glossary)` reads the source texts of the review store's
documents and proposes three kinds of candidate, each with its count, the
documents it occurs in, three example contexts and what it would become (a new
entry, or a variant of entry X):

- **acronyms** defined inline, `long form (ACR)` or `ACR (long form)`, in
  Vietnamese and English: the long form is the run of words before (or inside)
  the parentheses whose initials spell the acronym ("Bộ Tư lệnh (BTL)": B-T-l),
  small function words may be skipped in English. Acronyms used at least twice
  without a definition come too; their long form is looked up as any word run in
  the corpus whose initials spell them.
- **terms**: recurring multi-word names (institutions, programmes, slogans). Word
  n-grams of a sentence (2 to 10 tokens; for Vietnamese, whose words are
  syllables, at least 3 syllables unless one is an acronym) that neither start
  nor end with a function word, an -ly adverb or a bare number. Kept when they
  occur twice, or once as a name (every content word capitalised) or a quoted
  phrase. Vietnamese runs whose syllables are all capitalised are personal and
  place names, which keep their spelling (domain notes), and are left out.
  Ranked by **C-value** (Frantzi, Ananiadou and Mima 2000), which rewards length
  and frequency and discounts a string by the frequency of the longer
  candidates that contain it (so "Frontier Defense" inside "Frontier Defense
  Committee" is not counted twice), times a document-frequency factor
  (1 + (df - 1) / 2: a name that recurs across documents is more of a term than
  one repeated inside one article), times 1.5 for names and quoted phrases.
  No general-language corpus is available offline, so the function-word lists
  stand in for a baseline.
- **variants**: strings that most likely name what an existing entry names.
  English: the same content words once spelling (defence/defense), the
  machine translation's near-synonyms for one Chinese word
  (border/frontier, defense/protection, commission/committee, programme/
  project) and function words are set aside, in any order; a capitalised name
  that is a shorter form of exactly one entry's name counts too (a shorter
  common-noun phrase is a broader concept, not a variant). Vietnamese: the same
  letters with every diacritic dropped (a tone mark left out, "an ninh chinh
  trị"). Without a glossary (or among new names) the same test groups
  candidates that name one body: "Autonomous Region Frontier Defense
  Committee" comes as a variant inside the candidate "Border Defense Commission
  of the Autonomous Region".

Nothing that is already an entry's term, variant or forbidden form is proposed,
nor a string that only occurs inside a glossary match, nor one that is a
glossary term plus function words or a proper name ("Tỉnh uỷ Lạng Sơn").
A candidate's `id` is stable (a hash of language, kind and folded form), so a
dismissal recorded in the store keeps it from coming back.

`proposed_row(candidate, glossary)` gives the glossary cells accepting it would
write, for a person to review; `accept_candidate` writes them through
`workbench.glossary.editing` (validated, row-preserving, atomic).
"""

from workbench.glossary.candidates.accepting import accept_candidate, entry_file, proposed_row
from workbench.glossary.candidates.acronyms import segment_acronyms
from workbench.glossary.candidates.finding import find_candidates
from workbench.glossary.candidates.known import content_classes
from workbench.glossary.candidates.language import LANGUAGES, MAX_COMMON_WORDS, MAX_TOKENS
from workbench.glossary.candidates.model import (
    CONTEXT_CHARS,
    CONTEXTS,
    Candidate,
    Occurrence,
    SourceSegment,
    corpus_signature,
    segments_from_store,
)
from workbench.glossary.candidates.terms import GramOccurrence, segment_grams

__all__ = ["CONTEXTS", "CONTEXT_CHARS", "LANGUAGES", "MAX_COMMON_WORDS", "MAX_TOKENS", "Candidate", "GramOccurrence",
           "Occurrence", "SourceSegment", "accept_candidate", "content_classes", "corpus_signature", "entry_file",
           "find_candidates", "proposed_row", "segment_acronyms", "segment_grams", "segments_from_store"]
