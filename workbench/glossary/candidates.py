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

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from workbench.glossary.matching import _Folder, tokenize

LANGUAGES = ("vi", "en")
MAX_TOKENS = 10
# Longest candidate that is neither a name nor quoted: words (English) or syllables (Vietnamese).
MAX_COMMON_WORDS = {"en": 6, "vi": 8}
CONTEXTS = 3
CONTEXT_CHARS = 60

_EN_STOPWORDS = set("""
a an the of and or to in on at for with by from as is are was were be been being has have had it its this
that these those their our we they he his she her all any some such which who whom will would should must
can may not no so than then there also into over more most very well further other each every do does did
done up out about between during through under after before while what how i my me us your you them
one two three own same both only just again always never said says say make made take taken give given
""".split())
_EN_BOUNDARY_VERBS = set("""
promote promoting strengthen strengthening implement implementing ensure ensuring build building study
studying continue continuing deepen deepening carry held hold holding attend attended convey conveying
focus improve improving speed enhance enhancing effectively deeply firmly fully actively consciously
""".split())
# Function words of Vietnamese (one syllable each): candidates neither start nor end with them.
_VI_STOPWORDS_RAW = """
và của các những cho với trong tại được đã là có này để từ trên theo về khi thì mà cũng đến ra vào như
nên hay hoặc đều sẽ đang rất nhiều mỗi mọi một số ngày tháng năm qua sau trước giữa bằng do bị lại nữa hơn
làm tốt đó ở nhằm còn vẫn không chưa đây ấy nào gì ai thêm cùng nhau luôn
""".split()
# Two-syllable verbs and adverbs that open clauses, not names.
_VI_BOUNDARY_PAIRS_RAW = """
thực_hiện tham_gia đẩy_mạnh tăng_cường nâng_cao triển_khai tiếp_tục xây_dựng chỉ_đạo lãnh_đạo
phát_huy giữ_vững đảm_bảo bảo_đảm thường_xuyên chủ_động tích_cực kịp_thời nhanh_chóng đồng_thời
phát_biểu tổ_chức hội_nghị đồng_chí củng_cố trao_đổi giữ_gìn vận_động tổng_kết sơ_kết hoàn_thành rà_soát
""".split()
# Words that open an adjunct (time, place, purpose, comparison) or a clause: a name does not
# run across them ("important speech | at the symposium", "an ninh trật tự | trên địa bàn").
_PHRASE_BREAKS = {
    "en": "to at by from with as than that which who during when while into over through".split(),
    "vi": "trên tại với cho về khi để từ đến nhằm theo thì mà là được đã sẽ đang".split(),
}
# One Chinese word, several English renderings in the MT: classes of near-synonyms.
_EN_SYNONYMS = {
    "frontier": "border", "border": "border",
    "protection": "defense", "defence": "defense", "defense": "defense",
    "committee": "commission", "commission": "commission",
    "programme": "program", "program": "program", "project": "program",
    "organisation": "organization", "modernisation": "modernization",
}
_QUOTED = re.compile(r"[“\"«]([^”\"»\n]{3,120})[”\"»]")
_ACRONYM_TOKEN = re.compile(r"[A-ZĐ][A-ZĐ0-9]{1,9}\Z")


@dataclass(frozen=True)
class Occurrence:
    """Where a candidate occurs: the segment and its text."""

    document_id: int
    document_name: str
    segment_id: int
    text: str
    start: int
    end: int

    def context(self, width: int = CONTEXT_CHARS) -> str:
        """The occurrence with up to `width` characters either side, the match in [brackets]."""
        left = self.text[max(0, self.start - width):self.start]
        right = self.text[self.end:self.end + width]
        return ("…" if self.start > width else "") + left + "[" + self.text[self.start:self.end] + "]" \
            + right + ("…" if self.end + width < len(self.text) else "")


@dataclass
class Candidate:
    """One proposed glossary change: a new entry, or a variant of an existing entry."""

    id: str
    lang: str
    kind: str  # "acronym", "term" or "variant"
    form: str  # the most frequent surface form
    score: float
    count: int
    occurrences: list[Occurrence]
    long_form: str | None = None  # acronyms: the expansion found
    variant_of: str | None = None  # variants: the entry id
    variants: list[str] = field(default_factory=list)  # other surface forms of the same thing
    defined_inline: bool = False
    key: tuple = ()  # folded form: identity across runs
    document_count: int | None = None  # when ranked from store statistics: the documents it occurs in

    @property
    def documents(self) -> list[str]:
        """Names of the documents it occurs in, in order of first occurrence."""
        return list(dict.fromkeys(o.document_name for o in self.occurrences))

    @property
    def becomes(self) -> str:
        """What accepting it does, in words."""
        return f"variant of {self.variant_of}" if self.variant_of else "new entry"

    def contexts(self, limit: int = CONTEXTS) -> list[dict]:
        """Up to `limit` example contexts (distinct segments), each with document and segment ids."""
        seen, result = set(), []
        for occurrence in self.occurrences:
            if occurrence.segment_id in seen:
                continue
            seen.add(occurrence.segment_id)
            result.append({"document_id": occurrence.document_id, "document": occurrence.document_name,
                           "segment_id": occurrence.segment_id, "context": occurrence.context()})
            if len(result) >= limit:
                break
        return result

    def forms(self) -> list[str]:
        """Every surface form it stands for: the form, the long form, the variants."""
        return list(dict.fromkeys([self.form, *([self.long_form] if self.long_form else []), *self.variants]))

    def to_dict(self) -> dict:
        """A JSON-ready dict."""
        return {"id": self.id, "lang": self.lang, "kind": self.kind, "form": self.form,
                "long_form": self.long_form, "variants": self.variants, "variant_of": self.variant_of,
                "becomes": self.becomes, "score": round(self.score, 3), "count": self.count,
                "documents": self.documents, "document_count": self.document_count or len(self.documents),
                "defined_inline": self.defined_inline, "contexts": self.contexts()}

    def to_record(self) -> dict:
        """Everything needed to rebuild it (`from_record`), occurrences cut to their context windows."""
        occurrences = []
        for o in self.occurrences[:CONTEXTS * 3]:
            left, right = max(0, o.start - CONTEXT_CHARS - 1), o.end + CONTEXT_CHARS + 1
            occurrences.append([o.document_id, o.document_name, o.segment_id, o.text[left:right],
                                o.start - left, o.end - left])
        return {"id": self.id, "lang": self.lang, "kind": self.kind, "form": self.form, "score": self.score,
                "count": self.count, "long_form": self.long_form, "variant_of": self.variant_of,
                "variants": self.variants, "defined_inline": self.defined_inline, "key": list(self.key),
                "document_count": self.document_count, "occurrences": occurrences}

    @classmethod
    def from_record(cls, record: dict) -> Candidate:
        """The candidate `to_record` wrote."""
        return cls(id=record["id"], lang=record["lang"], kind=record["kind"], form=record["form"],
                   score=record["score"], count=record["count"],
                   occurrences=[Occurrence(*fields) for fields in record["occurrences"]],
                   long_form=record["long_form"], variant_of=record["variant_of"], variants=record["variants"],
                   defined_inline=record["defined_inline"], key=tuple(record["key"]),
                   document_count=record["document_count"])


@dataclass(frozen=True)
class SourceSegment:
    """A segment's source text as read for candidates."""

    document_id: int
    document_name: str
    lang: str
    segment_id: int
    text: str


def segments_from_store(store, lang: str | None = None) -> list[SourceSegment]:
    """The source texts of the store's live segments (original text before MT normalisation)."""
    rows = store.conn.execute(
        """SELECT d.id AS document_id, d.name, d.lang, s.id AS segment_id, s.source_text,
                  s.original_source_text
           FROM segments s JOIN documents d ON d.id = s.document_id
           WHERE s.retired_at IS NULL AND d.archived = 0 ORDER BY d.id, s.position""").fetchall()
    return [SourceSegment(r["document_id"], r["name"], r["lang"], r["segment_id"],
                          r["original_source_text"] or r["source_text"])
            for r in rows if lang is None or r["lang"] == lang]


def corpus_signature(store) -> tuple:
    """Changes whenever the source texts candidates are read from may have changed (for caching)."""
    documents = store.conn.execute("SELECT COUNT(*), MAX(updated_at), SUM(archived) FROM documents").fetchone()
    segments = store.conn.execute("SELECT COUNT(*), MAX(id), COUNT(retired_at) FROM segments").fetchone()
    return (str(store.path), *tuple(documents), *tuple(segments))


# -- tokens --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Unit:
    start: int
    end: int
    key: str  # folded (tone placement, case, plural): the glossary matcher's key
    surface: str
    word: bool  # letters or digits
    acronym: bool
    joiner: bool  # a hyphen or possessive inside a name


class _Language:
    """Folding and word lists of one language, built once."""

    def __init__(self, lang: str):
        self.lang = lang
        self.folder = _Folder(lang)
        if lang == "vi":
            self.stopwords = {self.fold(w) for w in _VI_STOPWORDS_RAW}
            self.boundary_pairs = {tuple(self.fold(p) for p in pair.split("_")) for pair in _VI_BOUNDARY_PAIRS_RAW}
        else:
            self.stopwords = {self.fold(w) for w in _EN_STOPWORDS}
            self.boundary_pairs = set()
        self.boundary_words = {self.fold(w) for w in _EN_BOUNDARY_VERBS} if lang == "en" else set()
        self.phrase_breaks = {self.fold(w) for w in _PHRASE_BREAKS[lang]}

    def fold(self, word: str) -> str:
        tokens = tokenize(word, self.folder)
        return tokens.keys[0] if tokens.keys else ""

    def units(self, text: str) -> list[_Unit]:
        tokens = tokenize(text, self.folder)
        units: list[_Unit] = []
        acronyms = tokens.acronyms
        for i, key in enumerate(tokens.keys):
            start, end = tokens.starts[i], tokens.ends[i]
            surface = text[start:end]
            word = surface[:1].isalnum()
            if (key == "s" and units and units[-1].key == "'" and units[-1].start == start - 1
                    and len(units) > 1 and units[-2].end == start - 1):
                # "People's": the possessive joins the word before it.
                del units[-1]  # the apostrophe
                previous = units.pop()
                units.append(_Unit(previous.start, end, previous.key + "'s", text[previous.start:end],
                                   True, False, False))
                continue
            joiner = key in ("'", "-") and (self.lang == "vi" or (
                units and units[-1].end == start and i + 1 < len(tokens.starts)
                and tokens.starts[i + 1] == end))
            units.append(_Unit(start, end, key, surface, word, acronyms[i], joiner))
        return units

    def is_boundary_ok(self, unit: _Unit) -> bool:
        """Whether a candidate may start or end with this unit."""
        if not unit.word or unit.joiner:
            return False
        if unit.surface.isdigit() or unit.key in self.stopwords or unit.key in self.boundary_words:
            return False
        if self.lang == "en" and len(unit.key) > 4 and (unit.key.endswith("ly") or (
                unit.surface[:1].islower() and unit.key.endswith(("ed", "ing")))):
            return False  # adverbs, participles and gerunds open or close clauses, not names
        return True

    def breaks_phrase(self, unit: _Unit) -> bool:
        """A word that a name does not run across: adjunct openers, and English participles and gerunds."""
        if unit.key in self.phrase_breaks:
            return True
        return self.lang == "en" and len(unit.key) > 4 and unit.surface[:1].islower() \
            and unit.key.endswith(("ed", "ing"))

    def is_open_neighbour(self, unit: _Unit | None) -> bool:
        """A neighbour that does not tie a string to its context: none, punctuation, a function word."""
        return unit is None or not unit.word or unit.key in self.stopwords or unit.surface.isdigit()


def strip_diacritics(text: str) -> str:
    """Every diacritic dropped and đ read as d, case folded: "an ninh chính trị" -> "an ninh chinh tri"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D").replace("Ð", "D"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def _candidate_id(lang: str, kind: str, key: tuple) -> str:
    digest = hashlib.sha1(f"{lang}\x1f{kind}\x1f{' '.join(key)}".encode()).hexdigest()
    return f"{lang}-{digest[:8]}"


_LANGUAGE_CACHE: dict[str, _Language] = {}


def _language(lang: str) -> _Language:
    if lang not in _LANGUAGE_CACHE:
        _LANGUAGE_CACHE[lang] = _Language(lang)
    return _LANGUAGE_CACHE[lang]


# -- the glossary side ---------------------------------------------------------------------
class _Known:
    """What the glossary already has in one language: forms, match spans, content classes."""

    def __init__(self, glossary, lang: str):
        self.lang = lang
        self.glossary = glossary
        self.keys: set[tuple] = set()
        self.stripped: dict[str, str] = {}  # diacritic-free form -> entry id (vi)
        self.entry_classes: list[tuple[str, frozenset, bool, str]] = []  # entry id, classes, name-like, form
        if glossary is None:
            return
        language = _language(lang)
        for entry in glossary:
            forms = list(entry.forms(lang)) + list(entry.forbidden.get(lang, ()))
            for form in forms:
                self.keys.add(tuple(tokenize(form, language.folder).keys))
                if lang == "vi":
                    self.stripped.setdefault(_stripped_key(form), entry.id)
            if lang == "en":
                for form in entry.forms("en"):
                    classes = content_classes(form)
                    if classes:
                        self.entry_classes.append((entry.id, classes, _is_name(form, language), form))

    def spans(self, text: str) -> list[tuple[int, int]]:
        if self.glossary is None:
            return []
        return [(m.start, m.end) for m in self.glossary.match(text, self.lang)]


def _stripped_key(form: str) -> str:
    return " ".join(re.findall(r"[^\W_]+", strip_diacritics(form)))


def content_classes(form: str) -> frozenset[str]:
    """English content words of a form, spelling and MT near-synonyms folded to one class each."""
    language = _language("en")
    classes = set()
    for unit in language.units(form):
        if not unit.word or unit.key in language.stopwords:
            continue
        key = unit.key.removesuffix("'s")
        key = re.sub(r"ise$", "ize", re.sub(r"isation$", "ization", key))
        classes.add(_EN_SYNONYMS.get(key, key))
    return frozenset(classes)


_NAME_GLUE = {"of", "the", "and", "for", "on", "in", "to"}


def _is_name(form: str, language: _Language) -> bool:
    """Capitalised words joined only by of/the/and... (an institution, a title, a person)."""
    words = [u for u in language.units(form) if u.word]
    content = [u for u in words if u.key not in _NAME_GLUE]
    return len(content) >= 2 and all(u.surface[:1].isupper() for u in content)


def _same_referent(a: frozenset, a_name: bool, b: frozenset, b_name: bool) -> bool:
    """Whether two English forms most likely name the same thing (see the module docstring)."""
    if len(a & b) < 2:
        return False
    if a == b:
        return True
    # A shorter form of a capitalised name ("Border Defense Committee" for the full title).
    return a_name and b_name and a < b


# -- candidates ----------------------------------------------------------------------------
@dataclass
class _Gram:
    key: tuple
    lang: str
    surfaces: dict = field(default_factory=lambda: defaultdict(int))
    occurrences: list = field(default_factory=list)
    quoted: bool = False
    name: bool = False
    words: int = 0
    left: list = field(default_factory=list)  # the word before each occurrence (None: open)
    leftover: tuple = ()  # keys of its words outside glossary matches
    right: list = field(default_factory=list)

    def tied_to_context(self) -> bool:
        """Every occurrence has the same word before it, or the same word after it: a fragment.

        Accessor variety (Feng et al. 2004): a unit of its own is met in more than one
        context; "triển kinh tế" always follows "phát", "Secretary Xi Jinping" always
        follows "General".
        """
        return any(len(side) >= 2 and None not in side and len(set(side)) == 1
                   for side in (self.left, self.right))


def find_candidates(segments: Iterable[SourceSegment], glossary=None, *, dismissed: Iterable[str] = (),
                    lang: str | None = None, limit: int | None = None) -> list[Candidate]:
    """Term candidates of the segments, best first (languages interleaved by rank).

    `glossary` (a `Glossary` or None) is what is already known; `dismissed` holds
    candidate ids never to propose again.
    """
    by_lang: dict[str, list[SourceSegment]] = defaultdict(list)
    for segment in segments:
        if segment.lang in LANGUAGES and (lang is None or segment.lang == lang):
            by_lang[segment.lang].append(segment)
    dismissed = set(dismissed)
    ranked = []
    for language in LANGUAGES:
        if language in by_lang:
            found = [c for c in _candidates_of(by_lang[language], glossary, language) if c.id not in dismissed]
            ranked.append(found)
    merged: list[Candidate] = []
    for rank in range(max((len(r) for r in ranked), default=0)):
        merged.extend(r[rank] for r in ranked if rank < len(r))
    return merged[:limit] if limit else merged


def _candidates_of(segments: list[SourceSegment], glossary, lang: str) -> list[Candidate]:
    language = _language(lang)
    known = _Known(glossary, lang)
    parsed = [(segment, language.units(segment.text), known.spans(segment.text)) for segment in segments]
    acronyms = _acronyms(parsed, language, known)
    acronym_forms = {c.key for c in acronyms} | {tuple(tokenize(c.long_form, language.folder).keys)
                                                  for c in acronyms if c.long_form}
    grams = _grams(parsed, language, known)
    terms = _rank_terms(grams, language, known, acronym_forms)
    variants = _vi_variants(parsed, language, known) if lang == "vi" else []
    candidates = acronyms + variants + terms
    candidates.sort(key=lambda c: -c.score)
    return candidates


def _occurrence(segment: SourceSegment, start: int, end: int) -> Occurrence:
    return Occurrence(segment.document_id, segment.document_name, segment.segment_id, segment.text, start, end)


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _cuts(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    """The string cuts a glossary match in two ("Region and Chairman of the Autonomous")."""
    return any(s < start < e < end or start < s < end < e for s, e in spans)


def _initials_match(words: list[_Unit], acronym: str, language: _Language) -> bool:
    """Whether the words' initials spell the acronym (English function words may be skipped)."""
    letters = [c for c in acronym.upper() if c.isalpha()]
    position = 0
    for word in words:
        initial = word.surface[0].upper()
        if position < len(letters) and initial == letters[position]:
            position += 1
        elif language.lang == "en" and word.key in language.stopwords:
            continue
        else:
            return False
    return position == len(letters)


def _long_form_before(units: list[_Unit], end: int, acronym: str, language: _Language) -> tuple[int, int] | None:
    """Index range [i, end) of the shortest run of words before `end` whose initials spell the acronym."""
    letters = sum(c.isalpha() for c in acronym)
    for length in range(letters, letters + 4):
        start = end - length
        if start < 0:
            break
        words = units[start:end]
        if all(u.word for u in words) and language.is_boundary_ok(words[0]) \
                and _initials_match(words, acronym, language):
            return start, end
    return None


def segment_acronyms(text: str, units: list[_Unit], language: _Language) -> Iterator[tuple[int, str | None]]:
    """(unit index, long form defined there or None) of every acronym used in one segment."""
    for i, unit in enumerate(units):
        if not (unit.acronym and _ACRONYM_TOKEN.match(unit.surface)):
            continue
        long_form = None
        # long form (ACR)
        if 0 < i and i + 1 < len(units) and units[i - 1].surface == "(" and units[i + 1].surface == ")":
            found = _long_form_before(units, i - 1, unit.surface, language)
            if found:
                long_form = text[units[found[0]].start:units[found[1] - 1].end]
        # ACR (long form)
        if long_form is None and i + 2 < len(units) and units[i + 1].surface == "(":
            close = next((j for j in range(i + 2, min(len(units), i + 16)) if units[j].surface == ")"), None)
            if close and close > i + 2 and _initials_match(
                    [u for u in units[i + 2:close] if u.word], unit.surface, language):
                long_form = text[units[i + 2].start:units[close - 1].end]
        yield i, long_form


def _acronyms(parsed, language: _Language, known: _Known) -> list[Candidate]:
    defined: dict[str, dict] = {}
    used: dict[str, list] = defaultdict(list)
    for segment, units, _spans in parsed:
        for i, long_form in segment_acronyms(segment.text, units, language):
            unit = units[i]
            used[unit.surface].append(_occurrence(segment, unit.start, unit.end))
            if long_form:
                record = defined.setdefault(unit.surface, {"long": defaultdict(int)})
                record["long"][long_form] += 1
    candidates = []
    expansions = None
    for acronym, occurrences in used.items():
        key = (language.fold(acronym),)
        if key in known.keys:
            continue
        inline = acronym in defined
        if not inline and len(occurrences) < 2:
            continue
        if inline:
            long_form = max(defined[acronym]["long"].items(), key=lambda kv: kv[1])[0]
        else:
            if expansions is None:
                expansions = _expansions_in_corpus(parsed, language, set(used))
            long_form = expansions.get(acronym)
        score = 10.0 * (2 if inline else 1) + len(occurrences)
        candidates.append(Candidate(
            id=_candidate_id(language.lang, "acronym", key), lang=language.lang, kind="acronym",
            form=acronym, score=score, count=len(occurrences), occurrences=occurrences,
            long_form=long_form, defined_inline=inline, key=key))
    return candidates


def _expansions_in_corpus(parsed, language: _Language, acronyms: set[str]) -> dict[str, str]:
    """For acronyms used without a definition: the most frequent word run that spells each."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted = {a: sum(c.isalpha() for c in a) for a in acronyms}
    for segment, units, _ in parsed:
        words = [u for u in units if u.word or u.surface == ","]
        for acronym, letters in wanted.items():
            initial = acronym[0]
            for start in range(len(words)):
                if words[start].surface[:1].upper() != initial:
                    continue
                run = [u for u in words[start:start + letters + 2] if u.word][:letters]
                if len(run) == letters and _initials_match(run, acronym, language) and not run[0].acronym:
                    counts[acronym][segment.text[run[0].start:run[-1].end]] += 1
    return {a: max(forms.items(), key=lambda kv: kv[1])[0] for a, forms in counts.items() if forms}


@dataclass(frozen=True)
class GramOccurrence:
    """One n-gram occurrence in a segment: its folded key, span, open neighbours and quoting."""

    key: tuple
    start: int
    end: int
    words: int
    left: str | None  # the word before (None: none, punctuation or a function word)
    right: str | None
    quoted: bool
    whole_quote: bool = False  # a quoted phrase taken whole (not an n-gram of the sentence)
    first: int = 0  # index of its first unit
    last: int = 0  # index of its last unit


def segment_grams(text: str, units: list[_Unit], language: _Language,
                  spans: list[tuple[int, int]] = ()) -> Iterator[GramOccurrence]:
    """Every n-gram occurrence of one segment that may become a term candidate.

    `spans` (glossary matches) leave out what lies inside one or cuts one in two; the
    statistics kept in the store (`workbench.review.term_statistics`) count without
    them, so they do not depend on the glossary.
    """
    lang = language.lang
    quoted = {(m.start(1) + len(m.group(1)) - len(m.group(1).lstrip()), m.end(1) - len(m.group(1))
               + len(m.group(1).rstrip())) for m in _QUOTED.finditer(text)}
    seen: set[tuple] = set()
    for start in range(len(units)):
        first = units[start]
        if not language.is_boundary_ok(first):
            continue
        if lang == "vi" and start + 1 < len(units) and (first.key, units[start + 1].key) in language.boundary_pairs:
            continue
        words = 0
        for end in range(start, min(len(units), start + MAX_TOKENS)):
            unit = units[end]
            if not (unit.word or unit.joiner) or language.breaks_phrase(unit):
                break
            if unit.word:
                words += 1
            if end == start or not language.is_boundary_ok(unit):
                continue
            if lang == "vi" and (units[end - 1].key, unit.key) in language.boundary_pairs:
                continue
            piece = units[start:end + 1]
            if lang == "vi" and words < 3 and not any(u.acronym for u in piece):
                continue
            s, e = first.start, unit.end
            # Possessives left out of the key: "Xi Jinping's" is "Xi Jinping", and
            # "National People" is inside "National People's Congress".
            key = tuple(u.key.removesuffix("'s") for u in piece if u.word)
            if unit.key.endswith("'s"):
                e -= 2
            if _inside(spans, s, e) or _cuts(spans, s, e):
                continue
            seen.add(key)
            before = units[start - 1] if start > 0 else None
            after = units[end + 1] if end + 1 < len(units) else None
            yield GramOccurrence(
                key, s, e, words,
                None if language.is_open_neighbour(before) else before.key.removesuffix("'s"),
                None if language.is_open_neighbour(after) else after.key.removesuffix("'s"),
                (s, e) in quoted, False, start, end)
    # A short quoted phrase is a slogan or a name whatever its words: taken whole, commas included.
    for qs, qe in sorted(quoted):
        inner = [i for i, u in enumerate(units) if qs <= u.start and u.end <= qe]
        words = [units[i] for i in inner if units[i].word]
        key = tuple(u.key.removesuffix("'s") for u in words)
        if not (2 <= len(words) <= 8) or _inside(spans, qs, qe) or _cuts(spans, qs, qe) or key in seen:
            continue
        seen.add(key)
        yield GramOccurrence(key, words[0].start, words[-1].end, len(words), None, None, True, True,
                             inner[0], inner[-1])


def _grams(parsed, language: _Language, known: _Known) -> dict[tuple, _Gram]:
    grams: dict[tuple, _Gram] = {}
    for segment, units, spans in parsed:
        for found in segment_grams(segment.text, units, language, spans):
            gram = grams.get(found.key)
            if found.whole_quote and gram is not None:
                continue  # the phrase is counted as an n-gram already
            if gram is None:
                gram = grams[found.key] = _Gram(found.key, language.lang, words=found.words)
            gram.surfaces[segment.text[found.start:found.end]] += 1
            gram.occurrences.append(_occurrence(segment, found.start, found.end))
            gram.left.append(found.left)
            gram.right.append(found.right)
            if found.quoted:
                gram.quoted = True
    return grams


def _is_vi_proper_name(surface: str, language: _Language) -> bool:
    """All syllables capitalised (no acronym): a Vietnamese personal or place name."""
    words = [u for u in language.units(surface) if u.word]
    return len(words) >= 2 and all(u.surface[:1].isupper() and not u.acronym for u in words)


def _ends_with_vi_name(piece_surface: str, language: _Language) -> bool:
    words = [u for u in language.units(piece_surface) if u.word]
    tail = words[-2:]
    return len(words) > 2 and all(u.surface[:1].isupper() and not u.acronym for u in tail) \
        and not words[-3].surface[:1].isupper()


def _leftover(surface: str, language: _Language, known: _Known) -> list[_Unit] | None:
    """The content words of a string outside its glossary matches (None: it holds no glossary term)."""
    if known.glossary is None:
        return None
    matches = known.glossary.match(surface, language.lang)
    if not matches:
        return None
    rest = surface
    for match in sorted(matches, key=lambda m: -m.start):
        rest = rest[:match.start] + " \n " + rest[match.end:]
    return [u for u in language.units(rest) if u.word and u.key not in language.stopwords
            and not u.surface.isdigit() and u.key != "s"]  # "s": a possessive cut off its word


def _compositional(leftover: list[_Unit] | None, language: _Language) -> bool:
    """A glossary term plus nothing new: function words, numbers, a proper name ("Tỉnh uỷ Lạng Sơn"),
    or in English one common word ("spirit of General Secretary Xi Jinping")."""
    if leftover is None:
        return False
    if not leftover:
        return True
    if language.lang == "vi":
        return all(u.surface[:1].isupper() and not u.acronym for u in leftover)
    return len(leftover) == 1 and leftover[0].surface[:1].islower()


def _rank_terms(grams: dict[tuple, _Gram], language: _Language, known: _Known,
                acronym_forms: set[tuple]) -> list[Candidate]:
    kept: dict[tuple, _Gram] = {}
    for key, gram in grams.items():
        surface = max(gram.surfaces.items(), key=lambda kv: kv[1])[0]
        gram.name = _is_name(surface, language) if language.lang == "en" else surface[:1].isupper()
        frequent = len(gram.occurrences) >= 2
        if not (frequent or gram.quoted or (gram.name and language.lang == "en")):
            continue
        if not (gram.name or gram.quoted) and gram.words > MAX_COMMON_WORDS[language.lang]:
            continue  # a repeated stretch of a sentence, not a term
        if gram.tied_to_context():
            continue
        if key in known.keys or key in acronym_forms:
            continue
        if language.lang == "vi" and (_is_vi_proper_name(surface, language) or _ends_with_vi_name(surface, language)):
            continue
        leftover = _leftover(surface, language, known)
        if _compositional(leftover, language):
            continue
        gram.leftover = tuple(u.key.removesuffix("'s") for u in leftover) if leftover else ()
        kept[key] = gram
    # A glossary term plus another candidate ("General Secretary Xi Jinping's important
    # instructions"): the candidate is what is new, not the compound.
    kept = {key: gram for key, gram in kept.items() if not (len(gram.leftover) >= 2 and gram.leftover in kept)}
    # C-value: discount by the mean frequency of the kept candidates that contain this one.
    containers: dict[tuple, list[int]] = defaultdict(list)
    for key, gram in kept.items():
        n = len(key)
        for length in range(1, n):
            for i in range(n - length + 1):
                sub = key[i:i + length]
                # After "of (the)" a name is the complement of a title ("Director of the X"):
                # a unit of its own there, so the title does not discount it.
                if sub in kept and not (language.lang == "en" and i > 0 and key[i - 1] in ("of", "the")):
                    containers[sub].append(len(gram.occurrences))
    scored = []
    for key, gram in kept.items():
        frequency = len(gram.occurrences)
        nested = containers.get(key)
        value = frequency - (sum(nested) / len(nested) if nested else 0)
        if value <= 0:
            continue
        df = len({o.document_id for o in gram.occurrences})
        bonus = 2.0 if gram.quoted else 1.5 if gram.name else 1.0
        score = math.log2(1 + gram.words) * value * (1 + (df - 1) / 2) * bonus
        scored.append((score, gram))
    scored.sort(key=lambda sg: -sg[0])
    return _variants_and_new(scored, language, known)


def _variants_and_new(scored, language: _Language, known: _Known) -> list[Candidate]:
    """Turn ranked n-grams into candidates: variants of entries, groups of names for one body."""
    candidates: list[Candidate] = []
    groups: list[tuple[frozenset, bool, Candidate]] = []
    for score, gram in scored:
        surface = max(gram.surfaces.items(), key=lambda kv: kv[1])[0]
        occurrences = sorted(gram.occurrences, key=lambda o: (o.document_id, o.segment_id, o.start))
        if language.lang == "en":
            classes = content_classes(surface)
            entry = _entry_for(classes, gram.name, known)
            if entry is not None:
                candidates.append(Candidate(
                    id=_candidate_id("en", "variant", gram.key), lang="en", kind="variant", form=surface,
                    score=score, count=len(occurrences), occurrences=occurrences, variant_of=entry,
                    key=gram.key))
                continue
            group = next((g for g in groups if g[0] == classes and len(classes) >= 2), None)
            if group is not None:  # another name for a body already proposed
                group[2].variants.append(surface)
                group[2].occurrences.extend(occurrences)
                group[2].count += len(occurrences)
                group[2].score += score  # the evidence for one body adds up
                continue
        candidate = Candidate(
            id=_candidate_id(language.lang, "term", gram.key), lang=language.lang, kind="term", form=surface,
            score=score, count=len(occurrences), occurrences=occurrences, key=gram.key)
        candidates.append(candidate)
        if language.lang == "en" and gram.name:
            groups.append((content_classes(surface), gram.name, candidate))
    return candidates


def _entry_for(classes: frozenset, name: bool, known: _Known) -> str | None:
    """The one entry this English form most likely names, or None (none, or ambiguous)."""
    if not classes:
        return None
    exact = {entry for entry, entry_classes, _, _ in known.entry_classes if entry_classes == classes}
    if len(exact) == 1:
        return exact.pop()
    if exact:
        return None
    shorter = {entry for entry, entry_classes, entry_name, _ in known.entry_classes
               if _same_referent(classes, name, entry_classes, entry_name)}
    return shorter.pop() if len(shorter) == 1 else None


def _vi_variants(parsed, language: _Language, known: _Known) -> list[Candidate]:
    """Vietnamese forms that are an entry's form with diacritics dropped or changed (misspellings)."""
    if not known.stripped:
        return []
    lengths = {len(k.split()) for k in known.stripped}
    first_words = {k.split()[0] for k in known.stripped}
    found: dict[tuple, Candidate] = {}
    stripped_words: dict[str, str] = {}  # word -> diacritic-free (texts repeat their words)
    for segment, units, spans in parsed:
        words = [u for u in units if u.word]
        plain = []
        for word in words:
            if word.surface not in stripped_words:
                stripped_words[word.surface] = strip_diacritics(word.surface)
            plain.append(stripped_words[word.surface])
        for i in range(len(words)):
            if plain[i] not in first_words:
                continue
            for length in lengths:
                if i + length > len(words):
                    continue
                run = words[i:i + length]
                surface = segment.text[run[0].start:run[-1].end]
                entry = known.stripped.get(" ".join(plain[i:i + length]))
                if entry is None or _inside(spans, run[0].start, run[-1].end):
                    continue
                key = tuple(u.key for u in run)
                if key in known.keys:
                    continue
                candidate = found.get(key)
                if candidate is None:
                    candidate = found[key] = Candidate(
                        id=_candidate_id("vi", "variant", key), lang="vi", kind="variant", form=surface,
                        score=0.0, count=0, occurrences=[], variant_of=entry, key=key)
                candidate.occurrences.append(_occurrence(segment, run[0].start, run[-1].end))
                candidate.count += 1
                candidate.score = 5.0 + candidate.count
    return list(found.values())


# -- accepting -----------------------------------------------------------------------------
def _slug(text: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", strip_diacritics(text))).strip("-")[:60] or "term"


def proposed_row(candidate: Candidate, glossary=None) -> tuple[dict[str, str], str | None]:
    """The glossary cells accepting the candidate writes, and the id of the row it replaces (or None).

    A variant changes only the entry's `<lang>_variants` (the cells returned are
    `id` and that column; `accept_candidate` keeps the row's other cells as they
    are in the file). Anything else is a new entry whose other-language term is
    left for the reviewer to fill in (the glossary check says which column is
    still required).
    """
    lang = candidate.lang
    if candidate.variant_of:
        entry = glossary.get(candidate.variant_of) if glossary is not None else None
        if entry is None:
            raise KeyError(candidate.variant_of)
        column = f"{lang}_variants"
        forms = list(entry.variants.get(lang, ()))
        return {"id": entry.id, column: "|".join(dict.fromkeys([*forms, candidate.form, *candidate.variants]))}, \
            entry.id
    if candidate.kind == "acronym" and candidate.long_form:
        term, variants = candidate.long_form, [candidate.form]
    else:
        term, variants = candidate.form, list(candidate.variants)
    base = f"{'vn' if lang == 'vi' else 'cn'}-{_slug(candidate.form if candidate.kind == 'acronym' else term)}"
    entry_id, number = base, 2
    while glossary is not None and entry_id in glossary:
        entry_id, number = f"{base}-{number}", number + 1
    cells = {"id": entry_id, lang: term, f"{lang}_variants": "|".join(variants),
             "note": f"candidate {candidate.id} ({candidate.count}x in {', '.join(candidate.documents)}); "
                     "check the rendering"}
    return cells, None


def accept_candidate(path: str | Path, cells: dict[str, str], *, replacing: str | None = None,
                     scope: str | Path | None = None):
    """Write reviewed cells into a glossary file through the validated, row-preserving edit.

    `replacing` names the row to replace (a variant added to an existing entry);
    that entry must live in this file. Returns the file as reread.
    """
    from workbench.glossary.editing import GlossaryEditError, GlossaryFile

    file = GlossaryFile.open(path, scope=scope)
    if replacing is not None and file.row(replacing) is None:
        raise GlossaryEditError(f"entry '{replacing}' is not in this file; choose the file that holds it",
                                file.path)
    if replacing is not None:
        cells = {**file.row(replacing).cells, **cells}  # the row's other cells exactly as in the file
    return file.save_entry(cells, replacing=replacing)


def entry_file(glossary, entry_id: str) -> Path | None:
    """The file an entry was read from, if known."""
    entry = glossary.get(entry_id) if glossary is not None else None
    return Path(entry.path) if entry is not None and entry.path else None
