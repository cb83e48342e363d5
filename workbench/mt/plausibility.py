"""Is a machine translation plausible enough to be a reviewer's starting point?

Real opus-mt models produce garbage on odd input (repetition loops, the wrong
language, runaway length), and a random-weight test checkpoint produces noise
whether or not its config says so. `check_plausibility` looks at one machine
translation next to its source and returns the reasons it is not plausible,
in words a reviewer understands; an empty list means nothing looked wrong.

The checks are cheap heuristics and one small language detector: an empty
output; a word or phrase repeated in a loop (more than the source repeats it);
characters repeated inside words ("ênênên", "fulfulful", "++++++"), which a
broken model writes and no language does; an output with hardly any letters
for a source with words; a length far outside what the language pair usually
gives; the wrong script for the target language (a long Vietnamese output
without Vietnamese diacritics, an English one that is not mostly ASCII Latin,
a Chinese one without Chinese characters); syllables that cannot be
Vietnamese ("ẽunun", "đuaôn") or words that cannot be English ("Fxqzt",
"owerSS"); the output language as lingua reads it (the detector that reads
documents in, `workbench.documents.ingest`'s language list); an output that
copies a long source unchanged; and the random-weights flag of the checkpoint.
`bench/plausibility.py` measures them on random-weight checkpoints of several
sizes (every output must be caught) and on real English and Vietnamese text
(none may be flagged). Implausible MT is labelled on the Review page, never pre-filled
or offered for copying, left out of the quality scores and not exported as
machine translation.
"""

from __future__ import annotations

import functools
import re
import unicodedata

RANDOM_WEIGHTS_REASON = "random-weight test model: not a translation"
EMPTY_REASON = "empty output"

#: Characters of target text per character of source, relative: a Chinese
#: character carries about as much as three Latin letters.
_CHARACTER_WEIGHT = {"zh": 3.0, "ja": 2.5, "ko": 2.0}
#: A length ratio more than this many times the usual one (either way) is "far out of range".
LENGTH_RATIO_SLACK = 3.0
#: Sources shorter than this many characters give no meaningful length ratio for "too short".
MIN_SOURCE_FOR_SHORT = 20
#: Characters of slack for runaway output on short sources ("Hà Nội" may become "Hanoi city").
RUNAWAY_SLACK_CHARS = 40
#: Outputs with fewer letters than this are too short to judge their script.
MIN_LETTERS_FOR_SCRIPT = 20
#: A word repeated this many times in a row (an n-gram of 2-4 words: `PHRASE_LOOP` times) is a loop.
WORD_LOOP = 4
PHRASE_LOOP = 3
#: Outputs of at least this many tokens whose distinct 3-grams are fewer than this share loop.
MIN_TOKENS_FOR_VARIETY = 16
MIN_DISTINCT_TRIGRAMS = 0.5

#: Letters that only Vietnamese (among Latin-script languages here) uses, without tone marks.
_VIETNAMESE_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
#: Combining marks of Vietnamese tones: grave, acute, tilde, hook above, dot below.
_VIETNAMESE_TONES = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}

_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def _is_cjk(ch: str) -> bool:
    code = ord(ch)
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0xF900 <= code <= 0xFAFF)


def _is_latin(ch: str) -> bool:
    return "LATIN" in unicodedata.name(ch, "")


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


_CJK = re.compile("[\u4e00-\u9fff\u3400-\u4dbf\uf900-\ufaff\U00020000-\U0002a6df]")


def _tokens(text: str) -> list[str]:
    """Words, case-folded; Chinese characters count one token each (Chinese has no spaces)."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.casefold()):
        word = match.group()
        if _CJK.search(word):
            tokens.extend(ch for ch in word)
        else:
            tokens.append(word)
    return tokens


def longest_repeat(tokens: list[str], n: int) -> int:
    """How many times in a row the most repeated n-gram of `tokens` occurs back to back."""
    best = 1 if tokens else 0
    for start in range(min(n, len(tokens))):
        run, previous = 1, None
        for i in range(start, len(tokens) - n + 1, n):
            gram = tuple(tokens[i:i + n])
            run = run + 1 if gram == previous else 1
            previous = gram
            best = max(best, run)
    return best


def _repetition_reason(source: str, mt_text: str) -> str | None:
    tokens, source_tokens = _tokens(mt_text), _tokens(source)
    for n in (1, 2, 3, 4):
        limit = WORD_LOOP if n == 1 else PHRASE_LOOP
        repeats = longest_repeat(tokens, n)
        if repeats >= limit and repeats > longest_repeat(source_tokens, n):
            what = "a word" if n == 1 else f"a {n}-word phrase"
            return f"repetition loop: {what} repeated {repeats} times in a row"
    if len(tokens) >= MIN_TOKENS_FOR_VARIETY:
        trigrams = [tuple(tokens[i:i + 3]) for i in range(len(tokens) - 2)]
        variety = len(set(trigrams)) / len(trigrams)
        source_trigrams = [tuple(source_tokens[i:i + 3]) for i in range(len(source_tokens) - 2)]
        source_variety = len(set(source_trigrams)) / len(source_trigrams) if source_trigrams else 1.0
        if variety < MIN_DISTINCT_TRIGRAMS and variety < source_variety:
            return f"repetition loop: only {variety:.0%} of its three-word sequences are distinct"
    return None


#: A unit of 1-4 characters repeated back to back inside a word ("ênênên", "ẽẽẽẽ", "++++++++").
_CHARACTER_RUN = re.compile(r"(\S{1,4}?)\1{2,}")
#: A single letter repeated this many times in a row is a loop ("ẽẽẽẽẽ"); text has at most 4 ("xxxx").
LETTER_RUN = 5
#: A unit of 2-4 letters repeated this many times ("ênênên"; "banana" has "an" twice).
SYLLABLE_RUN = 3
#: Other characters (digits, signs) repeated over at least this many characters ("06060606", "++++++++").
SYMBOL_RUN_CHARS = 8
#: Runs real text has: dot leaders and the zeros of a large number.
_HARMLESS_UNITS = {".", "0", "-", "_", "=", "*", "·", "…"}
#: An output whose non-space characters are less than this share letters, for a source with words, says nothing.
MIN_LETTER_SHARE = 0.3
MIN_SOURCE_LETTERS = 10
#: Of the words of a Vietnamese or English output, more than this share may not be impossible ones.
MAX_IMPOSSIBLE_SHARE = 0.2
#: ... and at least this many impossible words before the share counts (one odd name is no sign).
MIN_IMPOSSIBLE_WORDS = 2
#: Outputs of at least this many letters are given to the language detector.
MIN_LETTERS_FOR_DETECTION = 40
#: ... and the detector's confidence in the target language below this.
TARGET_LANGUAGE_FLOOR = 0.05
#: Characters of ordinary words given to the detector at most.
DETECTION_SAMPLE_CHARS = 240
#: The detector's confidence in another language above which the output is not in the target language.
OTHER_LANGUAGE_CONFIDENCE = 0.5

_VIETNAMESE_ONSET = "(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnprstvx])?"
#: A Vietnamese syllable without its tone mark: onset, one to three vowels (glides included), final.
_VIETNAMESE_SYLLABLE = re.compile(_VIETNAMESE_ONSET + "[aăâeêioôơuưy]{1,3}(?:ch|ng|nh|[cmnpt])?")
_ENGLISH_VOWELS = set("aeiouy")


def _character_run_reason(source: str, mt_text: str) -> str | None:
    """A character or short unit repeated inside the output (not in the source): a decoding loop."""
    for match in _CHARACTER_RUN.finditer(mt_text):
        unit, run = match.group(1), match.group(0)
        repeats = len(run) // len(unit)
        if unit in _HARMLESS_UNITS or run in source:
            continue
        if unit.isalpha():
            looping = repeats >= (LETTER_RUN if len(unit) == 1 else SYLLABLE_RUN)
        else:
            looping = len(run) >= SYMBOL_RUN_CHARS
        if looping:
            shown = run if len(run) <= 24 else run[:24] + "…"
            return f"repetition loop: '{unit}' repeated {repeats} times inside a word ('{shown}')"
    return None


def _letter_share_reason(source: str, mt_text: str) -> str | None:
    """Hardly any letters in the output of a source made of words: digits or signs only."""
    visible = [ch for ch in mt_text if not ch.isspace()]
    if len(_letters(source)) < MIN_SOURCE_LETTERS or not visible:
        return None
    share = len(_letters(mt_text)) / len(visible)
    source_visible = [ch for ch in source if not ch.isspace()]
    source_share = len(_letters(source)) / len(source_visible)
    if share < MIN_LETTER_SHARE and share < source_share / 2:  # a line of phone numbers stays one
        return f"no words: only {share:.0%} of its characters are letters"
    return None


def is_vietnamese_syllable(word: str) -> bool:
    """True when `word` can be one Vietnamese syllable (onset, vowels, final; at most one tone mark)."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    tones = sum(1 for ch in decomposed if ch in _VIETNAMESE_TONES)
    bare = unicodedata.normalize("NFC", "".join(ch for ch in decomposed if ch not in _VIETNAMESE_TONES))
    return tones <= 1 and _VIETNAMESE_SYLLABLE.fullmatch(bare) is not None


def _could_be_english(word: str) -> bool:
    """False for a word no English text holds: letters other than a-z, or no vowel in a lower-case word."""
    if not word.isascii():
        return False
    if word.isupper():
        return True  # an acronym: ASEAN, PLA
    return len(word) == 1 or bool(_ENGLISH_VOWELS & set(word.casefold()))


def _impossible_words(mt_text: str, target_lang: str) -> list[str]:
    words = re.findall(r"[^\W\d_]+", mt_text)
    if target_lang == "vi":
        # Names and loanwords come without Vietnamese marks ("Taifeng", "online"); a word *with*
        # them must be a Vietnamese syllable, and a plain one at least pronounceable as one or English.
        return [w for w in words if not is_vietnamese_syllable(w)
                and (not w.isascii() or not (_could_be_english(w) or w[:1].isupper()))]
    if target_lang == "en":
        return [w for w in words if not _could_be_english(w)]
    return []


def _word_reason(mt_text: str, target_lang: str) -> str | None:
    """Words that cannot belong to the target language (syllables no Vietnamese word has)."""
    words = re.findall(r"[^\W\d_]+", mt_text)
    impossible = _impossible_words(mt_text, target_lang)
    # A word with Vietnamese marks that is no syllable is a strong sign; plain odd words (names) a weak one.
    marked = [w for w in impossible if not w.isascii()]
    share = MAX_IMPOSSIBLE_SHARE / 2 if len(marked) >= MIN_IMPOSSIBLE_WORDS else MAX_IMPOSSIBLE_SHARE
    if len(impossible) < MIN_IMPOSSIBLE_WORDS or len(impossible) <= share * len(words):
        return None
    examples = ", ".join(dict.fromkeys(w if len(w) <= 16 else w[:16] + "…" for w in impossible[:3]))
    what = "Vietnamese syllables" if target_lang == "vi" else "English words"
    return f"not {what}: {len(impossible)} of {len(words)} words cannot be ({examples})"


@functools.cache
def _language_detector():
    """lingua over the languages documents are read in, trigram models only (fast to load)."""
    from lingua import IsoCode639_1, LanguageDetectorBuilder

    from workbench.documents.ingest import DETECTED_LANGUAGES

    codes = [getattr(IsoCode639_1, code.upper()) for code in DETECTED_LANGUAGES]
    return LanguageDetectorBuilder.from_iso_codes_639_1(*codes).with_low_accuracy_mode().build()


def _language_reason(mt_text: str, target_lang: str) -> str | None:
    """The output's ordinary words read as another language than the target one.

    Capitalised words are left out: a list of Chinese names reads as Dutch to the detector.
    """
    words = " ".join(w for w in re.findall(r"[^\W\d_]+", mt_text) if not w[:1].isupper())
    if target_lang not in ("vi", "en") or len(words) < MIN_LETTERS_FOR_DETECTION:
        return None
    words = words[:DETECTION_SAMPLE_CHARS]  # the detector's time grows with the text; a sample is enough
    from workbench.documents.ingest import LANGUAGE_NAMES

    values = _language_detector().compute_language_confidence_values(words)
    if not values:
        return None
    best = values[0]
    code = best.language.iso_code_639_1.name.lower()
    # Short English reads as German now and then ("border post patrols the border line": German 0.82,
    # English 0.15): only an output in which the target language hardly registers is refused.
    target = next((v.value for v in values if v.language.iso_code_639_1.name.lower() == target_lang), 0.0)
    if code != target_lang and best.value >= OTHER_LANGUAGE_CONFIDENCE and target < TARGET_LANGUAGE_FLOOR:
        return (f"not {LANGUAGE_NAMES[target_lang]}: it reads as {LANGUAGE_NAMES.get(code, code)} "
                f"(confidence {best.value:.2f})")
    return None


def expected_length_ratio(source_lang: str, target_lang: str) -> float:
    """The usual characters of target per character of source for a language pair."""
    return _CHARACTER_WEIGHT.get(source_lang, 1.0) / _CHARACTER_WEIGHT.get(target_lang, 1.0)


def _length_reason(source: str, mt_text: str, source_lang: str, target_lang: str) -> str | None:
    source_length, target_length = len(source.strip()), len(mt_text.strip())
    if not source_length:
        return None
    expected = expected_length_ratio(source_lang, target_lang)
    ratio = target_length / source_length
    if target_length > expected * source_length * LENGTH_RATIO_SLACK + RUNAWAY_SLACK_CHARS:
        return (f"length out of range: {target_length} characters for a {source_length}-character source "
                f"(about {expected * source_length:.0f} expected)")
    if source_length >= MIN_SOURCE_FOR_SHORT and ratio < expected / LENGTH_RATIO_SLACK:
        return (f"length out of range: {target_length} characters for a {source_length}-character source "
                f"(about {expected * source_length:.0f} expected)")
    return None


def _has_vietnamese_marks(letters: list[str]) -> bool:
    for ch in letters:
        if ch in _VIETNAMESE_LETTERS:
            return True
        if any(mark in _VIETNAMESE_TONES for mark in unicodedata.normalize("NFD", ch)[1:]):
            return True
    return False


def _script_reason(mt_text: str, target_lang: str) -> str | None:
    letters = _letters(mt_text)
    if len(letters) < MIN_LETTERS_FOR_SCRIPT:
        return None
    latin = sum(1 for ch in letters if _is_latin(ch)) / len(letters)
    cjk = sum(1 for ch in letters if _is_cjk(ch)) / len(letters)
    if target_lang == "vi":
        if latin < 0.8:
            return f"wrong script for Vietnamese: only {latin:.0%} of its letters are Latin"
        if not _has_vietnamese_marks(letters):
            return "not Vietnamese: a long output without any Vietnamese diacritics"
    elif target_lang == "en":
        ascii_latin = sum(1 for ch in letters if ch.isascii()) / len(letters)
        if ascii_latin < 0.9:
            return f"not English: only {ascii_latin:.0%} of its letters are plain Latin (a-z)"
    elif target_lang == "zh":
        if cjk < 0.5:
            return f"not Chinese: only {cjk:.0%} of its letters are Chinese characters"
    return None


def _copy_reason(source: str, mt_text: str, source_lang: str, target_lang: str) -> str | None:
    if source_lang == target_lang or len(_tokens(source)) < 4:
        return None
    if " ".join(_tokens(source)) == " ".join(_tokens(mt_text)):
        return "untranslated: the output repeats the source"
    return None


def check_plausibility(source: str, mt_text: str | None, source_lang: str, target_lang: str, *,
                       random_weights: bool = False) -> list[str]:
    """Why `mt_text` is not a plausible translation of `source` (empty list: plausible)."""
    reasons: list[str] = []
    if random_weights:
        reasons.append(RANDOM_WEIGHTS_REASON)
    if mt_text is None or not mt_text.strip():
        reasons.append(EMPTY_REASON)
        return reasons
    source = source or ""
    for reason in (_repetition_reason(source, mt_text),
                   _character_run_reason(source, mt_text),
                   _letter_share_reason(source, mt_text),
                   _length_reason(source, mt_text, source_lang, target_lang),
                   _script_reason(mt_text, target_lang),
                   _word_reason(mt_text, target_lang),
                   _copy_reason(source, mt_text, source_lang, target_lang)):
        if reason:
            reasons.append(reason)
    # The detector is the slowest check and the least needed once something else failed.
    if not reasons or reasons == [RANDOM_WEIGHTS_REASON]:
        reason = _language_reason(mt_text, target_lang)
        if reason:
            reasons.append(reason)
    return reasons


def is_plausible(source: str, mt_text: str | None, source_lang: str, target_lang: str, *,
                 random_weights: bool = False) -> bool:
    """True when `check_plausibility` finds nothing wrong."""
    return not check_plausibility(source, mt_text, source_lang, target_lang, random_weights=random_weights)
