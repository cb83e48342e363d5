"""Is a machine translation plausible enough to be a reviewer's starting point?

Real opus-mt models produce garbage on odd input (repetition loops, the wrong
language, runaway length), and a random-weight test checkpoint produces noise
whether or not its config says so. `check_plausibility` looks at one machine
translation next to its source and returns the reasons it is not plausible,
in words a reviewer understands; an empty list means nothing looked wrong.

The checks are cheap heuristics, no model: an empty output; a word or phrase
repeated in a loop (more than the source repeats it); a length far outside
what the language pair usually gives; the wrong script for the target
language (a long Vietnamese output without Vietnamese diacritics, an English
one that is not mostly ASCII Latin, a Chinese one without Chinese characters);
an output that copies a long source unchanged; and the random-weights flag of
the checkpoint. Implausible MT is labelled on the Review page, never pre-filled
or offered for copying, left out of the quality scores and not exported as
machine translation.
"""

from __future__ import annotations

import re

from workbench.text import VIETNAMESE_BASE_LETTERS, has_tone_mark, is_han, is_latin

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

_TOKEN = re.compile(r"[^\W\d_]+|\d+", re.UNICODE)


def _letters(text: str) -> list[str]:
    return [ch for ch in text if ch.isalpha()]


def _tokens(text: str) -> list[str]:
    """Words, case-folded; Chinese characters count one token each (Chinese has no spaces)."""
    tokens: list[str] = []
    for match in _TOKEN.finditer(text.casefold()):
        word = match.group()
        if any(is_han(ch) for ch in word):
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
        if ch in VIETNAMESE_BASE_LETTERS or has_tone_mark(ch):
            return True
    return False


def _script_reason(mt_text: str, target_lang: str) -> str | None:
    letters = _letters(mt_text)
    if len(letters) < MIN_LETTERS_FOR_SCRIPT:
        return None
    latin = sum(1 for ch in letters if is_latin(ch)) / len(letters)
    cjk = sum(1 for ch in letters if is_han(ch)) / len(letters)
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
                   _length_reason(source, mt_text, source_lang, target_lang),
                   _script_reason(mt_text, target_lang),
                   _copy_reason(source, mt_text, source_lang, target_lang)):
        if reason:
            reasons.append(reason)
    return reasons


def is_plausible(source: str, mt_text: str | None, source_lang: str, target_lang: str, *,
                 random_weights: bool = False) -> bool:
    """True when `check_plausibility` finds nothing wrong."""
    return not check_plausibility(source, mt_text, source_lang, target_lang, random_weights=random_weights)
