"""During decoding, for engines that run logits processors (transformers): part 2 of the enforcement.

`TermLogitsProcessor` favours the tokens of required target terms and blocks forbidden
renderings; see the package docstring for the bonuses and why they are nudges.
"""

from __future__ import annotations

import functools

from workbench.glossary.enforce.planning import EnforcementSettings, TermConstraints


def make_processors(constraints: list[TermConstraints | None], settings: EnforcementSettings,
                     eos_token_id: int, glue_ids: list[int], batch_indices: list[int],
                     num_beams: int) -> list:
    """The logits processors for one batch of sentences (none when no sentence of it has a term).

    `glue_ids` are the pieces that would glue a longer word onto a term just written: every
    word-internal piece but the English plural endings (`planning.glue_token_ids`).
    """
    rows = [constraints[i] for i in batch_indices]
    if not any(rows):
        return []
    return [term_processor_class()(rows, num_beams, settings, eos_token_id, glue_ids)]



@functools.cache
def term_processor_class():
    """The TermLogitsProcessor class (built on first use: it subclasses a transformers class)."""
    from transformers import LogitsProcessor

    class TermLogitsProcessor(LogitsProcessor):
        """Favours the tokens of required target terms and blocks forbidden renderings."""

        def __init__(self, rows: list[TermConstraints | None], num_beams: int,
                     settings: EnforcementSettings, eos_token_id: int = 0,
                     glue_ids: list[int] | None = None):
            self.rows = rows
            self.num_beams = num_beams
            self.settings = settings
            self.eos_token_id = eos_token_id
            self.glue_ids = glue_ids or None
            self._glue_index = None
            # Completed terms per generated prefix, from the previous step only.
            self._done_before: dict[tuple, tuple[frozenset, int]] = {}

        def __call__(self, input_ids, scores):
            import torch

            settings = self.settings
            done_now: dict[tuple, tuple[frozenset, int]] = {}
            # Edits are collected per row in Python, then applied in a few tensor operations.
            bonus_rows, bonus_tokens, bonus_values = [], [], []
            forced_rows, forced_tokens = [], []
            blocked_rows, blocked_tokens = [], []
            eos_rows, glue_rows = [], []
            for row, ids in enumerate(input_ids.tolist()):
                constraint = self.rows[row // self.num_beams]
                if constraint is None:
                    continue
                generated = tuple(ids[1:])  # ids[0] is the decoder start token
                done, last_end = self._completed(generated, constraint.terms)
                done_now[generated] = (done, last_end)
                step = len(generated)
                # A term counts as started only after the last completed one, so two
                # terms never share tokens (the matcher would not find both).
                next_token, longest = None, 0
                for index, (term_ids, _) in enumerate(constraint.terms):
                    if index not in done:
                        started = _started_length(generated, term_ids, step - last_end)
                        if started > longest:
                            longest, next_token = started, term_ids[started]
                bonuses: dict[int, float] = {}
                if next_token is not None:
                    bonuses[next_token] = settings.continue_bonus
                else:
                    for index, (term_ids, expected) in enumerate(constraint.terms):
                        if index not in done and step >= expected:
                            bonus = min(settings.open_bonus_max,
                                        settings.open_bonus + settings.open_ramp * (step - expected))
                            bonuses[term_ids[0]] = max(bonus, bonuses.get(term_ids[0], 0.0))
                if len(done) < len(constraint.terms):
                    eos_rows.append(row)
                if last_end == step and step:
                    # Just after a term: a piece glued onto its last word ("commune01")
                    # would hide the term from word-boundary matching.
                    glue_rows.append(row)
                for token, bonus in bonuses.items():
                    if bonus == float("inf"):
                        forced_rows.append(row)
                        forced_tokens.append(token)
                    elif bonus:
                        bonus_rows.append(row)
                        bonus_tokens.append(token)
                        bonus_values.append(bonus)
                for forbidden in constraint.forbidden:
                    last = forbidden[-1]
                    if last != next_token and (len(forbidden) == 1 or generated[-(len(forbidden) - 1):]
                                               == forbidden[:-1]):
                        blocked_rows.append(row)
                        blocked_tokens.append(last)
            self._done_before = done_now
            device = scores.device
            if eos_rows and settings.eos_penalty:
                scores[torch.tensor(eos_rows, device=device), self.eos_token_id] -= settings.eos_penalty
            if glue_rows and self.glue_ids:
                if self._glue_index is None:
                    self._glue_index = torch.tensor(self.glue_ids, device=device)
                rows = torch.tensor(glue_rows, device=device).unsqueeze(1)
                scores[rows, self._glue_index] -= settings.continue_bonus
            if bonus_rows:
                rows = torch.tensor(bonus_rows, device=device)
                tokens = torch.tensor(bonus_tokens, device=device)
                scores.index_put_((rows, tokens), torch.tensor(bonus_values, dtype=scores.dtype,
                                                               device=device), accumulate=True)
            if forced_rows:
                rows = torch.tensor(forced_rows, device=device)
                tokens = torch.tensor(forced_tokens, device=device)
                kept = scores[rows, tokens].clone()
                scores[rows] = float("-inf")
                scores[rows, tokens] = kept
            if blocked_rows:
                scores[torch.tensor(blocked_rows, device=device),
                       torch.tensor(blocked_tokens, device=device)] = float("-inf")
            return scores

        def _completed(self, generated: tuple, terms) -> tuple[frozenset, int]:
            """(indices of completed terms, position just after the latest one)."""
            parent = self._done_before.get(generated[:-1]) if generated else (frozenset(), 0)
            if parent is None:  # not seen at the previous step: rebuild from scratch
                done, last_end = frozenset(), 0
                for length in range(1, len(generated) + 1):
                    done, last_end = _newly_completed(generated[:length], terms, done, last_end)
                return done, last_end
            return _newly_completed(generated, terms, *parent)

    return TermLogitsProcessor


def _newly_completed(generated: tuple, terms, done: frozenset, last_end: int
                     ) -> tuple[frozenset, int]:
    """Update (done, last_end) for a hypothesis that has just grown by one token.

    Terms are credited the way the matcher will later read the text: longest
    first and without overlap. A term that ends here inside a longer term, or
    that is the beginning of a longer term still being written, is not credited.
    """
    step = len(generated)
    room = step - last_end
    ending = [i for i, (ids, _) in enumerate(terms)
              if i not in done and len(ids) <= room and generated[-len(ids):] == ids]
    if not ending:
        return done, last_end
    longest = max(ending, key=lambda i: len(terms[i][0]))
    length = len(terms[longest][0])
    for j, (ids, _) in enumerate(terms):
        if j not in done and len(ids) > length and _started_length(generated, ids, room) >= length:
            return done, last_end
    return done | {longest}, step


def _started_length(generated: tuple, term_ids: tuple, room: int) -> int:
    """Length of the longest proper prefix of the term that the hypothesis ends with.

    Only the last `room` tokens may belong to the prefix.
    """
    if not generated or room <= 0:
        return 0
    last = generated[-1]
    for length in range(min(len(term_ids) - 1, room), 0, -1):
        if term_ids[length - 1] == last and generated[-length:] == term_ids[:length]:
            return length
    return 0
