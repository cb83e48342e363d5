"""Term candidate statistics kept in the store and updated incrementally; the candidate list ranked from them.

`find_candidates` (`workbench.glossary.candidates`) reads every source text into
memory, which costs about a megabyte per document. Here the same evidence is
kept in the store and updated one document at a time:

- `term_grams`: per language and folded n-gram (the n-grams `segment_grams`
  yields, counted without the glossary by `term_counting`): occurrences,
  documents, quoted occurrences, how many occurrences were capitalised like a
  name, and the words before and after each occurrence as a count of open
  neighbours plus the sum and sum of squares of a 20-bit hash of the others
  (every neighbour is the same word exactly when count * squares == sum ** 2, so
  "always follows X" can be told from numbers that are added and subtracted).
  Only the n-grams that can be ranked are kept (`term_counting.rankable`: met
  twice, quoted, or an English name); most n-grams of a corpus occur once;
- `term_acronyms` and `term_long_forms`: acronyms used, and the long forms
  defined inline;
- `term_counted_segments`: which segments the counts hold, per document;
  `term_changed_documents`: the documents changed since (noted by triggers);
  `term_gram_filter`: a Bloom filter of every n-gram counted.

`update_statistics(store)` takes, for each changed document, what was counted
away (the old segments' texts are kept in the store) and adds what is live. An
n-gram not kept that a new text repeats occurs at most once elsewhere: the
filter says whether it may have, and if so the concordance index finds it, so
the kept numbers are those of the whole corpus. `rebuild_statistics` starts
from empty in two passes (hashes of every occurrence, then the numbers of the
repeated ones), in worker processes if asked. Either way the kept rows are a
function of the live segments only, so an incremental update equals a full
rebuild (a test checks).

`rank_candidates(store, glossary)` ranks from the tables: the best-scored
n-grams (SQL, by the score column: weight of length x count x document
frequency factor x quoted bonus) are read up to a bounded pool, then the
glossary filters, C-value and variant grouping of `find_candidates` run on the
pool; forms and example contexts of the candidates kept come from the
concordance index (a bounded number of rows each; a candidate listed before
with the same counts keeps its own). `refresh_candidate_list` stores the ranked
list with its date (`term_candidate_list`), which the Terms page shows without
computing anything; `candidate_list` reads it back. Memory follows the pool and
a chunk of documents (and, in a rebuild, 4 bytes per n-gram occurrence), never
a megabyte per document.

What differs from `find_candidates`: n-grams inside or across a glossary match
are counted (the counts do not depend on the glossary) and left out when
ranking only if they are a glossary form or a glossary term plus function words;
a name's capitalisation is decided by the majority of its occurrences; an
acronym used without a definition gets no long form; common phrases longer
than `term_counting.STORED_MAX_WORDS` are not counted; a Vietnamese entry's misspelt variants
are looked for among the first `VARIANT_LINES` index rows of its diacritic-free
form, and forms and contexts among the first `SAMPLE_ROWS` rows of a candidate.

The counts follow the documents when something asks for the list: the Terms
page (on a background job) and `glossary candidates` count what changed since
the last count; importing does not count, so a bulk import stays as fast as before.
"""

from __future__ import annotations

import itertools
import json
import math
import re
import sqlite3
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from workbench.glossary.candidates import CONTEXT_CHARS, CONTEXTS, LANGUAGES, MAX_COMMON_WORDS, Candidate, Occurrence
from workbench.glossary.candidates.known import (
    Known,
    compositional,
    content_classes,
    entry_for,
    leftover_words,
)
from workbench.glossary.candidates.language import language_of
from workbench.glossary.candidates.model import candidate_id
from workbench.glossary.candidates.terms import rank_by_c_value
from workbench.glossary.candidates.variants import variant_candidate
from workbench.glossary.matching import tokenize
from workbench.review import term_counting
from workbench.review.term_counting import FIELDS, Counts, rankable

#: Documents counted per transaction (and held in memory at once) by an update or a rebuild.
CHUNK_DOCUMENTS = 200
#: How many of the best-scored n-grams of a language the ranking reads.
POOL = 4000
#: How many candidates per language the stored list keeps (with forms and contexts from the index).
LIST_LENGTH = 60
#: Occurrences read from the index to pick a candidate's form and contexts,
SAMPLE_LINES = 20
#: from at most this many segments.
SAMPLE_ROWS = 100
#: Segments read from the index when looking for the misspelt variants of one glossary form.
VARIANT_LINES = 100

_LIVE = """SELECT s.id, s.document_id, d.lang, coalesce(s.original_source_text, s.source_text) AS text
           FROM segments s JOIN documents d ON d.id = s.document_id
           WHERE s.retired_at IS NULL AND d.archived = 0 AND d.lang IN ('vi', 'en')"""
# The SQL above names the languages of LANGUAGES ("vi", "en").


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# -- counting -------------------------------------------------------------------------------------
def changed_documents(store) -> list[int]:
    """Documents whose source texts may have changed since the statistics counted them (noted by triggers)."""
    return [row[0] for row in store.conn.execute("SELECT document_id FROM term_changed_documents ORDER BY 1")]


def _write_others(conn, counts: Counts) -> None:
    """Add the acronym and long-form numbers (every one is kept; there are few)."""
    lang = counts.lang
    conn.executemany(
        "INSERT INTO term_acronyms (lang, acronym, count, df) VALUES (?, ?, ?, ?) ON CONFLICT (lang, acronym) "
        "DO UPDATE SET count = count + excluded.count, df = df + excluded.df",
        ((lang, acronym, *numbers) for acronym, numbers in counts.acronyms.items() if any(numbers)))
    conn.executemany("DELETE FROM term_acronyms WHERE lang = ? AND acronym = ? AND count <= 0",
                     ((lang, acronym) for acronym, numbers in counts.acronyms.items() if numbers[0] < 0))
    conn.executemany(
        "INSERT INTO term_long_forms (lang, acronym, long_form, count) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (lang, acronym, long_form) DO UPDATE SET count = count + excluded.count",
        ((lang, *pair, n) for pair, n in counts.long_forms.items() if n))
    conn.executemany("DELETE FROM term_long_forms WHERE lang = ? AND acronym = ? AND long_form = ? "
                     "AND count <= 0", ((lang, *pair) for pair, n in counts.long_forms.items() if n < 0))


_COLUMNS = ", ".join(FIELDS)
_PUT = (f"INSERT OR REPLACE INTO term_grams (lang, key, words, weight, {_COLUMNS}) "
        f"VALUES (?, ?, ?, ?, {', '.join('?' * len(FIELDS))})")


def _stored(conn, lang: str, keys) -> dict[str, list[int]]:
    """The stored numbers of those keys that are stored."""
    keys = list(keys)
    found = {}
    for start in range(0, len(keys), 500):
        batch = keys[start:start + 500]
        for row in conn.execute(f"SELECT key, {_COLUMNS} FROM term_grams WHERE lang = ? AND key IN "
                                f"({','.join('?' * len(batch))})", (lang, *batch)):
            found[row[0]] = list(row[1:])
        # (lang, key) is unique: one row each.
    return found


def _elsewhere(store, lang: str, keys: list[str], documents: list[int]) -> Counts:
    """The numbers of `keys` in the counted segments of every document but `documents`.

    The concordance index finds the segments that may hold each key (a superset:
    it folds every diacritic); those are counted again, for those keys only. An
    English segment whose source was normalised is counted from its original
    text, which the index does not hold: those are read too.
    """
    from workbench.review.concordance import index_query
    from workbench.text import fold_for_search

    counts = Counts(lang)
    if not keys:
        return counts
    marks = ",".join("?" * len(documents))
    segment_ids: set[int] = set()
    for key in keys:
        if lang == "en":
            query = index_query(key)
        else:
            words = re.findall(r"[^\W_]+", fold_for_search(key))
            query = '"' + " ".join(words) + '"' if words else None
        if query is None:
            continue
        segment_ids.update(row[0] for row in store.conn.execute(
            f"""SELECT c.segment_id FROM segment_search f JOIN term_counted_segments c ON c.segment_id = f.rowid
                WHERE segment_search MATCH ? AND c.lang = ? AND c.document_id NOT IN ({marks})""",
            (query, lang, *documents)))
    texts: dict[int, list[str]] = defaultdict(list)
    sql = """SELECT c.document_id, coalesce(s.original_source_text, s.source_text)
              FROM term_counted_segments c JOIN segments s ON s.id = c.segment_id WHERE c.segment_id IN """
    ordered = sorted(segment_ids)
    for start in range(0, len(ordered), 500):
        batch = ordered[start:start + 500]
        for document_id, text in store.conn.execute(sql + f"({','.join('?' * len(batch))})", batch):
            texts[document_id].append(text)
    if lang == "en":
        prefixes = {word[:3] for key in keys for word in re.findall(r"[^\W_]+", fold_for_search(key))}
        for document_id, segment_id, text in store.conn.execute(
                f"""SELECT c.document_id, c.segment_id, s.original_source_text FROM term_counted_segments c
                    JOIN segments s ON s.id = c.segment_id WHERE c.lang = 'en'
                      AND s.original_source_text IS NOT NULL AND c.document_id NOT IN ({marks})""", documents):
            folded = fold_for_search(text)
            if segment_id not in segment_ids and any(prefix in folded for prefix in prefixes):
                texts[document_id].append(text)
    only = set(keys)
    for document_texts in texts.values():
        counts.add_document(document_texts, only=only, acronyms=False)
    return counts


def _filter(conn, lang: str, hashes) -> term_counting.GramFilter | None:
    """The filter of n-grams met in this language, the blocks of these hashes loaded; a new, empty one if
    nothing was counted in the language yet; None if counts exist without a filter (an older store:
    until a rebuild, every n-gram not stored is looked up)."""
    met = term_counting.GramFilter.load(conn, lang, hashes)
    if met is not None:
        return met
    if conn.execute("SELECT EXISTS (SELECT 1 FROM term_counted_segments WHERE lang = ?)", (lang,)).fetchone()[0]:
        return None
    segments = conn.execute("SELECT COUNT(*) FROM segments s JOIN documents d ON d.id = s.document_id "
                            "WHERE d.lang = ? AND s.retired_at IS NULL", (lang,)).fetchone()[0]
    return term_counting.GramFilter.blocks_of(conn, lang, term_counting.filter_blocks_for(30 * segments), hashes)


def _apply(store, conn, lang: str, removed: Counts, added: Counts, documents: list[int]) -> None:
    """Take the documents' old numbers away and add their new ones, keeping only rankable n-grams exact."""
    keys = removed.grams.keys() | added.grams.keys()
    stored = _stored(conn, lang, keys)
    # An n-gram not stored occurs at most once; if not in what is taken away, that once is elsewhere, or
    # nowhere: the filter of n-grams met says which may have been met (those are looked up).
    missing = [key for key in added.grams if key not in stored and key not in removed.grams]
    added_hashes = np.array([term_counting.gram_hash(key) for key in added.grams], dtype=np.uint32)
    met = _filter(conn, lang, added_hashes)
    if met is not None and missing:
        held = met.contains(np.array([term_counting.gram_hash(key) for key in missing], dtype=np.uint32))
        missing = [key for key, may in zip(missing, held.tolist(), strict=True) if may]
    elsewhere = _elsewhere(store, lang, missing, documents)
    puts, deletes = [], []
    for key in keys:
        numbers = stored.get(key) or elsewhere.grams.get(key) or [0] * len(FIELDS)
        numbers = list(numbers)
        for source, sign in ((added, 1), (removed, -1)):
            change = source.grams.get(key)
            if change is not None:
                for index, value in enumerate(change):
                    numbers[index] += sign * value
        if numbers[0] > 0 and rankable(lang, numbers):
            words = (added.words.get(key) or removed.words[key])
            puts.append((lang, key, words, math.log2(1 + words), *numbers))
        elif key in stored:
            deletes.append((lang, key))
    conn.executemany(_PUT, puts)
    conn.executemany("DELETE FROM term_grams WHERE lang = ? AND key = ?", deletes)
    if met is not None:
        met.add(added_hashes)
        met.save(conn)
    difference = Counts(lang)
    difference.merge(added)
    for acronym, numbers in removed.acronyms.items():
        total = difference.acronyms.setdefault(acronym, [0, 0])
        total[0] -= numbers[0]
        total[1] -= numbers[1]
    for pair, count in removed.long_forms.items():
        difference.long_forms[pair] = difference.long_forms.get(pair, 0) - count
    _write_others(conn, difference)


def update_statistics(store, *, progress: Callable[[int, int], None] | None = None,
                      documents: list[int] | None = None) -> int:
    """Bring the statistics in step with the live segments; return how many documents were recounted."""
    changed = changed_documents(store) if documents is None else documents
    for start in range(0, len(changed), CHUNK_DOCUMENTS):
        chunk = changed[start:start + CHUNK_DOCUMENTS]
        marks = ",".join("?" * len(chunk))
        old: dict[tuple[int, str], list[str]] = defaultdict(list)
        for row in store.conn.execute(
                f"""SELECT c.document_id, c.lang, coalesce(s.original_source_text, s.source_text) AS text
                    FROM term_counted_segments c JOIN segments s ON s.id = c.segment_id
                    WHERE c.document_id IN ({marks}) ORDER BY c.document_id, c.segment_id""", chunk):
            old[(row["document_id"], row["lang"])].append(row["text"])
        new: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
        for row in store.conn.execute(f"{_LIVE} AND s.document_id IN ({marks}) ORDER BY s.document_id, s.id",
                                      chunk):
            new[(row["document_id"], row["lang"])].append((row["id"], row["text"]))
        removed = {lang: Counts(lang) for lang in LANGUAGES}
        added = {lang: Counts(lang) for lang in LANGUAGES}
        for (_, lang), texts in old.items():
            removed[lang].add_document(texts)
        for (_, lang), rows in new.items():
            added[lang].add_document([text for _, text in rows])
        with store.transaction() as conn:
            for lang in LANGUAGES:
                _apply(store, conn, lang, removed[lang], added[lang], chunk)
            conn.execute(f"DELETE FROM term_counted_segments WHERE document_id IN ({marks})", chunk)
            conn.execute(f"DELETE FROM term_changed_documents WHERE document_id IN ({marks})", chunk)
            conn.executemany("INSERT INTO term_counted_segments (segment_id, document_id, lang) VALUES (?, ?, ?)",
                             ((segment_id, document_id, lang) for (document_id, lang), rows in new.items()
                              for segment_id, _ in rows))
            conn.execute("INSERT OR REPLACE INTO term_statistics_state (name, value) VALUES ('counted_at', ?)",
                         (_now(),))
        if progress is not None:
            progress(min(start + CHUNK_DOCUMENTS, len(changed)), len(changed))
    return len(changed)


def rebuild_statistics(store, *, progress: Callable[[int, int], None] | None = None, workers: int = 1) -> int:
    """Count every live segment again from empty; return the number of documents counted.

    Two passes over the live segments: the first hashes every n-gram occurrence
    (numpy holds the hashes, 4 bytes an occurrence) to find those that occur twice;
    the second works out the numbers of those only. `workers` > 1 spreads both
    passes over that many processes (forked: not from a process that runs threads).
    Progress counts each document twice, once a pass.
    """
    documents = [row[0] for row in store.conn.execute(
        "SELECT id FROM documents WHERE archived = 0 AND lang IN ('vi', 'en') ORDER BY id")]
    chunks = [documents[i:i + CHUNK_DOCUMENTS] for i in range(0, len(documents), CHUNK_DOCUMENTS)]
    total, done = 2 * len(documents), 0
    hashes: dict[str, list] = defaultdict(list)
    for chunk, found in _in_workers(workers, _first_pass_chunk, store, chunks):
        for lang, array in found.items():
            hashes[lang].append(array)
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    term_counting.FREQUENT.clear()
    filters = []
    for lang, arrays in hashes.items():
        term_counting.FREQUENT[lang], distinct = term_counting.repeated_hashes(arrays)
        filters.append(term_counting.GramFilter.build(lang, distinct, term_counting.filter_blocks_for(len(distinct))))
        del distinct
    hashes.clear()
    with store.transaction() as conn:
        conn.execute("PRAGMA cache_size = -131072")  # 128 MB while the table is filled
        for table in ("term_grams", "term_acronyms", "term_long_forms", "term_counted_segments",
                      "term_changed_documents", "term_gram_filter"):
            conn.execute(f"DELETE FROM {table}")
        conn.execute("DELETE FROM term_statistics_state WHERE name LIKE 'filter_blocks_%'")
        for built in filters:
            built.save(conn)
        del filters
        adding = (f"INSERT INTO term_grams (lang, key, words, weight, {_COLUMNS}) "
                  f"VALUES (?, ?, ?, ?, {', '.join('?' * len(FIELDS))}) ON CONFLICT (lang, key) DO UPDATE SET "
                  + ", ".join(f"{name} = {name} + excluded.{name}" for name in FIELDS))
        for chunk, found in _in_workers(workers, _second_pass_chunk, store, chunks):
            for counts, rows in found:
                conn.executemany(adding, rows)
                _write_others(conn, counts)
            done += len(chunk)
            if progress is not None:
                progress(done, total)
        conn.execute("DELETE FROM term_grams WHERE NOT (count >= 2 OR quoted > 0 OR (lang = 'en' AND name_like > 0))")
        conn.execute(f"INSERT INTO term_counted_segments (segment_id, document_id, lang) "
                     f"SELECT id, document_id, lang FROM ({_LIVE})")
        conn.execute("INSERT OR REPLACE INTO term_statistics_state (name, value) VALUES ('counted_at', ?)", (_now(),))
        conn.execute("PRAGMA cache_size = -2000")
    term_counting.FREQUENT.clear()
    return len(documents)


def _chunk_texts(conn, chunk: list[int]) -> list[tuple[str, list[str]]]:
    """(language, live source texts) of each document of the chunk."""
    texts: dict[int, tuple[str, list[str]]] = {}
    for document_id, lang, text in conn.execute(
            f"SELECT document_id, lang, text FROM ({_LIVE} AND s.document_id IN ({','.join('?' * len(chunk))})) "
            "ORDER BY document_id, id", chunk):
        texts.setdefault(document_id, (lang, []))[1].append(text)
    return list(texts.values())


# A worker process reads its chunks' texts through its own connection (WAL: it reads beside the
# parent's open rebuild transaction, whose changes touch no segment), so the parent neither reads
# nor sends the texts; a single process reads through the store's.
_worker_connection: sqlite3.Connection | None = None


def _texts_of(store_or_path, chunk: list[int]) -> list[tuple[str, list[str]]]:
    global _worker_connection
    if not isinstance(store_or_path, Path):
        return _chunk_texts(store_or_path.conn, chunk)
    if _worker_connection is None:
        _worker_connection = sqlite3.connect(f"{store_or_path.resolve().as_uri()}?mode=ro", uri=True)
    return _chunk_texts(_worker_connection, chunk)


def _first_pass_chunk(store_or_path, chunk: list[int]) -> dict[str, np.ndarray]:
    return term_counting.first_pass_task(_texts_of(store_or_path, chunk))


def _second_pass_chunk(store_or_path, chunk: list[int]) -> list[tuple[Counts, list[tuple]]]:
    """The second pass's numbers of a chunk, with the n-gram rows ready to write (sorted by key, so the
    parent's inserts walk the table's key index in order); the rows are built in the worker."""
    found = []
    for counts in term_counting.second_pass_task(_texts_of(store_or_path, chunk)):
        words, lang = counts.words, counts.lang
        rows = [(lang, key, words[key], math.log2(1 + words[key]), *numbers)
                for key, numbers in sorted(counts.grams.items())]
        counts.grams, counts.words = {}, {}
        found.append((counts, rows))
    return found


def _in_workers(workers: int, task, store, chunks: list[list[int]]):
    """(chunk, task(store or its path, chunk)) for each chunk, in order; a few chunks in flight at once."""
    if workers <= 1:
        for chunk in chunks:
            yield chunk, task(store, chunk)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        pending = deque()
        for chunk in chunks:
            pending.append((chunk, pool.submit(task, store.path, chunk)))
            if len(pending) > 2 * workers:
                done_chunk, future = pending.popleft()
                yield done_chunk, future.result()
        while pending:
            done_chunk, future = pending.popleft()
            yield done_chunk, future.result()


# -- ranking -------------------------------------------------------------------------------------
def _tied(count: int, open_count: int, total: int, square: int) -> bool:
    """Every occurrence has the same (non-open) neighbour on this side (see the module docstring)."""
    return count >= 2 and open_count == 0 and count * square == total * total


def _majority(flag_count: int, count: int) -> bool:
    return 2 * flag_count > count


def rank_candidates(store, glossary=None, *, lang: str | None = None, dismissed: Iterable[str] = (),
                    limit: int = LIST_LENGTH) -> list[Candidate]:
    """Candidates ranked from the stored statistics, best first, languages interleaved by rank."""
    dismissed = set(dismissed)
    ranked = []
    for language in LANGUAGES:
        if lang is None or lang == language:
            found = [c for c in _ranklanguage_of(store, glossary, language) if c.id not in dismissed]
            ranked.append(found[:limit])
    merged: list[Candidate] = []
    for rank in range(max((len(r) for r in ranked), default=0)):
        merged.extend(r[rank] for r in ranked if rank < len(r))
    return merged


def _ranklanguage_of(store, glossary, lang: str) -> list[Candidate]:
    language = language_of(lang)
    known = Known(glossary, lang)
    acronyms = _ranked_acronyms(store, language, known)
    acronym_forms = {c.key for c in acronyms} | {tuple(tokenize(c.long_form, language.folder).keys)
                                                  for c in acronyms if c.long_form}
    kept: dict[tuple, dict] = {}
    for row in store.conn.execute(
            """SELECT * FROM term_grams WHERE lang = ? AND (count >= 2 OR quoted > 0
                   OR (lang = 'en' AND 2 * name_like > count))
               ORDER BY score DESC LIMIT ?""", (lang, POOL)):
        key = tuple(row["key"].split(" "))
        count, quoted = row["count"], row["quoted"] > 0
        name = _majority(row["name_like"], count) if lang == "en" else _majority(row["initial_capital"], count)
        if not (name or quoted) and row["words"] > MAX_COMMON_WORDS[lang]:
            continue
        if _tied(count, row["left_open"], row["left_sum"], row["left_square"]) or \
                _tied(count, row["right_open"], row["right_sum"], row["right_square"]):
            continue
        if key in known.keys or key in acronym_forms:
            continue
        if lang == "vi" and (_majority(row["all_capitals"], count) or _majority(row["ends_with_name"], count)):
            continue
        leftover = leftover_words(row["key"], language, known)
        if compositional(leftover, language):
            continue
        kept[key] = {"row": row, "name": name, "quoted": quoted,
                     "leftover": tuple(u.key.removesuffix("'s") for u in leftover) if leftover else ()}
    kept = {key: item for key, item in kept.items() if not (len(item["leftover"]) >= 2 and item["leftover"] in kept)}
    scored = rank_by_c_value(kept, lang, lambda item: (item["row"]["count"], item["row"]["words"], item["row"]["df"],
                                                       2.0 if item["quoted"] else 1.5 if item["name"] else 1.0))
    scored.sort(key=lambda entry: (-entry[0], entry[1]))
    terms = _terms_and_variants(scored[:LIST_LENGTH * 2], lang, known)
    variants = _vi_variants(store, known) if lang == "vi" else []
    candidates = acronyms + variants + terms
    candidates.sort(key=lambda c: (-c.score, c.id))
    return candidates


def _terms_and_variants(scored, lang: str, known: Known) -> list[Candidate]:
    candidates: list[Candidate] = []
    groups: list[tuple[frozenset, Candidate]] = []
    for score, key, item in scored:
        row = item["row"]
        form = row["key"]
        if lang == "en":
            classes = content_classes(form)
            entry = entry_for(classes, item["name"], known)
            if entry is not None:
                candidates.append(Candidate(
                    id=candidate_id("en", "variant", key), lang="en", kind="variant", form=form, score=score,
                    count=row["count"], occurrences=[], variant_of=entry, key=key, document_count=row["df"]))
                continue
            group = next((g for g in groups if g[0] == classes and len(classes) >= 2), None)
            if group is not None:
                group[1].variants.append(form)
                group[1].count += row["count"]
                group[1].score += score
                continue
        candidate = Candidate(id=candidate_id(lang, "term", key), lang=lang, kind="term", form=form, score=score,
                              count=row["count"], occurrences=[], key=key, document_count=row["df"])
        candidates.append(candidate)
        if lang == "en" and item["name"]:
            groups.append((content_classes(form), candidate))
    return candidates


def _ranked_acronyms(store, language, known: Known) -> list[Candidate]:
    lang = language.lang
    long_forms: dict[str, Counter] = defaultdict(Counter)
    for row in store.conn.execute("SELECT acronym, long_form, count FROM term_long_forms WHERE lang = ?", (lang,)):
        long_forms[row["acronym"]][row["long_form"]] = row["count"]
    candidates = []
    for row in store.conn.execute(
            "SELECT acronym, count, df FROM term_acronyms WHERE lang = ? ORDER BY acronym", (lang,)):
        acronym = row["acronym"]
        key = (language.fold(acronym),)
        if key in known.keys:
            continue
        inline = acronym in long_forms
        if not inline and row["count"] < 2:
            continue
        long_form = max(sorted(long_forms[acronym].items()), key=lambda kv: kv[1])[0] if inline else None
        candidates.append(Candidate(
            id=candidate_id(lang, "acronym", key), lang=lang, kind="acronym", form=acronym,
            score=10.0 * (2 if inline else 1) + row["count"], count=row["count"], occurrences=[],
            long_form=long_form, defined_inline=inline, key=key, document_count=row["df"]))
    return candidates


def _vi_variants(store, known: Known) -> list[Candidate]:
    """Vietnamese forms of an entry's term with diacritics dropped or changed, found through the index.

    For each entry form without its diacritics, the first `VARIANT_LINES` Vietnamese
    sources the index returns are searched for those words (diacritics folded away,
    only white space between them); each spelling found that is not a glossary form
    is a variant of the entry.
    """
    from workbench.review.concordance import fold_with_offsets
    from workbench.text import fold_for_search

    language = language_of("vi")
    found: dict[tuple, Candidate] = {}
    for stripped, entry in sorted(known.stripped.items()):
        words = stripped.split()
        if not words:
            continue
        pattern = re.compile(r"(?<![^\W_])" + r"\s+".join(map(re.escape, words)) + r"(?![^\W_])")
        for (text,) in store.conn.execute(
                """SELECT s.source_text FROM segment_search f JOIN segments s ON s.id = f.rowid
                       JOIN documents d ON d.id = s.document_id
                   WHERE segment_search MATCH ? AND s.retired_at IS NULL AND d.archived = 0 AND d.lang = 'vi'
                   ORDER BY f.rowid LIMIT ?""", ('source : "' + " ".join(words) + '"', VARIANT_LINES)):
            folded = fold_for_search(text)
            offsets = None
            if len(folded) != len(text):
                folded, offsets = fold_with_offsets(text)
            for match in pattern.finditer(folded):
                start, end = match.span()
                if offsets is not None:
                    start, end = offsets[start], offsets[end - 1] + 1
                surface = text[start:end]
                key = tuple(tokenize(surface, language.folder).keys)
                if key in known.keys:
                    continue
                candidate = variant_candidate(found, key, surface, entry)
                candidate.count += 1
                candidate.score = 5.0 + candidate.count
    return list(found.values())


def _with_contexts(store, candidate: Candidate) -> Candidate:
    """The candidate's most frequent surface form and up to CONTEXTS example contexts, from the index.

    Read from the first `SAMPLE_ROWS` sources of its language that the index returns.
    """
    from workbench.review.concordance import source_occurrences

    language = language_of(candidate.lang)
    surfaces: Counter = Counter()
    occurrences: list[Occurrence] = []
    documents = set()
    wanted = tuple(k for k in candidate.key if k[:1].isalnum())
    # The folded key as the query: it finds every spelling that folds to it (tone placement, case, plural).
    lines = source_occurrences(store, " ".join(candidate.key), candidate.lang, rows=SAMPLE_ROWS,
                               context=CONTEXT_CHARS + 1)
    for line in itertools.islice(lines, SAMPLE_LINES):
        key = tuple(k.removesuffix("'s") for k in tokenize(line.match, language.folder).keys if k[:1].isalnum())
        if key != wanted:
            continue
        surfaces[line.match] += 1
        documents.add(line.document_id)
        if len(occurrences) < CONTEXTS * 3:
            text = line.left.lstrip("…") + line.match + line.right.rstrip("…")
            start = len(line.left.lstrip("…"))
            occurrences.append(Occurrence(line.document_id, line.document, line.segment_id, text, start,
                                          start + len(line.match)))
    if surfaces:
        candidate.form = sorted(surfaces.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    candidate.occurrences = occurrences
    if candidate.document_count is None:
        candidate.document_count = len(documents)
    return candidate


# -- the stored list -------------------------------------------------------------------------------
def _reused(candidate: Candidate, listed: Candidate | None) -> Candidate | None:
    """The candidate with the form and contexts it was listed with, if its counts have not changed."""
    if listed is None or (listed.kind, listed.count, listed.document_count, listed.variants, listed.long_form) != \
            (candidate.kind, candidate.count, candidate.document_count, candidate.variants, candidate.long_form):
        return None
    candidate.form, candidate.occurrences = listed.form, listed.occurrences
    return candidate


def refresh_candidate_list(store, glossary=None, *, progress: Callable[[int, int], None] | None = None,
                           rebuild: bool = False, workers: int = 1) -> int:
    """Update (or rebuild, counted by `workers` processes) the statistics, rank, and store the list with its
    date; return its length."""
    if rebuild:
        counted = rebuild_statistics(store, progress=progress, workers=workers)
    else:
        counted = update_statistics(store, progress=progress)
    candidates = rank_candidates(store, glossary)
    # A candidate listed before with the same counts keeps its form and contexts (reading them is most
    # of the cost of ranking again after a few new documents).
    before = {} if rebuild else {c.id: c for c in candidate_list(store)}
    candidates = [_reused(candidate, before.get(candidate.id)) or _with_contexts(store, candidate)
                  for candidate in candidates]
    with store.transaction() as conn:
        conn.execute("DELETE FROM term_candidate_list")
        conn.executemany("INSERT INTO term_candidate_list (lang, rank, candidate_json) VALUES (?, ?, ?)",
                         ((c.lang, rank, json.dumps(c.to_record(), ensure_ascii=False))
                          for rank, c in enumerate(candidates)))
        state = {"listed_at": _now(), "glossary_version": glossary.version if glossary is not None else "",
                 "documents_counted": str(counted)}
        conn.executemany("INSERT OR REPLACE INTO term_statistics_state (name, value) VALUES (?, ?)", state.items())
    return len(candidates)


def candidate_list(store, *, lang: str | None = None, dismissed: Iterable[str] = (),
                   limit: int | None = None) -> list[Candidate]:
    """The stored list as last refreshed, best first, dismissed candidates left out."""
    dismissed = set(dismissed)
    where, params = ("WHERE lang = ?", [lang]) if lang else ("", [])
    result = []
    for row in store.conn.execute(f"SELECT candidate_json FROM term_candidate_list {where} ORDER BY rank", params):
        candidate = Candidate.from_record(json.loads(row[0]))
        if candidate.id not in dismissed:
            result.append(candidate)
            if limit is not None and len(result) >= limit:
                break
    return result


def list_state(store) -> dict[str, str]:
    """When the list was last ranked (`listed_at`), with which glossary version, when counts last changed."""
    return {row["name"]: row["value"] for row in store.conn.execute("SELECT name, value FROM term_statistics_state")}


def statistics_behind(store) -> bool:
    """True when some document changed since the statistics were counted (the list may be out of date)."""
    return store.conn.execute("SELECT EXISTS (SELECT 1 FROM term_changed_documents)").fetchone()[0] == 1


def statistics_rows(store) -> dict[str, list[tuple]]:
    """Every statistics row, sorted (for comparing an incremental update with a rebuild)."""
    tables = {"term_grams": "lang, key, words, " + ", ".join(FIELDS), "term_acronyms": "lang, acronym, count, df",
              "term_long_forms": "lang, acronym, long_form, count",
              "term_counted_segments": "segment_id, document_id, lang"}
    return {table: sorted(tuple(row) for row in store.conn.execute(f"SELECT {columns} FROM {table}"))
            for table, columns in tables.items()}




def list_is_current(store, glossary=None) -> bool:
    """Whether the stored list reflects every document and this glossary version."""
    state = list_state(store)
    return ("listed_at" in state and state.get("glossary_version", "") == (glossary.version if glossary else "")
            and not statistics_behind(store))


def current_candidates(store, glossary=None, *, lang: str | None = None, dismissed: Iterable[str] = (),
                       rebuild: bool = False, progress: Callable[[int, int], None] | None = None,
                       workers: int = 1) -> list[Candidate]:
    """The stored list, brought up to date first when documents or the glossary changed (or `rebuild`,
    counted by `workers` processes)."""
    if rebuild or not list_is_current(store, glossary):
        if store.read_only:
            return [_with_contexts(store, c) for c in rank_candidates(store, glossary, lang=lang, dismissed=dismissed)]
        refresh_candidate_list(store, glossary, progress=progress, rebuild=rebuild, workers=workers)
    return candidate_list(store, lang=lang, dismissed=dismissed)
