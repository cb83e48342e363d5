"""Every change a person makes, one door each: the authority decides, the store records who.

The pages and the commands call these functions, never the writing methods of the store or of
a glossary file directly (`tests/test_actions.py` checks the pages). Each takes the acting
`workbench.authority.Actor`, asks `authority.check` (which reads the account and role again and
checks its sign-in session) and refuses with `NotAllowed` what the role may not do; the name
recorded in the history is the account's as read at that moment.

Approved work is never undone in silence: saving an alignment over an existing pair, or
importing an XLIFF file, that would alter or retire reviewed, approved or rejected segments
lists them (`AtRisk`: which segment, whose work) and needs both a role that may change approved
work (`approved.change`) and `confirm=True`; otherwise `NotAllowed` or `ConfirmationRequired`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from workbench.authority import Actor, SegmentChange, check, refusal
from workbench.errors import ConfirmationRequired, NotAllowed, StoreError

#: Statuses that record a person's judgement: changing them in bulk needs `approved.change`.
PROTECTED_STATUSES = ("reviewed", "approved", "rejected")
#: Statuses that need a target text.
NEEDS_TEXT = ("reviewed", "approved")


@dataclass(frozen=True)
class AtRisk:
    """A reviewed or approved segment a bulk change would alter or retire, and whose work it is."""

    segment_id: int
    document_id: int
    position: int | None
    status: str
    updated_by: str | None
    text: str | None
    change: str  # "altered" or "retired"
    new_text: str | None = None

    def describe(self) -> str:
        """'segment #4 (approved by lan): retired'."""
        where = f"#{self.position + 1}" if self.position is not None else f"id {self.segment_id}"
        return f"segment {where} ({self.status} by {self.updated_by or 'unknown'}): {self.change}"


def _at_risk_message(at_risk: list[AtRisk], what: str) -> str:
    shown = "; ".join(item.describe() for item in at_risk[:10])
    more = f"; and {len(at_risk) - 10} more" if len(at_risk) > 10 else ""
    return f"{what} would alter or retire {len(at_risk)} reviewed or approved segment(s): {shown}{more}"


def _guard_approved_work(store, actor: Actor, at_risk: list[AtRisk], what: str, confirm: bool) -> None:
    if not at_risk:
        return
    message = _at_risk_message(at_risk, what)
    try:
        check(actor, "approved.change", store=store)
    except NotAllowed as exc:
        raise NotAllowed(f"{message}. Not saved: {exc}", at_risk) from None
    if not confirm:
        raise ConfirmationRequired(f"{message}. Confirm to go on; the history keeps what it replaces.",
                                   at_risk)


# -- segments ------------------------------------------------------------------------------------
def save_segment(store, actor: Actor, segment_id: int, text: str | None, status: str, *,
                 expected_version: int):
    """Save a target and status as `actor`; refuse an empty reviewed/approved target and what the role may not."""
    from workbench.review.drafts import clear_draft

    text = (text or "").strip() or None
    if text is None and status in NEEDS_TEXT:
        raise StoreError(f"an empty target cannot be {status}")
    current = store.segment(segment_id)
    fresh = check(actor, "segment.save", SegmentChange(current.status, status), store=store)
    saved = store.save_target(segment_id, text, status, reviewer=fresh.name, expected_version=expected_version)
    clear_draft(store, fresh.name, segment_id)
    return saved


def undo_segment(store, actor: Actor, segment_id: int, *, expected_version: int):
    """Revert a segment's last change as `actor`, if its role may set both statuses involved."""
    history = store.history(segment_id)
    if not history:
        raise StoreError(f"segment {segment_id} has no change to undo")
    current = store.segment(segment_id)
    fresh = check(actor, "segment.undo", SegmentChange(current.status, history[-1].before_status),
                  store=store)
    return store.undo_last_change(segment_id, reviewer=fresh.name, expected_version=expected_version)


def save_draft(store, actor: Actor, segment_id: int, base_version: int, text: str | None) -> None:
    """Keep `actor`'s unsaved text of a segment (None or the stored text forgets it)."""
    from workbench.review.drafts import clear_draft, put_draft

    fresh = check(actor, "segment.draft", store=store)
    if text is None or text == (store.segment(segment_id).target_text or ""):
        clear_draft(store, fresh.name, segment_id)
    else:
        put_draft(store, fresh.name, segment_id, base_version, text)


# -- alignments and exchange files ----------------------------------------------------------------
def alignment_at_risk(store, source_document_id: int, target_name: str,
                      pairs: list[tuple[str, str | None]]) -> list[AtRisk]:
    """The reviewed or approved segments of a saved pair that saving `pairs` over it would alter or retire.

    Follows `ReviewStore.save_aligned_pair`: a segment whose source is among the new pairs is
    kept (its target replaced if it differs), the others are retired.
    """
    saved = store.aligned_pair(source_document_id, target_name)
    if saved is None:
        return []
    existing: dict[str, list] = {}
    for segment in store.segments(saved.id):
        existing.setdefault(segment.original_source_text or segment.source_text, []).append(segment)
    at_risk = []
    for source_text, target_text in pairs:
        target_text = target_text if target_text and target_text.strip() else None
        matches = existing.get(source_text)
        if not matches:
            continue
        segment = matches.pop(0)
        if segment.status in PROTECTED_STATUSES and segment.target_text != target_text:
            at_risk.append(AtRisk(segment.id, segment.document_id, segment.position, segment.status,
                                  segment.updated_by, segment.target_text, "altered", target_text))
    for segments in existing.values():
        at_risk.extend(AtRisk(s.id, s.document_id, s.position, s.status, s.updated_by, s.target_text, "retired")
                       for s in segments if s.status in PROTECTED_STATUSES)
    return sorted(at_risk, key=lambda item: (item.position is None, item.position or 0))


def save_alignment(store, actor: Actor, source_document_id: int, target_name: str, target_lang: str,
                   pairs: list[tuple[str, str | None]], *, confirm: bool = False) -> int:
    """Save aligned pairs as a document (`ReviewStore.save_aligned_pair`) as `actor`; return its id.

    Over an existing pair, reviewed or approved segments that would change or be retired need
    `approved.change` and `confirm=True` (see the module docstring).
    """
    fresh = check(actor, "alignment.save", store=store)
    _guard_approved_work(store, fresh, alignment_at_risk(store, source_document_id, target_name, pairs),
                         "Saving this alignment over the saved pair", confirm)
    return store.save_aligned_pair(source_document_id, target_name, target_lang, pairs, reviewer=fresh.name)


def import_xliff(store, actor: Actor, data: bytes, *, path: str | Path | None = None, confirm: bool = False):
    """Import an XLIFF 2 file as `actor`: every unit's status must be one the role may set.

    Units that would alter reviewed or approved segments need `approved.change` and `confirm`.
    Nothing is written when anything is refused.
    """
    from workbench.exchange.xliff import import_xliff as apply_xliff

    fresh = check(actor, "xliff.import", store=store)

    def vet(changes) -> None:
        refused, at_risk = [], []
        for change in changes:
            segment = store.segment(change.segment_id)
            reason = refusal(fresh, "segment.save", SegmentChange(segment.status, change.status))
            if change.text is None and change.status in NEEDS_TEXT:
                reason = reason or f"an empty target cannot be {change.status}"
            if reason:
                where = ":".join(str(part) for part in (path, change.line) if part is not None)
                refused.append(f"{where + ': ' if where else ''}unit '{change.unit_id}': {reason}")
            elif segment.status in PROTECTED_STATUSES:
                at_risk.append(AtRisk(segment.id, segment.document_id, segment.position, segment.status,
                                      segment.updated_by, segment.target_text, "altered", change.text))
        if refused:
            more = f" (and {len(refused) - 1} more)" if len(refused) > 1 else ""
            raise NotAllowed(f"{refused[0]}{more}; nothing was imported")
        _guard_approved_work(store, fresh, at_risk, "This import", confirm)

    return apply_xliff(store, data, reviewer=fresh.name, path=path, vet=vet)


# -- translation memory and spelling --------------------------------------------------------------
def import_tmx(store, actor: Actor, data: bytes, *, name: str, path: str | Path | None = None):
    """Import a TMX file into the translation memory as `actor` (`exchange.tmx_import`); nothing stored on refusal."""
    from workbench.exchange.tmx_import import import_tmx as store_tmx

    fresh = check(actor, "memory.import", store=store)
    return store_tmx(store, data, name=name, imported_by=fresh.name, path=path)


def accept_word(actor: Actor, path: str | Path, word: str, *, store=None) -> None:
    """Add a word to the team's accepted words (`review.spelling.add_accepted_word`) as `actor`."""
    from workbench.review.spelling import add_accepted_word

    check(actor, "spelling.accept", store=store)
    add_accepted_word(path, word)


# -- the glossary --------------------------------------------------------------------------------
def write_glossary_entry(actor: Actor, file, cells: dict[str, str], *, replacing: str | None = None,
                         store=None):
    """Add or replace one row of a glossary file (`GlossaryFile.save_entry`) as `actor`; the file reread."""
    check(actor, "glossary.write", store=store)
    return file.save_entry(cells, replacing=replacing)


def delete_glossary_entry(actor: Actor, file, entry_id: str, *, store=None):
    """Delete one row of a glossary file (`GlossaryFile.delete_entry`) as `actor`; the file reread."""
    check(actor, "glossary.write", store=store)
    return file.delete_entry(entry_id)


def accept_candidate(actor: Actor, path: str | Path, cells: dict[str, str], *, replacing: str | None = None,
                     scope: str | Path | None = None, store=None):
    """Write a reviewed term candidate's row (`candidates.accept_candidate`) as `actor`."""
    from workbench.glossary.candidates import accept_candidate as write_candidate

    check(actor, "candidate.accept", store=store)
    return write_candidate(path, cells, replacing=replacing, scope=scope)


def dismiss_candidate(store, actor: Actor, candidate) -> None:
    """Never propose this term candidate again; the dismissal records who."""
    fresh = check(actor, "candidate.dismiss", store=store)
    store.dismiss_term_candidate(candidate.id, lang=candidate.lang, kind=candidate.kind, form=candidate.form,
                                 reviewer=fresh.name)


def restore_candidate(store, actor: Actor, candidate_id: str) -> bool:
    """Forget a dismissal; True if there was one."""
    check(actor, "candidate.dismiss", store=store)
    return store.restore_term_candidate(candidate_id)


# -- documents and jobs --------------------------------------------------------------------------
def import_documents(store, actor: Actor, files, options):
    """Check, save and import uploaded (name, bytes) files as `actor` (`pipeline.import_uploads`)."""
    from workbench.pipeline import import_uploads

    check(actor, "document.upload", store=store)
    return import_uploads(store, files, options)


def start_translation(store, actor: Actor, document_ids: list[int], options, label: str, *, registry=None):
    """Translate documents on a background job (its own store connection) started by `actor`."""
    from workbench.jobs import JOBS
    from workbench.pipeline import translate_documents
    from workbench.review.store import ReviewStore

    fresh = check(actor, "document.translate", store=store)
    path = str(store.path)

    def work(progress):
        with ReviewStore(path) as own:
            return translate_documents(own, document_ids, options, progress=progress)

    return (registry or JOBS).start(label, work, owner=fresh.name)


def start_candidate_update(store, actor: Actor | None, glossary, label: str, *, rebuild: bool = False, registry=None):
    """Count changed documents (all with `rebuild`) and rank the term candidates again, on a background job.

    Derived statistics only: no reviewed work, document or glossary changes, so any signed-in
    account may start it (opening the Terms page does when the list is out of date); the job
    records who started it.
    """
    from workbench.jobs import JOBS
    from workbench.review import term_statistics
    from workbench.review.store import ReviewStore

    path = str(store.path)

    def work(progress):
        with ReviewStore(path) as own:
            return term_statistics.refresh_candidate_list(own, glossary, progress=progress, rebuild=rebuild)

    return (registry or JOBS).start(label, work, owner=actor.name if actor else None, kind="term-candidates")


def archive_document(store, actor: Actor, document_id: int) -> None:
    """Hide a document from the lists as `actor` (nothing of its work is deleted)."""
    check(actor, "document.archive", store=store)
    store.document(document_id)  # an unknown id is an error, not a silent no-op
    store.archive_document(document_id)


def cancel_job(actor: Actor, job, *, store=None) -> None:
    """Ask a background translation to stop, as `actor`."""
    check(actor, "job.cancel", store=store)
    job.cancel()
