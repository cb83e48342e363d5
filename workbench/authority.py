"""Who may do what: the one authority that every change to reviewed work, documents or the glossary asks.

After Datasette's `permission_allowed(actor, action, resource)`: an `Actor` is whoever acts (an
account of the users file, or in single-team mode the name someone typed), an action is one of
`PERMISSIONS`, and a resource says what the action touches where that matters (`SegmentChange`:
a segment's status now and the status it is saved with). Pages ask `permission_allowed` to hide
or disable what would be refused and `refusal` to say why; the library functions that change
anything (`workbench.actions`) call `check`, which raises `NotAllowed`.

`check` reads the account again from the users file every time, so a removal, a demotion or a
password change applies to the very next change, whatever the page still shows; an actor that
came from a sign-in session (`Actor.session`) is refused once that session has ended (sign-out,
expiry, password or role change, removal; see `workbench.review.sessions`). Without a users file
(single-team mode) every action is allowed, but a name is still required and recorded.
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass, replace
from pathlib import Path

from workbench.accounts import STATUS_ACTIONS, load_users, may_save, role_can, users_file_path
from workbench.errors import NotAllowed

#: Every action the authority decides, and the role right (`accounts.ROLE_ACTIONS`) it needs.
#: `segment.save` and `segment.undo` also depend on the statuses involved (`SegmentChange`).
PERMISSIONS: dict[str, str] = {
    "segment.save": "edit",
    "segment.undo": "edit",
    "segment.draft": "edit",
    "approved.change": "approve",  # alter or retire reviewed or approved segments in bulk (Align, XLIFF)
    "alignment.save": "mark-translated",
    "xliff.import": "edit",
    "glossary.write": "edit-glossary",
    "candidate.accept": "edit-glossary",
    "candidate.dismiss": "edit-glossary",
    "document.upload": "manage-documents",
    "document.translate": "manage-documents",
    "document.archive": "manage-documents",
    "job.cancel": "manage-documents",
    "memory.import": "approve",  # imported units are offered like approved segments
    "spelling.accept": "edit-glossary",  # the team's accepted words sit beside its glossary
}

#: What a refusal says the role may not do, per action.
_WHAT = {
    "segment.save": "edit segments", "segment.undo": "undo changes of segments",
    "segment.draft": "edit segments",
    "approved.change": "change reviewed or approved work", "alignment.save": "save aligned pairs as segments",
    "xliff.import": "import XLIFF files", "glossary.write": "change the glossary",
    "candidate.accept": "write term candidates into the glossary",
    "candidate.dismiss": "dismiss term candidates", "document.upload": "import documents",
    "document.translate": "translate documents", "document.archive": "archive documents",
    "job.cancel": "cancel translations",
    "memory.import": "import translation memories", "spelling.accept": "add accepted words for the team",
}
_WHO_MAY = {"edit": "a reviewer", "mark-translated": "a reviewer", "approve": "an approver",
            "edit-glossary": "a glossary editor", "manage-documents": "an administrator"}


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (`role` set) or, in single-team mode, a typed name (`role` None)."""

    name: str
    role: str | None = None
    session: str | None = None  # the id of the sign-in session this actor came from, if any

    @property
    def single_team(self) -> bool:
        """True when no users file decides (everything is allowed)."""
        return self.role is None


@dataclass(frozen=True)
class SegmentChange:
    """The resource of `segment.save` / `segment.undo`: a segment's status now and the one it gets."""

    current_status: str
    new_status: str


def permission_allowed(actor: Actor | None, action: str, resource: object = None) -> bool:
    """Whether `actor` may do `action` (on `resource`), by the role it holds now; no file is read."""
    return refusal(actor, action, resource) is None


def refusal(actor: Actor | None, action: str, resource: object = None) -> str | None:
    """Why `actor` may not do `action` (on `resource`), in words; None when it may."""
    if action not in PERMISSIONS:
        raise ValueError(f"unknown action '{action}' (known: {', '.join(sorted(PERMISSIONS))})")
    if actor is None or not actor.name.strip():
        return "nobody is signed in" if users_file_path() else "enter your name first"
    if actor.single_team:
        return None
    who = f"your account ({actor.role})"
    if isinstance(resource, SegmentChange) and action in ("segment.save", "segment.undo"):
        if may_save(actor.role, resource.current_status, resource.new_status):
            return None
        if not role_can(actor.role, "edit"):
            return f"{who} may not edit segments"
        if resource.current_status in ("approved", "rejected") and not role_can(actor.role, "approve"):
            return f"{who} may not change a segment that is {resource.current_status}; ask an approver"
        needed = STATUS_ACTIONS.get(resource.new_status, "approve")
        return f"{who} may not mark a segment {resource.new_status}; ask {_WHO_MAY.get(needed, 'an approver')}"
    needed = PERMISSIONS[action]
    if role_can(actor.role, needed) and (action != "alignment.save" or role_can(actor.role, "edit")):
        return None
    return f"{who} may not {_WHAT[action]}; ask {_WHO_MAY.get(needed, 'an administrator')}"


def current(actor: Actor | None, *, store=None) -> Actor:
    """The actor as it stands now: its role read again from the users file, its session checked.

    NotAllowed when nobody is named, the account is gone, or its sign-in session has ended.
    """
    if actor is None or not (actor.name or "").strip():
        path = users_file_path()
        raise NotAllowed("nobody is signed in" if path else "a reviewer name is required to change anything")
    path = users_file_path()
    if path is None:
        return Actor(actor.name.strip(), None, actor.session)
    users = load_users(path)
    entry = users.get(actor.name)
    if entry is None:
        raise NotAllowed(f"there is no account {actor.name!r} (any more) in the users file")
    fresh = replace(actor, role=entry[0].role)
    if actor.session is not None and store is not None:
        from workbench.review.sessions import session_live

        if not session_live(store, actor.session, Path(path)):
            raise NotAllowed("your sign-in has ended (signed out, expired, or your password or role "
                             "changed): sign in again")
    return fresh


def check(actor: Actor | None, action: str, resource: object = None, *, store=None) -> Actor:
    """Refuse with NotAllowed what `actor` may not do now; return the actor as read now.

    The account and role are read again (see `current`); the name to record is the returned
    actor's.
    """
    fresh = current(actor, store=store)
    reason = refusal(fresh, action, resource)
    if reason:
        raise NotAllowed(reason)
    return fresh


def command_line_actor(name: str | None) -> Actor:
    """Who runs a command: `--reviewer NAME`, else the operating-system user.

    With a users file the name must be one of its accounts, and that account's role applies;
    without one anyone may act under the name given.
    """
    chosen = (name or "").strip()
    if not chosen:
        try:
            chosen = getpass.getuser()
        except Exception:  # no login name in the environment or the password database
            raise NotAllowed("cannot tell who you are: give --reviewer NAME") from None
    path = users_file_path()
    if path is None:
        return Actor(chosen)
    entry = load_users(path).get(chosen)
    if entry is None:
        raise NotAllowed(f"{path}: no account {chosen!r}; the users file decides who may change reviewed "
                         "work (give --reviewer ACCOUNT)")
    return Actor(chosen, entry[0].role)


def statuses_allowed(actor: Actor | None, statuses: tuple[str, ...]) -> tuple[str, ...]:
    """The statuses of `statuses` that `actor` may set (all in single-team mode)."""
    if actor is None:
        return ()
    if actor.single_team:
        return tuple(statuses)
    return tuple(s for s in statuses if role_can(actor.role, STATUS_ACTIONS.get(s, "approve")))


def highest_status(actor: Actor | None, statuses: tuple[str, ...] = ("approved", "reviewed", "translated")
                   ) -> str | None:
    """The most advanced status of `statuses` that `actor` may set: what its approve key saves."""
    allowed = statuses_allowed(actor, statuses)
    return allowed[0] if allowed else None
