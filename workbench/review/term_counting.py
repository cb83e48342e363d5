"""The n-gram counting behind the stored term statistics, written for speed.

`term_statistics` keeps, for each n-gram that may be ranked, thirteen numbers
(see `FIELDS`). `segment_gram_numbers(text, language)` gives them for each
n-gram occurrence of one segment: the same n-grams as
`workbench.glossary.candidates.segment_grams` (counted without a glossary) and
the same numbers as computing them from its occurrences one by one
(`gram_numbers_by_occurrence`, kept as the reference a test compares with), but
with everything that depends on one unit (boundary rules, neighbours' hashes,
capitalisation) worked out once per unit instead of once per n-gram.

The first pass of a rebuild needs only how often each n-gram occurs: `first_pass`
hashes every occurrence (CRC-32 of its key, continued word by word so that most
keys are never written out; 4 bytes each in a numpy array), and the second pass
works out the numbers of the n-grams whose hash occurs twice. `segment_gram_keys`
gives the keys themselves (tests, references). The usual segment (no quotation
mark, no joining hyphen or possessive) is read without its units' character
positions, which nothing then needs.

`GramFilter` is a blocked Bloom filter of every n-gram counted since the last
rebuild, kept in the store: an n-gram it does not hold occurs nowhere else,
so an update looks up in the concordance index only the few n-grams it may
hold (see `term_statistics.update_statistics`).
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator

import numpy as np

from workbench.glossary.candidates.acronyms import segment_acronyms
from workbench.glossary.candidates.language import MAX_TOKENS, NAME_GLUE, QUOTED, Language, Unit, language_of
from workbench.glossary.candidates.terms import segment_grams
from workbench.glossary.matching import _COMBINING_RE, _TOKEN_RE, _TOKEN_WITH_MARKS_RE

#: A gram's numbers, in the order of the term_grams columns after (lang, key, words, weight).
FIELDS = ("count", "df", "quoted", "initial_capital", "all_capitals", "name_like", "ends_with_name",
          "left_open", "left_sum", "left_square", "right_open", "right_sum", "right_square")
#: Longest n-gram counted (words; Vietnamese: syllables) unless it starts with a capital or is quoted:
#: longer common phrases are rarely terms, and they are most of the n-grams of a corpus.
STORED_MAX_WORDS = {"vi": 6, "en": 5}

_HASH_MASK = (1 << 20) - 1


def neighbour_hash(word: str) -> int:
    """The 20-bit hash of a neighbouring word (its sum and sum of squares tell "always the same")."""
    return zlib.crc32(word.encode("utf-8")) & _HASH_MASK


class _Prepared:
    """What one segment's units say (the units of `Language.units`), one list entry per unit.

    With `numbers`, also the running counts and neighbour hashes `segment_gram_numbers` needs.
    """

    __slots__ = ("starts", "ends", "raw_keys", "keys", "word", "ok", "stop", "pair", "acronym", "words",
                 "capitals", "content", "content_capitals", "previous_word", "upper", "neighbour", "quoted")

    def __init__(self, text: str, language: Language, numbers: bool = True, positions: bool = False):
        if not positions and '"' not in text and "“" not in text and "«" not in text:
            columns = _columns_without_positions(text, language)
            if columns is not None:
                self._columns(text, language, numbers, None, None, *columns)
                return
        starts, ends, raw_keys, word, acronym, upper, ok, stop, open_ = [], [], [], [], [], [], [], [], []
        vi = language.lang == "vi"
        cache = _token_cache(language)
        pattern = _TOKEN_WITH_MARKS_RE if _COMBINING_RE.search(text) else _TOKEN_RE
        position = 0
        raw = pattern.findall(text)
        count = len(raw)
        for index, token in enumerate(raw):
            units = cache.get(token)
            if units is None:
                units = _token_units(language, token)
                if len(cache) < 200_000:
                    cache[token] = units
            for offset, length, key, is_acronym, is_word, is_upper, is_ok, is_stop, is_open, joins in units:
                start = position + offset
                if joins:
                    if key == "s":
                        if len(raw_keys) > 1 and raw_keys[-1] == "'" and starts[-1] == start - 1 \
                                and ends[-2] == start - 1:
                            # "People's": the possessive joins the word before it (as `Language.units` does).
                            for column in (starts, ends, raw_keys, word, acronym, upper, ok, stop, open_):
                                column.pop()
                            merged = raw_keys[-1] + "'s"
                            raw_keys[-1] = merged
                            ends[-1] = start + length
                            acronym[-1] = False
                            word[-1] = True
                            ok[-1], stop[-1], open_[-1] = _unit_flags(language, text[starts[-1]:start + length],
                                                                      merged, True)[1:]
                            continue
                    elif vi or (ends and ends[-1] == start and index + 1 < count and not raw[index + 1].isspace()):
                        is_stop = False  # a hyphen or apostrophe inside a name joins, it does not break
                starts.append(start)
                ends.append(start + length)
                raw_keys.append(key)
                word.append(is_word)
                acronym.append(is_acronym)
                upper.append(is_upper)
                ok.append(is_ok)
                stop.append(is_stop)
                open_.append(is_open)
            position += len(token)
        self._columns(text, language, numbers, starts, ends, raw_keys, word, acronym, upper, ok, stop, open_)

    def _columns(self, text, language, numbers, starts, ends, raw_keys, word, acronym, upper, ok, stop, open_):
        """Everything else, from the units' columns (`starts` and `ends` None where not needed)."""
        self.starts, self.ends, self.raw_keys, self.word, self.acronym = starts, ends, raw_keys, word, acronym
        self.upper, self.ok, self.stop = upper, ok, stop
        self.keys = [key.removesuffix("'s") for key in raw_keys]
        n = len(raw_keys)
        pairs = language.boundary_pairs
        self.pair = [i > 0 and (raw_keys[i - 1], raw_keys[i]) in pairs for i in range(n)] if pairs else None
        self.quoted = {(m.start(1) + len(m.group(1)) - len(m.group(1).lstrip()),
                        m.end(1) - len(m.group(1)) + len(m.group(1).rstrip())) for m in QUOTED.finditer(text)} \
            if ('"' in text or "“" in text or "«" in text) else set()
        if not numbers:
            return
        words, capitals, content, content_capitals, previous_word = [0], [0], [0], [0], []
        last_word = -1
        for index in range(n):
            is_word = word[index]
            capital = is_word and upper[index]
            words.append(words[-1] + is_word)
            capitals.append(capitals[-1] + (capital and not acronym[index]))
            is_content = is_word and raw_keys[index] not in NAME_GLUE
            content.append(content[-1] + is_content)
            content_capitals.append(content_capitals[-1] + (is_content and capital))
            previous_word.append(last_word)
            if is_word:
                last_word = index
        self.words, self.capitals, self.content = words, capitals, content
        self.content_capitals, self.previous_word = content_capitals, previous_word
        keys = self.keys
        hashes = _NEIGHBOUR_HASHES
        neighbour = []
        for index in range(n):
            if open_[index]:
                neighbour.append(None)
                continue
            value = hashes.get(keys[index])
            if value is None:
                value = neighbour_hash(keys[index])
                if len(hashes) < 200_000:
                    hashes[keys[index]] = value
            neighbour.append(value)
        self.neighbour = neighbour


_SPLIT_RE = re.compile(r"[^\W_]+|\S")  # the tokens of matching._TOKEN_RE but white space
_SPLIT_WITH_MARKS_RE = re.compile(r"(?:[^\W_]|[\u0300-\u036f])+|\S")


def _columns_without_positions(text: str, language: Language) -> tuple | None:
    """The columns of the usual segment (every token one unit, none that may join, no quotation
    mark), without the units' character positions, which nothing then needs; None otherwise."""
    cache = _token_cache(language)
    tokens = (_SPLIT_WITH_MARKS_RE if _COMBINING_RE.search(text) else _SPLIT_RE).findall(text)
    found = [cache.get(token) for token in tokens]
    if None in found:
        for index, token in enumerate(tokens):
            if found[index] is None:
                found[index] = _token_units(language, token)
                if len(cache) < 200_000:
                    cache[token] = found[index]
    units = []
    for token_units in found:
        if len(token_units) != 1 or token_units[0][9]:
            return None
        units.append(token_units[0])
    return ([u[2] for u in units], [u[4] for u in units], [u[3] for u in units], [u[5] for u in units],
            [u[6] for u in units], [u[7] for u in units], [u[8] for u in units])


_TOKEN_CACHES: dict[str, dict[str, tuple]] = {}
_NEIGHBOUR_HASHES: dict[str, int] = {}  # a word's neighbour hash (texts repeat their words)


def _token_cache(language: Language) -> dict[str, tuple]:
    """Per language, a raw token's units by its text (texts repeat their words)."""
    return _TOKEN_CACHES.setdefault(language.lang, {})


def _token_units(language: Language, token: str) -> tuple:
    """The units of one raw token: (offset, length, key, acronym, word, upper, may start or end an n-gram,
    breaks an n-gram, open neighbour, may join) each; none for white space."""
    units = []
    for part in language.folder.fold(token):
        offset, end, key, _, is_acronym, _ = part
        surface = token[offset:end]
        is_word, is_ok, is_stop, is_open = _unit_flags(language, surface, key, surface[:1].isalnum())
        # An apostrophe or hyphen may join (decided by its neighbours); "s" may be a possessive's.
        joins = key in ("'", "-", "s")
        units.append((offset, end - offset, key, is_acronym, is_word, surface[:1].isupper(), is_ok, is_stop,
                      is_open, joins))
    return tuple(units)


def _unit_flags(language: Language, surface: str, key: str, word: bool) -> tuple:
    """(word, may start or end an n-gram, breaks an n-gram, open neighbour) of one unit (not a joiner)."""
    unit = Unit(0, len(surface), key, surface, word, False, False)
    return (word, language.is_boundary_ok(unit), not word or language.breaks_phrase(unit),
            language.is_open_neighbour(unit))


def _key(keys, word, first: int, last: int) -> str:
    """The key of the n-gram from unit `first` to unit `last`: its words' keys."""
    return " ".join([keys[i] for i in range(first, last + 1) if word[i]])


def _hashed_spans(prepared: _Prepared, language: Language) -> Iterator[tuple]:
    """(gram_hash, first unit, last unit, word count, quoted, capitalised, whole quote, key) of each n-gram occurrence.

    The n-grams of `segment_grams` without glossary spans, in the same order, the
    common phrases longer than `STORED_MAX_WORDS` left out. The key is None unless the
    segment quotes (`_key` writes it out).

    The hash is the CRC-32 of the key, continued word by word as the n-gram grows (the
    CRC of a concatenation is the CRC of its second part started from the first's),
    so most keys are never written out.
    """
    starts, ends, raw_keys = prepared.starts, prepared.ends, prepared.raw_keys
    keys, word, ok, stop, pair, acronym = (prepared.keys, prepared.word, prepared.ok, prepared.stop, prepared.pair,
                                           prepared.acronym)
    quoted, upper = prepared.quoted, prepared.upper
    vi = language.lang == "vi"
    longest = STORED_MAX_WORDS[language.lang]
    n = len(keys)
    encoded = [key.encode("utf-8") for key in keys]
    spaced = [b" " + key for key in encoded]
    crc32 = zlib.crc32
    seen: set[str] = set()  # (only where the segment quotes: a quoted phrase already met is not taken whole)
    for start in range(n):
        if not ok[start] or stop[start] or (pair is not None and start + 1 < n and pair[start + 1]):
            continue
        capital = upper[start]
        crc = crc32(encoded[start])
        words = 1
        has_acronym = acronym[start]
        for end in range(start + 1, min(n, start + MAX_TOKENS)):
            if stop[end]:
                break
            if word[end]:
                words += 1
                crc = crc32(spaced[end], crc)
                has_acronym = has_acronym or acronym[end]
            if not ok[end] or (pair is not None and pair[end]):
                continue
            if vi and words < 3 and not has_acronym:
                continue
            key = None
            is_quoted = False
            if quoted:
                e = ends[end] - 2 if raw_keys[end].endswith("'s") else ends[end]
                is_quoted = (starts[start], e) in quoted
                key = _key(keys, word, start, end)
                seen.add(key)
            if words > longest and not (capital or is_quoted):
                continue
            yield crc, start, end, words, is_quoted, capital, False, key
    for qs, qe in sorted(quoted):
        inner = [i for i in range(n) if qs <= starts[i] and ends[i] <= qe]
        inside = [i for i in inner if word[i]]
        key = " ".join(keys[i] for i in inside)
        if not (2 <= len(inside) <= 8) or key in seen:
            continue
        seen.add(key)
        yield gram_hash(key), inner[0], inner[-1], len(inside), True, upper[inside[0]], True, key


def prepared_units(text: str, prepared: _Prepared) -> list[Unit]:
    """The segment's units as `Language.units` gives them, for `segment_acronyms` (which reads no joiner)."""
    return [Unit(start, end, key, text[start:end], word, acronym, False) for start, end, key, word, acronym
            in zip(prepared.starts, prepared.ends, prepared.raw_keys, prepared.word, prepared.acronym, strict=True)]


def segment_gram_keys(text: str, language: Language) -> list[str]:
    """The keys of every counted n-gram occurrence of one segment (repeats included)."""
    prepared = _Prepared(text, language, numbers=False, positions=True)
    return [key if key is not None else _key(prepared.keys, prepared.word, first, last)
            for _, first, last, *_, key in _hashed_spans(prepared, language)]


def segment_gram_numbers(text: str, language: Language, wanted=None, prepared: _Prepared | None = None,
                         spans=None) -> Iterator[tuple[str, int, list[int]]]:
    """(key, word count, numbers) of each counted n-gram occurrence of one segment.

    `numbers` holds the FIELDS of one occurrence, df left at 0 (the caller counts
    documents). `wanted(key) -> bool`, if given, skips the others before their
    numbers are worked out; so does giving only some of the segment's `_hashed_spans`.
    """
    prepared = prepared or _Prepared(text, language)
    words_sum, capitals = prepared.words, prepared.capitals
    content, content_capitals, previous_word = prepared.content, prepared.content_capitals, prepared.previous_word
    neighbour, upper, keys, word = prepared.neighbour, prepared.upper, prepared.keys, prepared.word
    n = len(keys)
    if spans is None:
        spans = _hashed_spans(prepared, language)
    for _, first, last, words, is_quoted, capital, whole_quote, key in spans:
        if key is None:
            key = _key(keys, word, first, last)
        if wanted is not None and not wanted(key):
            continue
        after = last + 1
        word_count = words_sum[after] - words_sum[first]
        content_count = content[after] - content[first]
        ends_with_name = 0
        if word_count > 2:
            second = previous_word[last]
            third = previous_word[second]
            ends_with_name = int(capitals[last + 1] - capitals[last] == 1
                                 and capitals[second + 1] - capitals[second] == 1 and not upper[third])
        numbers = [1, 0, int(is_quoted), int(capital),
                   int(word_count >= 2 and capitals[after] - capitals[first] == word_count),
                   int(content_count >= 2 and content_capitals[after] - content_capitals[first] == content_count),
                   ends_with_name, 0, 0, 0, 0, 0, 0]
        left = None if whole_quote or first == 0 else neighbour[first - 1]
        right = None if whole_quote or last + 1 >= n else neighbour[last + 1]
        if left is None:
            numbers[7] = 1
        else:
            numbers[8], numbers[9] = left, left * left
        if right is None:
            numbers[10] = 1
        else:
            numbers[11], numbers[12] = right, right * right
        yield key, words, numbers


def gram_numbers_by_occurrence(text: str, language: Language) -> Iterator[tuple[str, int, list[int]]]:
    """The same as `segment_gram_numbers`, computed from `segment_grams` one occurrence at a time.

    The plain statement of what the numbers mean, for the test that compares the two.
    """
    units = language.units(text)
    longest = STORED_MAX_WORDS[language.lang]
    for found in segment_grams(text, units, language):
        initial_capital = text[found.start:found.start + 1].isupper()
        if found.words > longest and not (initial_capital or found.quoted):
            continue
        piece = units[found.first:found.last + 1]
        word_units = [u for u in piece if u.word]
        capital = [u.surface[:1].isupper() and not u.acronym for u in word_units]
        content_units = [u for u in word_units if u.key not in NAME_GLUE]
        ends_with_name = 0
        if len(word_units) > 2:  # its last two words capitalised, the word before them not
            *_, third, second, last = word_units
            ends_with_name = int(all(u.surface[:1].isupper() and not u.acronym for u in (second, last))
                                 and not third.surface[:1].isupper())
        numbers = [1, 0, int(found.quoted), int(initial_capital),
                   int(len(word_units) >= 2 and all(capital)),
                   int(len(content_units) >= 2 and all(u.surface[:1].isupper() for u in content_units)),
                   ends_with_name, 0, 0, 0, 0, 0, 0]
        for offset, neighbour in ((7, found.left), (10, found.right)):
            if neighbour is None:
                numbers[offset] = 1
            else:
                value = neighbour_hash(neighbour)
                numbers[offset + 1], numbers[offset + 2] = value, value * value
        yield " ".join(found.key), found.words, numbers


# -- summing documents ------------------------------------------------------------------------------
def gram_hash(key: str) -> int:
    """A 32-bit hash of an n-gram key (the first pass of a rebuild counts these; collisions cost time only)."""
    return zlib.crc32(key.encode("utf-8"))


def rankable(lang: str, numbers: list[int]) -> bool:
    """Whether an n-gram's numbers are kept in the store: it occurs twice, or quoted, or as an English name.

    Nothing else can be ranked, and most n-grams of a corpus occur once.
    """
    return numbers[0] >= 2 or numbers[2] > 0 or (lang == "en" and numbers[5] > 0)


class Counts:
    """The numbers of some documents of one language: n-grams, acronyms and inline long forms."""

    def __init__(self, lang: str):
        self.lang = lang
        self.grams: dict[str, list[int]] = {}
        self.words: dict[str, int] = {}
        self.acronyms: dict[str, list[int]] = {}
        self.long_forms: dict[tuple[str, str], int] = {}

    def add_document(self, texts, *, sign: int = 1, frequent: np.ndarray | None = None,
                     only: set[str] | None = None, acronyms: bool = True) -> None:
        """Add (sign 1) or take away (sign -1) one document's texts.

        `frequent` (sorted hashes) keeps only the n-grams it holds, the quoted ones
        and, in English, the name-like ones; `only` keeps only those keys.
        """
        language = language_of(self.lang)
        grams, words_of = self.grams, self.words
        in_document: set[str] = set()
        acronyms_in_document: set[str] = set()
        names = self.lang == "en"
        for text in texts:
            prepared = _Prepared(text, language)
            spans = repeated = None
            if frequent is not None:
                spans = list(_hashed_spans(prepared, language))
                repeated = _in_sorted(frequent, [span[0] for span in spans])
                if not names:  # (whether an English n-gram is name-like needs its numbers)
                    spans = [span for span, kept in zip(spans, repeated, strict=True) if kept or span[4]]
                    repeated = None
            for index, (key, words, numbers) in enumerate(segment_gram_numbers(text, language, prepared=prepared,
                                                                               spans=spans)):
                if only is not None and key not in only:
                    continue
                if repeated is not None and not (repeated[index] or numbers[2] or numbers[5]):
                    continue
                total = grams.get(key)
                if total is None:
                    grams[key] = total = [0] * len(FIELDS)
                    words_of[key] = words
                if sign == 1:
                    for index, value in enumerate(numbers):
                        total[index] += value
                else:
                    for index, value in enumerate(numbers):
                        total[index] -= value
                in_document.add(key)
            if acronyms and True in prepared.acronym:
                self._add_acronyms(text, language, prepared, sign, acronyms_in_document)
        for key in in_document:
            grams[key][1] += sign
        for acronym in acronyms_in_document:
            self.acronyms[acronym][1] += sign

    def _add_acronyms(self, text: str, language, prepared: _Prepared, sign: int, in_document: set[str]) -> None:
        if prepared.starts is None:
            prepared = _Prepared(text, language, numbers=False, positions=True)
        units = prepared_units(text, prepared)
        for index, long_form in segment_acronyms(text, units, language):
            acronym = units[index].surface
            numbers = self.acronyms.get(acronym)
            if numbers is None:
                numbers = self.acronyms[acronym] = [0, 0]
            numbers[0] += sign
            in_document.add(acronym)
            if long_form:
                self.long_forms[(acronym, long_form)] = self.long_forms.get((acronym, long_form), 0) + sign

    def merge(self, other: Counts) -> None:
        """Add another's numbers to these."""
        for key, numbers in other.grams.items():
            total = self.grams.get(key)
            if total is None:
                self.grams[key] = list(numbers)
                self.words[key] = other.words[key]
            else:
                for index, value in enumerate(numbers):
                    total[index] += value
        for acronym, numbers in other.acronyms.items():
            total = self.acronyms.setdefault(acronym, [0, 0])
            total[0] += numbers[0]
            total[1] += numbers[1]
        for pair, count in other.long_forms.items():
            self.long_forms[pair] = self.long_forms.get(pair, 0) + count


def first_pass(lang: str, texts: list[str]) -> np.ndarray:
    """The hash of every counted n-gram occurrence of the texts (uint32)."""
    language = language_of(lang)
    hashes: list[int] = []
    for text in texts:
        hashes.extend([span[0] for span in _hashed_spans(_Prepared(text, language, numbers=False), language)])
    return np.fromiter(hashes, dtype=np.uint32, count=len(hashes))


def _in_sorted(sorted_hashes: np.ndarray, hashes: list[int]) -> list[bool]:
    """Whether each hash is in the sorted array."""
    if not hashes or not len(sorted_hashes):
        return [False] * len(hashes)
    values = np.array(hashes, dtype=np.uint32)
    positions = np.minimum(np.searchsorted(sorted_hashes, values), len(sorted_hashes) - 1)
    return (sorted_hashes[positions] == values).tolist()


def repeated_hashes(arrays: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The hashes that occur at least twice over the arrays, and every distinct one (both sorted)."""
    if not arrays:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
    every = np.concatenate(arrays)
    arrays.clear()
    every.sort()
    same = every[1:] == every[:-1]
    repeated = np.unique(every[1:][same])
    distinct = every[np.concatenate(([True], ~same))]
    return repeated, distinct


# -- the filter of n-grams met ------------------------------------------------------------------------
#: Bits of one block of the filter (8 KiB); an n-gram sets FILTER_PROBES bits of one block.
FILTER_BLOCK_BITS = 1 << 16
FILTER_PROBES = 4
#: Bits per n-gram the filter is sized for (about 2 % false positives), and its smallest size in blocks.
FILTER_BITS_PER_GRAM = 10
FILTER_MIN_BLOCKS = 16


def filter_blocks_for(grams: int) -> int:
    """Blocks (a power of two) for a filter of about that many distinct n-grams."""
    blocks = FILTER_MIN_BLOCKS
    while blocks * FILTER_BLOCK_BITS < grams * FILTER_BITS_PER_GRAM and blocks < 1 << 13:
        blocks *= 2
    return blocks


def _probes(hashes: np.ndarray, blocks: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """The block of each hash and its FILTER_PROBES bit positions within the block."""
    h = hashes.astype(np.uint64)
    mixed = h * np.uint64(0x9E3779B97F4A7C15)
    other = (h ^ np.uint64(0x5BD1E995)) * np.uint64(0xC2B2AE3D27D4EB4F)
    block = (mixed >> np.uint64(48)) % np.uint64(blocks)
    mask = np.uint64(FILTER_BLOCK_BITS - 1)
    positions = [mixed & mask, (mixed >> np.uint64(16)) & mask, (mixed >> np.uint64(32)) & mask, other & mask]
    return block, positions


class GramFilter:
    """A blocked Bloom filter of n-gram hashes of one language: "not held" means never counted.

    Bits are only set (an update adds; nothing is taken away until a rebuild
    starts a new one), so it holds every n-gram counted since the last rebuild,
    and some others (false positives cost a look-up, never a wrong count).
    """

    def __init__(self, lang: str, blocks: int, data: dict[int, np.ndarray]):
        self.lang, self.blocks, self.data = lang, blocks, data
        self.changed: set[int] = set()

    @classmethod
    def build(cls, lang: str, distinct: np.ndarray, blocks: int) -> GramFilter:
        """A filter of every hash given."""
        bits = np.zeros(blocks * FILTER_BLOCK_BITS // 8, dtype=np.uint8)
        for start in range(0, len(distinct), 1 << 21):
            block, positions = _probes(distinct[start:start + (1 << 21)], blocks)
            for position in positions:
                index = block * np.uint64(FILTER_BLOCK_BITS) + position
                np.bitwise_or.at(bits, (index >> np.uint64(3)).astype(np.int64),
                                 (np.uint8(1) << (index & np.uint64(7)).astype(np.uint8)))
        size = FILTER_BLOCK_BITS // 8
        made = cls(lang, blocks, {b: bits[b * size:(b + 1) * size] for b in range(blocks)})
        made.changed = set(range(blocks))
        return made

    @classmethod
    def load(cls, conn, lang: str, hashes: np.ndarray) -> GramFilter | None:
        """The stored filter's blocks that these hashes fall in (None: the language has no filter)."""
        row = conn.execute("SELECT value FROM term_statistics_state WHERE name = ?",
                           (f"filter_blocks_{lang}",)).fetchone()
        if row is None:
            return None
        return cls.blocks_of(conn, lang, int(row[0]), hashes)

    @classmethod
    def blocks_of(cls, conn, lang: str, blocks: int, hashes: np.ndarray) -> GramFilter:
        """The blocks these hashes fall in of a filter of `blocks` blocks (empty where none is stored)."""
        wanted = sorted({int(b) for b in _probes(hashes, blocks)[0]}) if len(hashes) else []
        data = {}
        for start in range(0, len(wanted), 500):
            batch = wanted[start:start + 500]
            marks = ",".join("?" * len(batch))
            for block, bits in conn.execute(
                    f"SELECT block, bits FROM term_gram_filter WHERE lang = ? AND block IN ({marks})", (lang, *batch)):
                data[block] = np.frombuffer(bits, dtype=np.uint8).copy()
        size = FILTER_BLOCK_BITS // 8
        for block in wanted:
            data.setdefault(block, np.zeros(size, dtype=np.uint8))
        return cls(lang, blocks, data)

    def contains(self, hashes: np.ndarray) -> np.ndarray:
        """Whether each hash may have been added (False: certainly not)."""
        held = np.ones(len(hashes), dtype=bool)
        if not len(hashes):
            return held
        block, positions = _probes(hashes, self.blocks)
        for index, b in enumerate(block.tolist()):
            bits = self.data[b]
            for position in positions:
                p = int(position[index])
                if not bits[p >> 3] & (1 << (p & 7)):
                    held[index] = False
                    break
        return held

    def add(self, hashes: np.ndarray) -> None:
        """Set the bits of these hashes."""
        if not len(hashes):
            return
        block, positions = _probes(hashes, self.blocks)
        for index, b in enumerate(block.tolist()):
            bits = self.data.get(b)
            if bits is None:
                continue  # (not loaded: load() is given every hash that will be added)
            for position in positions:
                p = int(position[index])
                bits[p >> 3] |= 1 << (p & 7)
            self.changed.add(b)

    def save(self, conn) -> None:
        """Write the changed blocks and the size."""
        conn.executemany("INSERT OR REPLACE INTO term_gram_filter (lang, block, bits) VALUES (?, ?, ?)",
                         ((self.lang, b, self.data[b].tobytes()) for b in sorted(self.changed)))
        conn.execute("INSERT OR REPLACE INTO term_statistics_state (name, value) VALUES (?, ?)",
                     (f"filter_blocks_{self.lang}", str(self.blocks)))
        self.changed.clear()


#: The repeated hashes of each language (sorted) while a rebuild runs its second pass (forked workers
#: inherit them).
FREQUENT: dict[str, np.ndarray] = {}


def first_pass_task(documents: list[tuple[str, list[str]]]) -> dict[str, np.ndarray]:
    """The first pass over some documents ((language, texts) each): hashes by language."""
    by_lang: dict[str, list[str]] = {}
    for lang, texts in documents:
        by_lang.setdefault(lang, []).extend(texts)
    return {lang: first_pass(lang, texts) for lang, texts in by_lang.items()}


def second_pass_task(documents: list[tuple[str, list[str]]]) -> list[Counts]:
    """The second pass over some documents: their numbers by language, repeated n-grams only."""
    counts: dict[str, Counts] = {}
    for lang, texts in documents:
        if lang not in counts:
            counts[lang] = Counts(lang)
        counts[lang].add_document(texts, frequent=FREQUENT.get(lang, np.zeros(0, dtype=np.uint32)))
    return list(counts.values())
