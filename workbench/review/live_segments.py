"""One document's live segments kept between runs of the Review page, read again only where they changed.

Reading a 1,000-segment document's records (with their machine translations) is
most of what a save-and-next costs on the server. Which segments changed since
the last run shows in a cheap query of each segment's revision: its version
(bumped by every save and undo), its machine translation and its place (a
re-import moves, adds and retires segments). Only the changed records are read
again; a translation run or a re-import that changed many is read whole.
"""

from __future__ import annotations

#: A segment's revision: everything that can change in its record. Translations are never rewritten
#: (a new one gets a new id), and source texts never change (a re-import adds a new segment instead).
REVISION_QUERY = ("SELECT id, version, translation_id, position, paragraph, kind FROM segments "
                  "WHERE document_id = ? AND retired_at IS NULL ORDER BY position")
#: Above this many changed segments one read of the whole document is cheaper than one read each.
READ_WHOLE_ABOVE = 50
_KEY = "_live_segments"


def live_segments(store, document_id: int, cache: dict) -> list:
    """The document's live segments in order, as `store.segments` returns them, reusing `cache`'s records.

    `cache` is any dict kept between calls for this one document (the Review page's check cache).
    The revisions are read before the records, so a save between the two reads only makes the next
    call read that segment again; it never leaves a stale record in the cache.
    """
    revisions = [tuple(row) for row in store.conn.execute(REVISION_QUERY, (document_id,))]
    kept = cache.get(_KEY)
    if kept is not None and kept[0] == document_id and kept[1] == revisions:
        return kept[2]
    known = dict(zip(kept[1], kept[2], strict=True)) if kept is not None and kept[0] == document_id else {}
    changed = [revision for revision in revisions if revision not in known]
    if len(changed) > READ_WHOLE_ABOVE:
        records = store.segments(document_id)
        if [record.id for record in records] != [revision[0] for revision in revisions]:
            cache.pop(_KEY, None)  # segments came or went between the two reads: keep nothing this time
            return records
    else:
        fresh = {revision: store.segment(revision[0]) for revision in changed}
        records = [known.get(revision) or fresh[revision] for revision in revisions]
    cache[_KEY] = (document_id, revisions, records)  # one assignment: other sessions share this cache
    return records
