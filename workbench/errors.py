"""Exceptions named after the condition they report.

Every library error is a WorkbenchError. Errors that come from a file carry its
path and, where known, the line, so the CLI and the UI can print one clear
`path:line: reason` message.
"""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """Base class of every error the workbench reports to a user."""


class UsageError(WorkbenchError):
    """A command was given options that cannot work together or a malformed value (exit status 2)."""


class LocatedError(WorkbenchError):
    """An error tied to a place in a file: `path:line: reason`."""

    def __init__(self, reason: str, path: str | Path | None = None, line: int | None = None):
        self.reason = reason
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.location_message())

    def location_message(self) -> str:
        """Render as `path:line: reason`, leaving out the parts that are unknown."""
        where = self.path or ""
        if where and self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}" if where else self.reason


class DocumentError(LocatedError):
    """A document cannot be ingested (empty, binary, undecodable, unknown language...)."""


class EncodingRefused(DocumentError):
    """The bytes are in an encoding the workbench will not guess at."""


class UnknownLanguage(DocumentError):
    """The language of a document could not be detected and was not given."""


class ModelUnavailable(WorkbenchError):
    """A translation checkpoint cannot be loaded (offline, missing directory...)."""

    def __init__(self, pair: str, checkpoint: str, reason: str):
        self.pair = pair
        self.checkpoint = checkpoint
        self.reason = reason
        super().__init__(
            f"model {pair} unavailable: cannot load checkpoint '{checkpoint}' ({reason}). "
            f"Get it with `workbench models pull {pair}` on a machine with a "
            f"connection, or point at a local directory with `--model {pair}=DIR` "
            f"or WORKBENCH_MODEL_{pair.upper().replace('-', '_')}=DIR."
        )


class StoreError(WorkbenchError):
    """The review store cannot be opened or is in an unexpected state."""


class StaleVersion(StoreError):
    """A save was based on an older version of a segment than the stored one."""

    def __init__(self, segment_id: int, expected: int, current: int, current_text: str | None):
        self.segment_id = segment_id
        self.expected = expected
        self.current = current
        self.current_text = current_text
        super().__init__(
            f"segment {segment_id} was changed by someone else (your version {expected}, "
            f"stored version {current}); the stored text is: {current_text!r}"
        )


class GlossaryError(WorkbenchError):
    """A glossary is broken; carries every problem found, each `file:line: reason`."""

    def __init__(self, problems: list[LocatedError]):
        self.problems = list(problems)
        super().__init__("\n".join(p.location_message() for p in self.problems))


class SegmentRetired(StoreError):
    """A save was aimed at a segment that a re-import of its document retired (kept, hidden).

    Carries the reviewer's text, so nothing typed is lost, and the live segment
    that most likely replaced it (`successor_id`, None when there is none).
    """

    def __init__(self, segment_id: int, text: str | None, status: str, successor_id: int | None,
                 successor_position: int | None = None, successor_text: str | None = None):
        self.segment_id = segment_id
        self.text = text
        self.status = status
        self.successor_id = successor_id
        self.successor_position = successor_position
        self.successor_text = successor_text
        where = (f"; it was most likely replaced by segment #{successor_position + 1} "
                 f"(id {successor_id}): {successor_text!r}" if successor_id is not None
                 else "; no segment replaces it")
        super().__init__(
            f"segment {segment_id} was retired: its document changed on disk and was imported "
            f"again, so this sentence is no longer in it{where}. Your text was not saved: {text!r}")


class ReadOnlyStore(StoreError):
    """A change was asked of a review store opened read-only (file or folder not writable)."""


class UserFileError(LocatedError):
    """The users file (accounts and roles) is missing, malformed or holds a bad entry."""


class SignInFailed(WorkbenchError):
    """A user name and password did not match an account of the users file."""


class NotAllowed(WorkbenchError):
    """The acting account's role does not allow this change (or the account is gone, or signed out).

    `at_risk` lists the reviewed or approved segments the change would have altered, when that is
    why it was refused.
    """

    def __init__(self, message: str, at_risk: list | None = None):
        self.at_risk = list(at_risk or [])
        super().__init__(message)


class ConfirmationRequired(WorkbenchError):
    """A change would alter or retire reviewed or approved segments: it runs only when confirmed.

    `at_risk` lists them (`workbench.actions.AtRisk`: segment, status, whose work, its text).
    """

    def __init__(self, message: str, at_risk: list):
        self.at_risk = list(at_risk)
        super().__init__(message)


class SignInThrottled(SignInFailed):
    """Too many failed sign-ins for this account or from this client: try again after `wait_seconds`."""

    def __init__(self, wait_seconds: float):
        self.wait_seconds = max(1, int(wait_seconds + 0.999))
        super().__init__(f"too many failed sign-ins: wait {format_wait(self.wait_seconds)} before trying again")


def format_wait(seconds: float) -> str:
    """'45 s', '3 min 20 s', '1 h 5 min'."""
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min" + (f" {seconds % 60} s" if seconds % 60 else "")
    return f"{seconds // 3600} h" + (f" {seconds % 3600 // 60} min" if seconds % 3600 // 60 else "")
