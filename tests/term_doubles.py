"""Test doubles for term enforcement: a word tokenizer and a scripted model that reads its input.

`BagTranslator` translates word by word from a small lexicon, so its right answer is
known, and scores a given target the way a model that reads its input does: a token that
aligns (in order) with the source's own rendering is likely (-0.1), any other unlikely
(-6). A "fragile" one also finds everything after an unexpected token unlikely, one
that `dislikes` a word everything after that word (a model that never met the word),
one whose rendering of a word `runs_on` finds the `run_length` tokens after that
rendering unlikely too when the source does not account for it (the span of a weak model's
rendering is then wider than the words it renders), and one `unsure_of` some words scores
them at -9 even where it writes them itself.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher

from workbench.mt.base import DEFAULT_DECODING

_WORDS = re.compile(r"<unk>|\w+|[^\w\s]")


class WordTokenizer:
    """One piece per word ("▁word") or punctuation mark; an open vocabulary."""

    eos_token_id, unk_token_id, pad_token_id = 0, 1, 2
    unk_token = "<unk>"

    def __init__(self):
        self.pieces = ["</s>", "<unk>", "<pad>"]
        self.ids = {piece: i for i, piece in enumerate(self.pieces)}

    def piece_ids(self, text: str) -> list[int]:
        ids = []
        for word in _WORDS.findall(text):
            if word == "<unk>":
                ids.append(self.unk_token_id)
                continue
            piece = "▁" + word if word[0].isalnum() else word
            if piece not in self.ids:
                self.ids[piece] = len(self.pieces)
                self.pieces.append(piece)
            ids.append(self.ids[piece])
        return ids

    def __call__(self, text=None, *, text_target=None, add_special_tokens=True, **_):
        ids = self.piece_ids(text_target if text_target is not None else text)
        return {"input_ids": ids + ([self.eos_token_id] if add_special_tokens else [])}

    def convert_ids_to_tokens(self, ids):
        return [self.pieces[i] for i in ids]

    def decode(self, ids, skip_special_tokens=True):
        text = ""
        for piece in self.convert_ids_to_tokens([i for i in ids if i > 2 or not skip_special_tokens]):
            text += (" " + piece[1:]) if piece.startswith("▁") else piece
        return text.strip()


class BagTranslator:
    """A word-by-word model whose scores say which source words a target token renders."""

    engine, checkpoint, is_random_weights = "scripted", "bag-model", False

    def __init__(self, lexicon: dict[str, str], *, fragile: bool = False, dislikes: tuple[str, ...] = (),
                 runs_on: tuple[str, ...] = (), run_length: int = 1, unsure_of: tuple[str, ...] = ()):
        self.lexicon = {key.lower(): value for key, value in lexicon.items()}
        self.fragile = fragile
        self.dislikes = {"▁" + word for word in dislikes}  # after one of these, every token is unlikely
        self.runs_on = {"▁" + word for word in runs_on}
        self.run_length = run_length  # how many tokens after such a rendering it takes down
        self.unsure_of = {"▁" + word for word in unsure_of}  # words it writes, but at -9 wherever they stand
        self.tokenizer = WordTokenizer()
        self.decodes = 0
        self.decoded: list[str] = []  # every input decoded, in order
        self.scored_rows = 0

    def render(self, source: str) -> str:
        # The unknown-word token (enforcement masks a source term with it) is copied as is.
        words = _WORDS.findall(source)
        out, i = [], 0
        while i < len(words):
            for n in range(min(5, len(words) - i), 0, -1):
                key = " ".join(words[i:i + n]).lower()
                if key in self.lexicon:
                    out.append(self.lexicon[key])
                    i += n
                    break
            else:
                out.append(words[i])
                i += 1
        return " ".join(part for part in out if part)

    def source_token_ids(self, sentences):
        return [self.tokenizer.piece_ids(s) + [self.tokenizer.eos_token_id] for s in sentences]

    def translate_token_ids(self, sentences, settings=DEFAULT_DECODING, **_):
        self.decodes += len(sentences)
        self.decoded += sentences
        return [[self.tokenizer.piece_ids(self.render(s))] for s in sentences]

    def translate_best(self, sentences, settings=DEFAULT_DECODING):
        return [self.tokenizer.decode(h[0]) for h in self.translate_token_ids(sentences, settings)]

    def token_log_probs(self, sentences, targets):
        assert sentences, "an empty scoring call (an engine may fail on an empty batch)"
        self.scored_rows += len(sentences)
        results = []
        for source, target in zip(sentences, targets, strict=True):
            expected = self.tokenizer.piece_ids(self.render(source))
            blocks = SequenceMatcher(None, expected, list(target), autojunk=False).get_matching_blocks()
            accounted = {b.b + k for b in blocks for k in range(b.size)}
            accounted -= {position + step for position in range(len(target))
                          for step in range(1, self.run_length + 1)
                          if position not in accounted and self.tokenizer.pieces[target[position]] in self.runs_on}
            scores, broken = [], False
            for position in range(len(target)):
                broken = broken or (self.fragile and position not in accounted) \
                    or self.tokenizer.pieces[target[position - 1]] in self.dislikes and position > 0
                scores.append(-9.0 if self.tokenizer.pieces[target[position]] in self.unsure_of
                              else -0.1 if position in accounted and not broken else -6.0)
            # ending before every source word is rendered is very unlikely
            scores.append(-0.1 if sum(b.size for b in blocks) == len(expected) else -10.0)
            results.append(scores)
        return results
